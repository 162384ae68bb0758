using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Functional.Kernels;

// Small products: op(B) and a column-major op(A) read where they lie, no packing.
internal static partial class Gemm
{
    // ---------------------------------------------------------------- direct (unpacked) path

    /// <summary>
    /// Small products: op(B) is read in place; op(A) is read in place when it is column-major (its
    /// last m % 8 rows by masked 4-row tiles), while a transposed A is copied into zero-padded
    /// 8-row panels. A partial last block of columns is copied into a zero-padded 4-column panel.
    /// Same k order and same store arithmetic as the packed path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DirectRange(ref Job job, int i0, int i1, int j0, int j1)
    {
        int k = job.K;
        int kcb = KcFor(k);
        int m = i1 - i0;
        int n = j1 - j0;
        int fullRows = job.TransA ? 0 : m / MR * MR;
        // A column-major A's last m % 8 rows are read in place by the narrow tail kernels (no padded copy, no
        // wasted lanes); a transposed A is copied into 8-row panels.
        int panels = job.TransA ? (m + MR - 1) / MR : 0;
        int tailCols = n % DNR;
        double* scratch = Scratch((panels * MR * k) + (DNR * k) + 8, out var keep);
        double* ap = scratch;
        double* bt = scratch + RoundUp(panels * MR * k, 4);
        double* tile = stackalloc double[MR * DNR];

        // A transposed A as panels [p*MR + r] over the whole k.
        for (int ir = 0; job.TransA && ir < m; ir += MR)
        {
            int mr = Math.Min(MR, m - ir);
            double* d = ap + ((long)ir * k);
            for (int r = 0; r < MR; r++)
            {
                if (r >= mr)
                {
                    for (int p = 0; p < k; p++)
                    {
                        d[(p * MR) + r] = 0.0;
                    }
                }
                else
                {
                    double* s = job.A + ((long)(i0 + ir + r) * job.Lda);
                    for (int p = 0; p < k; p++)
                    {
                        d[(p * MR) + r] = s[p];
                    }
                }
            }
        }

        // op(B)(p, j) = B[j*cs + p*rs]
        long rs = job.TransB ? job.Ldb : 1;
        long cs = job.TransB ? 1 : job.Ldb;
        if (tailCols != 0)
        {
            // Last tailCols columns of op(B) as a panel [p*DNR + q].
            int jt = j1 - tailCols;
            for (int p = 0; p < k; p++)
            {
                for (int q = 0; q < DNR; q++)
                {
                    bt[(p * DNR) + q] = q < tailCols ? job.B[((jt + q) * cs) + (p * rs)] : 0.0;
                }
            }
        }

        int ldc = job.Ldc;
        for (int pc = 0; pc < k; pc += kcb)
        {
            int kc = Math.Min(kcb, k - pc);
            int mode = pc == 0 ? (job.Beta == 0.0 ? ModeOverwrite : ModeBeta) : ModeAccumulate;
            for (int j = j0; j < j1; j += DNR)
            {
                int nr = Math.Min(DNR, j1 - j);
                double* cj = job.C + ((long)j * ldc) + i0;
                double* bj;
                long brs,
                    bcs;
                if (nr == DNR)
                {
                    bj = job.B + (j * cs) + (pc * rs);
                    brs = rs;
                    bcs = cs;
                }
                else
                {
                    bj = bt + (pc * DNR);
                    brs = DNR;
                    bcs = 1;
                }

                for (int i = 0; i < m; i += MR)
                {
                    int mr = Math.Min(MR, m - i);
                    if (i >= fullRows && !job.TransA)
                    {
                        DirectTail(
                            kc,
                            job.A + i0 + i + ((long)pc * job.Lda),
                            job.Lda,
                            bj,
                            brs,
                            bcs,
                            cj + i,
                            ldc,
                            job.Alpha,
                            job.Beta,
                            mode,
                            mr,
                            nr
                        );
                    }
                    else
                    {
                        // Full 8-row tiles of a column-major A in place; a transposed A from its panels.
                        bool inPlace = i < fullRows;
                        Direct8x4(
                            kc,
                            inPlace ? job.A + i0 + i + ((long)pc * job.Lda) : ap + ((long)i * k) + (pc * MR),
                            inPlace ? job.Lda : MR,
                            bj,
                            brs,
                            bcs,
                            cj + i,
                            ldc,
                            job.Alpha,
                            job.Beta,
                            mode,
                            mr,
                            nr,
                            tile
                        );
                    }
                }
            }
        }

        GC.KeepAlive(keep);
    }

