using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Functional.Kernels;

// The loop nest: k cut into equal blocks, the serial driver's choice of path, the packed path's cache blocking, and a product's parts across threads.
internal static partial class Gemm
{
    // ---------------------------------------------------------------- blocking of k

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int KcFor(int k)
    {
        int blocks = (k + KcMax - 1) / KcMax;
        return (k + blocks - 1) / blocks;
    }

    // ---------------------------------------------------------------- serial driver

    /// <summary>Computes C[i0..i1, j0..j1) on the calling thread (AVX2 + FMA present).</summary>
    internal static unsafe void SerialRange(ref Job job, int i0, int i1, int j0, int j1)
    {
        if (!Packs(job.K, i0, i1, j0, j1))
        {
            if (job.Codes != null)
            {
                // The direct path reads A in place: write this part's rows of it first. The job may be shared
                // with another thread's part (rows apart), so the copy without codes is a local one.
                var plain = job;
                FillFromCodes(ref plain, i0, i1);
                DirectRange(ref plain, i0, i1, j0, j1);
                return;
            }

            DirectRange(ref job, i0, i1, j0, j1);
        }
        else
        {
            PackedRange(ref job, i0, i1, j0, j1);
        }
    }

    /// <summary>C[i0..i1, j0..j1) on the calling thread, then <paramref name="epilogue"/> on that finished block.</summary>
    private static unsafe void Block(ref Job job, int i0, int i1, int j0, int j1, Epilogue? epilogue)
    {
        if (epilogue?.TileBias is { } bias && Packs(job.K, i0, i1, j0, j1))
        {
            // A bias (and ReLU) applied by the kernel to each tile it stores, while the tile is in registers: the
            // separate pass over C took ~57 µs of CPU per 784-[100]×4-10 step (timed around Apply in the loop).
            fixed (double* pb = bias)
            {
                PackedRange(ref job, i0, i1, j0, j1, pb, epilogue.TileRelu);
            }

            return;
        }

        SerialRange(ref job, i0, i1, j0, j1);
        epilogue?.Apply(i0, i1, j0, j1);
    }

    /// <summary>Whether <see cref="SerialRange"/> takes the packed path for this block.</summary>
    private static bool Packs(int k, int i0, int i1, int j0, int j1) =>
        (long)(i1 - i0) * (j1 - j0) * k >= DirectThreshold && j1 - j0 >= NR && i1 - i0 >= 4;

    // ---------------------------------------------------------------- packed path

