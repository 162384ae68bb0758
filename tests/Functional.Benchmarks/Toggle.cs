using System.Diagnostics;
using Functional.Training;

namespace Functional.Benchmarks;

/// <summary>
/// Paired A/B inside one process: blocks of steps of the library's loop alternate between setting A and B of an
/// experiment switch; prints the median µs/step of each and their ratio. Usage: toggle experiment workload [pairs] [steps]
/// </summary>
internal static class Toggle
{
    public static int Run(string[] args)
    {
        var experiment = args[0];
        var w = Data.Get(args[1]);
        var pairs = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20;
        var steps = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 200;
        Action<bool> set = Experiments.Get(experiment);
        var state = w.Start();
        for (var i = 0; i < 300; i++)
            state = Train.Step(w.Net, w.Opt, state, w.Train, w.Batches).State;
        var times = new[] { new List<double>(), new List<double>() };
        for (var p = 0; p < pairs; p++)
        for (var h = 0; h < 2; h++)
        {
            var on = (p + h) % 2 == 1; // alternate which goes first
            set(on);
            var t0 = Stopwatch.GetTimestamp();
            foreach (var r in Train.Steps(w.Net, w.Opt, state, w.Train, w.Batches, state.Step + steps))
                state = r.State;
            times[on ? 1 : 0].Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds / steps);
        }
        set(false);
        double Median(List<double> x) => x.Order().ElementAt(x.Count / 2);
        var (a, b) = (Median(times[0]), Median(times[1]));
        Console.WriteLine(
            FormattableString.Invariant(
                $"{experiment} {args[1]}: off {a:F1} µs/step, on {b:F1} µs/step, on/off {b / a:F3} ({pairs} pairs of {steps} steps)"
            )
        );
        return 0;
    }
}
