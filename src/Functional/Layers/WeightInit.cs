using Functional.Core;

namespace Functional.Layers;

/// <summary>Weight initialisation schemes; each is a pure function of (key, fan-in, fan-out).</summary>
public abstract record WeightInit
{
    /// <summary>A fresh fanIn×fanOut weight matrix drawn from <paramref name="key"/>.</summary>
    public abstract Tensor Sample(Key key, int fanIn, int fanOut);

    /// <summary>N(0, std²) with a fixed standard deviation (the book's <c>weight_init_std</c>).</summary>
    /// <param name="Value">The standard deviation.</param>
    public sealed record Std(double Value) : WeightInit
    {
        /// <inheritdoc/>
        public override Tensor Sample(Key key, int fanIn, int fanOut) => Sampling.Normal(key, fanIn, fanOut) * Value;

        /// <summary>The spelling <see cref="Parse"/> reads back.</summary>
        public override string ToString() => Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>N(0, 1/fan_in): the book's "Xavier" (recommended for sigmoid/tanh).</summary>
    public sealed record Xavier : WeightInit
    {
        /// <inheritdoc/>
        public override Tensor Sample(Key key, int fanIn, int fanOut) =>
            Sampling.Normal(key, fanIn, fanOut) * Math.Sqrt(1.0 / fanIn);

        /// <summary>The spelling <see cref="Parse"/> reads back.</summary>
        public override string ToString() => "xavier";
    }

    /// <summary>N(0, 2/fan_in): He initialisation (recommended for ReLU).</summary>
    public sealed record He : WeightInit
    {
        /// <inheritdoc/>
        public override Tensor Sample(Key key, int fanIn, int fanOut) =>
            Sampling.Normal(key, fanIn, fanOut) * Math.Sqrt(2.0 / fanIn);

        /// <summary>The spelling <see cref="Parse"/> reads back.</summary>
        public override string ToString() => "he";
    }

    /// <summary>U(−a, a), a = √(6/(fan_in + fan_out)): Flux's Dense default (glorot_uniform).</summary>
    public sealed record GlorotUniform : WeightInit
    {
        /// <inheritdoc/>
        public override Tensor Sample(Key key, int fanIn, int fanOut)
        {
            var a = Math.Sqrt(6.0 / (fanIn + fanOut));
            return Sampling.Uniform(key, fanIn, fanOut, -a, a);
        }

        /// <summary>The spelling <see cref="Parse"/> reads back.</summary>
        public override string ToString() => "glorot";
    }

    /// <summary>Parses "he"/"relu", "xavier"/"sigmoid", "glorot" or a positive number (a std).</summary>
    public static WeightInit Parse(string s) =>
        s.Trim().ToLowerInvariant() switch
        {
            "he" or "relu" => new He(),
            "xavier" or "sigmoid" => new Xavier(),
            "glorot" => new GlorotUniform(),
            var v
                when double.TryParse(
                    v,
                    System.Globalization.NumberStyles.Float,
                    System.Globalization.CultureInfo.InvariantCulture,
                    out var std
                )
                    && std > 0
                    && double.IsFinite(std) => new Std(std),
            _ => throw new ArgumentException(
                $"weight init '{s}' is not one of he, relu, xavier, sigmoid, glorot or a positive number"
            ),
        };
}
