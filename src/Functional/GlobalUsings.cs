// The element type is named here, once, for a later float32 mode.
global using Real = double;