    /// <summary>
    /// 8x4 tile: rows from a (8 contiguous values, next k at +lda), columns from b
    /// (column q at b + q*cs, next k at +rs). Writes the valid mr x nr corner of the tile to c.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Direct8x4(
        int kc,
        double* a,
        long lda,
        double* b,
        long rs,
        long cs,
        double* c,
        int ldc,
        double alpha,
        double beta,
        int mode,
        int mr,
        int nr,
        double* tile
    )
    {
        var c00 = Vector256<double>.Zero;
        var c10 = Vector256<double>.Zero;
        var c01 = Vector256<double>.Zero;
        var c11 = Vector256<double>.Zero;
        var c02 = Vector256<double>.Zero;
        var c12 = Vector256<double>.Zero;
        var c03 = Vector256<double>.Zero;
        var c13 = Vector256<double>.Zero;
        double* b0 = b;
        double* b1 = b + cs;
        double* b2 = b + (2 * cs);
        double* b3 = b + (3 * cs);
        for (int p = 0; p < kc; p++)
        {
            var a0 = Avx.LoadVector256(a);
            var a1 = Avx.LoadVector256(a + 4);
            var bv = Vector256.Create(*b0);
            c00 = Fma.MultiplyAdd(a0, bv, c00);
            c10 = Fma.MultiplyAdd(a1, bv, c10);
            bv = Vector256.Create(*b1);
            c01 = Fma.MultiplyAdd(a0, bv, c01);
            c11 = Fma.MultiplyAdd(a1, bv, c11);
            bv = Vector256.Create(*b2);
            c02 = Fma.MultiplyAdd(a0, bv, c02);
            c12 = Fma.MultiplyAdd(a1, bv, c12);
            bv = Vector256.Create(*b3);
            c03 = Fma.MultiplyAdd(a0, bv, c03);
            c13 = Fma.MultiplyAdd(a1, bv, c13);
            a += lda;
            b0 += rs;
            b1 += rs;
            b2 += rs;
            b3 += rs;
        }

        if (mr == MR && nr == DNR)
        {
            Store(c, c00, c10, alpha, beta, mode);
            Store(c + ldc, c01, c11, alpha, beta, mode);
            Store(c + (2L * ldc), c02, c12, alpha, beta, mode);
            Store(c + (3L * ldc), c03, c13, alpha, beta, mode);
            return;
        }

        Avx.Store(tile, c00);
        Avx.Store(tile + 4, c10);
        Avx.Store(tile + 8, c01);
        Avx.Store(tile + 12, c11);
        Avx.Store(tile + 16, c02);
        Avx.Store(tile + 20, c12);
        Avx.Store(tile + 24, c03);
        Avx.Store(tile + 28, c13);
        for (int j = 0; j < nr; j++)
        {
            double* cj = c + ((long)j * ldc);
            for (int i = 0; i < mr; i++)
            {
                cj[i] = Combine(tile[(j * MR) + i], cj[i], alpha, beta, mode);
            }
        }
    }

    /// <summary>
    /// The last 1–7 rows of a column-major A, read in place in tiles of up to 4 rows × 4 columns (one Vector256 per
    /// column, masked loads and stores for fewer than 4 rows), each element with the same k order and store
    /// arithmetic as the 8×4 tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DirectTail(
        int kc,
        double* a,
        long lda,
        double* b,
        long rs,
        long cs,
        double* c,
        int ldc,
        double alpha,
        double beta,
        int mode,
        int mr,
        int nr
    )
    {
        for (int r = 0; r < mr; r += 4)
        {
            // Lanes below the row count are on; masked-off lanes are neither read nor written.
            var rows = Vector256.Create((long)Math.Min(4, mr - r));
            var mask = Vector256.LessThan(Vector256.Create(0L, 1, 2, 3), rows).AsDouble();
            Direct4x4(kc, a + r, lda, b, rs, cs, c + r, ldc, alpha, beta, mode, mask, nr);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Direct4x4(
        int kc,
        double* a,
        long lda,
        double* b,
        long rs,
        long cs,
        double* c,
        int ldc,
        double alpha,
        double beta,
        int mode,
        Vector256<double> mask,
        int nr
    )
    {
        var c0 = Vector256<double>.Zero;
        var c1 = Vector256<double>.Zero;
        var c2 = Vector256<double>.Zero;
        var c3 = Vector256<double>.Zero;
        double* b0 = b;
        double* b1 = b + cs;
        double* b2 = b + (2 * cs);
        double* b3 = b + (3 * cs);
        for (int p = 0; p < kc; p++)
        {
            var av = Avx.MaskLoad(a, mask);
            c0 = Fma.MultiplyAdd(av, Vector256.Create(*b0), c0);
            c1 = Fma.MultiplyAdd(av, Vector256.Create(*b1), c1);
            c2 = Fma.MultiplyAdd(av, Vector256.Create(*b2), c2);
            c3 = Fma.MultiplyAdd(av, Vector256.Create(*b3), c3);
            a += lda;
            b0 += rs;
            b1 += rs;
            b2 += rs;
            b3 += rs;
        }

        Store4(c, c0, alpha, beta, mode, mask);
        if (nr > 1)
            Store4(c + ldc, c1, alpha, beta, mode, mask);
        if (nr > 2)
            Store4(c + (2L * ldc), c2, alpha, beta, mode, mask);
        if (nr > 3)
            Store4(c + (3L * ldc), c3, alpha, beta, mode, mask);
    }

    /// <summary>The 8×4 tile's store arithmetic on the masked lanes of one column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store4(
        double* c,
        Vector256<double> s,
        double alpha,
        double beta,
        int mode,
        Vector256<double> mask
    )
    {
        var av = Vector256.Create(alpha);
        Avx.MaskStore(
            c,
            mask,
            mode == ModeOverwrite ? Avx.Multiply(av, s)
                : mode == ModeBeta ? Fma.MultiplyAdd(av, s, Avx.Multiply(Vector256.Create(beta), Avx.MaskLoad(c, mask)))
                : Fma.MultiplyAdd(av, s, Avx.MaskLoad(c, mask))
        );
    }
}
