using System.Diagnostics;
using Functional.Tests.Support;
using Xunit;

namespace Functional.Tests.Determinism;

/// <summary>libm-shim.c built once per test run with the system's <c>cc</c>: the path of the shared object, or the
/// reason it could not be built (<see cref="Unavailable"/>).</summary>
public static class LibmShim
{
    static readonly Lazy<(string? So, string? Why)> Built = new(Build);

    public static string? Path => Built.Value.So;

    public static string? Unavailable => Built.Value.Why;

    static (string?, string?) Build()
    {
        if (!OperatingSystem.IsLinux())
            return Fail("the libm shim is preloaded with LD_PRELOAD, which needs Linux");
        var source = System.IO.Path.Combine(Snap.Root, "tests", "Functional.Tests", "Determinism", "libm-shim.c");
        var dir = Directory.CreateTempSubdirectory("fnn-shim-").FullName;
        var so = System.IO.Path.Combine(dir, "libm-shim.so");
        try
        {
            var psi = new ProcessStartInfo("cc")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "-O2", "-shared", "-fPIC", "-o", so, source, "-ldl", "-lm" })
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? (so, null) : Fail($"cc could not build the libm shim: {err}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return Fail(
                "no C compiler (cc) on PATH to build the libm shim; install one (Debian: gcc) to run this test"
            );
        }
    }

    static (string?, string?) Fail(string why) => (null, why);
}

/// <summary>A fact that needs the libm shim; skipped with the reason otherwise.</summary>
public sealed class ShimFactAttribute : FactAttribute
{
    public ShimFactAttribute()
    {
        if (LibmShim.Unavailable is string why)
            Skip = why;
    }
}