    /// <summary>C[i0..i1, j0..j1) by packed panels. With <paramref name="tileBias"/> (column j's at tileBias[j]), the
    /// kernel adds it, then the ReLU when <paramref name="tileRelu"/>, to each tile as it stores the last k block
    /// (<see cref="Epilogue.TileBias"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PackedRange(
        ref Job job,
        int i0,
        int i1,
        int j0,
        int j1,
        double* tileBias = null,
        bool tileRelu = false
    )
    {
        int k = job.K;
        int kcb = KcFor(k);
        int ncMax = Math.Min(NC, RoundUp(j1 - j0, NR));
        int mcMax = Math.Min(MC, RoundUp(i1 - i0, MR));
        int aSize = mcMax * kcb;
        int bSize = ncMax * kcb;
        double* scratch = Scratch(aSize + bSize + 16, out var keep);
        double* ap = scratch;
        double* bp = scratch + RoundUp(aSize, 8);
        double* tile = stackalloc double[MR * 2 * NR];

        for (int jc = j0; jc < j1; jc += NC)
        {
            int nc = Math.Min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += kcb)
            {
                int kc = Math.Min(kcb, k - pc);
                int mode = pc == 0 ? (job.Beta == 0.0 ? ModeOverwrite : ModeBeta) : ModeAccumulate;
                double* bias = pc + kc == k ? tileBias : null; // the tile epilogue, on the last k block only
                // With one block of rows each B panel meets the kernel once, and copying it first only costs: the
                // wide tiles then read op(B) where it lies, and only the columns after the last pair are packed.
                int inPlace = Wide && i1 - i0 <= MC ? nc / (2 * NR) * (2 * NR) : 0;
                PackB(ref job, pc, kc, jc + inPlace, nc - inPlace, bp + (inPlace * kc));
                for (int ic = i0; ic < i1; ic += MC)
                {
                    int mc = Math.Min(MC, i1 - ic);
                    PackA(ref job, ic, mc, pc, kc, ap);
                    for (int jr = 0; jr < nc; jr += NR)
                    {
                        int nr = Math.Min(NR, nc - jr);
                        double* bpanel = bp + (jr * kc);
                        double* ccol = job.C + ((long)(jc + jr) * job.Ldc) + ic;
                        double* bcol = bias == null ? null : bias + jc + jr;
                        int ir = 0;
                        if (Wide && jr + (2 * NR) <= nc)
                        {
                            // Two column panels at once: 16×8 tiles of two row panels, the rows left 8×8. Column q
                            // of the pair is at b0 + q·col (b1 for q ≥ 4), and each k moves it by step.
                            double* b0 = bpanel;
                            double* b1 = bpanel + (NR * kc);
                            long step = NR,
                                col = 1;
                            if (jr < inPlace)
                            {
                                // op(B)(p, j) is B[j·ldb + p], or B[p·ldb + j] when B is transposed.
                                long ldb = job.Ldb;
                                (step, col) = job.TransB ? (ldb, 1L) : (1L, ldb);
                                b0 = job.B + (jc + jr) * col + (pc * step);
                                b1 = b0 + (NR * col);
                            }

                            for (; ir + (2 * MR) <= mc; ir += 2 * MR)
                            {
                                Kernel16x8(
                                    kc,
                                    ap + (ir * kc),
                                    b0,
                                    b1,
                                    step,
                                    col,
                                    ccol + ir,
                                    job.Ldc,
                                    job.Alpha,
                                    job.Beta,
                                    mode,
                                    bcol,
                                    tileRelu
                                );
                            }

                            for (; ir < mc; ir += MR)
                            {
                                Kernel8x8(
                                    kc,
                                    ap + (ir * kc),
                                    b0,
                                    b1,
                                    step,
                                    col,
                                    ccol + ir,
                                    job.Ldc,
                                    job.Alpha,
                                    job.Beta,
                                    mode,
                                    Math.Min(MR, mc - ir),
                                    tile,
                                    bcol,
                                    tileRelu
                                );
                            }

                            jr += NR; // the second panel is done too
                            continue;
                        }

                        if (Wide)
                        {
                            // A lone column panel (the columns after the last pair, zero-padded when narrow): 16×4
                            // tiles storing its nr columns.
                            for (; ir + (2 * MR) <= mc; ir += 2 * MR)
                            {
                                Kernel16x4(
                                    kc,
                                    ap + (ir * kc),
                                    bpanel,
                                    ccol + ir,
                                    job.Ldc,
                                    job.Alpha,
                                    job.Beta,
                                    mode,
                                    bcol,
                                    tileRelu,
                                    nr
                                );
                            }
                        }

                        for (; ir < mc; ir += MR)
                        {
                            int mr = Math.Min(MR, mc - ir);
                            Kernel8x4(
                                kc,
                                ap + (ir * kc),
                                bpanel,
                                ccol + ir,
                                job.Ldc,
                                job.Alpha,
                                job.Beta,
                                mode,
                                mr,
                                nr,
                                tile,
                                bcol,
                                tileRelu
                            );
                        }
                    }
                }
            }
        }

        GC.KeepAlive(keep);
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;

    // ---------------------------------------------------------------- threads

    /// <summary>
    /// Splits C into <paramref name="threads"/> fixed parts (columns when m ≤ n, rows otherwise)
    /// and computes them concurrently. Parts never share an element, and every element is
    /// computed in the same order as on one thread.
    /// </summary>
    private static unsafe void Parallel(ref Job job, int threads, Epilogue? epilogue)
    {
        bool byColumns = job.M <= job.N && !RowsPackLess(job, threads);
        if (byColumns && job.Codes != null)
        {
            // Every part reads every row of A: write A once, here, rather than by both parts at once.
            FillFromCodes(ref job, 0, job.M);
        }

        int extent = byColumns ? job.N : job.M;
        int unit = byColumns ? NR : MR;
        int units = (extent + unit - 1) / unit;
        threads = Math.Min(threads, units);
        if (threads < 2 || !Workers.TryRun(new PartedProduct(job, byColumns, epilogue), threads))
        {
            Block(ref job, 0, job.M, 0, job.N, epilogue);
        }
    }

    /// <summary>
    /// Whether a split by rows packs less than the split by columns that m ≤ n would choose: when each row part is
    /// one block of rows, the wide tiles read B where it lies and each part packs only its rows of A, while every
    /// column part packs all of A (a 100×4320 by 4320×100 product packed A twice). Not with rows owed to A, whose
    /// parts follow the batch gather's.
    /// </summary>
    private static unsafe bool RowsPackLess(in Job job, int threads)
    {
        int rowUnits = (job.M + MR - 1) / MR;
        return Wide && job.Codes == null && rowUnits >= threads && RoundUp((job.M + threads - 1) / threads, MR) <= MC;
    }

    /// <summary>Bounds of part <paramref name="part"/> of <paramref name="parts"/> along the split dimension.</summary>
    internal static void PartBounds(
        in Job job,
        bool byColumns,
        int part,
        int parts,
        out int i0,
        out int i1,
        out int j0,
        out int j1
    )
    {
        var (lo, hi) = Workers.Cut(byColumns ? job.N : job.M, byColumns ? NR : MR, part, parts);
        if (byColumns)
        {
            i0 = 0;
            i1 = job.M;
            j0 = lo;
            j1 = hi;
        }
        else
        {
            i0 = lo;
            i1 = hi;
            j0 = 0;
            j1 = job.N;
        }
    }

    internal static void RunPart(ref Job job, bool byColumns, int part, int parts, Epilogue? epilogue = null)
    {
        PartBounds(job, byColumns, part, parts, out int i0, out int i1, out int j0, out int j1);
        if (i1 > i0 && j1 > j0)
        {
            Block(ref job, i0, i1, j0, j1, epilogue);
        }
    }

    /// <summary>One product as parts of its output (the split of <see cref="PartBounds"/>).</summary>
    private sealed unsafe class PartedProduct(Job job, bool byColumns, Epilogue? epilogue) : PartJob
    {
        private Job _job = job;

        public override void RunPart(int part, int parts) => Gemm.RunPart(ref _job, byColumns, part, parts, epilogue);
    }
}
