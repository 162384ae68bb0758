global using Matrix = MathNet.Numerics.LinearAlgebra.Matrix<double>;
