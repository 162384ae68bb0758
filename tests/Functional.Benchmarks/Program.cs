using BenchmarkDotNet.Running;
using Functional.Benchmarks;

if (args.Length > 0 && args[0] == "epochs")
    return EpochsLoop.Run(args[1..]);
if (args.Length > 0 && args[0] == "parts")
    return Parts.Run(args[1..]);
if (args.Length > 0 && args[0] == "cold")
    return Cold.Run();
if (args.Length > 0 && args[0] == "gemm")
    return GemmRate.Run(args[1..]);
if (args.Length > 0 && args[0] == "quick")
    return Quick.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Quick).Assembly).Run(args);
return 0;
