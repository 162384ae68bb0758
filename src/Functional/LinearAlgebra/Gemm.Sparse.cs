using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Functional.LinearAlgebra;

/// <summary>
/// The zero-skipping path: when many entries of op(A) are zero (pixels of a clothing image, the outputs of a ReLU,
/// the gradients masked by it), each row of C is built as a sum of op(B)'s rows weighted by the nonzero entries of
/// the same row of op(A), so a zero costs nothing instead of one multiply-add per column.
/// </summary>
/// <remarks>
/// Same bits as the dense path: every element is still summed over k in increasing order, one fused multiply-add
/// per term, from zero in each k block, with the same fold of the block sums into C — the only difference is that
/// the terms a·b with a = ±0 are left out, and fma(±0, b, s) = s for finite b and s ≠ 0. (For s = ±0 both give +0
/// unless the true sum is an exact −0 from an underflow, which only changes the sign of a zero.) Products are
/// taken this way only when op(B) is finite, since 0·∞ = NaN must still appear; otherwise the dense path runs.
/// Needs AVX-512 (32 registers hold up to 16 accumulators of eight doubles); the dense path runs elsewhere.
/// </remarks>
public static partial class Gemm
{
    // Products with m*n*k below this are not worth the index building.
    private const long SparseMinWork = 150_000;

    // ... and op(A) at least this many entries.
    private const long SparseMinA = 32_768;

    // op(A) must have at least this fraction of zeros (estimated on a sample) to take the sparse path.
    private const double SparseMinZeros = 0.3;

    // At most this many Vector512 accumulators (128 columns of C) per pass over a row's nonzeros.
    private const int MaxVectors = 16;

    [ThreadStatic]
    private static double[]? t_sparseB;

    [ThreadStatic]
    private static SparseScratch? t_sparse;

    /// <summary>Worth it and safe to skip zeros of op(A)? Then computes C that way and returns true.</summary>
    private static unsafe bool TrySparse(ref Job job, int threads)
    {
        if (!SparseEnabled || !Avx512F.IsSupported || job.N < 4 || job.K < 8)
            return false;
        // Only a large op(A) pays for the copies and index masks (measured: 100×784 and 784×100 gain, the 128×100
        // hidden layers of the optimizer workload lose 0–6 %).
        if ((long)job.M * job.K < SparseMinA || (long)job.M * job.N * job.K < SparseMinWork)
            return false;
        if (ZeroFraction(in job) < SparseMinZeros)
            return false;
        int np = RoundUp(job.N, 8);
        if ((long)job.K * np > int.MaxValue / 2)
            return false;

        // op(B) as rows of np doubles (zero-padded), checked finite on the way.
        var bt = t_sparseB;
        long need = (long)job.K * np + 8;
        if (bt == null || bt.Length < need)
        {
            bt = GC.AllocateUninitializedArray<double>((int)Math.Max(need, 1024), pinned: true);
            t_sparseB = bt;
        }

        double* pb = (double*)Unsafe.AsPointer(ref bt[0]);
        nint mis = ((nint)pb & 63) / sizeof(double);
        pb = mis == 0 ? pb : pb + (8 - mis);
        if (!CopyRowsFinite(in job, pb, np))
            return false;

        Interlocked.Increment(ref s_sparseProducts);
        job.Sparse = true;
        job.Bt = pb;
        job.Np = np;
        int units = (job.M + MR - 1) / MR;
        threads = Math.Min(threads, units);
        if (threads < 2 || (long)job.M * job.N * job.K < ParallelThreshold || !Workers.TryRun(ref job, threads, false))
            SparseRange(ref job, 0, job.M);
        GC.KeepAlive(bt);
        return true;
    }

    internal static int SparseL1Bytes { get; set; } =
        Environment.GetEnvironmentVariable("SPARSE_L1") is string e
            ? int.Parse(e, System.Globalization.CultureInfo.InvariantCulture)
            : 16384;

    private static long s_sparseProducts;

    /// <summary>How many products took the sparse path (for tests and measurements).</summary>
    internal static long SparseProducts => Interlocked.Read(ref s_sparseProducts);

