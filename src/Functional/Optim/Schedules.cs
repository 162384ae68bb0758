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

    /// <summary>
    /// Linear warm-up: min(1, t/<see cref="Steps"/>) at the 1-based step t, then 1 (Goyal et al.'s gradual warm-up,
    /// optax's linear_schedule from 0). Composed as <c>Chain(rule, ScaleBySchedule(warmup))</c> it scales the rule's
    /// update, which for SGD, AdaGrad, RMSProp and Adam equals a scaled learning rate up to rounding; for
    /// <see cref="Momentum"/> and <see cref="Nesterov"/> the velocity still accumulates lr·g at the full rate and
    /// only the step taken from it is scaled (optax's chain(sgd, scale_by_schedule) behaves the same), so the
    /// velocity built during warm-up is not smaller. Scaling the update keeps every rule's slots unchanged, so a
    /// warm-up composes with any rule and its checkpoints.
    /// </summary>
    /// <param name="Steps">Steps of the ramp; positive.</param>
    public sealed record Warmup(long Steps) : LearningRateSchedule
    {
        /// <summary>Steps of the ramp; positive.</summary>
        public long Steps { get; init; } =
            Steps > 0
                ? Steps
                : throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "warm-up needs at least one step");

        /// <inheritdoc/>
        public override double Factor(long step) => step >= Steps ? 1.0 : step / (double)Steps;

        /// <inheritdoc/>
        public override string ToString() => $"warmup({Steps})";
    }

    /// <summary>The same multiplier at every step: the factor a plateau rule decided for an epoch.</summary>
    /// <param name="Multiplier">The factor of every step.</param>
    public sealed record Fixed(double Multiplier) : LearningRateSchedule
    {
        /// <inheritdoc/>
        public override double Factor(long step) => Multiplier;

        /// <inheritdoc/>
        public override string ToString() => $"×{Multiplier:R}";
    }
}
