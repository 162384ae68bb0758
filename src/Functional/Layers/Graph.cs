namespace Functional.Layers;

/// <summary>
/// The computational-graph primitives of chapter 5 ("apple shopping"): pure forward and backward on scalars.
/// Backward takes the inputs explicitly instead of remembering them.
/// </summary>
public static class Multiply
{
    public static double Forward(double x, double y) => x * y;

    public static (double DX, double DY) Backward(double x, double y, double dOut) => (dOut * y, dOut * x);
}

public static class Add
{
    public static double Forward(double x, double y) => x + y;

    public static (double DX, double DY) Backward(double dOut) => (dOut, dOut);
}