    /// <summary>Switch for measurements and tests (the dense path gives the same bits).</summary>
    internal static bool SparseEnabled { get; set; } = true;

    /// <summary>Fraction of zeros in an evenly spread sample of at most 32×32 entries of op(A).</summary>
    private static unsafe double ZeroFraction(in Job job)
    {
        int rs = Math.Max(1, job.M / 32),
            ks = Math.Max(1, job.K / 32);
        int zeros = 0,
            total = 0;
        for (int i = 0; i < job.M; i += rs)
        {
            for (int p = 0; p < job.K; p += ks)
            {
                double v = job.TransA ? job.A[((long)i * job.Lda) + p] : job.A[i + ((long)p * job.Lda)];
                zeros += v == 0.0 ? 1 : 0;
                total++;
            }
        }

        return (double)zeros / total;
    }

    /// <summary>Writes op(B) row by row (k rows of np, zero beyond n) to dst; false if an entry is not finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe bool CopyRowsFinite(in Job job, double* dst, int np)
    {
        int k = job.K,
            n = job.N;
        // v·0 is 0 for finite v and NaN for ±∞ or NaN; the sum stays 0 only if every entry is finite.
        var probe = Vector256<double>.Zero;
        double probeTail = 0.0;
        if (job.TransB)
        {
            // Stored n×k: row p of op(B) is column p, contiguous.
            for (int p = 0; p < k; p++)
            {
                double* s = job.B + ((long)p * job.Ldb);
                double* d = dst + ((long)p * np);
                int j = 0;
                for (; j + 4 <= n; j += 4)
                {
                    var v = Avx.LoadVector256(s + j);
                    probe = Avx.Add(probe, Avx.Multiply(v, Vector256<double>.Zero));
                    Avx.Store(d + j, v);
                }

                for (; j < n; j++)
                {
                    probeTail += s[j] * 0.0;
                    d[j] = s[j];
                }

                for (; j < np; j++)
                    d[j] = 0.0;
            }
        }
        else
        {
            // Stored k×n: each column of B is contiguous; check it, then transpose 4×4 blocks into the rows.
            for (int j = 0; j < n; j++)
            {
                double* s = job.B + ((long)j * job.Ldb);
                int p = 0;
                for (; p + 4 <= k; p += 4)
                    probe = Avx.Add(probe, Avx.Multiply(Avx.LoadVector256(s + p), Vector256<double>.Zero));
                for (; p < k; p++)
                    probeTail += s[p] * 0.0;
            }

            int k4 = k / 4 * 4,
                n4 = n / 4 * 4;
            for (int j = 0; j < n4; j += 4)
            {
                for (int p = 0; p < k4; p += 4)
                    Transpose4x4(job.B + ((long)j * job.Ldb) + p, job.Ldb, dst + ((long)p * np) + j, np);
            }

            for (int p = 0; p < k; p++)
            {
                double* d = dst + ((long)p * np);
                for (int j = p < k4 ? n4 : 0; j < n; j++)
                    d[j] = job.B[((long)j * job.Ldb) + p];
                for (int j = n; j < np; j++)
                    d[j] = 0.0;
            }
        }

        probeTail += Vector256.Sum(probe);
        return probeTail == 0.0;
    }

    /// <summary>Per-thread buffers of the sparse path (pinned, grown on demand).</summary>
    private sealed class SparseScratch
    {
        public double[] Rows = [];
        public ulong[] Masks = [];
        public double[] Sums = [];
        public double[] Result = [];

        public static T[] Ensure<T>(T[] a, long n)
            where T : unmanaged =>
            a.Length >= n ? a : GC.AllocateUninitializedArray<T>((int)Math.Max(n, 256), pinned: true);
    }

