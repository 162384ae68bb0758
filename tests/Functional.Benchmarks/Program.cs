using BenchmarkDotNet.Running;
using Functional.Benchmarks;

if (args.Length > 0 && args[0] == "convparts")
    return Functional.Benchmarks.ConvParts.Run(args[1..]);
if (args.Length > 0 && args[0] == "epochs")
    return EpochsLoop.Run(args[1..]);
if (args.Length > 0 && args[0] == "parts")
    return Parts.Run(args[1..]);
if (args.Length > 0 && args[0] == "cold")
    return Cold.Run();
if (args.Length > 0 && args[0] == "gemm")
    return GemmRate.Run(args[1..]);
if (args.Length > 0 && args[0] == "hash")
{
    // hash <workload> <steps>: the parameters' SHA-256 after that many steps of Steps and of Run (compare builds or settings).
    var w = Data.Get(args[1]);
    var end = w.Start();
    var steps = long.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
    foreach (var r in Functional.Training.Train.Steps(w.Net, w.Opt, end, w.Train, w.Batches, steps))
        end = r.State;
    // The fold that recycles dead states' arrays (what `bench` times) must end on the same bits.
    var run = Functional.Training.Train.Run(w.Net, w.Opt, w.Start(), w.Train, w.Batches, steps).State;
    Console.WriteLine(
        $"{args[1]} {end.Step} steps: parameters sha256 {Functional.Training.ParamsHash.Sha256(end.Params)} (Steps), {Functional.Training.ParamsHash.Sha256(run.Params)} (Run)"
    );
    return 0;
}
if (args.Length > 0 && args[0] == "gap")
    return Gap.Run(args[1..]);
if (args.Length > 0 && args[0] == "pair")
    return PairProbe.Run(args[1..]);
if (args.Length > 0 && args[0] == "toggle")
    return Toggle.Run(args[1..]);
if (args.Length > 0 && args[0] == "gemmtoggle")
    return GemmToggle.Run(args[1..]);
if (args.Length > 0 && args[0] == "gather")
    return GatherProbe.Run(args[1..]);
if (args.Length > 0 && args[0] == "elem")
    return ElemRate.Run(args[1..]);
if (args.Length > 0 && args[0] == "quick")
    return Quick.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Quick).Assembly).Run(args);
return 0;
