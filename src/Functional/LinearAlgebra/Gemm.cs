using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Functional.Core;

namespace Functional.LinearAlgebra;

/// <summary>
/// Deterministic double-precision matrix multiply on column-major storage:
/// C = alpha * op(A) * op(B) + beta * C, where op(X) is X or its transpose.
/// </summary>
/// <remarks>
/// Every element of C is computed in one fixed order that depends only on k:
/// the k range is cut into equal blocks (at most <c>KcMax</c> long); inside a block the products
/// are accumulated with one fused multiply-add per k in increasing order starting from zero, and
/// the block sums are folded into C in block order (the first block as
/// fma(alpha, s, beta * c) — or alpha * s when beta is 0 — later ones as fma(alpha, s, c)).
/// The small-shape path, the packed path, edge tiles and every thread follow this same order,
/// so the result is bitwise identical for any thread count and any partition of C.
/// </remarks>
public static class Gemm
{
    // Register tile: MR rows (two Vector256) by NR columns of C.
    private const int MR = 8;
    private const int NR = 4;

    // Column step of the small-shape (unpacked) path.
    private const int DNR = 4;

    // Cache blocking, chosen for a Zen 3 core (32 KiB L1d, 512 KiB L2 per core); this machine turned out to be a
    // Zen 4 (1 MiB L2 per core, docs/GEMM-NOTES.md).
    private const int KcMax = 256;
    private const int MC = 96;
    private const int NC = 2048;

    // Products with m*n*k below this run without packing.
    private const long DirectThreshold = 300_000;

    // Products with m*n*k below this stay on the calling thread (settable for measurements).
    internal static long ParallelThreshold { get; set; } = 100_000;

    /// <summary>
    /// C (m×n, leading dimension ldc) = alpha · op(A) · op(B) + beta · C, all column-major.
    /// op(A) is m×k (A stored m×k, or k×m when <paramref name="transposeA"/>), op(B) is k×n
    /// (B stored k×n, or n×k when <paramref name="transposeB"/>). When beta is 0, C is not read. C must not overlap
    /// A or B: both may be read after parts of C are written (the MathNet provider copies C when they alias).
    /// <paramref name="maxThreads"/> caps the threads used (0: MathNet's Control.MaxDegreeOfParallelism);
    /// the result does not depend on it.
    /// </summary>
    public static unsafe void Multiply(
        bool transposeA,
        bool transposeB,
        int m,
        int n,
        int k,
        double alpha,
        ReadOnlySpan<double> a,
        int lda,
        ReadOnlySpan<double> b,
        int ldb,
        double beta,
        Span<double> c,
        int ldc,
        int maxThreads = 0
    )
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        CheckOperand(a, transposeA ? k : m, transposeA ? m : k, lda, nameof(a));
        CheckOperand(b, transposeB ? n : k, transposeB ? k : n, ldb, nameof(b));
        CheckOperand(c, m, n, ldc, nameof(c));
        if (m == 0 || n == 0)
        {
            return;
        }

