using System.Diagnostics;
using Xunit;

namespace Functional.Tests.Reliability;

/// <summary>A small tmpfs mounted for one test (full-disk and read-only faults); needs root and mount(8).</summary>
public sealed class Tmpfs : IDisposable
{
    public string Dir { get; }

    Tmpfs(string dir) => Dir = dir;

    static bool Sh(string args)
    {
        using var p = Process.Start(
            new ProcessStartInfo("/bin/sh", ["-c", args])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            }
        )!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    /// <summary>Why the fault tests cannot run here, or null when a tmpfs can be mounted.</summary>
    public static readonly Lazy<string?> Unavailable = new(() =>
    {
        if (
            Environment.UserName != "root"
            && !string.Equals(Environment.GetEnvironmentVariable("USER"), "root", StringComparison.Ordinal)
        )
            return "needs root to mount a tmpfs (run the tests as root, as .ci/run does in CI)";
        try
        {
            using var t = Mount(64 * 1024);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return "cannot mount a tmpfs here: " + e.Message;
        }
    });

    public static Tmpfs Mount(long bytes, bool readOnly = false)
    {
        var dir = Directory
            .CreateDirectory(Path.Combine(Path.GetTempPath(), "fnn-tmpfs-" + Guid.NewGuid().ToString("N")[..10]))
            .FullName;
        if (!Sh($"mount -t tmpfs -o size={bytes}{(readOnly ? ",ro" : "")} tmpfs '{dir}'"))
            throw new InvalidOperationException($"mount -t tmpfs on {dir} failed");
        return new Tmpfs(dir);
    }

    public void RemountReadOnly() => Assert.True(Sh($"mount -o remount,ro '{Dir}'"), "remount ro failed");

    public long Free => new DriveInfo(Dir).AvailableFreeSpace;

    /// <summary>Fills the file system until <paramref name="free"/> bytes (rounded down to pages) remain.</summary>
    public string FillLeaving(long free)
    {
        var filler = Path.Combine(Dir, "filler");
        var take = Free - free;
        Assert.True(take >= 0, $"only {Free} bytes free, wanted {free}");
        using (var fs = new FileStream(filler, FileMode.Create))
            fs.Write(new byte[take]);
        return filler;
    }

    public void Dispose()
    {
        Sh($"umount -l '{Dir}'");
        try
        {
            Directory.Delete(Dir);
        }
        catch (IOException) { }
    }
}

/// <summary>A fact that needs a mountable tmpfs; skipped with the reason otherwise.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (Tmpfs.Unavailable.Value is string why)
            Skip = why;
    }
}

/// <summary>A theory that needs a mountable tmpfs; skipped with the reason otherwise.</summary>
public sealed class TmpfsTheoryAttribute : TheoryAttribute
{
    public TmpfsTheoryAttribute()
    {
        if (Tmpfs.Unavailable.Value is string why)
            Skip = why;
    }
}
