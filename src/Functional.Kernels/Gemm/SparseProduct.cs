using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Functional.Kernels;

// Aᵀ·B in the GEMM's order from A's non-zero elements only: a convolution's weight gradient behind a max pool, where
// at least three in four elements of dY are zero and the pool lists the others.
internal static partial class Gemm
{
    /// <summary>Columns of B accumulated per pass over a column of A's non-zeros: eight Vector256 accumulators,
    /// enough independent fma chains to keep both FMA units busy.</summary>
    private const int SkipLanes = 32;

    /// <summary>Rows of B made at a time: 64 rows of 32 lanes are 16 KB, which stay in L1 while every column of A
    /// adds its terms from them (a whole k block of rows, 64 KB, would not, and each term's row came from L2).</summary>
    private const int SkipRows = 64;

    /// <summary>
    /// A k×m matrix given by the elements of each column that may be non-zero: column i's rows (strictly increasing
    /// whole numbers, held as doubles so that a step's scratch arrays can hold them) and values at
    /// [i·<paramref name="Stride"/>, i·Stride + <paramref name="Count"/>) of <paramref name="Rows"/> and
    /// <paramref name="Values"/>; every element not listed is zero.
    /// </summary>
    internal readonly record struct SparseColumns(double[] Rows, double[] Values, int Columns, int Stride, int Count);

    /// <summary>The parts and the length of the work array <see cref="MultiplySparseTransposed(int, int, int, in SparseColumns, RowSource, double[], int, double[], int)"/> takes for these
    /// extents (the parts follow the threads available now; the result does not depend on them).</summary>
    internal static (int Parts, int Work) SparsePlan(int m, int n, int k)
    {
        if (m == 0 || n == 0 || k == 0)
        {
            return (1, 0);
        }

        int kcb = KcFor(k);
        int blocks = (k + kcb - 1) / kcb;
        int lanes = RoundUp(n, SkipLanes);
        int threads = (long)m * n * k >= ParallelThreshold ? Workers.Available : 1;
        int parts = Math.Min(blocks, threads * Workers.ChunksPerThread);
        return (parts, checked((blocks * m * lanes) + (parts * RowsRoom(lanes))));
    }

    /// <summary>The work a part's rows take: <see cref="SkipRows"/> rows of <paramref name="lanes"/>, and room to
    /// start them on a 64-byte boundary.</summary>
    private static int RowsRoom(int lanes) => (SkipRows * lanes) + 8;

