using System.Globalization;
using System.Text;
using Functional.Cli;
using Functional.Core;
using Functional.Numerics;
using Functional.Training;

/// <summary>
/// A probe run inside a child <c>fnn</c> process (<c>DOTNET_STARTUP_HOOKS</c> naming this assembly, the runtime's
/// hook convention: a type StartupHook outside any namespace) when FUNCTIONAL_PROBE is set: it prints the bits of
/// <see cref="Math"/>'s and the library's elementary functions on fixed arguments and the hashes of freshly
/// initialised networks, then exits before the CLI starts. Without FUNCTIONAL_PROBE it does nothing.
/// </summary>
internal static class StartupHook
{
    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable("FUNCTIONAL_PROBE") is null)
            return;
        Console.Out.Write(Functional.Tests.Determinism.Probe.Text());
        Console.Out.Flush();
        Environment.Exit(0);
    }
}

namespace Functional.Tests.Determinism
{
    /// <summary>What the probe prints: one line per function or network, "name value…".</summary>
    public static class Probe
    {
        /// <summary>Arguments in the ranges the library uses (64 per function).</summary>
        static double[] Args(double lo, double hi) =>
            [.. Enumerable.Range(0, 64).Select(i => lo + (hi - lo) * (i + 0.37) / 64)];

        static readonly (
            string Name,
            Func<double, double> Platform,
            Func<double, double> Ours,
            double Lo,
            double Hi
        )[] Fns =
        [
            ("exp", Math.Exp, Elementary.Exp, -20, 20),
            ("log", Math.Log, Elementary.Log, 1e-6, 100),
            ("tanh", Math.Tanh, Elementary.Tanh, -5, 5),
            ("cos", Math.Cos, Elementary.Cos, -7, 7),
            ("sin", Math.Sin, Elementary.Sin, -7, 7),
            ("pow", x => Math.Pow(0.999, Math.Floor(x)), x => Powers.Pow(0.999, (long)Math.Floor(x)), 1, 5000),
            ("pow10", x => Math.Pow(10, x), PortableMath.Pow10, -8, 2),
        ];

        static string Bits(IEnumerable<double> ys) =>
            string.Join(
                ' ',
                ys.Select(y => BitConverter.DoubleToInt64Bits(y).ToString("X16", CultureInfo.InvariantCulture))
            );

        /// <summary>The initial parameters the CLI would train from (its network builder, <see cref="TrainState.Start"/>).</summary>
        static string Init(TrainConfig c, int inputs, int outputs) =>
            ParamsHash.Sha256(
                TrainState.Start(c.BuildNetwork(inputs, outputs), c.BuildOptimizer(), Key.Of(c.Seed)).Params
            );

        public static string Text()
        {
            var s = new StringBuilder();
            foreach (var (name, platform, ours, lo, hi) in Fns)
            {
                s.Append("math.").Append(name).Append(' ').AppendLine(Bits(Args(lo, hi).Select(platform)));
                s.Append("ours.").Append(name).Append(' ').AppendLine(Bits(Args(lo, hi).Select(ours)));
            }
            var d = TrainConfig.Default;
            s.Append("init.default ").AppendLine(Init(d, 64, 10));
            s.Append("init.sigmoid ").AppendLine(Init(d with { Activation = "sigmoid", Init = "xavier" }, 64, 10));
            s.Append("init.regression ")
                .AppendLine(
                    Init(
                        d with
                        {
                            Dataset = "regression",
                            Activation = "sigmoid",
                            Init = "glorot",
                            Hidden = [10, 10],
                            Optimizer = "adam",
                        },
                        6,
                        1
                    )
                );
            return s.ToString();
        }
    }
}
