using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Functional.Numerics;

/// <summary>
/// The operations the elementary functions are written in, over one double (<see cref="Scalar"/>) or a vector of
/// them (<see cref="Lanes256"/>, <see cref="Lanes512"/>). Every function body is generic over this interface, so the
/// scalar and the vector forms run the same IEEE operations in the same order and give the same bits.
/// Masks are lanes whose bits are all ones (true) or all zeros (false), as the vector comparisons return them.
/// </summary>
internal interface ILanes<TSelf>
    where TSelf : struct, ILanes<TSelf>
{
    static abstract TSelf Of(double c);
    static abstract TSelf OfBits(long bits);

    static abstract TSelf operator +(TSelf a, TSelf b);

    static abstract TSelf operator -(TSelf a, TSelf b);

    static abstract TSelf operator *(TSelf a, TSelf b);

    static abstract TSelf operator /(TSelf a, TSelf b);

    /// <summary>a × b + c rounded once.</summary>
    static abstract TSelf Fma(TSelf a, TSelf b, TSelf c);
    static abstract TSelf Select(TSelf mask, TSelf whenTrue, TSelf whenFalse);
    static abstract TSelf Less(TSelf a, TSelf b);
    static abstract TSelf LessOrEqual(TSelf a, TSelf b);
    static abstract TSelf Equal(TSelf a, TSelf b);
    static abstract TSelf And(TSelf a, TSelf b);
    static abstract TSelf Or(TSelf a, TSelf b);

    /// <summary>Adds the bit patterns as 64-bit integers.</summary>
    static abstract TSelf AddBits(TSelf a, TSelf b);
    static abstract TSelf ShiftLeftBits(TSelf a, int n);
    static abstract TSelf ShiftRightBits(TSelf a, int n);

    /// <summary>Whether any lane of the mask is true.</summary>
    static abstract bool Any(TSelf mask);
}

