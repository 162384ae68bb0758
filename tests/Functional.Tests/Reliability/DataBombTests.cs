using System.Buffers.Binary;
using System.IO.Compression;
using Functional.Data;
using Functional.Tests.Cli;
using Xunit;

namespace Functional.Tests.Reliability;

/// <summary>
/// Small gzip files that decompress to far more than they look (a stream of zeros compresses about 1000:1): the
/// loaders refuse a line with no end, a size field the gzip trailer contradicts, and a declared size the memory
/// cannot hold before allocating or decompressing it, in one line naming the file and the offset.
/// </summary>
public sealed class DataBombTests
{
    static string Gzipped(string name, Action<Stream> write)
    {
        var path = InProcess.Fresh(name) + ".gz";
        using var fs = File.Create(path);
        using var gz = new GZipStream(fs, CompressionLevel.Fastest);
        write(gz);
        return path;
    }

    static void Zeros(Stream s, long count)
    {
        var zeros = new byte[1 << 20];
        for (var left = count; left > 0; left -= zeros.Length)
            s.Write(zeros, 0, (int)Math.Min(left, zeros.Length));
    }

    static byte[] IdxHeader(params int[] dims)
    {
        var h = new byte[4 + 4 * dims.Length];
        h[2] = Idx.UnsignedByte;
        h[3] = (byte)dims.Length;
        for (var k = 0; k < dims.Length; k++)
            BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(4 + 4 * k), dims[k]);
        return h;
    }

    static (string Message, long Allocated) Measured<T>(Func<LanguageExt.Fin<T>> load)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var r = load();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(r.IsFail, "loaded");
        var msg = r.Match(_ => "", e => e.Message);
        Assert.DoesNotContain('\n', msg);
        return (msg, allocated);
    }

    /// <summary>64 MB of zeros (a 64 KB file) as a digits CSV: one line with no end.</summary>
    [Fact]
    public void A_csv_of_zeros_is_refused_at_its_first_line_without_holding_it()
    {
        var path = Gzipped("zeros.csv", s => Zeros(s, 64L << 20));
        var (msg, allocated) = Measured(() => Digits.Load(path));
        Assert.StartsWith($"{path} (gzip; offsets in decompressed data): line 1 at offset 0 runs past", msg);
        Assert.True(allocated < 4_000_000, $"allocated {allocated} bytes");
    }

    [Fact]
    public void A_plain_csv_line_past_the_limit_names_its_line_and_offset()
    {
        var row = string.Join(',', Enumerable.Repeat("0", 64)) + ",1\n";
        var path = InProcess.Fresh("long-line") + ".csv";
        File.WriteAllText(path, row + row + new string('7', 65_537) + "\n" + row);
        var (msg, _) = Measured(() => Digits.Load(path));
        Assert.Equal(
            $"{path}: line 3 at offset {2 * row.Length} runs past 65536 characters without a line end; not a digits CSV",
            msg
        );
    }

    /// <summary>Images declared as 200 MB where the file decompresses to 200 KB (random bytes, so the file is large
    /// enough for the 1032:1 bound to allow the declared size): the trailer's ISIZE says so before 200 MB are
    /// allocated.</summary>
    [Fact]
    public void A_declared_size_the_gzip_trailer_contradicts_is_refused_before_allocating()
    {
        var noise = new byte[200_000];
        new Random(5).NextBytes(noise);
        var header = IdxHeader(255_102, 28, 28);
        var path = Gzipped(
            "liar.idx",
            s =>
            {
                s.Write(header);
                s.Write(noise);
            }
        );
        var (msg, allocated) = Measured(() => Idx.Read(path));
        Assert.Contains("truncated data", msg, StringComparison.Ordinal);
        Assert.Contains(
            $"gzip trailer (file offset {new FileInfo(path).Length - 4}) records {header.Length + noise.Length} bytes",
            msg,
            StringComparison.Ordinal
        );
        Assert.True(allocated < 4_000_000, $"allocated {allocated} bytes");
    }

    /// <summary>A valid Fashion-MNIST-format set of 100,000 blank images (an 80 KB gzip file), loaded by `fnn train`
    /// with the GC limited to 256 MB: the 706 MB the images take as bytes and doubles are refused from the header
    /// (exit 2, one line naming the file, the offset of the sizes and the amounts), not an out-of-memory abort.</summary>
    [Fact]
    public void A_valid_set_too_large_for_the_memory_is_refused_from_its_header()
    {
        var dir = Directory.CreateDirectory(InProcess.Fresh("blank-set")).FullName;
        void Write(string name, int[] dims, long data)
        {
            using var fs = File.Create(Path.Combine(dir, name + ".gz"));
            using var gz = new GZipStream(fs, CompressionLevel.Fastest);
            gz.Write(IdxHeader(dims));
            Zeros(gz, data);
        }
        Write("train-images-idx3-ubyte", [100_000, 28, 28], 100_000L * 784);
        Write("train-labels-idx1-ubyte", [100_000], 100_000);
        Write("t10k-images-idx3-ubyte", [10, 28, 28], 10 * 784);
        Write("t10k-labels-idx1-ubyte", [10], 10);
        var r = Fnn.Run(
            ["train", "--dataset", "fashion-mnist", "--data", dir, "--iterations", "1", "--out", InProcess.Fresh()],
            new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x10000000" }
        );
        Assert.True(r.Code == 2, $"exit {r.Code}: {r.Err}");
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(Path.Combine(dir, "train-images-idx3-ubyte.gz"), lines[0], StringComparison.Ordinal);
        Assert.Contains(
            "dims [100000, 28, 28] at offset 4 declare 78400000 data bytes, which need 0.71 GB",
            lines[0],
            StringComparison.Ordinal
        );
    }
}
