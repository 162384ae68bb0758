using System.Collections.Immutable;
using LanguageExt;

namespace Functional.Data;

/// <summary>Zalando's Fashion-MNIST: the MNIST file layout with clothing classes.</summary>
public static class FashionMnist
{
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

    public static Fin<TrainTest> Load(string dir, MnistOptions opts) =>
        Mnist.Load(dir, opts, "fashion-mnist", ClassNames);
}
