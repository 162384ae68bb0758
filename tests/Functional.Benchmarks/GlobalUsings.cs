global using Matrix = Functional.Core.Tensor;
