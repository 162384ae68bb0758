using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Functional.Core;
using Functional.Kernels;
using static Functional.Optim.Slots;

namespace Functional.Optim;

/// <summary>
/// A rule's per-element formula, written once over four lanes: from the incoming update <c>g</c>, the parameter
/// <c>p</c> and up to two state lanes (replaced by their next values) it returns the outgoing update.
/// </summary>
/// <remarks>
/// Every element runs this one expression, whole blocks and the tail alike (<see cref="Lanes.Run"/>), and a
/// <see cref="Vector256{T}"/> operation is the scalar IEEE operation lane by lane (no fused multiply-add), so the
/// bits of an element depend neither on where it sits nor on the vector width.
/// </remarks>
internal interface ILaneFormula
{
    /// <summary>How many state lanes the formula reads and writes (0, 1 or 2).</summary>
    static abstract int Slots { get; }

    /// <summary>The outgoing update of four elements; <paramref name="a"/> and <paramref name="b"/> become the next state.</summary>
    Vector256<double> Step(Vector256<double> g, Vector256<double> p, ref Vector256<double> a, ref Vector256<double> b);
}

internal static class Lanes
{
    /// <summary>Arrays with at least this many elements (64 KB) are updated by all workers.</summary>
    public const int ParallelElements = 8_192;

    /// <summary>
    /// One pass of formula <paramref name="f"/> over an array: the next state arrays (fresh, null past
    /// <see cref="ILaneFormula.Slots"/>) and either the update (<paramref name="subtract"/> false) or the parameter
    /// minus it (true). The inputs are read, never kept; every output is a fresh array written whole, taken from
    /// <paramref name="pool"/> (a fold's dead states) when it holds one of the length.
    /// </summary>
    public static (Tensor? A, Tensor? B, Tensor Out) Run<F>(
        F f,
        Tensor param,
        Tensor grad,
        Tensor? a,
        Tensor? b,
        bool subtract,
        Recycler? pool
    )
        where F : struct, ILaneFormula
    {
        Tensor? na = null,
            nb = null;
        double[]? da = null,
            db = null;
        if (F.Slots > 0)
            (na, da) = Fresh(grad, pool);
        if (F.Slots > 1)
            (nb, db) = Fresh(grad, pool);
        var (r, rd) = Fresh(param, pool);
        var (p, g) = (D(param), D(grad));
        if (F.Slots == 0)
            Go(f, new Arrays0(p, g, rd), subtract);
        else if (F.Slots == 1)
            Go(f, new Arrays1(p, g, D(a!), da!, rd), subtract);
        else
            Go(f, new Arrays2(p, g, D(a!), D(b!), da!, db!, rd), subtract);
        return (na, nb, r);
    }

    /// <summary>The job holds exactly the formula and the arrays its arity needs: a job of a large array is
    /// allocated for the workers, so unused fields would cost bytes at every step.</summary>
    static void Go<F, TA>(F f, TA arrays, bool subtract)
        where F : struct, ILaneFormula
        where TA : struct, ILaneArrays
    {
        if (subtract)
            Split(arrays.O.Length, new Job<F, TA, Minus>(f, arrays), static (j, lo, hi) => j.Run(lo, hi));
        else
            Split(arrays.O.Length, new Job<F, TA, Delta>(f, arrays), static (j, lo, hi) => j.Run(lo, hi));
    }

    /// <summary>What the pass writes to <c>O</c>: the delta or the parameter minus it.</summary>
    interface IOutput
    {
        static abstract bool Subtract { get; }
    }

    readonly struct Minus : IOutput
    {
        public static bool Subtract => true;
    }

    readonly struct Delta : IOutput
    {
        public static bool Subtract => false;
    }

    /// <summary>The arrays of one pass: inputs P, G, A, B; outputs NA, NB and O (those past the arity unused).</summary>
    internal interface ILaneArrays
    {
        double[] P { get; }
        double[] G { get; }
        double[] A { get; }
        double[] B { get; }
        double[] NA { get; }
        double[] NB { get; }
        double[] O { get; }
    }

    readonly struct Arrays0(double[] p, double[] g, double[] o) : ILaneArrays
    {
        public double[] P => p;
        public double[] G => g;
        public double[] A => throw new InvalidOperationException();
        public double[] B => throw new InvalidOperationException();
        public double[] NA => throw new InvalidOperationException();
        public double[] NB => throw new InvalidOperationException();
        public double[] O => o;
    }

    readonly struct Arrays1(double[] p, double[] g, double[] a, double[] na, double[] o) : ILaneArrays
    {
        public double[] P => p;
        public double[] G => g;
        public double[] A => a;
        public double[] B => throw new InvalidOperationException();
        public double[] NA => na;
        public double[] NB => throw new InvalidOperationException();
        public double[] O => o;
    }

    readonly struct Arrays2(double[] p, double[] g, double[] a, double[] b, double[] na, double[] nb, double[] o)
        : ILaneArrays
    {
        public double[] P => p;
        public double[] G => g;
        public double[] A => a;
        public double[] B => b;
        public double[] NA => na;
        public double[] NB => nb;
        public double[] O => o;
    }

