using System.Diagnostics;
using Functional.Training;
using Xunit;

namespace Functional.Tests.Reliability;

/// <summary>The one writer of every output: whole or nothing, the old file kept on failure, no temporary left,
/// concurrent writers of one path never sharing a temporary name, stale temporaries of dead processes removed.</summary>
public sealed class AtomicFileTests
{
    static string Dir() => Directory.CreateDirectory(InProcess.Fresh("atomic")).FullName;

    static string[] Temps(string dir) => Directory.GetFiles(dir, "*.tmp-*");

    [Theory]
    [InlineData(2, 40)]
    [InlineData(4, 20)]
    [InlineData(8, 10)]
    public void Threads_saving_one_checkpoint_path_all_succeed_and_leave_it_whole(int threads, int saves)
    {
        var path = Path.Combine(Dir(), "model.ckpt");
        var c = InProcess.GoodCheckpoint();
        var failures = 0;
        Parallel.For(
            0,
            threads,
            new ParallelOptions { MaxDegreeOfParallelism = threads },
            _ =>
            {
                for (var i = 0; i < saves; i++)
                {
                    try
                    {
                        Checkpoint.Save(path, c).ThrowIfFail();
                    }
                    catch (IOException)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            }
        );
        Assert.Equal(0, failures);
        Assert.True(Checkpoint.Load(path).IsSucc);
        Assert.Empty(Temps(Path.GetDirectoryName(path)!));
    }

    /// <summary>A process id that is not running: a short-lived child's, after it exited.</summary>
    static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("/bin/true"))!;
        p.WaitForExit();
        return p.Id;
    }

    [Theory]
    [InlineData("model.ckpt.tmp-{dead}", false)]
    [InlineData("model.ckpt.tmp-{dead}-0123456789ab", false)]
    [InlineData("model.ckpt.tmp-1-0123456789ab", true)] // pid 1 runs: a live writer's file is left alone
    [InlineData("report.json.tmp-{dead}-0123456789ab", true)] // another target's
    [InlineData("model.ckpt.tmp-notapid", true)]
    public void Stale_temporaries_of_dead_writers_are_removed_on_the_next_write(string name, bool kept)
    {
        var dir = Dir();
        var stale = Path.Combine(
            dir,
            name.Replace(
                "{dead}",
                DeadPid().ToString(System.Globalization.CultureInfo.InvariantCulture),
                StringComparison.Ordinal
            )
        );
        File.WriteAllText(stale, "half a checkpoint");
        AtomicFile.Write(Path.Combine(dir, "model.ckpt"), "new"u8);
        Assert.Equal(kept, File.Exists(stale));
        Assert.Equal("new", File.ReadAllText(Path.Combine(dir, "model.ckpt")));
    }

    [Fact]
    public void A_directory_in_the_way_is_an_output_error_naming_the_file_and_nothing_is_left()
    {
        var dir = Dir();
        var target = Directory.CreateDirectory(Path.Combine(dir, "report.json")).FullName;
        var e = Assert.Throws<OutputWriteException>(() => AtomicFile.Write(target, "x"u8));
        Assert.Contains(target, e.Message, StringComparison.Ordinal);
        Assert.Empty(Temps(dir));
    }

    [Fact]
    public void A_file_in_place_of_the_directory_is_an_output_error()
    {
        var dir = Dir();
        File.WriteAllText(Path.Combine(dir, "f"), "");
        var e = Assert.Throws<OutputWriteException>(() => AtomicFile.Write(Path.Combine(dir, "f", "x.json"), "x"u8));
        Assert.Contains("x.json", e.Message, StringComparison.Ordinal);
    }

    [TmpfsFact]
    public void A_full_disk_keeps_the_old_file_and_removes_the_temporary()
    {
        using var fs = Tmpfs.Mount(256 * 1024);
        var path = Path.Combine(fs.Dir, "model.ckpt");
        AtomicFile.Write(path, new byte[40_000]);
        fs.FillLeaving(16 * 1024);
        var e = Assert.Throws<OutputWriteException>(() => AtomicFile.Write(path, new byte[60_000]));
        Assert.Contains("no space left", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(40_000, new FileInfo(path).Length);
        Assert.Empty(Temps(fs.Dir));
    }

    [TmpfsFact]
    public void A_read_only_file_system_keeps_the_old_file()
    {
        using var fs = Tmpfs.Mount(256 * 1024);
        var path = Path.Combine(fs.Dir, "report.json");
        AtomicFile.Write(path, "old"u8);
        fs.RemountReadOnly();
        var e = Assert.Throws<OutputWriteException>(() => AtomicFile.Write(path, "new"u8));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Empty(Temps(fs.Dir));
    }
}
