using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Functional.Kernels;

namespace Functional.Layers;

/// <summary>
/// The copies between a batch of images and the matrix whose product with a convolution's weights is the
/// convolution. Images are sample-fastest (element (n, c, h, w) at n + N·((c·H + h)·W + w)); the matrix has
/// one row per output position and sample, ordered (oh, ow, n) with n fastest, and one column per kernel tap
/// (c, i, j) with j fastest. The product's column-major output (row (oh, ow, n), column f) is then exactly the
/// output batch N×F×OH×OW in the tensors' layout, and every copy moves whole runs of N samples.
/// </summary>
/// <remarks>
/// Pack writes each column on one thread and unpack each channel on one thread, each in one fixed order, so the
/// bits do not depend on the number of threads.
/// </remarks>
internal static class Im2Col
{
    /// <summary>Elements from which the copies are split across the workers.</summary>
    const long Parallel = 65_536;

    /// <summary>The extents of one image batch and window.</summary>
    internal readonly record struct Geometry(int N, int C, int H, int W, Window2D Win, int OH, int OW)
    {
        /// <summary>Rows of the matrix: output positions × samples.</summary>
        public int Rows => OH * OW * N;

        /// <summary>Columns of the matrix: channels × window taps.</summary>
        public int Taps => C * Win.Height * Win.Width;

        /// <summary>Output rows [lo, hi) whose input row oh·stride − pad + i lies inside the image.</summary>
        public (int Lo, int Hi) Valid(int tap, int extent, int outExtent)
        {
            int s = Win.Stride,
                p = Win.Pad;
            var lo = p - tap <= 0 ? 0 : (p - tap + s - 1) / s;
            var top = extent - 1 + p - tap;
            var hi = top < 0 ? 0 : Math.Min(outExtent, top / s + 1);
            return (Math.Min(lo, outExtent), Math.Max(Math.Min(lo, outExtent), hi));
        }
    }

    /// <summary>col (Rows×Taps, column-major) from the images x, every element written (zeros in the padding).</summary>
    public static void Pack(double[] x, in Geometry g, double[] col) =>
        Run(new PackJob(x, g, col), g.Taps, (long)g.Rows * g.Taps);

    /// <summary>The rows of col for output row <paramref name="oh"/> (rows (ow, n), every tap), into
    /// <paramref name="dst"/> column-major with leading dimension OW·N: the block of col that row's outputs need, on
    /// the calling thread.</summary>
    public static void PackRow(double[] x, in Geometry g, int oh, double[] dst)
    {
        var job = new PackJob(x, g, dst);
        for (var k = 0; k < g.Taps; k++)
            job.PackColumn(k, oh, oh + 1, dst.AsSpan(k * g.OW * g.N, g.OW * g.N));
    }

    /// <summary>The images dx from dcol: each input element the sum, in increasing tap order, of the entries that
    /// were copied from it; every element written.</summary>
    public static void Unpack(double[] dcol, in Geometry g, double[] dx) =>
        Run(new UnpackJob(dcol, g, dx), g.C, (long)g.Rows * g.Taps);

    /// <summary><paramref name="body"/>(state, c) for every channel c, the channels split across the workers when
    /// the batch has <paramref name="elements"/> ≥ 65,536 values; each channel on one thread.</summary>
    public static void EachChannel<T>(int channels, long elements, T state, Action<T, int> body) =>
        Run(new ChannelJob<T>(channels, state, body), channels, elements);

    sealed class ChannelJob<T>(int channels, T state, Action<T, int> body) : PartJob
    {
        public override void RunPart(int part, int parts)
        {
            var (lo, hi) = Workers.Cut(channels, 1, part, parts);
            for (var c = lo; c < hi; c++)
                body(state, c);
        }
    }

    static void Run(PartJob job, int units, long elements)
    {
        var threads = elements >= Parallel ? Math.Min(Workers.Available, units) : 1;
        var parts = Math.Min(units, threads * Workers.ChunksPerThread);
        if (threads < 2 || !Workers.TryRun(job, parts, threads))
            job.RunPart(0, 1);
    }

    sealed class PackJob(double[] x, Geometry g, double[] col) : PartJob
    {
        public override void RunPart(int part, int parts)
        {
            var (lo, hi) = Workers.Cut(g.Taps, 1, part, parts);
            for (var k = lo; k < hi; k++)
                PackColumn(k, 0, g.OH, col.AsSpan(k * g.Rows, g.Rows));
        }

        /// <summary>Column k of col for output rows [oh0, oh1), into <paramref name="dst"/> (that many rows of col).</summary>
        public void PackColumn(int k, int oh0, int oh1, Span<double> dst)
        {
            int kh = g.Win.Height,
                kw = g.Win.Width,
                s = g.Win.Stride,
                p = g.Win.Pad,
                n = g.N;
            int c = k / (kh * kw),
                i = k / kw % kh,
                j = k % kw;
            var (ow0, ow1) = g.Valid(j, g.W, g.OW);
            for (var oh = oh0; oh < oh1; oh++)
            {
                var row = dst.Slice((oh - oh0) * g.OW * n, g.OW * n);
                var ih = oh * s - p + i;
                if ((uint)ih >= (uint)g.H)
                {
                    row.Clear();
                    continue;
                }
                var src = n * (c * g.H + ih) * g.W;
                row[..(ow0 * n)].Clear();
                row[(ow1 * n)..].Clear();
                if (s == 1 && ow1 > ow0)
                    x.AsSpan(src + n * (ow0 - p + j), (ow1 - ow0) * n).CopyTo(row[(ow0 * n)..]);
                else if (s > 1)
                    for (var ow = ow0; ow < ow1; ow++)
                        x.AsSpan(src + n * (ow * s - p + j), n).CopyTo(row.Slice(ow * n, n));
            }
        }
    }

