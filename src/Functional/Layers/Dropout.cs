using Functional.Core;

namespace Functional.Layers;

/// <summary>
/// The book's Dropout: in training mode each unit is kept when its uniform draw exceeds <see cref="Ratio"/>
/// (the mask comes from an explicit key); in evaluation mode the output is scaled by (1 − ratio).
/// </summary>
public sealed record Dropout(double Ratio) : Layer
{
    public sealed record Cache(Matrix Mask) : LayerCache;

    public override int Outputs(int inputs) => inputs;

    public override string Describe() => $"Dropout {Ratio:R}";

    public static (Matrix Y, Cache Cache) Forward(Dropout spec, Matrix x, Ctx ctx, Key layerKey)
    {
        if (ctx.Mode == Mode.Eval)
        {
            var keep = Mat.Filled(x.RowCount, x.ColumnCount, 1.0 - spec.Ratio);
            return (x * (1.0 - spec.Ratio), new Cache(keep));
        }
        // Element (i, j) keeps its value when draw i·cols + j of the layer key exceeds the ratio (Sampling.Uniform's
        // row-major counter), computed in one loop over column-major storage without a delegate per element.
        int rows = x.RowCount,
            cols = x.ColumnCount;
        var (mask, md) = Mat.New(rows, cols);
        var (y, yd) = Mat.New(rows, cols);
        var xd = Mat.Data(x);
        for (var j = 0; j < cols; j++)
        for (var i = 0; i < rows; i++)
        {
            var k = j * rows + i;
            var keep = layerKey.Uniform((ulong)i * (ulong)cols + (ulong)j) > spec.Ratio ? 1.0 : 0.0;
            md[k] = keep;
            yd[k] = xd[k] * keep;
        }
        return (y, new Cache(mask));
    }

    public static Matrix Backward(Cache c, Matrix dY)
    {
        Shape.RequireSame(c.Mask, dY, "Dropout backward");
        var (dx, d) = Mat.New(dY.RowCount, dY.ColumnCount);
        var g = Mat.Data(dY);
        var m = Mat.Data(c.Mask);
        for (var k = 0; k < d.Length; k++)
            d[k] = g[k] * m[k];
        return dx;
    }
}
