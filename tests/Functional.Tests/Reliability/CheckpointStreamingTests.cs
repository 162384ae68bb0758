using Functional.Training;
using Xunit;

namespace Functional.Tests.Reliability;

/// <summary>The reader looks at the fixed header and the JSON header before the body: a device, or a file far
/// larger than its header's network accounts for, is refused without reading it.</summary>
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

    static string Refused(string path)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var r = Checkpoint.Load(path);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(r.IsFail);
        Assert.True(allocated < 16_000_000, $"allocated {allocated} bytes to refuse {path}");
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
    public void A_file_beyond_any_checkpoint_is_refused_by_its_length()
    {
        var msg = Refused(Sparse(3_000_000_000L));
        Assert.Contains("more than a checkpoint can hold", msg, StringComparison.Ordinal);
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
