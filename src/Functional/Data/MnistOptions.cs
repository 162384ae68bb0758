namespace Functional.Data;

/// <summary>How to turn MNIST-style images into a dataset.</summary>
/// <param name="Normalize">Scale pixels to [0, 1] (byte / 255.0); otherwise keep 0..255.</param>
/// <param name="Flatten">Whether samples are logically vectors; when false X still has rows·cols columns
/// but <see cref="Dataset.SampleShape"/> records (rows, cols).</param>
/// <param name="OneHot">One-hot targets; otherwise T is one column holding the label value.</param>
/// <param name="Limit">Keep only the first Limit samples of each split.</param>
public sealed record MnistOptions(bool Normalize = true, bool Flatten = true, bool OneHot = true, int? Limit = null);
