using System.Globalization;
using System.Text;

namespace Functional.Cli;

/// <summary>
/// Checks where a command will write before it does any work: the location must be creatable and writable, and a
/// directory holding another run's results is refused unless the user asks to overwrite it.
/// </summary>
public static class OutputLocation
{
    /// <summary>Files that mark a directory as holding a run's results.</summary>
    static readonly string[] RunFiles = ["model.ckpt", "report.json", "network.dot", "summary.txt"];

    const int MaxNameBytes = 255; // NAME_MAX on Linux and macOS file systems
    const int MaxPathBytes = 4095; // PATH_MAX less the terminating NUL

    /// <summary>A directory for a run's outputs, created; <paramref name="continuing"/> is a checkpoint being
    /// resumed, whose own directory may be written again.</summary>
    public static string Directory(string path, bool overwrite, string? continuing = null, string option = "--out")
    {
        var full = Full(path, option);
        if (System.IO.File.Exists(full))
            throw new UsageException($"{option} {Show(path)}: is an existing file; give a directory");
        Create(full, path, option);
        Probe(full, path, option);
        var same =
            continuing is not null
            && string.Equals(
                System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(continuing)),
                full.TrimEnd(System.IO.Path.DirectorySeparatorChar),
                StringComparison.Ordinal
            );
        if (
            !overwrite
            && !same
            && RunFiles.FirstOrDefault(f => System.IO.File.Exists(System.IO.Path.Combine(full, f))) is { } found
        )
            throw new UsageException(
                $"{option} {Show(path)}: holds another run's {found}; choose another directory or pass --overwrite"
            );
        return full;
    }

    /// <summary>A single output file (bench JSON, show PNG): its directory is created and must be writable.</summary>
    public static string File(string path, bool overwrite, string option = "--out")
    {
        var full = Full(path, option);
        if (System.IO.Directory.Exists(full))
            throw new UsageException($"{option} {Show(path)}: is a directory; give a file name");
        if (!overwrite && System.IO.File.Exists(full))
            throw new UsageException($"{option} {Show(path)}: exists; choose another name or pass --overwrite");
        var dir = System.IO.Path.GetDirectoryName(full)!;
        Create(dir, path, option);
        Probe(dir, path, option);
        return full;
    }

    /// <summary>A fresh default location: runs/COMMAND-TIMESTAMP-PID, with a counter if even that exists.</summary>
    public static string UniqueDefault(string command, string suffix = "")
    {
        var stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var baseName = System.IO.Path.Combine("runs", $"{command}-{stamp}-{Environment.ProcessId}");
        var name = baseName + suffix;
        for (var n = 2; System.IO.Directory.Exists(name) || System.IO.File.Exists(name); n++)
            name = $"{baseName}-{n}{suffix}";
        return name;
    }

    static string Full(string path, string option)
    {
        if (path.Length == 0)
            throw new UsageException($"{option}: expected a path, got ''");
        if (path.Any(c => c == '\0'))
            throw new UsageException($"{option} {Show(path)}: contains a NUL character");
        string full;
        try
        {
            full = System.IO.Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new UsageException($"{option} {Show(path)}: not a usable path ({e.Message.ReplaceLineEndings(" ")})");
        }
        if (Encoding.UTF8.GetByteCount(full) > MaxPathBytes)
            throw new UsageException(
                $"{option}: the path is {Encoding.UTF8.GetByteCount(full)} bytes, more than the {MaxPathBytes} a path may have"
            );
        var longest = full.Split(System.IO.Path.DirectorySeparatorChar).MaxBy(Encoding.UTF8.GetByteCount) ?? "";
        if (Encoding.UTF8.GetByteCount(longest) > MaxNameBytes)
            throw new UsageException(
                $"{option}: a name in the path is {Encoding.UTF8.GetByteCount(longest)} bytes, more than the {MaxNameBytes} a file name may have"
            );
        return full;
    }

    static void Create(string dir, string path, string option)
    {
        try
        {
            System.IO.Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option} {Show(path)}: cannot create the directory ({Reason(e)})");
        }
    }

    /// <summary>Creates and removes a file, so a read-only or permission-less location fails now, not after training.</summary>
    static void Probe(string dir, string path, string option)
    {
        var probe = System.IO.Path.Combine(dir, $".fnn-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (
                new FileStream(
                    probe,
                    FileMode.CreateNew,
                    FileAccess.Write,
                    FileShare.None,
                    1,
                    FileOptions.DeleteOnClose
                )
            ) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option} {Show(path)}: cannot write there ({Reason(e)})");
        }
    }

    static string Reason(Exception e) =>
        e switch
        {
            UnauthorizedAccessException => "permission denied",
            IOException { HResult: 30 } => "read-only file system",
            IOException { HResult: 28 } => "no space left on the device",
            _ => e.Message.ReplaceLineEndings(" "),
        };

    /// <summary>A path as printed: quoted, with control characters escaped so a message stays one line.</summary>
    public static string Show(string s) => "'" + Safe(s) + "'";

    public static string Safe(string s) =>
        s.Any(char.IsControl) ? string.Concat(s.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())) : s;
}
