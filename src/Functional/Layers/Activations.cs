using Functional.Core;
using Functional.Kernels;

namespace Functional.Layers;

/// <summary>max(0, x). The cache keeps the output: its positive entries are exactly the mask.</summary>
public sealed record Relu : Layer
{
    public sealed record Cache(Matrix Y) : LayerCache;

    public override int Outputs(int inputs) => inputs;

    public override string Describe() => "ReLU";

    public static (Matrix Y, Cache Cache) Forward(Matrix x)
    {
        var y = Elementwise.Relu(x);
        return (y, new Cache(y));
    }

    public static Matrix Backward(Cache c, Matrix dY) => Backward(c, dY, null);

    /// <summary>dX from a training loop's scratch when <paramref name="work"/> is given.</summary>
    internal static Matrix Backward(Cache c, Matrix dY, StepScratch? work)
    {
        Shape.RequireSame(c.Y, dY, "ReLU backward");
        return Elementwise.ReluBackward(c.Y, dY, work);
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
        var y = Elementwise.Sigmoid(x);
        return (y, new Cache(y));
    }

    public static Matrix Backward(Cache c, Matrix dY) => Backward(c, dY, null);

    /// <summary>dX from a training loop's scratch when <paramref name="work"/> is given.</summary>
    internal static Matrix Backward(Cache c, Matrix dY, StepScratch? work)
    {
        Shape.RequireSame(c.Y, dY, "Sigmoid backward");
        return Elementwise.SigmoidBackward(c.Y, dY, work);
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
        var y = Elementwise.Tanh(x);
        return (y, new Cache(y));
    }

    public static Matrix Backward(Cache c, Matrix dY) => Backward(c, dY, null);

    /// <summary>dX from a training loop's scratch when <paramref name="work"/> is given.</summary>
    internal static Matrix Backward(Cache c, Matrix dY, StepScratch? work)
    {
        Shape.RequireSame(c.Y, dY, "Tanh backward");
        return Elementwise.TanhBackward(c.Y, dY, work);
    }
}