    readonly struct Job<F, TA, TO>(F f, TA arrays)
        where F : struct, ILaneFormula
        where TA : struct, ILaneArrays
        where TO : struct, IOutput
    {
        readonly F _f = f;
        readonly TA _x = arrays;

        /// <summary>Elements [lo, hi): whole blocks of four, then the tail. The formula and arrays are copied into
        /// locals first, so the loop reads them from registers; the bounds are checked once, so the loop's loads and
        /// stores are plain vector moves (with a span per block, the lambda that inlines this method ran out of
        /// inlining budget and called AsSpan, CopyTo and the formula's helpers for every four elements). Not
        /// inlined, for the same reason.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
        public void Run(int lo, int hi)
        {
            var (f, x) = (_f, _x);
            var (p, g, o) = (x.P, x.G, x.O);
            var (a, na) = F.Slots > 0 ? (x.A, x.NA) : (p, o);
            var (b, nb) = F.Slots > 1 ? (x.B, x.NB) : (p, o);
            if (
                (uint)lo > (uint)hi
                || hi > p.Length
                || hi > g.Length
                || hi > o.Length
                || hi > a.Length
                || hi > na.Length
                || hi > b.Length
                || hi > nb.Length
            )
                throw new ArgumentOutOfRangeException(nameof(hi), $"elements {lo}…{hi} of arrays of {o.Length}");
            ref var rp = ref MemoryMarshal.GetArrayDataReference(p);
            ref var rg = ref MemoryMarshal.GetArrayDataReference(g);
            ref var ro = ref MemoryMarshal.GetArrayDataReference(o);
            ref var ra = ref MemoryMarshal.GetArrayDataReference(a);
            ref var rna = ref MemoryMarshal.GetArrayDataReference(na);
            ref var rb = ref MemoryMarshal.GetArrayDataReference(b);
            ref var rnb = ref MemoryMarshal.GetArrayDataReference(nb);
            var i = lo;
            var (va, vb) = (Vector256<double>.Zero, Vector256<double>.Zero);
            for (; i + 4 <= hi; i += 4)
            {
                var at = (nuint)i;
                var vp = Vector256.LoadUnsafe(ref rp, at);
                if (F.Slots > 0)
                    va = Vector256.LoadUnsafe(ref ra, at);
                if (F.Slots > 1)
                    vb = Vector256.LoadUnsafe(ref rb, at);
                var d = f.Step(Vector256.LoadUnsafe(ref rg, at), vp, ref va, ref vb);
                if (F.Slots > 0)
                    va.StoreUnsafe(ref rna, at);
                if (F.Slots > 1)
                    vb.StoreUnsafe(ref rnb, at);
                (TO.Subtract ? vp - d : d).StoreUnsafe(ref ro, at);
            }
            if (i < hi)
                Tail(i, hi - i);
        }

        /// <summary>The last 1–3 elements through the same formula: loaded into zero-padded lanes, only the valid
        /// lanes stored.</summary>
        void Tail(int i, int k)
        {
            var vp = Padded(_x.P, i, k);
            var (va, vb) = (Vector256<double>.Zero, Vector256<double>.Zero);
            if (F.Slots > 0)
                va = Padded(_x.A, i, k);
            if (F.Slots > 1)
                vb = Padded(_x.B, i, k);
            var d = _f.Step(Padded(_x.G, i, k), vp, ref va, ref vb);
            if (F.Slots > 0)
                Store(va, _x.NA, i, k);
            if (F.Slots > 1)
                Store(vb, _x.NB, i, k);
            Store(TO.Subtract ? vp - d : d, _x.O, i, k);
        }
    }

    static Vector256<double> Padded(double[] x, int i, int k)
    {
        Span<double> t = stackalloc double[4];
        t.Clear();
        x.AsSpan(i, k).CopyTo(t);
        return Vector256.Create<double>(t);
    }

    static void Store(Vector256<double> v, double[] x, int i, int k)
    {
        Span<double> t = stackalloc double[4];
        v.CopyTo(t);
        t[..k].CopyTo(x.AsSpan(i, k));
    }

    /// <summary>−x lane by lane, as the scalar negation: the sign bit flipped (not 0 − x, which differs at ±0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Negate(Vector256<double> x) => Vector256.Xor(x, Vector256.Create(-0.0));

    /// <summary>
    /// Runs <paramref name="body"/> over [0, n): in one call, or, for a large array, in parts on the workers, cut at
    /// multiples of 8. The update loops are bound by memory (three to seven arrays streamed per element, their
    /// outputs fresh): two cores move about twice the bytes of one.
    /// </summary>
    /// <remarks>
    /// The loop's arrays and constants come as <paramref name="state"/> to a static lambda, so a small array (run in
    /// one call) allocates nothing: a capturing lambda cost the regression step ~5 % more bytes.
    /// </remarks>
    public static void Split<TState>(int n, TState state, Action<TState, int, int> body)
    {
        var threads = n >= ParallelElements ? Math.Min(Workers.Available, n / 8) : 1;
        var parts = Math.Min(threads * Workers.ChunksPerThread, n / 8);
        if (threads < 2 || !Workers.TryRun(new Ranges<TState>(n, state, body), parts, threads))
            body(state, 0, n);
    }

    /// <summary>Part p of P: a run of whole 8-element blocks (<see cref="Workers.Cut"/>).</summary>
    internal sealed class Ranges<TState>(int n, TState state, Action<TState, int, int> body) : PartJob
    {
        public override void RunPart(int part, int parts)
        {
            var (lo, hi) = Workers.Cut(n, 8, part, parts);
            body(state, lo, hi);
        }
    }
}
