using System.Diagnostics;
using Functional.Training;

namespace Functional.Benchmarks;

/// <summary>
/// Paired A/B of the library's training fold (<see cref="Train.Run"/>): blocks of steps alternate an experiment switch off and on
/// (<see cref="Paired"/>); prints the median µs/step of each and their ratio. Usage: toggle experiment workload [pairs] [steps]
/// </summary>
internal static class Toggle
{
    public static int Run(string[] args)
    {
        if (!Paired.TryStart(args, 2, "toggle experiment workload [pairs] [steps]", out var set))
            return 2;
        var w = Data.Get(args[1]);
        var (pairs, steps) = (Paired.Arg(args, 2, 20), Paired.Arg(args, 3, 200));
        // Warmed up through the loop itself, so that its own code (the scratch gather, the fused step) is compiled
        // and tiered before the first timed block, which is always an 'off' block.
        var state = w.Start();
        foreach (var r in Train.Steps(w.Net, w.Opt, state, w.Train, w.Batches, 1000))
            state = r.State;
        var (off, on) = Paired.Run(
            set,
            pairs,
            () =>
            {
                var t0 = Stopwatch.GetTimestamp();
                state = Train
                    .Run(w.Net, w.Opt, state, w.Train, w.Batches, state.Step + steps, gc: GcPacing.Nursery)
                    .State;
                return Stopwatch.GetElapsedTime(t0).TotalMicroseconds / steps;
            }
        );
        Console.WriteLine(
            FormattableString.Invariant(
                $"{args[0]} {args[1]}: off {off:F1} µs/step, on {on:F1} µs/step, on/off {on / off:F3} ({pairs} pairs of {steps} steps)"
            )
        );
        return 0;
    }
}
