namespace Functional.Data;

/// <summary>A training set and the held-out set it is evaluated on.</summary>
public sealed record TrainTest(Dataset Train, Dataset Test);