/// <summary>One double as lanes.</summary>
internal readonly struct Scalar(double v) : ILanes<Scalar>
{
    public readonly double V = v;

    private static long B(double d) => BitConverter.DoubleToInt64Bits(d);

    private static double D(long b) => BitConverter.Int64BitsToDouble(b);

    private static Scalar M(bool b) => new(D(-(long)Unsafe.BitCast<bool, byte>(b)));

    public static Scalar Of(double c) => new(c);

    public static Scalar OfBits(long bits) => new(D(bits));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar operator +(Scalar a, Scalar b) => new(a.V + b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar operator -(Scalar a, Scalar b) => new(a.V - b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar operator *(Scalar a, Scalar b) => new(a.V * b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar operator /(Scalar a, Scalar b) => new(a.V / b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar Fma(Scalar a, Scalar b, Scalar c) => new(Math.FusedMultiplyAdd(a.V, b.V, c.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar Select(Scalar mask, Scalar whenTrue, Scalar whenFalse)
    {
        // bitwise, as the vector blend: no branch to mispredict on data-dependent masks
        var m = B(mask.V);
        return new(D((B(whenTrue.V) & m) | (B(whenFalse.V) & ~m)));
    }

    public static Scalar Less(Scalar a, Scalar b) => M(a.V < b.V);

    public static Scalar LessOrEqual(Scalar a, Scalar b) => M(a.V <= b.V);

    public static Scalar Equal(Scalar a, Scalar b) => M(a.V == b.V);

    public static Scalar And(Scalar a, Scalar b) => new(D(B(a.V) & B(b.V)));

    public static Scalar Or(Scalar a, Scalar b) => new(D(B(a.V) | B(b.V)));

    public static Scalar AddBits(Scalar a, Scalar b) => new(D(B(a.V) + B(b.V)));

    public static Scalar ShiftLeftBits(Scalar a, int n) => new(D(B(a.V) << n));

    public static Scalar ShiftRightBits(Scalar a, int n) => new(D((long)((ulong)B(a.V) >> n)));

    public static bool Any(Scalar mask) => B(mask.V) != 0;
}

/// <summary>Four doubles as lanes.</summary>
internal readonly struct Lanes256(Vector256<double> v) : ILanes<Lanes256>
{
    public readonly Vector256<double> V = v;

    public static Lanes256 Of(double c) => new(Vector256.Create(c));

    public static Lanes256 OfBits(long bits) => new(Vector256.Create(bits).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator +(Lanes256 a, Lanes256 b) => new(a.V + b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator -(Lanes256 a, Lanes256 b) => new(a.V - b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator *(Lanes256 a, Lanes256 b) => new(a.V * b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator /(Lanes256 a, Lanes256 b) => new(a.V / b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Fma(Lanes256 a, Lanes256 b, Lanes256 c) => new(Vector256.FusedMultiplyAdd(a.V, b.V, c.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Select(Lanes256 mask, Lanes256 whenTrue, Lanes256 whenFalse) =>
        new(Vector256.ConditionalSelect(mask.V, whenTrue.V, whenFalse.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Less(Lanes256 a, Lanes256 b) => new(Vector256.LessThan(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 LessOrEqual(Lanes256 a, Lanes256 b) => new(Vector256.LessThanOrEqual(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Equal(Lanes256 a, Lanes256 b) => new(Vector256.Equals(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 And(Lanes256 a, Lanes256 b) => new(a.V & b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Or(Lanes256 a, Lanes256 b) => new(a.V | b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 AddBits(Lanes256 a, Lanes256 b) => new((a.V.AsInt64() + b.V.AsInt64()).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 ShiftLeftBits(Lanes256 a, int n) => new(Vector256.ShiftLeft(a.V.AsInt64(), n).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 ShiftRightBits(Lanes256 a, int n) =>
        new(Vector256.ShiftRightLogical(a.V.AsInt64(), n).AsDouble());

    public static bool Any(Lanes256 mask) => mask.V.AsInt64() != Vector256<long>.Zero;
}

/// <summary>Eight doubles as lanes.</summary>
internal readonly struct Lanes512(Vector512<double> v) : ILanes<Lanes512>
{
    public readonly Vector512<double> V = v;

    public static Lanes512 Of(double c) => new(Vector512.Create(c));

    public static Lanes512 OfBits(long bits) => new(Vector512.Create(bits).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator +(Lanes512 a, Lanes512 b) => new(a.V + b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator -(Lanes512 a, Lanes512 b) => new(a.V - b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator *(Lanes512 a, Lanes512 b) => new(a.V * b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator /(Lanes512 a, Lanes512 b) => new(a.V / b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Fma(Lanes512 a, Lanes512 b, Lanes512 c) => new(Vector512.FusedMultiplyAdd(a.V, b.V, c.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Select(Lanes512 mask, Lanes512 whenTrue, Lanes512 whenFalse) =>
        new(Vector512.ConditionalSelect(mask.V, whenTrue.V, whenFalse.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Less(Lanes512 a, Lanes512 b) => new(Vector512.LessThan(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 LessOrEqual(Lanes512 a, Lanes512 b) => new(Vector512.LessThanOrEqual(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Equal(Lanes512 a, Lanes512 b) => new(Vector512.Equals(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 And(Lanes512 a, Lanes512 b) => new(a.V & b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Or(Lanes512 a, Lanes512 b) => new(a.V | b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 AddBits(Lanes512 a, Lanes512 b) => new((a.V.AsInt64() + b.V.AsInt64()).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 ShiftLeftBits(Lanes512 a, int n) => new(Vector512.ShiftLeft(a.V.AsInt64(), n).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 ShiftRightBits(Lanes512 a, int n) =>
        new(Vector512.ShiftRightLogical(a.V.AsInt64(), n).AsDouble());

    public static bool Any(Lanes512 mask) => mask.V.AsInt64() != Vector512<long>.Zero;
}