    /// <summary>Rows [i0, i1) of C by the sparse path (job.Bt holds op(B) row-major, np wide).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SparseRange(ref Job job, int i0, int i1)
    {
        int rows = i1 - i0,
            k = job.K,
            n = job.N,
            np = job.Np;
        int kcb = KcFor(k);
        int chunk = Math.Min(np, MaxVectors * 8);
        // k sub-blocks small enough that their rows of op(B) (one column chunk) stay in L1 across all rows.
        int ks = Math.Clamp(SparseL1Bytes / (chunk * sizeof(double)), 8, kcb);
        int words = (k + 63) / 64;
        int kp = RoundUp(k, 4);

        var sc = t_sparse ??= new SparseScratch();
        if (!job.TransA)
            sc.Rows = SparseScratch.Ensure(sc.Rows, ((long)RoundUp(rows, 4) * kp) + 8);
        sc.Masks = SparseScratch.Ensure(sc.Masks, (long)rows * words);
        sc.Sums = SparseScratch.Ensure(sc.Sums, ((long)rows * np) + 8);
        sc.Result = SparseScratch.Ensure(sc.Result, ((long)rows * np) + 8);

        fixed (double* rowsBuf = sc.Rows)
        fixed (ulong* masks = sc.Masks)
        fixed (double* sums0 = sc.Sums)
        fixed (double* res0 = sc.Result)
        {
            // 64-byte aligned row starts (np is a multiple of 8 doubles).
            double* sums = Align64(sums0);
            double* res = Align64(res0);
            // Rows of op(A), contiguous: A's columns when transposed, else a row-major copy.
            double* a;
            long lda;
            if (job.TransA)
            {
                a = job.A + ((long)i0 * job.Lda);
                lda = job.Lda;
            }
            else
            {
                a = rowsBuf;
                lda = kp;
                CopyRows(in job, i0, rows, a, kp);
            }

            NonzeroMasks(a, lda, rows, k, masks, words);

            if (job.Beta != 0.0)
            {
                for (int j = 0; j < n; j++)
                {
                    double* cj = job.C + ((long)j * job.Ldc) + i0;
                    for (int r = 0; r < rows; r++)
                        res[((long)r * np) + j] = cj[r];
                }
            }

            for (int pc = 0; pc < k; pc += kcb)
            {
                int kc = Math.Min(kcb, k - pc);
                int mode = pc == 0 ? (job.Beta == 0.0 ? ModeOverwrite : ModeBeta) : ModeAccumulate;
                for (int q0 = pc; q0 < pc + kc; q0 += ks)
                {
                    int q1 = Math.Min(pc + kc, q0 + ks);
                    for (int c0 = 0; c0 < np; c0 += chunk)
                    {
                        int vectors = Math.Min(chunk, np - c0) / 8;
                        for (int r = 0; r < rows; r++)
                        {
                            RowKernel(
                                vectors,
                                masks + ((long)r * words),
                                q0,
                                q1,
                                a + (r * lda),
                                job.Bt + c0,
                                np,
                                sums + ((long)r * np) + c0,
                                q0 == pc
                            );
                        }
                    }
                }

                Fold(sums, res, (long)rows * np, job.Alpha, job.Beta, mode);
            }

            // The result rows into C's columns: 4×4 transposes, then the edges.
            int r4 = rows / 4 * 4,
                n4 = n / 4 * 4;
            double* cOut = job.C + i0;
            for (int r = 0; r < r4; r += 4)
            {
                for (int j = 0; j < n4; j += 4)
                    Transpose4x4(res + ((long)r * np) + j, np, cOut + ((long)j * job.Ldc) + r, job.Ldc);
            }

            for (int j = 0; j < n; j++)
            {
                double* cj = cOut + ((long)j * job.Ldc);
                for (int r = j < n4 ? r4 : 0; r < rows; r++)
                    cj[r] = res[((long)r * np) + j];
            }
        }
    }

    private static unsafe double* Align64(double* p)
    {
        nint mis = ((nint)p & 63) / sizeof(double);
        return mis == 0 ? p : p + (8 - mis);
    }

    /// <summary>Rows [i0, i0+rows) of the column-major A (not transposed) into dst, row r at dst + r*ld.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void CopyRows(in Job job, int i0, int rows, double* dst, int ld)
    {
        int k = job.K;
        int r4 = rows / 4 * 4,
            k4 = k / 4 * 4;
        for (int p = 0; p < k4; p += 4)
        {
            double* src = job.A + ((long)p * job.Lda) + i0;
            for (int r = 0; r < r4; r += 4)
                Transpose4x4(src + r, job.Lda, dst + ((long)r * ld) + p, ld);
        }

        for (int r = 0; r < rows; r++)
        {
            int from = r < r4 ? k4 : 0;
            for (int p = from; p < k; p++)
                dst[((long)r * ld) + p] = job.A[((long)p * job.Lda) + i0 + r];
        }
    }

