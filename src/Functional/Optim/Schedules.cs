using Functional.Numerics;

namespace Functional.Optim;

/// <summary>Learning-rate schedules as pure functions of the 1-based step number (a multiplier of the base rate).</summary>
public abstract record LearningRateSchedule
{
    /// <summary>The multiplier at the 1-based <paramref name="step"/>.</summary>
    public abstract double Factor(long step);

    /// <summary>Always 1.</summary>
    public sealed record Constant : LearningRateSchedule
    {
        /// <inheritdoc/>
        public override double Factor(long step) => 1.0;

        /// <inheritdoc/>
        public override string ToString() => "constant";
    }

    /// <summary>×<see cref="Gamma"/> every <see cref="Every"/> steps.</summary>
    /// <param name="Every">Steps between two decays.</param>
    /// <param name="Gamma">The factor of each decay.</param>
    public sealed record StepDecay(long Every, double Gamma) : LearningRateSchedule
    {
        /// <inheritdoc/>
        public override double Factor(long step) => Powers.Pow(Gamma, (step - 1) / Every);

        /// <inheritdoc/>
        public override string ToString() => $"step(every {Every}, ×{Gamma:R})";
    }

    /// <summary>Cosine from 1 down to <see cref="Floor"/> over <see cref="Total"/> steps, then flat.</summary>
    /// <param name="Total">Steps of the descent.</param>
    /// <param name="Floor">The final multiplier.</param>
    public sealed record Cosine(long Total, double Floor = 0.0) : LearningRateSchedule
    {
        /// <inheritdoc/>
        public override double Factor(long step)
        {
            var t = Math.Min(step - 1, Total) / (double)Total;
            return Floor + (1 - Floor) * 0.5 * (1 + Elementary.Cos(Math.PI * t));
        }

        /// <inheritdoc/>
        public override string ToString() => $"cosine({Total}, floor {Floor:R})";
    }
}
