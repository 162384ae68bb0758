using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Functional.Tests.Cli;
using Xunit;

namespace Functional.Tests.Packaging;

/// <summary>
/// What a user of the packages gets: `dotnet pack` of the solution (from this test run's build, so no restore),
/// the library package's contents, and the fnn tool installed from the packed folder alone (a NuGet.config that
/// clears every other source, and a private packages folder) training the digits in an empty directory with the
/// same bits as the built fnn.dll.
/// </summary>
public sealed class ToolInstallTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    readonly string _dir = Directory
        .CreateDirectory(Path.Combine(Path.GetTempPath(), "fnn-pack-" + Guid.NewGuid().ToString("N")))
        .FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The configuration this test assembly was built in (bin/&lt;Configuration&gt;/net10.0/).</summary>
    static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;

    sealed record Ran(int Code, string Out, string Err);

    static Ran Run(string file, IEnumerable<string> args, string cwd, IDictionary<string, string> env, int seconds)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = cwd,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        foreach (var (k, v) in env)
            psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(seconds)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not exit within {seconds} s");
        }
        p.WaitForExit();
        return new Ran(p.ExitCode, stdout.Result, stderr.Result);
    }

    static void Ok(Ran r, string what) =>
        Assert.True(r.Code == 0, $"{what}: exit {r.Code}\nstdout: {r.Out}\nstderr: {r.Err}");

    static string[] Entries(string nupkg)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        return [.. zip.Entries.Select(e => e.FullName)];
    }

    static XElement Nuspec(string nupkg, string id)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        using var s = zip.GetEntry(id + ".nuspec")!.Open();
        return XElement.Load(s);
    }

    [Fact]
    public void Packed_tool_installs_from_a_local_folder_and_trains_the_digits_in_an_empty_directory()
    {
        var clock = Stopwatch.StartNew();
        var env = new Dictionary<string, string>
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["NUGET_PACKAGES"] = Path.Combine(_dir, "nuget-packages"), // never a same-version package cached earlier
            ["CI"] = "true",
        };
        var feed = Path.Combine(_dir, "feed");
        Ok(
            Run(
                "dotnet",
                ["pack", Path.Combine(Snap.Root, "Functional.sln"), "-c", Configuration, "--no-build", "-o", feed],
                Snap.Root,
                env,
                300
            ),
            "dotnet pack"
        );
        var packed = clock.Elapsed;

        var tool = Assert.Single(Directory.GetFiles(feed, "fnn.*.nupkg"));
        var version = Path.GetFileNameWithoutExtension(tool)["fnn.".Length..];
        var lib = Path.Combine(feed, $"Functional.{version}.nupkg");
        Assert.True(
            File.Exists(lib),
            $"no Functional.{version}.nupkg in {string.Join(", ", Directory.GetFiles(feed))}"
        );
        var libEntries = Entries(lib);
        foreach (var e in new[] { "lib/net10.0/Functional.dll", "lib/net10.0/Functional.xml", "README.md" })
            Assert.Contains(e, libEntries);
        Assert.Contains("lib/net10.0/Functional.pdb", Entries(Path.Combine(feed, $"Functional.{version}.snupkg")));
        var ns = Nuspec(lib, "Functional").GetDefaultNamespace();
        var deps = Nuspec(lib, "Functional")
            .Descendants(ns + "dependency")
            .Select(d => (string)d.Attribute("id")!)
            .ToArray();
        Assert.Contains("Functional.Kernels", deps);
        Assert.True(File.Exists(Path.Combine(feed, $"Functional.Kernels.{version}.nupkg")));
        var toolEntries = Entries(tool);
        foreach (
            var e in new[]
            {
                "tools/net10.0/any/DotnetToolSettings.xml",
                "tools/net10.0/any/fnn.dll",
                "tools/net10.0/any/Functional.dll",
                "tools/net10.0/any/Fonts/DejaVuSans.ttf",
                "tools/net10.0/any/runtimes/linux-x64/native/libSkiaSharp.so",
            }
        )
            Assert.Contains(e, toolEntries);
        Assert.DoesNotContain(
            toolEntries,
            e =>
                e.StartsWith("tools/net10.0/any/runtimes/", StringComparison.Ordinal)
                && e.EndsWith(".pdb", StringComparison.Ordinal)
        );

        // Only the packed folder is a source: an install that needed anything else would fail here, offline.
        var config = Path.Combine(_dir, "NuGet.config");
        File.WriteAllText(
            config,
            $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="packed" value="{feed}" />
              </packageSources>
            </configuration>
            """
        );
        var toolPath = Path.Combine(_dir, "T");
        Ok(
            Run(
                "dotnet",
                [
                    "tool",
                    "install",
                    "--tool-path",
                    toolPath,
                    "--configfile",
                    config,
                    "--add-source",
                    feed,
                    "fnn",
                    "--version",
                    version,
                ],
                _dir,
                env,
                180
            ),
            "dotnet tool install"
        );
        var installed = clock.Elapsed;

        var empty = Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName;
        var train = Run(Path.Combine(toolPath, "fnn"), ["train", "--epochs", "1"], empty, env, 180);
        Ok(train, "fnn train from the installed tool");
        var run = Assert.Single(Directory.GetDirectories(Path.Combine(empty, "runs"), "train-*"));
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "report.json")))!;
        Assert.Equal("digits", report["config"]!["dataset"]!.GetValue<string>());
        Assert.Equal(135, report["steps"]!.GetValue<long>());
        Assert.True(report["final"]!["test_accuracy"]!.GetValue<double>() > 0.3, report["final"]!.ToJsonString());
        Assert.True(new FileInfo(Path.Combine(run, "curves.png")).Length > 10_000, "curves.png is missing or blank");
        Assert.True(File.Exists(Path.Combine(run, "model.ckpt")));

        var reference = Path.Combine(_dir, "reference");
        var built = Fnn.Run(["train", "--epochs", "1", "--out", reference]);
        Assert.True(built.Code == 0, built.Err);
        Assert.Equal(Fnn.Sha(reference), Fnn.Sha(run));
        output.WriteLine(
            $"pack {packed.TotalSeconds:F1} s, install {(installed - packed).TotalSeconds:F1} s, train {(clock.Elapsed - installed).TotalSeconds:F1} s"
        );
    }
}