    /// <summary>Bit p%64 of masks[r*words + p/64] is set when entry p of row r is not ±0 (NaN counts as nonzero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void NonzeroMasks(double* a, long lda, int rows, int k, ulong* masks, int words)
    {
        for (int r = 0; r < rows; r++)
        {
            double* row = a + (r * lda);
            ulong* m = masks + ((long)r * words);
            for (int w = 0; w < words; w++)
            {
                int p0 = w * 64,
                    p1 = Math.Min(k, p0 + 64);
                ulong bits = 0;
                int p = p0;
                for (; p + 8 <= p1; p += 8)
                {
                    var zero = Vector512.Equals(Vector512.Load(row + p), Vector512<double>.Zero);
                    bits |= (~zero.ExtractMostSignificantBits() & 0xFFUL) << (p - p0);
                }

                for (; p < p1; p++)
                    bits |= row[p] != 0.0 ? 1UL << (p - p0) : 0UL;
                m[w] = bits;
            }
        }
    }

    /// <summary>res = alpha·s (first block, beta 0), fma(alpha, s, beta·res) (first block) or fma(alpha, s, res).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Fold(double* s, double* res, long count, double alpha, double beta, int mode)
    {
        var av = Vector512.Create(alpha);
        var bv = Vector512.Create(beta);
        for (long t = 0; t < count; t += 8)
        {
            var sv = Avx512F.LoadAlignedVector512(s + t);
            var rv = Avx512F.LoadAlignedVector512(res + t);
            var o =
                mode == ModeOverwrite ? Avx512F.Multiply(av, sv)
                : mode == ModeBeta ? Avx512F.FusedMultiplyAdd(av, sv, Avx512F.Multiply(bv, rv))
                : Avx512F.FusedMultiplyAdd(av, sv, rv);
            Avx512F.StoreAligned(res + t, o);
        }
    }

    private static unsafe void RowKernel(
        int vectors,
        ulong* mask,
        int q0,
        int q1,
        double* a,
        double* bt,
        long np,
        double* s,
        bool zero
    )
    {
        switch (vectors)
        {
            case 1:
                Row<V1>(mask, q0, q1, a, bt, np, s, zero);
                break;
            case 2:
                Row<V2>(mask, q0, q1, a, bt, np, s, zero);
                break;
            case 3:
                Row<V3>(mask, q0, q1, a, bt, np, s, zero);
                break;
            case 4:
                Row<V4>(mask, q0, q1, a, bt, np, s, zero);
                break;
            case 5:
                Row<V5>(mask, q0, q1, a, bt, np, s, zero);
                break;
            case 6:
                Row<V6>(mask, q0, q1, a, bt, np, s, zero);
                break;
            case 7:
                Row<V7>(mask, q0, q1, a, bt, np, s, zero);
                break;
            case 8:
                Row<V8>(mask, q0, q1, a, bt, np, s, zero);
                break;
            case 9:
                Row<V9>(mask, q0, q1, a, bt, np, s, zero);
                break;
            case 10:
                Row<V10>(mask, q0, q1, a, bt, np, s, zero);
                break;
            case 11:
                Row<V11>(mask, q0, q1, a, bt, np, s, zero);
                break;
            case 12:
                Row<V12>(mask, q0, q1, a, bt, np, s, zero);
                break;
            case 13:
                Row<V13>(mask, q0, q1, a, bt, np, s, zero);
                break;
            case 14:
                Row<V14>(mask, q0, q1, a, bt, np, s, zero);
                break;
            case 15:
                Row<V15>(mask, q0, q1, a, bt, np, s, zero);
                break;
            default:
                Row<V16>(mask, q0, q1, a, bt, np, s, zero);
                break;
        }
    }

