namespace Functional.Interop;

/// <summary>The element type a safetensors file stores.</summary>
public enum SafeTensorsDType
{
    /// <summary>IEEE 754 float64: the library's values exactly (a round trip is bitwise).</summary>
    F64,

    /// <summary>IEEE 754 float32: each value rounded to nearest (half the size; read back widened to float64).</summary>
    F32,
}
