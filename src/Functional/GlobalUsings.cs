// The element type is named here, once: a float32 mode changes these two lines, not the layers.
global using Real = double;
global using Matrix = MathNet.Numerics.LinearAlgebra.Matrix<double>;
