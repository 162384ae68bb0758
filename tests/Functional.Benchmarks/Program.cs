using BenchmarkDotNet.Running;
using Functional.Benchmarks;

// FUNCTIONAL_SPARSE=0 turns the GEMM's zero-skipping path off (same bits, for A/B timing).
if (Environment.GetEnvironmentVariable("FUNCTIONAL_SPARSE") == "0")
    Functional.LinearAlgebra.Gemm.SparseEnabled = false;

if (args.Length > 0 && args[0] == "epochs")
    return EpochsLoop.Run(args[1..]);
if (args.Length > 0 && args[0] == "parts")
    return Parts.Run(args[1..]);
if (args.Length > 0 && args[0] == "cold")
    return Cold.Run();
if (args.Length > 0 && args[0] == "gemm")
    return GemmRate.Run(args[1..]);
if (args.Length > 0 && args[0] == "sparse")
    return SparseRate.Run(args[1..]);
if (args.Length > 0 && args[0] == "hash")
{
    // hash <workload> <steps>: parameters after that many steps (compare runs with FUNCTIONAL_SPARSE=0 and 1).
    var w = Data.Get(args[1]);
    var end = w.Start();
    foreach (
        var r in Functional.Training.Train.Steps(
            w.Net,
            w.Opt,
            end,
            w.Train,
            w.Batches,
            long.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture)
        )
    )
        end = r.State;
    Console.WriteLine(
        $"{args[1]} {end.Step} steps: parameters sha256 {Functional.Training.ParamsHash.Sha256(end.Params)}, sparse products {Functional.LinearAlgebra.Gemm.SparseProducts}"
    );
    return 0;
}
if (args.Length > 0 && args[0] == "quick")
    return Quick.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Quick).Assembly).Run(args);
return 0;
