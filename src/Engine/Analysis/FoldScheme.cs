using Alds.Engine.Layers;

namespace Alds.Engine.Analysis;

/// <summary>
/// The four ways to fold a 4-D weight into a matrix (DESIGN §1). For a layer
/// <c>[out, in, kh, kw]</c>: <see cref="EncoderTaps"/> kernel taps go with each input
/// channel on the encoder side, <see cref="DecoderTaps"/> with each output channel.
/// </summary>
public static class FoldScheme
{
    /// <summary>Scheme 0, the paper's ALDS: every kernel tap on the encoder side.</summary>
    public const int KernelEncode = 0;
    /// <summary>Scheme 1: the kernel split, its width (<c>kw</c> taps) with the encoder and its height (<c>kh</c>) with the decoder.</summary>
    public const int Split1 = 1;
    /// <summary>Scheme 2: the kernel split, its height (<c>kh</c> taps) with the encoder and its width (<c>kw</c>) with the decoder.</summary>
    public const int Split2 = 2;
    /// <summary>Scheme 3: every kernel tap on the decoder side.</summary>
    public const int KernelDecode = 3;

    /// <summary>The four schemes, 0..3 (ALDS+).</summary>
    public static readonly int[] All = [0, 1, 2, 3];

    internal static (int encKh, int encKw) EncoderKernel(int scheme, int kh, int kw) => scheme switch
    {
        0 => (kh, kw),
        1 => (1, kw),
        2 => (kh, 1),
        3 => (1, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(scheme)),
    };

    internal static (int decKh, int decKw) DecoderKernel(int scheme, int kh, int kw) => scheme switch
    {
        0 => (1, 1),
        1 => (kh, 1),
        2 => (1, kw),
        3 => (kh, kw),
        _ => throw new ArgumentOutOfRangeException(nameof(scheme)),
    };

    internal static int EncoderTaps(int scheme, int kh, int kw) { var (a, b) = EncoderKernel(scheme, kh, kw); return a * b; }
    internal static int DecoderTaps(int scheme, int kh, int kw) { var (a, b) = DecoderKernel(scheme, kh, kw); return a * b; }

    /// <summary>
    /// The shape <c>(m, n)</c> of one group's matrix under <paramref name="scheme"/> with <paramref name="groups"/>
    /// groups: <c>m = out·dec</c>, <c>n = (in/k)·enc</c> (DESIGN §1).
    /// </summary>
    internal static (int m, int n) GroupShape(int scheme, LayerSpec layer, int groups) =>
        (checked(layer.Out * DecoderTaps(scheme, layer.Kh, layer.Kw)), checked(layer.In / groups * EncoderTaps(scheme, layer.Kh, layer.Kw)));

    /// <summary><c>params(s,k,j) = j · (k·out·dec + in·enc)</c>.</summary>
    public static long Params(int scheme, int groups, int rank, int outCh, int inCh, int kh, int kw) =>
        checked((long)rank * ((long)groups * outCh * DecoderTaps(scheme, kh, kw) + (long)inCh * EncoderTaps(scheme, kh, kw)));
}
