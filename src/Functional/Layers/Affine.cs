using Functional.Core;
using MathNet.Numerics.LinearAlgebra;

namespace Functional.Layers;

/// <summary>y = x·W + b for a batch of row vectors (the book's Affine, Flux's Dense without activation).</summary>
public sealed record Affine(int In, int Out, WeightInit Init) : Layer
{
    public sealed record P(Matrix W, Matrix B); // W is In×Out, B is 1×Out

    public sealed record Cache(Matrix X) : LayerCache;

    public sealed record G(Matrix DW, Matrix DB);

    public P InitParams(Key key) => new(Init.Sample(key, In, Out), Mat.Zeros(1, Out));

    public override int Outputs(int inputs)
    {
        Shape.Require(inputs == In, $"Affine({In}→{Out}): expected {In} input features, got {inputs}.");
        return Out;
    }

    public override string Describe() => $"Affine {In}→{Out} (init {Init})";

    public static (Matrix Y, Cache Cache) Forward(P p, Matrix x, string where = "Affine")
    {
        Shape.RequireColumns(x, p.W.RowCount, $"{where} ({p.W.RowCount}→{p.W.ColumnCount})");
        return (Mat.AddRow(x * p.W, p.B), new Cache(x));
    }

    /// <summary>A single sample given as a vector is a batch of one.</summary>
    public static (Matrix Y, Cache Cache) Forward(P p, Vector<double> x) => Forward(p, Mat.AsBatch(x));

    public static (Matrix DX, G Grads) Backward(P p, Cache c, Matrix dY) =>
        (
            dY.TransposeAndMultiply(p.W), // dY·Wᵀ
            new G(
                c.X.TransposeThisAndMultiply(dY), // Xᵀ·dY
                Mat.ColumnSums(dY)
            )
        );
}
