using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Functional.Kernels;

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
internal static partial class Gemm
{
    // Register tile: MR rows (two Vector256) by NR columns of C.
    private const int MR = 8;
    private const int NR = 4;

    // Column step of the small-shape (unpacked) path.
    private const int DNR = 4;

    // Cache blocking, chosen for a core with 32 KiB L1d and at least 512 KiB L2 (docs/GEMM-NOTES.md).
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

    /// <summary>One product C = op(A)·op(B), all column-major (the arguments of
    /// <see cref="Multiply(bool, bool, int, int, int, double, ReadOnlySpan{double}, int, ReadOnlySpan{double}, int, double, Span{double}, int, int)"/>
    /// with alpha 1, beta 0).</summary>
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
        /// Rows owed to A (<see cref="OwedRows"/>; op(A) = A, m×k with leading dimension m): the
        /// product reads op(A) from its codes and writes A's values on the way, so A is complete when it returns.
        /// </summary>
        public OwedRows? FillA { get; init; }
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

    private static void CheckFill(in Product p, OwedRows fill)
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
                $"owed rows of {fill.Index.Length}×{fill.Cols} is not the operand A of this {p.M}×{p.K} product"
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

        // Rows owed to A (Product.FillA), or null.
        public byte* Codes;
        public double* Palette;
        public int* Index;
        public int Lda,
            Ldb,
            Ldc;
    }
}
