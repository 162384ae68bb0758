using Functional.Core;

namespace Functional.Interop;

/// <summary>
/// A tensor's elements in row-major order (last axis fastest), the order ONNX and safetensors store, and back.
/// A tensor stores its sample axis fastest over a row-major rest (<see cref="Tensor"/>), so row-major order is the
/// transpose of its rows×columns flat view, for any number of axes.
/// </summary>
internal static class RowMajor
{
    /// <summary>The elements of <paramref name="t"/>, last axis fastest.</summary>
    internal static double[] Of(Tensor t)
    {
        int rows = t.RowCount,
            cols = t.ColumnCount;
        var src = t.Span;
        var dst = new double[src.Length];
        for (var j = 0; j < cols; j++)
        for (var i = 0; i < rows; i++)
            dst[i * cols + j] = src[j * rows + i];
        return dst;
    }

    /// <summary>A tensor of shape <paramref name="dims"/> from its elements in row-major order.</summary>
    internal static Tensor ToTensor(IReadOnlyList<int> dims, ReadOnlySpan<double> values)
    {
        if (dims.Count < 2)
            throw new ArgumentException($"a tensor has at least two axes, got {dims.Count}", nameof(dims));
        var rows = dims[0];
        var cols = 1;
        for (var k = 1; k < dims.Count; k++)
            cols *= dims[k];
        if ((long)rows * cols != values.Length)
            throw new ArgumentException(
                $"shape {string.Join('×', dims)} holds {(long)rows * cols} values, got {values.Length}",
                nameof(values)
            );
        var cm = new double[values.Length];
        for (var i = 0; i < rows; i++)
        for (var j = 0; j < cols; j++)
            cm[j * rows + i] = values[i * cols + j];
        var t = Mat.Wrap(rows, cols, cm);
        return dims.Count == 2 ? t : t.Reshape([.. dims]);
    }
}