        fixed (double* pa = a)
        fixed (double* pb = b)
        fixed (double* pc = c)
        {
            var job = new Job
            {
                TransA = transposeA,
                TransB = transposeB,
                M = m,
                N = n,
                K = k,
                Alpha = alpha,
                Beta = beta,
                A = pa,
                Lda = lda,
                B = pb,
                Ldb = ldb,
                C = pc,
                Ldc = ldc,
            };
            Run(ref job, maxThreads, null);
        }
    }

    /// <summary>A checked, non-empty product on pinned operands, with <paramref name="epilogue"/> applied to each
    /// finished part of C by the thread that computed it.</summary>
    private static void Run(ref Job job, int maxThreads, Epilogue? epilogue)
    {
        int m = job.M,
            n = job.N;
        if (job.K == 0 || job.Alpha == 0.0)
        {
            ScaleC(ref job, 0, m, 0, n);
            epilogue?.Apply(0, m, 0, n);
            return;
        }

        long work = (long)m * n * job.K;
        int threads = maxThreads > 0 ? Math.Min(maxThreads, Environment.ProcessorCount) : Workers.Available;
        if (!Fma.IsSupported || !Avx2.IsSupported)
        {
            FillFromCodes(ref job, 0, m);
            ScalarRange(ref job, 0, m, 0, n);
            epilogue?.Apply(0, m, 0, n);
        }
        else if (threads < 2 || work < ParallelThreshold)
        {
            Block(ref job, 0, m, 0, n, epilogue);
        }
        else
        {
            Parallel(ref job, threads, epilogue);
        }
    }

    /// <summary>
    /// Element-wise work on a finished block of C (every k summed), run by the thread that computed the block, so
    /// that a layer's bias, activation or mask is applied in parallel while the block is still in cache. It must
    /// touch only C's elements in the block (and read whatever it likes): the parts never overlap, so the result
    /// does not depend on the partition.
    /// </summary>
    internal abstract class Epilogue
    {
        /// <summary>Rows [i0, i1) of columns [j0, j1) of C are final.</summary>
        public abstract void Apply(int i0, int i1, int j0, int j1);

        /// <summary>
        /// When the epilogue is c + bias[j], or max(c + bias[j], 0) with <see cref="TileRelu"/>, with exactly the
        /// expressions of <c>AddBias</c>/<c>AddBiasRelu</c> (Affine): the bias, which the packed kernel then applies to
        /// each register tile as it stores it, instead of a second pass over C. Null: <see cref="Apply"/> is called.
        /// </summary>
        public virtual double[]? TileBias => null;

        /// <summary>With <see cref="TileBias"/>: a ReLU after the bias.</summary>
        public virtual bool TileRelu => false;
    }

    /// <summary>One product C = op(A)·op(B), all column-major (the arguments of <see cref="Multiply"/> with alpha 1, beta 0).</summary>
    internal readonly record struct Product(
        bool TransA,
        bool TransB,
        int M,
        int N,
        int K,
        double[] A,
        int Lda,
        double[] B,
        int Ldb,
        double[] C,
        int Ldc
    )
    {
        /// <summary>
        /// A training batch owed to A (<see cref="DeferredRows"/>; op(A) = A, m×k with leading dimension m): the
        /// product reads op(A) from its codes and writes A's values on the way, so A is complete when it returns.
        /// </summary>
        public DeferredRows? FillA { get; init; }
    }

    /// <summary>Computes two independent products, each whole on its own thread when two are free (the second's
    /// <paramref name="qEpilogue"/> applied by the thread that computed it).</summary>
    /// <remarks>
    /// A layer's weight and input gradients (Xᵀ·dY and dY·Wᵀ) cost the same flops and share no output: one product
    /// per core needs no split, no duplicated packing and no partial tiles at the split, which splitting each product
    /// across both cores pays twice (`Functional.Benchmarks pair`: a 128×100→100 layer 59.7 → 55.1 µs, 128×100→10
    /// 17.0 → 13.1 µs). Each product is still summed in its one fixed order: same bits.
    /// </remarks>
    internal static unsafe void MultiplyBoth(
        in Product p,
        in Product q,
        Epilogue? qEpilogue = null,
        Action? alongside = null
    )
    {
        long wp = (long)p.M * p.N * p.K,
            wq = (long)q.M * q.N * q.K;
        if (
            !Fma.IsSupported
            || !Avx2.IsSupported
            || wp == 0
            || wq == 0
            || wp + wq < ParallelThreshold
            || Workers.Available < 2
        )
        {
            Multiply(p);
            Multiply(q, qEpilogue);
            alongside?.Invoke();
            return;
        }

        Check(p);
        Check(q);
        fixed (
            double* pa = p.A,
                pb = p.B,
                pc = p.C,
                qa = q.A,
                qb = q.B,
                qc = q.C
        )
        {
            var jp = JobOf(p, pa, pb, pc);
            var jq = JobOf(q, qa, qb, qc);
            if (!Workers.TryRun(new Both(jp, jq, qEpilogue, alongside), alongside is null ? 2 : 3, 2))
            {
                SerialRange(ref jp, 0, jp.M, 0, jp.N);
                Block(ref jq, 0, jq.M, 0, jq.N, qEpilogue);
                alongside?.Invoke();
            }
        }
    }

    /// <summary>One <see cref="Product"/> (alpha 1, beta 0), on at most <paramref name="maxThreads"/> threads (0: all).</summary>
    internal static unsafe void Multiply(in Product p, Epilogue? epilogue = null, int maxThreads = 0)
    {
        Check(p);
        var fill = p.FillA;
        if (fill is not null)
        {
            CheckFill(p, fill);
        }

        if (p.M == 0 || p.N == 0)
        {
            fill?.Fill();
            return;
        }

        fixed (
            double* pa = p.A,
                pb = p.B,
                pc = p.C,
                palette = fill?.Palette
        )
        fixed (byte* codes = fill?.Codes)
        fixed (int* index = fill?.Index)
        {
            var job = JobOf(p, pa, pb, pc);
            job.Codes = codes;
            job.Palette = palette;
            job.Index = index;
            Run(ref job, maxThreads, epilogue);
        }
    }

    private static void CheckFill(in Product p, DeferredRows fill)
    {
        if (
            p.TransA
            || !ReferenceEquals(fill.Target, p.A)
            || fill.Index.Length != p.M
            || fill.Cols != p.K
            || p.Lda != Math.Max(1, p.M)
            || fill.Palette.Length != 256
        )
        {
            throw new ArgumentException(
                $"a deferred batch of {fill.Index.Length}×{fill.Cols} is not the operand A of this {p.M}×{p.K} product"
            );
        }
    }

    private static void Check(in Product p)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(p.M);
        ArgumentOutOfRangeException.ThrowIfNegative(p.N);
        ArgumentOutOfRangeException.ThrowIfNegative(p.K);
        CheckOperand(p.A, p.TransA ? p.K : p.M, p.TransA ? p.M : p.K, p.Lda, "a");
        CheckOperand(p.B, p.TransB ? p.N : p.K, p.TransB ? p.K : p.N, p.Ldb, "b");
        CheckOperand(p.C, p.M, p.N, p.Ldc, "c");
    }

    private static unsafe Job JobOf(in Product p, double* a, double* b, double* c) =>
        new()
        {
            TransA = p.TransA,
            TransB = p.TransB,
            M = p.M,
            N = p.N,
            K = p.K,
            Alpha = 1.0,
            Beta = 0.0,
            A = a,
            Lda = p.Lda,
            B = b,
            Ldb = p.Ldb,
            C = c,
            Ldc = p.Ldc,
        };

    /// <summary>Part 0 is the first product, part 1 the second, each computed whole.</summary>
    private sealed unsafe class Both(Job first, Job second, Epilogue? secondEpilogue, Action? third) : PartJob
    {
        private Job _first = first,
            _second = second;

        public override void RunPart(int part, int parts)
        {
            if (part == 0)
            {
                SerialRange(ref _first, 0, _first.M, 0, _first.N);
            }
            else if (part == 1)
            {
                Block(ref _second, 0, _second.M, 0, _second.N, secondEpilogue);
            }
            else
            {
                third!(); // claimed by whichever thread finishes its product first
            }
        }
    }

    private static void CheckOperand(ReadOnlySpan<double> x, int rows, int cols, int ld, string name)
    {
        if (ld < Math.Max(1, rows))
        {
            throw new ArgumentOutOfRangeException(
                name,
                $"leading dimension {ld} is smaller than the {rows} stored rows"
            );
        }

        long need = rows == 0 || cols == 0 ? 0 : ((long)(cols - 1) * ld) + rows;
        if (x.Length < need)
        {
            throw new ArgumentException(
                $"{name} holds {x.Length} elements; {rows}x{cols} with leading dimension {ld} needs {need}",
                name
            );
        }
    }

    internal unsafe struct Job
    {
        public bool TransA,
            TransB;
        public int M,
            N,
            K;
        public double Alpha,
            Beta;
        public double* A,
            B,
            C;

        // A deferred batch owed to A (Product.FillA), or null.
        public byte* Codes;
        public double* Palette;
        public int* Index;
        public int Lda,
            Ldb,
            Ldc;
    }

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

    // ---------------------------------------------------------------- scratch

    [ThreadStatic]
    private static double[]? t_scratch;

    private static unsafe double* Scratch(int doubles, out double[] keepAlive)
    {
        var buf = t_scratch;
        if (buf == null || buf.Length < doubles + 8)
        {
            buf = GC.AllocateUninitializedArray<double>(Math.Max(doubles + 8, 1024), pinned: true);
            t_scratch = buf;
        }

        keepAlive = buf;
        // The array is pinned (POH): align the start to 64 bytes.
        double* p = (double*)Unsafe.AsPointer(ref buf[0]);
        nint mis = ((nint)p & 63) / sizeof(double);
        return mis == 0 ? p : p + (8 - mis);
    }

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

                        if (Wide && nr == NR)
                        {
                            // A lone full column panel (the columns after the last pair): 16×4 tiles.
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
                                    tileRelu
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

    /// <summary>Packs op(A)[ic..ic+mc, pc..pc+kc) as MR-row panels, k-major, zero-padded rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PackA(ref Job job, int ic, int mc, int pc, int kc, double* dst)
    {
        if (job.Codes != null)
        {
            PackACodes(ref job, ic, mc, pc, kc, dst);
            return;
        }

        int lda = job.Lda;
        for (int ir = 0; ir < mc; ir += MR)
        {
            int mr = Math.Min(MR, mc - ir);
            double* d = dst + (ir * kc);
            if (!job.TransA)
            {
                // op(A)(i,p) = A[p*lda + i]
                double* s = job.A + ((long)pc * lda) + ic + ir;
                if (mr == MR)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        Avx.Store(d, Avx.LoadVector256(s));
                        Avx.Store(d + 4, Avx.LoadVector256(s + 4));
                        d += MR;
                        s += lda;
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        for (int r = 0; r < mr; r++)
                        {
                            d[r] = s[r];
                        }

                        for (int r = mr; r < MR; r++)
                        {
                            d[r] = 0.0;
                        }

                        d += MR;
                        s += lda;
                    }
                }
            }
            else
            {
                // op(A)(i,p) = A[i*lda + p]
                double* s = job.A + ((long)(ic + ir) * lda) + pc;
                if (mr == MR)
                {
                    int p = 0;
                    for (; p + 4 <= kc; p += 4)
                    {
                        // Two 4x4 transposes: rows r..r+3 of op(A), k = p..p+3.
                        Transpose4x4(s + p, lda, d + (p * MR), MR);
                        Transpose4x4(s + p + (4L * lda), lda, d + (p * MR) + 4, MR);
                    }

                    for (; p < kc; p++)
                    {
                        for (int r = 0; r < MR; r++)
                        {
                            d[(p * MR) + r] = s[((long)r * lda) + p];
                        }
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        for (int r = 0; r < mr; r++)
                        {
                            d[(p * MR) + r] = s[((long)r * lda) + p];
                        }

                        for (int r = mr; r < MR; r++)
                        {
                            d[(p * MR) + r] = 0.0;
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// <see cref="PackA"/> for a deferred batch (op(A) = A, rows picked by <c>Index</c> from row-major codes): each
    /// element is <c>Palette[code]</c>, stored both in the panel and in A itself, so that A is written by the time the
    /// product returns. A part of the product covers all of k for its rows, and parts never share a row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PackACodes(ref Job job, int ic, int mc, int pc, int kc, double* dst)
    {
        int lda = job.Lda;
        long cols = job.K;
        double* pal = job.Palette;
        for (int ir = 0; ir < mc; ir += MR)
        {
            int mr = Math.Min(MR, mc - ir);
            double* d = dst + (ir * kc);
            double* s = job.A + ((long)pc * lda) + ic + ir;
            int* rows = job.Index + ic + ir;
            if (mr == MR)
            {
                byte* r0 = job.Codes + (rows[0] * cols) + pc,
                    r1 = job.Codes + (rows[1] * cols) + pc,
                    r2 = job.Codes + (rows[2] * cols) + pc,
                    r3 = job.Codes + (rows[3] * cols) + pc,
                    r4 = job.Codes + (rows[4] * cols) + pc,
                    r5 = job.Codes + (rows[5] * cols) + pc,
                    r6 = job.Codes + (rows[6] * cols) + pc,
                    r7 = job.Codes + (rows[7] * cols) + pc;
                for (int p = 0; p < kc; p++)
                {
                    var v0 = Vector256.Create(pal[r0[p]], pal[r1[p]], pal[r2[p]], pal[r3[p]]);
                    var v1 = Vector256.Create(pal[r4[p]], pal[r5[p]], pal[r6[p]], pal[r7[p]]);
                    Avx.Store(d, v0);
                    Avx.Store(d + 4, v1);
                    Avx.Store(s, v0);
                    Avx.Store(s + 4, v1);
                    d += MR;
                    s += lda;
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    for (int r = 0; r < mr; r++)
                    {
                        double v = pal[job.Codes[(rows[r] * cols) + pc + p]];
                        d[r] = v;
                        s[r] = v;
                    }

                    for (int r = mr; r < MR; r++)
                    {
                        d[r] = 0.0;
                    }

                    d += MR;
                    s += lda;
                }
            }
        }
    }

    /// <summary>Writes rows [i0, i1) of a deferred batch into A (all of k) and drops the codes from the job.</summary>
    private static unsafe void FillFromCodes(ref Job job, int i0, int i1)
    {
        if (job.Codes == null)
        {
            return;
        }

        long cols = job.K;
        for (int i = i0; i < i1; i++)
        {
            byte* row = job.Codes + (job.Index[i] * cols);
            double* a = job.A + i;
            for (long p = 0; p < cols; p++)
            {
                a[p * job.Lda] = job.Palette[row[p]];
            }
        }

        job.Codes = null;
    }

    /// <summary>
    /// Reads a 4x4 block whose rows r start at src + r*lds (4 contiguous values each) and writes
    /// its transpose: dst[c*ldd + r] = src[r*lds + c].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose4x4(double* src, long lds, double* dst, int ldd)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + lds);
        var r2 = Avx.LoadVector256(src + (2 * lds));
        var r3 = Avx.LoadVector256(src + (3 * lds));
        var t0 = Avx.UnpackLow(r0, r1); // r0[0] r1[0] r0[2] r1[2]
        var t1 = Avx.UnpackHigh(r0, r1); // r0[1] r1[1] r0[3] r1[3]
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        Avx.Store(dst, Avx.Permute2x128(t0, t2, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(t1, t3, 0x20));
        Avx.Store(dst + (2 * ldd), Avx.Permute2x128(t0, t2, 0x31));
        Avx.Store(dst + (3 * ldd), Avx.Permute2x128(t1, t3, 0x31));
    }

    /// <summary>Packs op(B)[pc..pc+kc, jc..jc+nc) as NR-column panels, k-major, zero-padded columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PackB(ref Job job, int pc, int kc, int jc, int nc, double* dst)
    {
        int ldb = job.Ldb;
        for (int jr = 0; jr < nc; jr += NR)
        {
            int nr = Math.Min(NR, nc - jr);
            double* d = dst + (jr * kc);
            if (job.TransB)
            {
                // op(B)(p,j) = B[p*ldb + j]
                double* s = job.B + ((long)pc * ldb) + jc + jr;
                if (nr == NR)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        Avx.Store(d, Avx.LoadVector256(s));
                        d += NR;
                        s += ldb;
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        for (int q = 0; q < nr; q++)
                        {
                            d[q] = s[q];
                        }

                        for (int q = nr; q < NR; q++)
                        {
                            d[q] = 0.0;
                        }

                        d += NR;
                        s += ldb;
                    }
                }
            }
            else
            {
                // op(B)(p,j) = B[j*ldb + p]
                double* s = job.B + ((long)(jc + jr) * ldb) + pc;
                if (nr == NR)
                {
                    int p = 0;
                    for (; p + 4 <= kc; p += 4)
                    {
                        Transpose4x4(s + p, ldb, d + (p * NR), NR);
                    }

                    for (; p < kc; p++)
                    {
                        d[(p * NR) + 0] = s[p];
                        d[(p * NR) + 1] = s[ldb + p];
                        d[(p * NR) + 2] = s[(2L * ldb) + p];
                        d[(p * NR) + 3] = s[(3L * ldb) + p];
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        for (int q = 0; q < nr; q++)
                        {
                            d[(p * NR) + q] = s[((long)q * ldb) + p];
                        }

                        for (int q = nr; q < NR; q++)
                        {
                            d[(p * NR) + q] = 0.0;
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Whether the packed path runs <see cref="Kernel16x8"/> where two full row panels meet two full column panels
    /// (and <see cref="Kernel8x8"/> for the rows left under them). The 512-bit kernels only widen the tile: every
    /// element is still one FMA per k in increasing order, stored with the same expressions, so the bits are those of
    /// <see cref="Kernel8x4"/> (tested by recomputing C in 4-column slices, which take only 8×4 tiles, and 8-row
    /// slices, which take only 8×8 ones). A core with full-width AVX-512 (this machine since it moved to a Zen 5,
    /// docs/PERFORMANCE.md "Session 11") does twice the FMAs per cycle with them.
    /// </summary>
    private static readonly bool Wide = Avx512F.IsSupported;

    /// <summary>
    /// 16×8 register tile: rows from the packed 8-row panels at a and a + 8·kc; op(B)(p, q) at b + p·step + q·col for
    /// the first four columns and b1 + p·step + (q − 4)·col for the others (two packed 4-column panels, or op(B) where
    /// it lies); 16 Vector512 accumulators (one per column and row panel). Full tiles only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel16x8(
        int kc,
        double* a,
        double* b,
        double* b1,
        long step,
        long col,
        double* c,
        int ldc,
        double alpha,
        double beta,
        int mode,
        double* bias,
        bool relu
    )
    {
        var c00 = Vector512<double>.Zero;
        var c01 = Vector512<double>.Zero;
        var c02 = Vector512<double>.Zero;
        var c03 = Vector512<double>.Zero;
        var c04 = Vector512<double>.Zero;
        var c05 = Vector512<double>.Zero;
        var c06 = Vector512<double>.Zero;
        var c07 = Vector512<double>.Zero;
        var c10 = Vector512<double>.Zero;
        var c11 = Vector512<double>.Zero;
        var c12 = Vector512<double>.Zero;
        var c13 = Vector512<double>.Zero;
        var c14 = Vector512<double>.Zero;
        var c15 = Vector512<double>.Zero;
        var c16 = Vector512<double>.Zero;
        var c17 = Vector512<double>.Zero;
        double* a1 = a + (MR * kc);
        long col2 = 2 * col,
            col3 = 3 * col;

        for (int p = 0; p < kc; p++)
        {
            var x0 = Avx512F.LoadVector512(a);
            var x1 = Avx512F.LoadVector512(a1);
            var bv = Vector512.Create(b[0]);
            c00 = Avx512F.FusedMultiplyAdd(x0, bv, c00);
            c10 = Avx512F.FusedMultiplyAdd(x1, bv, c10);
            bv = Vector512.Create(b[col]);
            c01 = Avx512F.FusedMultiplyAdd(x0, bv, c01);
            c11 = Avx512F.FusedMultiplyAdd(x1, bv, c11);
            bv = Vector512.Create(b[col2]);
            c02 = Avx512F.FusedMultiplyAdd(x0, bv, c02);
            c12 = Avx512F.FusedMultiplyAdd(x1, bv, c12);
            bv = Vector512.Create(b[col3]);
            c03 = Avx512F.FusedMultiplyAdd(x0, bv, c03);
            c13 = Avx512F.FusedMultiplyAdd(x1, bv, c13);
            bv = Vector512.Create(b1[0]);
            c04 = Avx512F.FusedMultiplyAdd(x0, bv, c04);
            c14 = Avx512F.FusedMultiplyAdd(x1, bv, c14);
            bv = Vector512.Create(b1[col]);
            c05 = Avx512F.FusedMultiplyAdd(x0, bv, c05);
            c15 = Avx512F.FusedMultiplyAdd(x1, bv, c15);
            bv = Vector512.Create(b1[col2]);
            c06 = Avx512F.FusedMultiplyAdd(x0, bv, c06);
            c16 = Avx512F.FusedMultiplyAdd(x1, bv, c16);
            bv = Vector512.Create(b1[col3]);
            c07 = Avx512F.FusedMultiplyAdd(x0, bv, c07);
            c17 = Avx512F.FusedMultiplyAdd(x1, bv, c17);
            a += MR;
            a1 += MR;
            b += step;
            b1 += step;
        }

        Store16(c, c00, c10, alpha, beta, mode, bias, 0, relu);
        Store16(c + ldc, c01, c11, alpha, beta, mode, bias, 1, relu);
        Store16(c + (2L * ldc), c02, c12, alpha, beta, mode, bias, 2, relu);
        Store16(c + (3L * ldc), c03, c13, alpha, beta, mode, bias, 3, relu);
        Store16(c + (4L * ldc), c04, c14, alpha, beta, mode, bias, 4, relu);
        Store16(c + (5L * ldc), c05, c15, alpha, beta, mode, bias, 5, relu);
        Store16(c + (6L * ldc), c06, c16, alpha, beta, mode, bias, 6, relu);
        Store16(c + (7L * ldc), c07, c17, alpha, beta, mode, bias, 7, relu);
    }

    /// <summary>
    /// 16×4 register tile: rows from the packed 8-row panels at a and a + 8·kc, one packed 4-column panel of op(B)
    /// at b (<see cref="NR"/> per k); 8 Vector512 accumulators. Full tiles only; the same sums and stores as
    /// <see cref="Kernel8x4"/>, so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel16x4(
        int kc,
        double* a,
        double* b,
        double* c,
        int ldc,
        double alpha,
        double beta,
        int mode,
        double* bias,
        bool relu
    )
    {
        var c00 = Vector512<double>.Zero;
        var c01 = Vector512<double>.Zero;
        var c02 = Vector512<double>.Zero;
        var c03 = Vector512<double>.Zero;
        var c10 = Vector512<double>.Zero;
        var c11 = Vector512<double>.Zero;
        var c12 = Vector512<double>.Zero;
        var c13 = Vector512<double>.Zero;
        double* a1 = a + (MR * kc);

        for (int p = 0; p < kc; p++)
        {
            var x0 = Avx512F.LoadVector512(a);
            var x1 = Avx512F.LoadVector512(a1);
            var bv = Vector512.Create(b[0]);
            c00 = Avx512F.FusedMultiplyAdd(x0, bv, c00);
            c10 = Avx512F.FusedMultiplyAdd(x1, bv, c10);
            bv = Vector512.Create(b[1]);
            c01 = Avx512F.FusedMultiplyAdd(x0, bv, c01);
            c11 = Avx512F.FusedMultiplyAdd(x1, bv, c11);
            bv = Vector512.Create(b[2]);
            c02 = Avx512F.FusedMultiplyAdd(x0, bv, c02);
            c12 = Avx512F.FusedMultiplyAdd(x1, bv, c12);
            bv = Vector512.Create(b[3]);
            c03 = Avx512F.FusedMultiplyAdd(x0, bv, c03);
            c13 = Avx512F.FusedMultiplyAdd(x1, bv, c13);
            a += MR;
            a1 += MR;
            b += NR;
        }

        Store16(c, c00, c10, alpha, beta, mode, bias, 0, relu);
        Store16(c + ldc, c01, c11, alpha, beta, mode, bias, 1, relu);
        Store16(c + (2L * ldc), c02, c12, alpha, beta, mode, bias, 2, relu);
        Store16(c + (3L * ldc), c03, c13, alpha, beta, mode, bias, 3, relu);
    }

    /// <summary>
    /// 8×8 register tile: the rows left under <see cref="Kernel16x8"/>'s tiles (one 8-row panel, its first
    /// <paramref name="mr"/> rows valid), the same columns and strides; a partial tile is stored through
    /// <paramref name="tile"/> with <see cref="Kernel8x4"/>'s scalar arithmetic.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel8x8(
        int kc,
        double* a,
        double* b,
        double* b1,
        long step,
        long col,
        double* c,
        int ldc,
        double alpha,
        double beta,
        int mode,
        int mr,
        double* tile,
        double* bias,
        bool relu
    )
    {
        var c0 = Vector512<double>.Zero;
        var c1 = Vector512<double>.Zero;
        var c2 = Vector512<double>.Zero;
        var c3 = Vector512<double>.Zero;
        var c4 = Vector512<double>.Zero;
        var c5 = Vector512<double>.Zero;
        var c6 = Vector512<double>.Zero;
        var c7 = Vector512<double>.Zero;
        long col2 = 2 * col,
            col3 = 3 * col;

        for (int p = 0; p < kc; p++)
        {
            var x = Avx512F.LoadVector512(a);
            c0 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(b[0]), c0);
            c1 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(b[col]), c1);
            c2 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(b[col2]), c2);
            c3 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(b[col3]), c3);
            c4 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(b1[0]), c4);
            c5 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(b1[col]), c5);
            c6 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(b1[col2]), c6);
            c7 = Avx512F.FusedMultiplyAdd(x, Vector512.Create(b1[col3]), c7);
            a += MR;
            b += step;
            b1 += step;
        }

        if (mr == MR)
        {
            Store8(c, c0, alpha, beta, mode, bias, 0, relu);
            Store8(c + ldc, c1, alpha, beta, mode, bias, 1, relu);
            Store8(c + (2L * ldc), c2, alpha, beta, mode, bias, 2, relu);
            Store8(c + (3L * ldc), c3, alpha, beta, mode, bias, 3, relu);
            Store8(c + (4L * ldc), c4, alpha, beta, mode, bias, 4, relu);
            Store8(c + (5L * ldc), c5, alpha, beta, mode, bias, 5, relu);
            Store8(c + (6L * ldc), c6, alpha, beta, mode, bias, 6, relu);
            Store8(c + (7L * ldc), c7, alpha, beta, mode, bias, 7, relu);
            return;
        }

        Avx512F.Store(tile, c0);
        Avx512F.Store(tile + 8, c1);
        Avx512F.Store(tile + 16, c2);
        Avx512F.Store(tile + 24, c3);
        Avx512F.Store(tile + 32, c4);
        Avx512F.Store(tile + 40, c5);
        Avx512F.Store(tile + 48, c6);
        Avx512F.Store(tile + 56, c7);
        StoreCorner(tile, c, ldc, mr, 2 * NR, alpha, beta, mode, bias, relu);
    }

    /// <summary>16 rows of one column of C (two row panels), each 8 by <see cref="Store8"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store16(
        double* c,
        Vector512<double> top,
        Vector512<double> bottom,
        double alpha,
        double beta,
        int mode,
        double* bias,
        int j,
        bool relu
    )
    {
        Store8(c, top, alpha, beta, mode, bias, j, relu);
        Store8(c + MR, bottom, alpha, beta, mode, bias, j, relu);
    }

    /// <summary>8 rows of one column of C: the same expressions as <see cref="Store"/> and, with a bias,
    /// <see cref="StoreBias"/> (bias[j] added, then the select on v &gt; 0 under <paramref name="relu"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store8(
        double* c,
        Vector512<double> s,
        double alpha,
        double beta,
        int mode,
        double* bias,
        int j,
        bool relu
    )
    {
        var av = Vector512.Create(alpha);
        var r = mode switch
        {
            ModeOverwrite => Avx512F.Multiply(av, s),
            ModeBeta => Avx512F.FusedMultiplyAdd(
                av,
                s,
                Avx512F.Multiply(Vector512.Create(beta), Avx512F.LoadVector512(c))
            ),
            _ => Avx512F.FusedMultiplyAdd(av, s, Avx512F.LoadVector512(c)),
        };
        if (bias != null)
        {
            r = Avx512F.Add(r, Vector512.Create(bias[j]));
            if (relu)
                r = Vector512.ConditionalSelect(
                    Vector512.GreaterThan(r, Vector512<double>.Zero),
                    r,
                    Vector512<double>.Zero
                );
        }

        Avx512F.Store(c, r);
    }

    private const int ModeOverwrite = 0; // c = alpha*s              (first k block, beta == 0)
    private const int ModeBeta = 1; // c = fma(alpha, s, beta*c) (first k block)
    private const int ModeAccumulate = 2; // c = fma(alpha, s, c)      (later k blocks)

    /// <summary>
    /// 8x4 register tile over packed panels: a holds kc groups of 8 rows, b kc groups of 4 columns.
    /// Writes the valid mr x nr corner of the tile to c.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel8x4(
        int kc,
        double* a,
        double* b,
        double* c,
        int ldc,
        double alpha,
        double beta,
        int mode,
        int mr,
        int nr,
        double* tile,
        double* bias,
        bool relu
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

        for (int p = 0; p < kc; p++)
        {
            var a0 = Avx.LoadVector256(a);
            var a1 = Avx.LoadVector256(a + 4);
            var bv = Vector256.Create(b[0]);
            c00 = Fma.MultiplyAdd(a0, bv, c00);
            c10 = Fma.MultiplyAdd(a1, bv, c10);
            bv = Vector256.Create(b[1]);
            c01 = Fma.MultiplyAdd(a0, bv, c01);
            c11 = Fma.MultiplyAdd(a1, bv, c11);
            bv = Vector256.Create(b[2]);
            c02 = Fma.MultiplyAdd(a0, bv, c02);
            c12 = Fma.MultiplyAdd(a1, bv, c12);
            bv = Vector256.Create(b[3]);
            c03 = Fma.MultiplyAdd(a0, bv, c03);
            c13 = Fma.MultiplyAdd(a1, bv, c13);
            a += MR;
            b += NR;
        }

        if (mr == MR && nr == NR)
        {
            if (bias == null)
            {
                Store(c, c00, c10, alpha, beta, mode);
                Store(c + ldc, c01, c11, alpha, beta, mode);
                Store(c + (2L * ldc), c02, c12, alpha, beta, mode);
                Store(c + (3L * ldc), c03, c13, alpha, beta, mode);
            }
            else
            {
                StoreBias(c, c00, c10, alpha, beta, mode, bias[0], relu);
                StoreBias(c + ldc, c01, c11, alpha, beta, mode, bias[1], relu);
                StoreBias(c + (2L * ldc), c02, c12, alpha, beta, mode, bias[2], relu);
                StoreBias(c + (3L * ldc), c03, c13, alpha, beta, mode, bias[3], relu);
            }

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
        StoreCorner(tile, c, ldc, mr, nr, alpha, beta, mode, bias, relu);
    }

    /// <summary>The valid mr×nr corner of a partial tile (column j at tile + j·8), stored element by element with the
    /// full tiles' arithmetic: <see cref="Combine"/>, then + bias[j] and the select on v &gt; 0 under
    /// <paramref name="relu"/>.</summary>
    private static unsafe void StoreCorner(
        double* tile,
        double* c,
        int ldc,
        int mr,
        int nr,
        double alpha,
        double beta,
        int mode,
        double* bias,
        bool relu
    )
    {
        for (int j = 0; j < nr; j++)
        {
            double* cj = c + ((long)j * ldc);
            for (int i = 0; i < mr; i++)
            {
                double v = Combine(tile[(j * MR) + i], cj[i], alpha, beta, mode);
                if (bias != null)
                {
                    v += bias[j];
                    v = relu ? (v > 0 ? v : 0.0) : v;
                }

                cj[i] = v;
            }
        }
    }

    /// <summary><see cref="Store"/>, then + b and, with <paramref name="relu"/>, max(·, 0) as Affine's AddBiasRelu
    /// writes it (select on v &gt; 0, so NaN becomes 0 there too).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreBias(
        double* c,
        Vector256<double> s0,
        Vector256<double> s1,
        double alpha,
        double beta,
        int mode,
        double b,
        bool relu
    )
    {
        var av = Vector256.Create(alpha);
        Vector256<double> r0,
            r1;
        if (mode == ModeOverwrite)
        {
            r0 = Avx.Multiply(av, s0);
            r1 = Avx.Multiply(av, s1);
        }
        else if (mode == ModeBeta)
        {
            var bv = Vector256.Create(beta);
            r0 = Fma.MultiplyAdd(av, s0, Avx.Multiply(bv, Avx.LoadVector256(c)));
            r1 = Fma.MultiplyAdd(av, s1, Avx.Multiply(bv, Avx.LoadVector256(c + 4)));
        }
        else
        {
            r0 = Fma.MultiplyAdd(av, s0, Avx.LoadVector256(c));
            r1 = Fma.MultiplyAdd(av, s1, Avx.LoadVector256(c + 4));
        }

        var biasv = Vector256.Create(b);
        r0 = Avx.Add(r0, biasv);
        r1 = Avx.Add(r1, biasv);
        if (relu)
        {
            var zero = Vector256<double>.Zero;
            r0 = Vector256.ConditionalSelect(Vector256.GreaterThan(r0, zero), r0, zero);
            r1 = Vector256.ConditionalSelect(Vector256.GreaterThan(r1, zero), r1, zero);
        }

        Avx.Store(c, r0);
        Avx.Store(c + 4, r1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(
        double* c,
        Vector256<double> s0,
        Vector256<double> s1,
        double alpha,
        double beta,
        int mode
    )
    {
        var av = Vector256.Create(alpha);
        if (mode == ModeOverwrite)
        {
            Avx.Store(c, Avx.Multiply(av, s0));
            Avx.Store(c + 4, Avx.Multiply(av, s1));
        }
        else if (mode == ModeBeta)
        {
            var bv = Vector256.Create(beta);
            Avx.Store(c, Fma.MultiplyAdd(av, s0, Avx.Multiply(bv, Avx.LoadVector256(c))));
            Avx.Store(c + 4, Fma.MultiplyAdd(av, s1, Avx.Multiply(bv, Avx.LoadVector256(c + 4))));
        }
        else
        {
            Avx.Store(c, Fma.MultiplyAdd(av, s0, Avx.LoadVector256(c)));
            Avx.Store(c + 4, Fma.MultiplyAdd(av, s1, Avx.LoadVector256(c + 4)));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Combine(double s, double old, double alpha, double beta, int mode) =>
        mode switch
        {
            ModeOverwrite => alpha * s,
            ModeBeta => Math.FusedMultiplyAdd(alpha, s, beta * old),
            _ => Math.FusedMultiplyAdd(alpha, s, old),
        };

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

    // ---------------------------------------------------------------- scalar fallback / beta-only

    /// <summary>Portable path (no AVX2/FMA): the same summation order, one element at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ScalarRange(ref Job job, int i0, int i1, int j0, int j1)
    {
        int k = job.K;
        int kcb = KcFor(k);
        long aRow = job.TransA ? job.Lda : 1,
            aCol = job.TransA ? 1 : job.Lda;
        long bRow = job.TransB ? job.Ldb : 1,
            bCol = job.TransB ? 1 : job.Ldb;
        for (int j = j0; j < j1; j++)
        {
            for (int i = i0; i < i1; i++)
            {
                double* cij = job.C + ((long)j * job.Ldc) + i;
                for (int pc = 0; pc < k; pc += kcb)
                {
                    int kc = Math.Min(kcb, k - pc);
                    int mode = pc == 0 ? (job.Beta == 0.0 ? ModeOverwrite : ModeBeta) : ModeAccumulate;
                    double s = 0.0;
                    for (int p = pc; p < pc + kc; p++)
                    {
                        s = Math.FusedMultiplyAdd(job.A[(i * aRow) + (p * aCol)], job.B[(p * bRow) + (j * bCol)], s);
                    }

                    *cij = Combine(s, *cij, job.Alpha, job.Beta, mode);
                }
            }
        }
    }

    private static unsafe void ScaleC(ref Job job, int i0, int i1, int j0, int j1)
    {
        for (int j = j0; j < j1; j++)
        {
            double* cj = job.C + ((long)j * job.Ldc);
            for (int i = i0; i < i1; i++)
            {
                cj[i] = job.Beta == 0.0 ? 0.0 : job.Beta * cj[i];
            }
        }
    }

    // ---------------------------------------------------------------- threads

    /// <summary>
    /// Splits C into <paramref name="threads"/> fixed parts (columns when m ≤ n, rows otherwise)
    /// and computes them concurrently. Parts never share an element, and every element is
    /// computed in the same order as on one thread.
    /// </summary>
    private static unsafe void Parallel(ref Job job, int threads, Epilogue? epilogue)
    {
        bool byColumns = job.M <= job.N;
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