    /// <summary>
    /// C (m×n, leading dimension <paramref name="ldc"/>) = Aᵀ·B, A k×m given by its listed elements and B k×n
    /// column-major, with the bits of the <see cref="Product"/> (true, false, m, n, k, …) on the dense A: summed in
    /// the GEMM's order — k blocks of <see cref="KcFor"/>, one fma chain per block from zero in increasing k, block
    /// sums folded in block order — over the listed terms only. Leaving out a term fma(0, b, s) = s + (±0·b) changes
    /// nothing when b is finite and s is not −0 (a partial sum is −0 only when every term before it underflowed to
    /// −0). False, with C untouched, when B holds an infinity or NaN: then the zeros count (0·∞ is NaN) and the
    /// caller takes the dense product.
    /// </summary>
    /// <remarks>
    /// The k blocks are the parts: each transposes its blocks of B into rows of <see cref="SkipLanes"/>-padded
    /// columns and adds, for each column of A, the rows of its listed elements into eight Vector256 chains; the
    /// block sums are kept in <paramref name="work"/> and folded into C in block order on the calling thread. The
    /// time is that of the listed terms plus one pass over B, not of all k·m·n.
    /// </remarks>
    internal static bool MultiplySparseTransposed(
        int m,
        int n,
        int k,
        in SparseColumns a,
        double[] b,
        int ldb,
        double[] c,
        int ldc,
        double[] work,
        int parts
    )
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        CheckOperand(b, k, n, ldb, "b");
        return MultiplySparseTransposed(m, n, k, a, new ColumnRows(b, ldb), c, ldc, work, parts);
    }

    /// <summary>Aᵀ·B as <see cref="MultiplySparseTransposed(int, int, int, in SparseColumns, double[], int, double[], int, double[], int)"/>,
    /// B's rows from <paramref name="b"/>.</summary>
    internal static bool MultiplySparseTransposed(
        int m,
        int n,
        int k,
        in SparseColumns a,
        RowSource b,
        double[] c,
        int ldc,
        double[] work,
        int parts
    )
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        CheckOperand(c, m, n, ldc, "c");
        if (
            a.Columns != m
            || a.Count < 0
            || a.Stride < a.Count
            || (m > 0 && ((long)(m - 1) * a.Stride) + a.Count > Math.Min(a.Rows.Length, a.Values.Length))
        )
        {
            throw new ArgumentException(
                $"sparse columns of {a.Columns}×{a.Count} (stride {a.Stride}, {a.Rows.Length} rows, {a.Values.Length} values) are not the {k}×{m} operand A"
            );
        }

        for (int i = 0; i < m && a.Count > 0; i++)
        {
            double first = a.Rows[i * a.Stride],
                last = a.Rows[(i * a.Stride) + a.Count - 1];
            if (!(first >= 0 && last < k))
            {
                throw new ArgumentException($"column {i} of A lists rows {first}…{last}, outside [0, {k})");
            }
        }

        // Strictly increasing whole numbers bound a column's terms in a block of rows by the rows, which the job's
        // offset buffers rely on: checked for every column, the columns split across the threads.
        var order = new OrderJob(a);
        int orderParts = (long)m * a.Count >= 65_536 ? Math.Min(Workers.Available, m) : 1;
        if (orderParts < 2 || !Workers.TryRun(order, orderParts, orderParts))
        {
            order.RunPart(0, 1);
        }

        if (order.FirstBad() is (int column, int t))
        {
            var listed = a.Rows.AsSpan(column * a.Stride, a.Count);
            throw new ArgumentException(
                $"the rows listed for column {column} of A do not increase as whole numbers (row {listed[t + 1]} after {listed[t]})"
            );
        }

        if (m == 0 || n == 0)
        {
            return true;
        }

        if (!Fma.IsSupported || !Avx2.IsSupported || k == 0)
        {
            return false;
        }

        int kcb = KcFor(k);
        int blocks = (k + kcb - 1) / kcb;
        int lanes = RoundUp(n, SkipLanes);
        if (parts < 1 || parts > blocks || work.Length < ((long)blocks * m * lanes) + ((long)parts * RowsRoom(lanes)))
        {
            throw new ArgumentException(
                $"work of {work.Length} doubles in {parts} parts does not fit a {m}×{n}×{k} product (SparsePlan gives {SparsePlan(m, n, k).Work} for its parts)"
            );
        }

        var job = new SparseJob(m, n, k, a, b, work);
        if (parts < 2 || !Workers.TryRun(job, parts, Math.Min(parts, Workers.Available)))
        {
            for (int part = 0; part < parts; part++)
            {
                job.RunPart(part, parts);
            }
        }

        if (job.NonFinite)
        {
            return false;
        }

        // C = s₀, then C = fma(1, s_q, C) = s_q + C block after block: the GEMM's fold with alpha 1, beta 0, into
        // block 0's sums, streaming through the blocks in order (lane by lane the same additions); the lanes split
        // across the threads, each lane's additions on one of them.
        var fold = new FoldJob(work, blocks, m * lanes);
        int foldParts = blocks > 1 && (long)blocks * m * lanes >= 65_536 ? Math.Min(Workers.Available, m) : 1;
        if (foldParts < 2 || !Workers.TryRun(fold, foldParts, foldParts))
        {
            fold.RunPart(0, 1);
        }

        var acc = work.AsSpan(0, m * lanes);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                c[i + ((long)j * ldc)] = acc[(i * lanes) + j];
            }
        }

        return true;
    }

    /// <summary>Lanes [lo, hi) of the block sums folded into block 0's: s₀ + … in block order.</summary>
    private sealed class FoldJob(double[] work, int blocks, int size) : PartJob
    {
        public override void RunPart(int part, int parts)
        {
            var (lo, hi) = Workers.Cut(size, 4, part, parts);
            var acc = work.AsSpan(lo, hi - lo);
            for (int q = 1; q < blocks; q++)
            {
                var sq = work.AsSpan((q * size) + lo, hi - lo);
                int t = 0;
                for (; t + 4 <= acc.Length; t += 4)
                {
                    (Vector256.Create<double>(sq.Slice(t, 4)) + Vector256.Create<double>(acc.Slice(t, 4))).CopyTo(
                        acc.Slice(t, 4)
                    );
                }

                for (; t < acc.Length; t++)
                {
                    acc[t] = sq[t] + acc[t];
                }
            }
        }
    }

    /// <summary>Per column of A, <see cref="FirstNotIncreasing"/> of its listed rows, a range of columns per part.</summary>
    private sealed class OrderJob(SparseColumns a) : PartJob
    {
        private readonly int[] _bad = new int[a.Columns];

        public override void RunPart(int part, int parts)
        {
            var (lo, hi) = Workers.Cut(a.Columns, 1, part, parts);
            for (int i = lo; i < hi; i++)
            {
                _bad[i] = FirstNotIncreasing(a.Rows.AsSpan(i * a.Stride, a.Count));
            }
        }

        /// <summary>The first column (and its t) whose rows do not increase, or null.</summary>
        public (int Column, int T)? FirstBad()
        {
            for (int i = 0; i < _bad.Length; i++)
            {
                if (_bad[i] >= 0)
                {
                    return (i, _bad[i]);
                }
            }

            return null;
        }
    }

    /// <summary>The first t with rows[t + 1] ≤ rows[t] (or either not a whole number), −1 when the rows strictly
    /// increase.</summary>
    private static int FirstNotIncreasing(ReadOnlySpan<double> rows)
    {
        int t = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; t + 5 <= rows.Length; t += 4)
            {
                var now = Vector256.Create(rows.Slice(t, 4));
                var after = Vector256.Create(rows.Slice(t + 1, 4));
                if (!Vector256.GreaterThanAll(after, now) || !Vector256.EqualsAll(Vector256.Floor(now), now))
                {
                    break;
                }
            }
        }

        for (; t + 1 < rows.Length; t++)
        {
            if (!(rows[t + 1] > rows[t]) || Math.Floor(rows[t]) != rows[t] || Math.Floor(rows[t + 1]) != rows[t + 1])
            {
                return t;
            }
        }

        return -1;
    }

    /// <summary>The block sums of <see cref="MultiplySparseTransposed(int, int, int, in SparseColumns, RowSource, double[], int, double[], int)"/>, a range of k blocks per part.</summary>
    private sealed class SparseJob(int m, int n, int k, SparseColumns a, RowSource b, double[] work) : PartJob
    {
        private volatile bool _nonFinite;

        /// <summary>Whether a part met an infinity or NaN in B (its sums are then incomplete).</summary>
        public bool NonFinite => _nonFinite;

        public override unsafe void RunPart(int part, int parts)
        {
            int kcb = KcFor(k);
            int blocks = (k + kcb - 1) / kcb;
            int lanes = RoundUp(n, SkipLanes);
            // The part's rows from the first 64-byte boundary in its room (every 512-bit load of them one line).
            int room = (blocks * m * lanes) + (part * RowsRoom(lanes));
            int skip;
            fixed (double* w0 = &work[room])
            {
                skip = (int)((64 - ((nint)w0 & 63)) & 63) / sizeof(double);
            }

            var rows = work.AsSpan(room + skip, SkipRows * lanes);
            rows.Clear(); // the lanes past n, which the sources need not write
            var (lo, hi) = Workers.Cut(blocks, 1, part, parts);
            Span<int> next = m <= 1024 ? stackalloc int[m] : new int[m];
            for (int i = 0; i < m; i++)
            {
                // The first listed element of column i at or after this part's first row.
                var listed = a.Rows.AsSpan(i * a.Stride, a.Count);
                int at = listed.BinarySearch((double)(lo * kcb));
                next[i] = at >= 0 ? at : ~at;
            }

            // Per column of a pair, the offsets in rows of its terms in the current SkipRows rows (at most one
            // per row, the listed rows increasing).
            int* offA = stackalloc int[SkipRows + 4];
            int* offB = stackalloc int[SkipRows + 4];
            fixed (
                double* r = rows,
                    listedRows = a.Rows,
                    listedValues = a.Values,
                    sums = work
            )
            {
                for (int q = lo; q < hi; q++)
                {
                    int p0 = q * kcb;
                    int kc = Math.Min(kcb, k - p0);
                    work.AsSpan(q * m * lanes, m * lanes).Clear(); // every chain of the block starts from zero
                    // The block's rows SkipRows at a time, each chain carried on from where the last rows left it.
                    for (int r0 = 0; r0 < kc; r0 += SkipRows)
                    {
                        int rc = Math.Min(SkipRows, kc - r0);
                        if (!b.Rows(p0 + r0, rc, n, lanes, rows))
                        {
                            _nonFinite = true;
                            return;
                        }

                        int i = 0;
                        if (Avx512F.IsSupported)
                        {
                            // Two columns at a time: two independent sets of chains hide the fma latency.
                            for (; i + 2 <= m; i += 2)
                            {
                                int fa = next[i],
                                    fb = next[i + 1];
                                int ca = Offsets(listedRows + (i * a.Stride), a.Count, fa, p0 + r0, rc, lanes, offA);
                                int cb = Offsets(
                                    listedRows + ((i + 1) * a.Stride),
                                    a.Count,
                                    fb,
                                    p0 + r0,
                                    rc,
                                    lanes,
                                    offB
                                );
                                AddRowsPair(
                                    r,
                                    lanes,
                                    offA,
                                    listedValues + (i * a.Stride) + fa,
                                    ca,
                                    sums + (((q * m) + i) * lanes),
                                    offB,
                                    listedValues + ((i + 1) * a.Stride) + fb,
                                    cb,
                                    sums + (((q * m) + i + 1) * lanes)
                                );
                                (next[i], next[i + 1]) = (fa + ca, fb + cb);
                            }
                        }

                        for (; i < m; i++)
                        {
                            int from = next[i];
                            int count = Offsets(listedRows + (i * a.Stride), a.Count, from, p0 + r0, rc, lanes, offA);
                            AddRows(
                                r,
                                lanes,
                                offA,
                                listedValues + (i * a.Stride) + from,
                                count,
                                sums + (((q * m) + i) * lanes)
                            );
                            next[i] = from + count;
                        }
                    }
                }
            }
        }

        /// <summary>The listed elements of one column from <paramref name="from"/> whose rows lie in
        /// [p0, p0 + kc) (the rows were checked to increase): their offsets (row − p0)·lanes in the block's rows,
        /// into <paramref name="offsets"/>, which has room for kc + 4; how many.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe int Offsets(double* at, int count, int from, int p0, int kc, int lanes, int* offsets)
        {
            double end = p0 + kc;
            int t = from;
            var first = Vector128.Create(p0);
            var width = Vector128.Create(lanes);
            // Four at a time: the rows are whole numbers in [0, k), so a plain truncation converts them; the
            // offsets of rows past the block are written but not counted.
            for (; t + 4 <= count; )
            {
                var v = Avx.LoadVector256(at + t);
                var o = Sse41.MultiplyLow(Avx.ConvertToVector128Int32WithTruncation(v) - first, width);
                Sse2.Store(offsets + (t - from), o);
                int inside = BitOperations.PopCount(
                    Vector256.LessThan(v, Vector256.Create(end)).ExtractMostSignificantBits()
                );
                t += inside;
                if (inside < 4)
                {
                    return t - from;
                }
            }

            for (; t < count && at[t] < end; t++)
            {
                offsets[t - from] = ((int)at[t] - p0) * lanes;
            }

            return t - from;
        }

        /// <summary>sums[j] += value[t]·rows[offsets[t] + j] for t &lt; count, in order, as one fma chain per j
        /// carried on from sums[j].</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static unsafe void AddRows(
            double* rows,
            int lanes,
            int* offsets,
            double* value,
            int count,
            double* sums
        )
        {
            for (int j0 = 0; j0 < lanes; j0 += SkipLanes)
            {
                double* d = sums + j0;
                var s0 = Avx.LoadVector256(d);
                var s1 = Avx.LoadVector256(d + 4);
                var s2 = Avx.LoadVector256(d + 8);
                var s3 = Avx.LoadVector256(d + 12);
                var s4 = Avx.LoadVector256(d + 16);
                var s5 = Avx.LoadVector256(d + 20);
                var s6 = Avx.LoadVector256(d + 24);
                var s7 = Avx.LoadVector256(d + 28);
                for (int t = 0; t < count; t++)
                {
                    var v = Vector256.Create(value[t]);
                    double* o = rows + offsets[t] + j0;
                    s0 = Fma.MultiplyAdd(v, Avx.LoadVector256(o), s0);
                    s1 = Fma.MultiplyAdd(v, Avx.LoadVector256(o + 4), s1);
                    s2 = Fma.MultiplyAdd(v, Avx.LoadVector256(o + 8), s2);
                    s3 = Fma.MultiplyAdd(v, Avx.LoadVector256(o + 12), s3);
                    s4 = Fma.MultiplyAdd(v, Avx.LoadVector256(o + 16), s4);
                    s5 = Fma.MultiplyAdd(v, Avx.LoadVector256(o + 20), s5);
                    s6 = Fma.MultiplyAdd(v, Avx.LoadVector256(o + 24), s6);
                    s7 = Fma.MultiplyAdd(v, Avx.LoadVector256(o + 28), s7);
                }

                Avx.Store(d, s0);
                Avx.Store(d + 4, s1);
                Avx.Store(d + 8, s2);
                Avx.Store(d + 12, s3);
                Avx.Store(d + 16, s4);
                Avx.Store(d + 20, s5);
                Avx.Store(d + 24, s6);
                Avx.Store(d + 28, s7);
            }
        }

        /// <summary><see cref="AddRows"/> for two columns at once (their own terms, sums and chains), in 512-bit
        /// lanes: while both have terms each step takes one of each, so eight independent fma chains are in
        /// flight; then the longer one's rest.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static unsafe void AddRowsPair(
            double* rows,
            int lanes,
            int* offA,
            double* valueA,
            int countA,
            double* sumsA,
            int* offB,
            double* valueB,
            int countB,
            double* sumsB
        )
        {
            int both = Math.Min(countA, countB);
            for (int j0 = 0; j0 < lanes; j0 += SkipLanes)
            {
                double* da = sumsA + j0;
                double* db = sumsB + j0;
                var a0 = Avx512F.LoadVector512(da);
                var a1 = Avx512F.LoadVector512(da + 8);
                var a2 = Avx512F.LoadVector512(da + 16);
                var a3 = Avx512F.LoadVector512(da + 24);
                var b0 = Avx512F.LoadVector512(db);
                var b1 = Avx512F.LoadVector512(db + 8);
                var b2 = Avx512F.LoadVector512(db + 16);
                var b3 = Avx512F.LoadVector512(db + 24);
                int t = 0;
                for (; t < both; t++)
                {
                    var va = Vector512.Create(valueA[t]);
                    var vb = Vector512.Create(valueB[t]);
                    double* oa = rows + offA[t] + j0;
                    double* ob = rows + offB[t] + j0;
                    a0 = Avx512F.FusedMultiplyAdd(va, Avx512F.LoadVector512(oa), a0);
                    b0 = Avx512F.FusedMultiplyAdd(vb, Avx512F.LoadVector512(ob), b0);
                    a1 = Avx512F.FusedMultiplyAdd(va, Avx512F.LoadVector512(oa + 8), a1);
                    b1 = Avx512F.FusedMultiplyAdd(vb, Avx512F.LoadVector512(ob + 8), b1);
                    a2 = Avx512F.FusedMultiplyAdd(va, Avx512F.LoadVector512(oa + 16), a2);
                    b2 = Avx512F.FusedMultiplyAdd(vb, Avx512F.LoadVector512(ob + 16), b2);
                    a3 = Avx512F.FusedMultiplyAdd(va, Avx512F.LoadVector512(oa + 24), a3);
                    b3 = Avx512F.FusedMultiplyAdd(vb, Avx512F.LoadVector512(ob + 24), b3);
                }

                for (int u = t; u < countA; u++)
                {
                    var va = Vector512.Create(valueA[u]);
                    double* oa = rows + offA[u] + j0;
                    a0 = Avx512F.FusedMultiplyAdd(va, Avx512F.LoadVector512(oa), a0);
                    a1 = Avx512F.FusedMultiplyAdd(va, Avx512F.LoadVector512(oa + 8), a1);
                    a2 = Avx512F.FusedMultiplyAdd(va, Avx512F.LoadVector512(oa + 16), a2);
                    a3 = Avx512F.FusedMultiplyAdd(va, Avx512F.LoadVector512(oa + 24), a3);
                }

                for (int u = t; u < countB; u++)
                {
                    var vb = Vector512.Create(valueB[u]);
                    double* ob = rows + offB[u] + j0;
                    b0 = Avx512F.FusedMultiplyAdd(vb, Avx512F.LoadVector512(ob), b0);
                    b1 = Avx512F.FusedMultiplyAdd(vb, Avx512F.LoadVector512(ob + 8), b1);
                    b2 = Avx512F.FusedMultiplyAdd(vb, Avx512F.LoadVector512(ob + 16), b2);
                    b3 = Avx512F.FusedMultiplyAdd(vb, Avx512F.LoadVector512(ob + 24), b3);
                }

                Avx512F.Store(da, a0);
                Avx512F.Store(da + 8, a1);
                Avx512F.Store(da + 16, a2);
                Avx512F.Store(da + 24, a3);
                Avx512F.Store(db, b0);
                Avx512F.Store(db + 8, b1);
                Avx512F.Store(db + 16, b2);
                Avx512F.Store(db + 24, b3);
            }
        }
    }
}
