using BenchmarkDotNet.Attributes;
using Functional.Cli.Bench;
using Functional.Training;

namespace Functional.Benchmarks;

/// <summary>
/// One training step (batch gathering + Train.Step) of each seed workload, with bytes allocated per step
/// (MemoryDiagnoser). The state advances from step to step, as in training.
/// </summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    [Params("digits-bn", "two-layer", "optimizers-adam", "regression")]
    public string Workload { get; set; } = "";

    Workload _w = null!;
    TrainState _s = null!;

    [GlobalSetup]
    public void Setup()
    {
        _w = Data.Get(Workload);
        _s = _w.Start();
        for (var i = 0; i < 50; i++)
            _s = Train.Step(_w.Net, _w.Opt, _s, _w.Train, _w.Batches).State;
    }

    [Benchmark]
    public double Step()
    {
        var r = Train.Step(_w.Net, _w.Opt, _s, _w.Train, _w.Batches);
        _s = r.State;
        return r.Loss;
    }
}
