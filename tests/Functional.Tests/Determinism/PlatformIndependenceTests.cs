using System.Diagnostics;
using System.Text.Json.Nodes;
using Functional.Tests.Cli;
using Functional.Tests.Reliability;
using Xunit;
using Xunit.Abstractions;

namespace Functional.Tests.Determinism;

/// <summary>
/// The same bits whatever the C library and the instruction set: child <c>fnn</c> runs (the default training, a
/// sigmoid + BatchNorm network, Adam on tanh, the regression experiment) and the probe's initial parameters give the
/// same reports under a preloaded libm that rounds differently (libm-shim.c) and with AVX-512, AVX2 or every
/// hardware intrinsic turned off. The probe also shows that the shim reaches <see cref="Math"/>, so an equal hash
/// under it means something.
/// </summary>
public sealed class PlatformIndependenceTests(ITestOutputHelper output)
{
    static readonly string[][] Runs =
    [
        ["train", "--epochs", "1"],
        ["train", "--activation", "sigmoid", "--epochs", "1"],
        ["train", "--optimizer", "adam", "--activation", "tanh", "--epochs", "1"],
        ["experiment", "regression", "--quick"],
    ];

    /// <summary>One result under one environment: what must be equal, and a short form of it to print.</summary>
    sealed record Fingerprint(string Label, string Text, string Summary);

    /// <summary>Every run's report without its timing, and the probe's network lines, under one environment.</summary>
    static Fingerprint[] Fingerprints(IDictionary<string, string> env)
    {
        var tasks = Runs.Select(args =>
                Task.Run(() =>
                {
                    var dir = InProcess.Fresh("det");
                    var r = Fnn.Run([.. args, "--out", dir], env, timeoutSeconds: 300);
                    Assert.True(r.Code == 0, $"fnn {string.Join(' ', args)}: exit {r.Code}\n{r.Err}");
                    var report = Fnn.ReportWithoutTiming(dir);
                    var json = JsonNode.Parse(report)!;
                    var summary = json["parameters_sha256"] is { } sha
                        ? $"parameters_sha256 {sha.GetValue<string>()}"
                        : $"final_mse {json["final_mse"]!.GetValue<double>():R}";
                    Directory.Delete(dir, recursive: true);
                    return new Fingerprint("fnn " + string.Join(' ', args), report, summary);
                })
            )
            .Append(
                Task.Run(() =>
                {
                    var init = ProbeLines(env).Where(l => l.StartsWith("init.", StringComparison.Ordinal)).ToArray();
                    return new Fingerprint("initial parameters", string.Join('\n', init), string.Join(", ", init));
                })
            )
            .ToArray();
        Task.WaitAll(tasks);
        return [.. tasks.Select(t => t.Result)];
    }

    /// <summary>The probe's lines, printed from inside a child fnn process under <paramref name="env"/>.</summary>
    static string[] ProbeLines(IDictionary<string, string> env)
    {
        var withProbe = new Dictionary<string, string>(env)
        {
            ["FUNCTIONAL_PROBE"] = "1",
            ["DOTNET_STARTUP_HOOKS"] = typeof(Probe).Assembly.Location,
        };
        var r = Fnn.Run(["--version"], withProbe);
        Assert.True(r.Code == 0, $"probe: exit {r.Code}\n{r.Err}");
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("init.default ", StringComparison.Ordinal));
        return lines;
    }

    static readonly Lazy<Fingerprint[]> Plain = new(() => Fingerprints(new Dictionary<string, string>()));

    static string Show(Fingerprint[] fs) => string.Concat(fs.Select(f => $"  {f.Label}: {f.Summary}\n"));

    void AssertSameAsPlain(string what, IDictionary<string, string> env)
    {
        var clock = Stopwatch.StartNew();
        var plain = Plain.Value;
        var other = Fingerprints(env);
        output.WriteLine(
            $"without {what}:\n{Show(plain)}with {what} ({clock.Elapsed.TotalSeconds:F1} s):\n{Show(other)}"
        );
        for (var i = 0; i < plain.Length; i++)
            Assert.True(
                plain[i].Text == other[i].Text,
                $"{what} changed {plain[i].Label}:\n  {plain[i].Text}\n  {other[i].Text}"
            );
    }

    [ShimFact]
    public void A_libm_that_rounds_differently_reaches_Math_but_changes_no_result()
    {
        var env = new Dictionary<string, string> { ["LD_PRELOAD"] = LibmShim.Path! };
        // The shim takes effect: Math's functions, which call the platform's libm, change on some arguments; the
        // library's own functions and the probe's initial parameters do not.
        var plain = ProbeLines(new Dictionary<string, string>());
        var shimmed = ProbeLines(env);
        Assert.Equal(plain.Length, shimmed.Length);
        foreach (var (a, b) in plain.Zip(shimmed))
        {
            var name = a[..a.IndexOf(' ')];
            var moved = a.Split(' ').Zip(b.Split(' ')).Count(p => p.Item1 != p.Item2);
            output.WriteLine($"{name}: {moved} of 64 results moved under the shim");
            if (name.StartsWith("math.", StringComparison.Ordinal))
                Assert.True(moved >= 8, $"{name}: the shim moved {moved} of 64 results; it does not reach Math");
            else
                Assert.True(moved == 0, $"{name} depends on the platform's libm:\n  {a}\n  {b}");
        }
        AssertSameAsPlain("the libm shim", env);
    }

    [Theory]
    [InlineData("DOTNET_EnableAVX512F")]
    [InlineData("DOTNET_EnableAVX2")]
    [InlineData("DOTNET_EnableHWIntrinsic")]
    public void Turning_off_an_instruction_set_changes_no_result(string variable) =>
        AssertSameAsPlain($"{variable}=0", new Dictionary<string, string> { [variable] = "0" });
}