    sealed class UnpackJob(double[] dcol, Geometry g, double[] dx) : PartJob
    {
        public override void RunPart(int part, int parts)
        {
            var (lo, hi) = Workers.Cut(g.C, 1, part, parts);
            for (var c = lo; c < hi; c++)
                UnpackChannel(c);
        }

        void UnpackChannel(int c)
        {
            int kh = g.Win.Height,
                kw = g.Win.Width,
                s = g.Win.Stride,
                p = g.Win.Pad,
                n = g.N;
            var plane = dx.AsSpan(n * c * g.H * g.W, n * g.H * g.W);
            plane.Clear();
            for (var i = 0; i < kh; i++)
            {
                var (oh0, oh1) = g.Valid(i, g.H, g.OH);
                for (var j = 0; j < kw; j++)
                {
                    var (ow0, ow1) = g.Valid(j, g.W, g.OW);
                    var src = dcol.AsSpan(((c * kh + i) * kw + j) * g.Rows, g.Rows);
                    for (var oh = oh0; oh < oh1; oh++)
                    {
                        var ih = oh * s - p + i;
                        var from = src.Slice(oh * g.OW * n, g.OW * n);
                        var to = plane.Slice(n * ih * g.W, n * g.W);
                        if (s == 1 && ow1 > ow0)
                            AddInto(to.Slice(n * (ow0 - p + j), (ow1 - ow0) * n), from[(ow0 * n)..]);
                        else if (s > 1)
                            for (var ow = ow0; ow < ow1; ow++)
                                AddInto(to.Slice(n * (ow * s - p + j), n), from.Slice(ow * n, n));
                    }
                }
            }
        }
    }

    /// <summary>dst[i] += src[i] over dst's length, four at a time (the same IEEE additions as the scalar loop).</summary>
    internal static void AddInto(Span<double> dst, ReadOnlySpan<double> src)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + 4 <= dst.Length; i += 4)
                (Vector256.Create<double>(dst.Slice(i, 4)) + Vector256.Create<double>(src.Slice(i, 4))).CopyTo(
                    dst.Slice(i, 4)
                );
        for (; i < dst.Length; i++)
            dst[i] += src[i];
    }

    /// <summary>
    /// The rows of the unfolded matrix (row (oh, ow, n), column tap (c, i, j)) made from the images a block at a time,
    /// without reading the matrix: the images are the smaller array (a 28×28 batch is 1/18 of its 5×5 unfolding)
    /// and stay in cache, where the matrix would come from memory.
    /// </summary>
    internal sealed class ImageRows(double[] x, Geometry g) : Gemm.RowSource
    {
        /// <summary>Whether every value of the images is finite, found once: the rows are copies of them and zeros,
        /// so their copies then need no test.</summary>
        readonly bool _finite = Elementwise.AllFinite(x);

        public override bool Rows(int p0, int kc, int n, int lanes, Span<double> rows)
        {
            if (n != g.Taps)
                throw new ArgumentException($"rows of {g.Taps} taps asked for {n}.");
            if (!_finite)
                return false;
            int N = g.N,
                kh = g.Win.Height,
                kw = g.Win.Width;
            Span<int> at = n <= 1024 ? stackalloc int[n] : new int[n]; // per tap: its offset in x, or −1 in the padding
            var vector = Avx.IsSupported;
            ref double dst = ref rows[0];
            for (var p = 0; p < kc; )
            {
                int row = p0 + p,
                    pos = row / N,
                    first = row - pos * N,
                    run = Math.Min(N - first, kc - p); // rows p … p + run − 1: samples first … of one position
                int oh = pos / g.OW,
                    ow = pos - oh * g.OW;
                for (var t = 0; t < n; t++)
                {
                    int c = t / (kh * kw),
                        i = t / kw % kh,
                        j = t % kw;
                    int ih = oh * g.Win.Stride - g.Win.Pad + i,
                        iw = ow * g.Win.Stride - g.Win.Pad + j;
                    at[t] = (uint)ih < (uint)g.H && (uint)iw < (uint)g.W ? first + N * ((c * g.H + ih) * g.W + iw) : -1;
                }
                var q = 0;
                if (vector)
                    for (; q + 4 <= run; q += 4)
                    {
                        var t = 0;
                        for (; t + 4 <= n; t += 4)
                        {
                            var v0 = Load(at[t], q);
                            var v1 = Load(at[t + 1], q);
                            var v2 = Load(at[t + 2], q);
                            var v3 = Load(at[t + 3], q);
                            StoreTransposed(v0, v1, v2, v3, ref dst, (nuint)((p + q) * lanes + t), lanes);
                        }
                        for (; t < n; t++)
                        for (var e = 0; e < 4; e++)
                            Put(rows, (p + q + e) * lanes + t, at[t], q + e);
                    }
                for (; q < run; q++)
                for (var t = 0; t < n; t++)
                    Put(rows, (p + q) * lanes + t, at[t], q);
                p += run;
            }
            return true;
        }

        /// <summary>Samples q … q + 3 of the tap at <paramref name="at"/> (zeros in the padding).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        Vector256<double> Load(int at, int q) =>
            at < 0 ? Vector256<double>.Zero : Vector256.Create<double>(x.AsSpan(at + q, 4));

        /// <summary>rows[to] = sample q of the tap at <paramref name="at"/>.</summary>
        void Put(Span<double> rows, int to, int at, int q) => rows[to] = at < 0 ? 0.0 : x[at + q];
    }
}
