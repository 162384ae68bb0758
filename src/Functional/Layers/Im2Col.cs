using System.Runtime.Intrinsics;
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
                PackColumn(k);
        }

        void PackColumn(int k)
        {
            int kh = g.Win.Height,
                kw = g.Win.Width,
                s = g.Win.Stride,
                p = g.Win.Pad,
                n = g.N;
            int c = k / (kh * kw),
                i = k / kw % kh,
                j = k % kw;
            var dst = col.AsSpan(k * g.Rows, g.Rows);
            var (ow0, ow1) = g.Valid(j, g.W, g.OW);
            for (var oh = 0; oh < g.OH; oh++)
            {
                var row = dst.Slice(oh * g.OW * n, g.OW * n);
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
}
