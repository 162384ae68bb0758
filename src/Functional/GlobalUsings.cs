// The element type is named here, once: a float32 mode changes these two lines, not the layers.
global using Real = double;
global using Matrix = Functional.Core.Tensor;
