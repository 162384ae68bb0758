global using Functional.Tests.Support;
global using Matrix = Functional.Core.Tensor;
