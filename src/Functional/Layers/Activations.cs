using Functional.Core;

namespace Functional.Layers;

/// <summary>max(0, x). The cache keeps the output: its positive entries are exactly the mask.</summary>
public sealed record Relu : Layer
{
    public sealed record Cache(Matrix Y) : LayerCache;

    public override int Outputs(int inputs) => inputs;

    public override string Describe() => "ReLU";

    public static (Matrix Y, Cache Cache) Forward(Matrix x)
    {
        var y = Functions.Relu(x);
        return (y, new Cache(y));
    }

    public static Matrix Backward(Cache c, Matrix dY)
    {
        Shape.RequireSame(c.Y, dY, "ReLU backward");
        return dY.PointwiseMultiply(c.Y.Map(Functions.Step));
    }
}

/// <summary>1/(1+e^−x); backward uses the output: dx = dy·y·(1−y).</summary>
public sealed record Sigmoid : Layer
{
    public sealed record Cache(Matrix Y) : LayerCache;

    public override int Outputs(int inputs) => inputs;

    public override string Describe() => "Sigmoid";

    public static (Matrix Y, Cache Cache) Forward(Matrix x)
    {
        var y = Functions.Sigmoid(x);
        return (y, new Cache(y));
    }

    public static Matrix Backward(Cache c, Matrix dY)
    {
        Shape.RequireSame(c.Y, dY, "Sigmoid backward");
        return dY.PointwiseMultiply(c.Y.Map(y => y * (1.0 - y)));
    }
}

/// <summary>tanh(x); backward: dx = dy·(1−y²).</summary>
public sealed record Tanh : Layer
{
    public sealed record Cache(Matrix Y) : LayerCache;

    public override int Outputs(int inputs) => inputs;

    public override string Describe() => "Tanh";

    public static (Matrix Y, Cache Cache) Forward(Matrix x)
    {
        var y = Functions.Tanh(x);
        return (y, new Cache(y));
    }

    public static Matrix Backward(Cache c, Matrix dY)
    {
        Shape.RequireSame(c.Y, dY, "Tanh backward");
        return dY.PointwiseMultiply(c.Y.Map(y => 1.0 - y * y));
    }
}
