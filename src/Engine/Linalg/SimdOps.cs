using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Alds.Engine.Linalg;

/// <summary>
/// One vector width for the generic kernels of this folder. The JIT specialises each kernel per
/// struct, so <see cref="Simd512"/>, <see cref="Simd256"/> and <see cref="Simd1"/> (scalar) share one body.
/// </summary>
internal interface ISimd<TV> where TV : struct
{
    static abstract int Count { get; }
    static abstract TV Zero { get; }
    static abstract TV Splat(double x);
    static abstract TV Load(ref double p);
    static abstract void Store(TV v, ref double p);
    /// <summary>a·b + c, fused.</summary>
    static abstract TV Fma(TV a, TV b, TV c);
    /// <summary>c − a·b, fused (the hardware's negated multiply-add: no separate negation of a in a loop).</summary>
    static abstract TV Fnma(TV a, TV b, TV c);
    static abstract TV Add(TV a, TV b);
    static abstract double Sum(TV v);
}

internal readonly struct Simd512 : ISimd<Vector512<double>>
{
    public static int Count => Vector512<double>.Count;
    public static Vector512<double> Zero => Vector512<double>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Splat(double x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Load(ref double p) => Vector512.LoadUnsafe(ref p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<double> v, ref double p) => v.StoreUnsafe(ref p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Fma(Vector512<double> a, Vector512<double> b, Vector512<double> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Fnma(Vector512<double> a, Vector512<double> b, Vector512<double> c) => Avx512F.FusedMultiplyAddNegated(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Add(Vector512<double> a, Vector512<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(Vector512<double> v) => Vector512.Sum(v);
}

internal readonly struct Simd256 : ISimd<Vector256<double>>
{
    public static int Count => Vector256<double>.Count;
    public static Vector256<double> Zero => Vector256<double>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Splat(double x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Load(ref double p) => Vector256.LoadUnsafe(ref p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<double> v, ref double p) => v.StoreUnsafe(ref p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Fma(Vector256<double> a, Vector256<double> b, Vector256<double> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Fnma(Vector256<double> a, Vector256<double> b, Vector256<double> c) =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported ? System.Runtime.Intrinsics.X86.Fma.MultiplyAddNegated(a, b, c) : Vector256.FusedMultiplyAdd(-a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Add(Vector256<double> a, Vector256<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(Vector256<double> v) => Vector256.Sum(v);
}

/// <summary>Scalar fallback with the same contract (fused multiply-add via <see cref="Math.FusedMultiplyAdd"/>).</summary>
internal readonly struct Simd1 : ISimd<double>
{
    public static int Count => 1;
    public static double Zero => 0.0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Splat(double x) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Load(ref double p) => p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(double v, ref double p) => p = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Fma(double a, double b, double c) => Math.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Fnma(double a, double b, double c) => Math.FusedMultiplyAdd(-a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Add(double a, double b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(double v) => v;
}

/// <summary>Which vector width the kernels use on this machine.</summary>
internal static class SimdLevel
{
    /// <summary>0 = scalar, 256, or 512. Settable by tests to exercise the narrower paths.</summary>
    public static int Width { get; set; } =
        Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 0;
}
