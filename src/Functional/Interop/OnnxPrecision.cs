namespace Functional.Interop;

/// <summary>The element type of an exported ONNX graph's values.</summary>
public enum OnnxPrecision
{
    /// <summary>
    /// float64 throughout: the library's arithmetic, within a relative 1e-12 of
    /// <c>Network.Predict</c>. ONNX Runtime's CPU <c>Conv</c> and
    /// <c>AveragePool</c> exist in float32 only, so convolutions and average pools are written as a <c>Gather</c> of
    /// each window's inputs followed by <c>MatMul</c> or <c>ReduceSum</c>; no value is cast to float32.
    /// </summary>
    Float64,

    /// <summary>
    /// float32 throughout, with the standard <c>Conv</c>, <c>AveragePool</c> and <c>MaxPool</c> nodes (what most
    /// runtimes and tools expect): every weight and statistic rounded to nearest, and every operation rounded to
    /// float32 by the runtime, so the outputs agree with the library to float32's precision, not float64's.
    /// </summary>
    Float32,
}
