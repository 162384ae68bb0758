namespace Functional.Layers;

/// <summary>
/// The computational-graph primitives of chapter 5 ("apple shopping"): pure forward and backward on scalars.
/// Backward takes the inputs explicitly instead of remembering them.
/// </summary>
public static class Multiply
{
    /// <summary>x·y.</summary>
    public static double Forward(double x, double y) => x * y;

    /// <summary>The gradients of x·y with respect to x and y, given the upstream gradient.</summary>
    public static (double DX, double DY) Backward(double x, double y, double dOut) => (dOut * y, dOut * x);
}

/// <summary>The addition node of chapter 5's graph.</summary>
public static class Add
{
    /// <summary>x + y.</summary>
    public static double Forward(double x, double y) => x + y;

    /// <summary>The upstream gradient, passed to both inputs.</summary>
    public static (double DX, double DY) Backward(double dOut) => (dOut, dOut);
}