    /// <summary>
    /// s[0..8V) = (zero ? 0 : s) + Σ a[p]·bt[p*np + 0..8V) over the p in [q0, q1) whose mask bit is set, in
    /// increasing p, one fused multiply-add per term.
    /// V is a type so that each width compiles to its own loop with the accumulators in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Row<TV>(
        ulong* mask,
        int q0,
        int q1,
        double* a,
        double* bt,
        long np,
        double* s,
        bool zero
    )
        where TV : struct, IVectors
    {
        Vector512<double> a0 = default,
            a1 = default,
            a2 = default,
            a3 = default,
            a4 = default,
            a5 = default,
            a6 = default,
            a7 = default,
            a8 = default,
            a9 = default,
            a10 = default,
            a11 = default,
            a12 = default,
            a13 = default,
            a14 = default,
            a15 = default;
        if (!zero)
        {
            a0 = Avx512F.LoadAlignedVector512(s);
            if (TV.Count > 1)
                a1 = Avx512F.LoadAlignedVector512(s + 8);
            if (TV.Count > 2)
                a2 = Avx512F.LoadAlignedVector512(s + 16);
            if (TV.Count > 3)
                a3 = Avx512F.LoadAlignedVector512(s + 24);
            if (TV.Count > 4)
                a4 = Avx512F.LoadAlignedVector512(s + 32);
            if (TV.Count > 5)
                a5 = Avx512F.LoadAlignedVector512(s + 40);
            if (TV.Count > 6)
                a6 = Avx512F.LoadAlignedVector512(s + 48);
            if (TV.Count > 7)
                a7 = Avx512F.LoadAlignedVector512(s + 56);
            if (TV.Count > 8)
                a8 = Avx512F.LoadAlignedVector512(s + 64);
            if (TV.Count > 9)
                a9 = Avx512F.LoadAlignedVector512(s + 72);
            if (TV.Count > 10)
                a10 = Avx512F.LoadAlignedVector512(s + 80);
            if (TV.Count > 11)
                a11 = Avx512F.LoadAlignedVector512(s + 88);
            if (TV.Count > 12)
                a12 = Avx512F.LoadAlignedVector512(s + 96);
            if (TV.Count > 13)
                a13 = Avx512F.LoadAlignedVector512(s + 104);
            if (TV.Count > 14)
                a14 = Avx512F.LoadAlignedVector512(s + 112);
            if (TV.Count > 15)
                a15 = Avx512F.LoadAlignedVector512(s + 120);
        }

        int w1 = (q1 - 1) >> 6;
        for (int w = q0 >> 6; w <= w1; w++)
        {
            ulong bits = mask[w];
            int pw = w << 6;
            if (pw < q0)
                bits &= ulong.MaxValue << (q0 - pw);
            if (q1 - pw < 64)
                bits &= (1UL << (q1 - pw)) - 1;
            while (bits != 0)
            {
                int p = pw + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                var x = Vector512.Create(a[p]);
                double* b = bt + (p * np);
                a0 = Avx512F.FusedMultiplyAdd(x, Avx512F.LoadAlignedVector512(b), a0);
                if (TV.Count > 1)
                    a1 = Avx512F.FusedMultiplyAdd(x, Avx512F.LoadAlignedVector512(b + 8), a1);
                if (TV.Count > 2)
                    a2 = Avx512F.FusedMultiplyAdd(x, Avx512F.LoadAlignedVector512(b + 16), a2);
                if (TV.Count > 3)
                    a3 = Avx512F.FusedMultiplyAdd(x, Avx512F.LoadAlignedVector512(b + 24), a3);
                if (TV.Count > 4)
                    a4 = Avx512F.FusedMultiplyAdd(x, Avx512F.LoadAlignedVector512(b + 32), a4);
                if (TV.Count > 5)
                    a5 = Avx512F.FusedMultiplyAdd(x, Avx512F.LoadAlignedVector512(b + 40), a5);
                if (TV.Count > 6)
                    a6 = Avx512F.FusedMultiplyAdd(x, Avx512F.LoadAlignedVector512(b + 48), a6);
                if (TV.Count > 7)
                    a7 = Avx512F.FusedMultiplyAdd(x, Avx512F.LoadAlignedVector512(b + 56), a7);
                if (TV.Count > 8)
                    a8 = Avx512F.FusedMultiplyAdd(x, Avx512F.LoadAlignedVector512(b + 64), a8);
                if (TV.Count > 9)
                    a9 = Avx512F.FusedMultiplyAdd(x, Avx512F.LoadAlignedVector512(b + 72), a9);
                if (TV.Count > 10)
                    a10 = Avx512F.FusedMultiplyAdd(x, Avx512F.LoadAlignedVector512(b + 80), a10);
                if (TV.Count > 11)
                    a11 = Avx512F.FusedMultiplyAdd(x, Avx512F.LoadAlignedVector512(b + 88), a11);
                if (TV.Count > 12)
                    a12 = Avx512F.FusedMultiplyAdd(x, Avx512F.LoadAlignedVector512(b + 96), a12);
                if (TV.Count > 13)
                    a13 = Avx512F.FusedMultiplyAdd(x, Avx512F.LoadAlignedVector512(b + 104), a13);
                if (TV.Count > 14)
                    a14 = Avx512F.FusedMultiplyAdd(x, Avx512F.LoadAlignedVector512(b + 112), a14);
                if (TV.Count > 15)
                    a15 = Avx512F.FusedMultiplyAdd(x, Avx512F.LoadAlignedVector512(b + 120), a15);
            }
        }

        Avx512F.StoreAligned(s, a0);
        if (TV.Count > 1)
            Avx512F.StoreAligned(s + 8, a1);
        if (TV.Count > 2)
            Avx512F.StoreAligned(s + 16, a2);
        if (TV.Count > 3)
            Avx512F.StoreAligned(s + 24, a3);
        if (TV.Count > 4)
            Avx512F.StoreAligned(s + 32, a4);
        if (TV.Count > 5)
            Avx512F.StoreAligned(s + 40, a5);
        if (TV.Count > 6)
            Avx512F.StoreAligned(s + 48, a6);
        if (TV.Count > 7)
            Avx512F.StoreAligned(s + 56, a7);
        if (TV.Count > 8)
            Avx512F.StoreAligned(s + 64, a8);
        if (TV.Count > 9)
            Avx512F.StoreAligned(s + 72, a9);
        if (TV.Count > 10)
            Avx512F.StoreAligned(s + 80, a10);
        if (TV.Count > 11)
            Avx512F.StoreAligned(s + 88, a11);
        if (TV.Count > 12)
            Avx512F.StoreAligned(s + 96, a12);
        if (TV.Count > 13)
            Avx512F.StoreAligned(s + 104, a13);
        if (TV.Count > 14)
            Avx512F.StoreAligned(s + 112, a14);
        if (TV.Count > 15)
            Avx512F.StoreAligned(s + 120, a15);
    }

    /// <summary>A width of the row kernel, in Vector512s (compile-time constant per instantiation).</summary>
    private interface IVectors
    {
        static abstract int Count { get; }
    }

