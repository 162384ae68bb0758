using Functional.Layers;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Functional.Models;

/// <summary>Hidden-layer activation of the builders.</summary>
public enum HiddenActivation
{
    /// <summary><see cref="Layers.Relu"/>.</summary>
    Relu,

    /// <summary><see cref="Layers.Sigmoid"/>.</summary>
    Sigmoid,

    /// <summary><see cref="Layers.Tanh"/>.</summary>
    Tanh,
}

/// <summary>Builders for the networks of the seed material.</summary>
public static class Nets
{
    /// <summary>Parses "relu", "sigmoid" or "tanh".</summary>
    public static HiddenActivation ParseActivation(string s) =>
        s.Trim().ToLowerInvariant() switch
        {
            "relu" => HiddenActivation.Relu,
            "sigmoid" => HiddenActivation.Sigmoid,
            "tanh" => HiddenActivation.Tanh,
            _ => throw new ArgumentException($"activation '{s}' is not one of relu, sigmoid, tanh"),
        };

    static Layer Act(HiddenActivation a) =>
        a switch
        {
            HiddenActivation.Relu => new Relu(),
            HiddenActivation.Sigmoid => new Sigmoid(),
            _ => new Tanh(),
        };

    /// <summary>The book's TwoLayerNet: Affine → activation → Affine → SoftmaxWithLoss, weights N(0, std²).</summary>
    public static Network TwoLayerNet(
        int input = 784,
        int hidden = 50,
        int output = 10,
        double weightInitStd = 0.01,
        HiddenActivation activation = HiddenActivation.Relu
    ) =>
        new(
            input,
            Seq<Layer>(
                new Affine(input, hidden, new WeightInit.Std(weightInitStd)),
                Act(activation),
                new Affine(hidden, output, new WeightInit.Std(weightInitStd))
            ),
            new SoftmaxWithLoss()
        );

    /// <summary>The book's MultiLayerNet: (Affine → activation) per hidden size, then Affine; L2 weight decay λ.</summary>
    public static Network MultiLayerNet(
        int input,
        IReadOnlyList<int> hidden,
        int output,
        HiddenActivation activation = HiddenActivation.Relu,
        WeightInit? init = null,
        double weightDecay = 0.0
    ) => MultiLayerNetExtend(input, hidden, output, activation, init, weightDecay);

    /// <summary>
    /// The book's MultiLayerNetExtend: Affine → [BatchNorm] → activation → [Dropout] per hidden size, then Affine.
    /// The default init follows the activation (He for ReLU, Xavier for sigmoid/tanh), as the book's "relu"/"sigmoid".
    /// </summary>
    public static Network MultiLayerNetExtend(
        int input,
        IReadOnlyList<int> hidden,
        int output,
        HiddenActivation activation = HiddenActivation.Relu,
        WeightInit? init = null,
        double weightDecay = 0.0,
        bool batchNorm = false,
        double dropout = 0.0,
        BatchNormConfig? batchNormConfig = null,
        LossLayer? loss = null
    )
    {
        Functional.Core.Shape.Require(
            input > 0 && output > 0 && hidden.All(h => h > 0),
            $"network sizes must be positive: input {input}, hidden [{string.Join(",", hidden)}], output {output}."
        );
        Functional.Core.Shape.Require(dropout is >= 0 and < 1, $"dropout ratio must be in [0, 1), got {dropout}.");
        Functional.Core.Shape.Require(
            weightDecay >= 0 && double.IsFinite(weightDecay),
            $"weight decay must be ≥ 0, got {weightDecay}."
        );
        var w = init ?? (activation == HiddenActivation.Relu ? new WeightInit.He() : new WeightInit.Xavier());
        var ins = hidden.Prepend(input);
        var layers = toSeq(
            ins.Zip(hidden, (i, o) => (In: i, Out: o))
                .SelectMany(io =>
                {
                    var block = new List<Layer> { new Affine(io.In, io.Out, w) };
                    if (batchNorm)
                        block.Add(new BatchNorm(io.Out, batchNormConfig ?? BatchNormConfig.Reference));
                    block.Add(Act(activation));
                    if (dropout > 0)
                        block.Add(new Dropout(dropout));
                    return block;
                })
                .ToList()
        );
        var last = hidden.Count == 0 ? input : hidden[^1];
        return new Network(input, layers.Add(new Affine(last, output, w)), loss ?? new SoftmaxWithLoss(), weightDecay);
    }

    /// <summary>The digits notebook: 64 → Affine 32 → BatchNorm → ReLU → Affine 10, He init.</summary>
    public static Network DigitsBatchNorm() =>
        MultiLayerNetExtend(64, [32], 10, HiddenActivation.Relu, new WeightInit.He(), batchNorm: true);

    /// <summary>The Flux example: 6 → Dense 10 → sigmoid → BatchNorm → Dense 1, MSE, glorot-uniform weights.</summary>
    public static Network FluxRegression(int features = 6, int hidden = 10) =>
        new(
            features,
            Seq<Layer>(
                new Affine(features, hidden, new WeightInit.GlorotUniform()),
                new Sigmoid(),
                new BatchNorm(hidden, BatchNormConfig.Flux),
                new Affine(hidden, 1, new WeightInit.GlorotUniform())
            ),
            new MeanSquaredError()
        );

    /// <summary>
    /// The book's SimpleConvNet (chapter 7): Conv (filters, kernel×kernel, stride 1, pad 0) → ReLU → MaxPool 2×2
    /// stride 2 → Flatten → Affine → ReLU → Affine → SoftmaxWithLoss, every weight N(0, std²) and every bias zero
    /// (the book's <c>weight_init_std=0.01</c>; <paramref name="init"/>, when given, replaces it). The defaults are the book's: 1×28×28 input, 30 filters of 5×5,
    /// 100 hidden units (the first Affine is 30·12·12 = 4320 → 100), 10 classes.
    /// </summary>
    public static Network SimpleConvNet(
        SampleShape? input = null,
        int filters = 30,
        int kernel = 5,
        int hidden = 100,
        int output = 10,
        double weightInitStd = 0.01,
        WeightInit? init = null
    )
    {
        var image = input ?? SampleShape.Image(1, 28, 28);
        Functional.Core.Shape.Require(
            image.IsImage && filters > 0 && kernel > 0 && hidden > 0 && output > 0,
            $"SimpleConvNet: expected an image input and positive sizes, got input {image}, {filters} filters of {kernel}×{kernel}, hidden {hidden}, output {output}."
        );
        var w = init ?? new WeightInit.Std(weightInitStd);
        var conv = new Conv2D(image.Channels, filters, kernel, kernel, 1, 0, w);
        var pool = new MaxPool2D(2, 2, 2, 0);
        var flat = pool.OutputShape(conv.OutputShape(image)).Size;
        return new Network(
            image,
            Seq<Layer>(
                conv,
                new Relu(),
                pool,
                new Flatten(),
                new Affine(flat, hidden, w),
                new Relu(),
                new Affine(hidden, output, w)
            ),
            new SoftmaxWithLoss()
        );
    }
}
