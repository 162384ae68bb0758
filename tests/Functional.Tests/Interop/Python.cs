using System.Diagnostics;

namespace Functional.Tests.Interop;

/// <summary>Runs /usr/bin/python3 (the system's interpreter, no virtual environment) and collects what it prints.</summary>
public static class Python
{
    public const string Path = "/usr/bin/python3";

    public static bool Available => File.Exists(Path);

    /// <summary>The script files kept beside the tests (copied to the output directory).</summary>
    public static string Script(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Interop", name);

    /// <summary>The exit code and stdout followed by stderr.</summary>
    public static (int Code, string Output) Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {Path}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path} {string.Join(' ', args)} did not finish in 3 minutes");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
