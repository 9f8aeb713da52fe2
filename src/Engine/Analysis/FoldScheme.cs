namespace Alds.Engine.Analysis;

/// <summary>
/// The four ways to fold a 4-D weight into a matrix (DESIGN §1). For a layer
/// <c>[out, in, kh, kw]</c>: <see cref="EncoderTaps"/> kernel taps go with each input
/// channel on the encoder side, <see cref="DecoderTaps"/> with each output channel.
/// </summary>
public static class FoldScheme
{
    public const int KernelEncode = 0, Split1 = 1, Split2 = 2, KernelDecode = 3;

    public static readonly int[] All = [0, 1, 2, 3];

    public static (int encKh, int encKw) EncoderKernel(int scheme, int kh, int kw) => scheme switch
    {
        0 => (kh, kw),
        1 => (1, kw),
        2 => (kh, 1),
        3 => (1, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(scheme)),
    };

    public static (int decKh, int decKw) DecoderKernel(int scheme, int kh, int kw) => scheme switch
    {
        0 => (1, 1),
        1 => (kh, 1),
        2 => (1, kw),
        3 => (kh, kw),
        _ => throw new ArgumentOutOfRangeException(nameof(scheme)),
    };

    public static int EncoderTaps(int scheme, int kh, int kw) { var (a, b) = EncoderKernel(scheme, kh, kw); return a * b; }
    public static int DecoderTaps(int scheme, int kh, int kw) { var (a, b) = DecoderKernel(scheme, kh, kw); return a * b; }

    /// <summary><c>params(s,k,j) = j · (k·out·dec + in·enc)</c>.</summary>
    public static long Params(int scheme, int groups, int rank, int outCh, int inCh, int kh, int kw) =>
        checked((long)rank * ((long)groups * outCh * DecoderTaps(scheme, kh, kw) + (long)inCh * EncoderTaps(scheme, kh, kw)));
}
