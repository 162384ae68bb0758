using System.Globalization;

namespace Functional.Training;

/// <summary>A file that could not be written (disk full, permission, a directory in the way): names the file.</summary>
public sealed class OutputWriteException(string path, string reason, Exception? inner = null)
    : IOException($"cannot write {path}: {reason}", inner)
{
    /// <summary>The file that could not be written, as the caller gave it.</summary>
    public string Path { get; } = path;
}

/// <summary>
/// Writes a whole file or nothing: the bytes go to a temporary file beside the target (a name unique to the
/// process and to the call, so two writers of one path never share it), are flushed to disk, then renamed over the
/// target. On any failure the temporary file is removed and the previous target is left as it was.
/// </summary>
public static class AtomicFile
{
    const string TmpMark = ".tmp-";

    /// <summary>Replaces <paramref name="path"/> with <paramref name="bytes"/>, creating its directory if
    /// needed.</summary>
    /// <exception cref="OutputWriteException">The file could not be written; the previous target is
    /// unchanged.</exception>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray(); // a span cannot reach the callback
        Write(path, s => s.Write(copy));
    }

    /// <summary>Replaces <paramref name="path"/> with what <paramref name="write"/> writes to the stream it is
    /// given (the temporary file), so a large output is never assembled in memory first.</summary>
    /// <exception cref="OutputWriteException">The file could not be written; the previous target is
    /// unchanged.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        var full = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(full)!;
        string? tmp = null;
        try
        {
            Directory.CreateDirectory(dir);
            RemoveStale(full);
            tmp = TempName(full);
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
            tmp = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not OutputWriteException)
        {
            throw new OutputWriteException(full, Reason(e), e);
        }
        finally
        {
            if (tmp is not null)
                TryDelete(tmp);
        }
    }

    /// <summary>The temporary name for one write: the target, the writer's process id and a random part.</summary>
    public static string TempName(string fullPath) =>
        fullPath
        + TmpMark
        + Environment.ProcessId.ToString(CultureInfo.InvariantCulture)
        + "-"
        + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Deletes temporary files of <paramref name="fullPath"/> left by writers that no longer run
    /// (e.g. killed with SIGKILL between creating and renaming); those of live processes are left alone.</summary>
    public static void RemoveStale(string fullPath)
    {
        var dir = System.IO.Path.GetDirectoryName(fullPath)!;
        var prefix = System.IO.Path.GetFileName(fullPath) + TmpMark;
        if (!Directory.Exists(dir))
            return;
        foreach (var f in Directory.EnumerateFiles(dir, prefix + "*"))
        {
            var rest = System.IO.Path.GetFileName(f)[prefix.Length..];
            var dash = rest.IndexOf('-', StringComparison.Ordinal);
            var pid = dash < 0 ? rest : rest[..dash];
            if (
                int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var p)
                && p != Environment.ProcessId
                && !Alive(p)
            )
                TryDelete(f);
        }
    }

    static bool Alive(int pid)
    {
        try
        {
            using var proc = System.Diagnostics.Process.GetProcessById(pid);
            return !proc.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    static void TryDelete(string f)
    {
        try
        {
            File.Delete(f);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>The reason without the path .NET repeats in its messages (the caller names the file once).</summary>
    static string Reason(Exception e) =>
        e.HResult switch
        {
            28 or 0x70 or unchecked((int)0x80070070) => "no space left on the device",
            _ when e is UnauthorizedAccessException => "permission denied",
            30 => "the file system is read-only",
            _ => e.Message.ReplaceLineEndings(" "),
        };
}
