using Functional.Core;
using LanguageExt;

namespace Functional.Layers;

/// <summary>Training or evaluation: always an explicit argument, never a flag stored on a layer.</summary>
public enum Mode
{
    Train,
    Eval,
}

/// <summary>The per-call context: mode and, in training, the random key for this step.</summary>
public sealed record Ctx(Mode Mode, Option<Key> Key)
{
    public static Ctx Eval { get; } = new(Mode.Eval, Option<Key>.None);

    public static Ctx Train(Key key) => new(Mode.Train, key);

    /// <summary>Training without randomness (valid for networks without Dropout).</summary>
    public static Ctx TrainNoKey { get; } = new(Mode.Train, Option<Key>.None);
}

/// <summary>
/// A layer is an immutable record of hyper-parameters only (a closed set, matched with <c>switch</c>).
/// Trainable arrays live in <see cref="Params"/>, running statistics in <see cref="ModelState"/>,
/// and what backward needs in the cache that forward returns.
/// </summary>
public abstract record Layer
{
    /// <summary>Number of output features for <paramref name="inputs"/> input features (checked).</summary>
    public abstract int Outputs(int inputs);

    /// <summary>A one-line description for model summaries.</summary>
    public abstract string Describe();
}

/// <summary>What a layer's forward pass hands to its backward pass.</summary>
public abstract record LayerCache;