#pragma warning disable CA1812 // used as type arguments only
    private readonly struct V1 : IVectors
    {
        public static int Count => 1;
    }

    private readonly struct V2 : IVectors
    {
        public static int Count => 2;
    }

    private readonly struct V3 : IVectors
    {
        public static int Count => 3;
    }

    private readonly struct V4 : IVectors
    {
        public static int Count => 4;
    }

    private readonly struct V5 : IVectors
    {
        public static int Count => 5;
    }

    private readonly struct V6 : IVectors
    {
        public static int Count => 6;
    }

    private readonly struct V7 : IVectors
    {
        public static int Count => 7;
    }

    private readonly struct V8 : IVectors
    {
        public static int Count => 8;
    }

    private readonly struct V9 : IVectors
    {
        public static int Count => 9;
    }

    private readonly struct V10 : IVectors
    {
        public static int Count => 10;
    }

    private readonly struct V11 : IVectors
    {
        public static int Count => 11;
    }

    private readonly struct V12 : IVectors
    {
        public static int Count => 12;
    }

    private readonly struct V13 : IVectors
    {
        public static int Count => 13;
    }

    private readonly struct V14 : IVectors
    {
        public static int Count => 14;
    }

    private readonly struct V15 : IVectors
    {
        public static int Count => 15;
    }

    private readonly struct V16 : IVectors
    {
        public static int Count => 16;
    }
#pragma warning restore CA1812
}
