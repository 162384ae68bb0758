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
        var mask = Sampling.Uniform(layerKey, x.RowCount, x.ColumnCount).Map(u => u > spec.Ratio ? 1.0 : 0.0);
        return (x.PointwiseMultiply(mask), new Cache(mask));
    }

    public static Matrix Backward(Cache c, Matrix dY)
    {
        Shape.RequireSame(c.Mask, dY, "Dropout backward");
        return dY.PointwiseMultiply(c.Mask);
    }
}
