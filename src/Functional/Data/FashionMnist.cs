using System.Collections.Immutable;
using LanguageExt;

namespace Functional.Data;

/// <summary>Zalando's Fashion-MNIST: the MNIST file layout with clothing classes.</summary>
public static class FashionMnist
{
    /// <summary>The ten clothing classes, indexed by label.</summary>
    public static readonly ImmutableArray<string> ClassNames =
    [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ];

    /// <summary>The train and test splits from <paramref name="dir"/>, named fashion-mnist-train and
    /// fashion-mnist-test;
    /// a missing or malformed file is an error value, not an exception.</summary>
    public static Fin<TrainTest> Load(string dir, MnistOptions opts) =>
        Mnist.Load(dir, opts, "fashion-mnist", ClassNames);
}
