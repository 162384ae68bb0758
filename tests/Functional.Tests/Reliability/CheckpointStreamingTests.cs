using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Functional.Core;
using Functional.Models;
using Functional.Optim;
using Functional.Training;
using Xunit;

namespace Functional.Tests.Reliability;

/// <summary>The reader looks at the fixed header and the JSON header before the body: a device, or a file far
/// larger than its header's network accounts for, is refused without reading it. A body is streamed: checked against
/// its checksum first, then read straight into its arrays; a checkpoint is written straight to its file.</summary>
public sealed class CheckpointStreamingTests
{
    /// <summary>A sparse file of <paramref name="length"/> bytes starting with a real checkpoint's first bytes
    /// (it takes no disk space).</summary>
    static string Sparse(long length)
    {
        var path = InProcess.Fresh("sparse") + ".ckpt";
        var head = File.ReadAllBytes(InProcess.Good.Value);
        using var fs = new FileStream(path, FileMode.CreateNew);
        fs.Write(head);
        fs.SetLength(length);
        return path;
    }

    static string Refused(string path, long budget = 16_000_000)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var r = Checkpoint.Load(path);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(r.IsFail);
        Assert.True(allocated < budget, $"allocated {allocated} bytes to refuse {path}");
        return r.Match(_ => "", e => e.Message);
    }

    [Theory]
    [InlineData(1_900_000_000L)]
    [InlineData(100_000_000L)]
    public void A_file_larger_than_its_header_allows_is_refused_before_its_body_is_read(long length)
    {
        var msg = Refused(Sparse(length));
        Assert.Contains("account for at most", msg, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_beyond_any_array_is_refused_by_its_length()
    {
        var msg = Refused(Sparse(3_000_000_000L));
        Assert.Contains("account for at most", msg, StringComparison.Ordinal);
    }

    /// <summary>A real checkpoint of about 16 MB: a 1000×1000 layer and its momentum.</summary>
    static readonly Lazy<(string Path, Checkpoint C)> Large = new(() =>
    {
        var net = Nets.TwoLayerNet(1000, 1000, 2);
        var opt = new Momentum(0.01, 0.9);
        var c = new Checkpoint(net, opt, TrainState.Start(net, opt, Key.Of(3)), new JsonObject { ["note"] = "large" });
        var path = InProcess.Fresh("large") + ".ckpt";
        Checkpoint.Save(path, c).ThrowIfFail();
        return (path, c);
    });

    static long Allocated(Action a)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        a();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void A_valid_body_is_read_into_its_arrays_without_a_copy_of_the_file()
    {
        var (path, c) = Large.Value;
        var length = new FileInfo(path).Length;
        Checkpoint? loaded = null;
        var allocated = Allocated(() =>
            loaded = Checkpoint.Load(path).Match(x => x, e => throw new Xunit.Sdk.XunitException(e.Message))
        );
        // The arrays themselves are the file's length (less the header); a whole-file buffer would double it.
        Assert.True(allocated < length + length / 8, $"allocated {allocated} bytes to load a {length}-byte checkpoint");
        Assert.Equal(ParamsHash.Sha256(c.State.Params), ParamsHash.Sha256(loaded!.State.Params));
    }

    [Fact]
    public void A_checkpoint_is_written_to_its_file_without_being_assembled_in_memory()
    {
        var (path, c) = Large.Value;
        var length = new FileInfo(path).Length;
        var again = InProcess.Fresh("large-again") + ".ckpt";
        var allocated = Allocated(() => Checkpoint.Save(again, c).ThrowIfFail());
        Assert.True(allocated < length / 8, $"allocated {allocated} bytes to write a {length}-byte checkpoint");
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
        Assert.Equal(File.ReadAllBytes(path), Checkpoint.Encode(c));
    }

    /// <summary>A size field damaged on disk (the checksum not recomputed) is refused by the checksum, at the trailer's offset,
    /// before anything is allocated from it.</summary>
    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1_000_000)]
    public void A_damaged_size_field_is_refused_by_the_checksum_before_anything_is_allocated(int rows)
    {
        var (path, _) = Large.Value;
        var bytes = File.ReadAllBytes(path);
        var headerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        var firstName = 12 + headerLength + 4;
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(firstName));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(firstName + 2 + nameLength), rows);
        var damaged = InProcess.Fresh("damaged") + ".ckpt";
        File.WriteAllBytes(damaged, bytes);
        var msg = Refused(damaged, budget: 1_000_000);
        Assert.Contains($"byte {bytes.Length - 32}: SHA-256 checksum does not match", msg, StringComparison.Ordinal);
    }

    /// <summary>A gzip stream of zeros whose trailer declares 4 GB (what an all-zero "bomb" looks like) given as a
    /// checkpoint: refused from its first bytes, one line naming the file and offset 0.</summary>
    [Fact]
    public void A_gzip_bomb_is_refused_from_its_magic()
    {
        var path = InProcess.Fresh("bomb") + ".gz";
        using (var fs = File.Create(path))
        using (var gz = new System.IO.Compression.GZipStream(fs, System.IO.Compression.CompressionLevel.SmallestSize))
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 64; i++)
                gz.Write(zeros);
        }
        var msg = Refused(path, budget: 1_000_000);
        Assert.StartsWith($"{path}: byte 0: not a Functional checkpoint", msg, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', msg);
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    public void A_device_is_refused_by_its_first_bytes(string device)
    {
        var msg = Refused(device);
        Assert.Contains("magic", msg, StringComparison.Ordinal);
    }
}
