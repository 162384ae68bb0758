using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Functional.Kernels;
using LanguageExt;
using static Functional.Optim.Lanes;
using static Functional.Optim.Slots;

namespace Functional.Optim;

/// <summary>p ← p − lr·g.</summary>
public sealed record Sgd(double LearningRate = 0.01) : IRule
{
    public string Name => $"SGD(lr={LearningRate:R})";
    public int SlotSize => 0;

    public ISlot Init(Matrix param) => NoSlot.Instance;

    public (ISlot Slot, Matrix Delta) Apply(ISlot slot, Matrix param, Matrix grad, long step) =>
        (slot, grad * LearningRate);

    /// <summary>p − lr·g in one pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (ISlot Slot, Matrix Param) Update(ISlot slot, Matrix param, Matrix grad, long step)
    {
        var (r, d) = Fresh(param);
        var p = D(param);
        var g = D(grad);
        var lr = LearningRate;
        Split(
            d.Length,
            (p, g, d, lr),
            static (s, lo, hi) =>
            {
                var (p, g, d, lr) = s;
                var i = lo;
                if (Vector256.IsHardwareAccelerated)
                {
                    var vlr = Vector256.Create(lr);
                    for (; i + 4 <= hi; i += 4)
                        (V(p, i) - vlr * V(g, i)).CopyTo(d.AsSpan(i));
                }
                for (; i < hi; i++)
                    d[i] = p[i] - lr * g[i];
            }
        );
        return (slot, r);
    }

    public ISlot Restore(Seq<Matrix> buffers)
    {
        Expect(buffers, 0, this);
        return NoSlot.Instance;
    }
}

public sealed record VelocitySlot(Matrix V) : ISlot
{
    public Seq<Matrix> Buffers => Prelude.Seq1(V); // not [V]: a collection expression builds an empty immutable Seq
}

/// <summary>The book's Momentum: v ← ρv − lr·g; p ← p + v. Stored here with the sign flipped (delta = −v).</summary>
public sealed record Momentum(double LearningRate = 0.01, double Rho = 0.9) : IRule
{
    public string Name => $"Momentum(lr={LearningRate:R}, rho={Rho:R})";
    public int SlotSize => 1;

    public ISlot Init(Matrix param) => new VelocitySlot(Zeros(param));

    public ISlot Restore(Seq<Matrix> b) => new VelocitySlot(Expect(b, 1, this)[0]);

    public (ISlot Slot, Matrix Delta) Apply(ISlot slot, Matrix param, Matrix grad, long step)
    {
        var v = D(As<VelocitySlot>(slot, this).V);
        var g = D(grad);
        var (next, d) = Fresh(grad);
        for (var i = 0; i < d.Length; i++)
            d[i] = Rho * v[i] + LearningRate * g[i];
        return (new VelocitySlot(next), next);
    }

    /// <summary>v' = ρv + lr·g and p − v' in one pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (ISlot Slot, Matrix Param) Update(ISlot slot, Matrix param, Matrix grad, long step)
    {
        var v = D(As<VelocitySlot>(slot, this).V);
        var g = D(grad);
        var p = D(param);
        var (next, nv) = Fresh(grad);
        var (r, rd) = Fresh(param);
        var (rho, lr) = (Rho, LearningRate);
        Split(
            nv.Length,
            (v, g, p, nv, rd, rho, lr),
            static (s, lo, hi) =>
            {
                var (v, g, p, nv, rd, rho, lr) = s;
                var i = lo;
                if (Vector256.IsHardwareAccelerated)
                {
                    var (vrho, vlr) = (Vector256.Create(rho), Vector256.Create(lr));
                    for (; i + 4 <= hi; i += 4)
                    {
                        var d = vrho * V(v, i) + vlr * V(g, i);
                        d.CopyTo(nv.AsSpan(i));
                        (V(p, i) - d).CopyTo(rd.AsSpan(i));
                    }
                }
                for (; i < hi; i++)
                {
                    var d = rho * v[i] + lr * g[i];
                    nv[i] = d;
                    rd[i] = p[i] - d;
                }
            }
        );
        return (new VelocitySlot(next), r);
    }
}

/// <summary>
/// Nesterov's accelerated gradient in the book's form: v ← ρv − lr·g; p ← p + ρ²v − (1+ρ)·lr·g
/// (written as delta = −ρ²v' + (1+ρ)·lr·g, v kept with the book's sign).
/// </summary>
public sealed record Nesterov(double LearningRate = 0.01, double Rho = 0.9) : IRule
{
    public string Name => $"Nesterov(lr={LearningRate:R}, rho={Rho:R})";
    public int SlotSize => 1;

    public ISlot Init(Matrix param) => new VelocitySlot(Zeros(param));

    public ISlot Restore(Seq<Matrix> b) => new VelocitySlot(Expect(b, 1, this)[0]);

    public (ISlot Slot, Matrix Delta) Apply(ISlot slot, Matrix param, Matrix grad, long step)
    {
        var v = D(As<VelocitySlot>(slot, this).V);
        var g = D(grad);
        var (next, nv) = Fresh(grad);
        var (delta, d) = Fresh(grad);
        for (var i = 0; i < d.Length; i++)
        {
            nv[i] = Rho * v[i] - LearningRate * g[i];
            d[i] = -(Rho * Rho * nv[i]) + (1 + Rho) * LearningRate * g[i];
        }
        return (new VelocitySlot(next), delta);
    }

    /// <summary>The velocity and p − delta in one pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (ISlot Slot, Matrix Param) Update(ISlot slot, Matrix param, Matrix grad, long step)
    {
        var v = D(As<VelocitySlot>(slot, this).V);
        var g = D(grad);
        var p = D(param);
        var (next, nv) = Fresh(grad);
        var (r, rd) = Fresh(param);
        for (var i = 0; i < nv.Length; i++)
        {
            var vi = Rho * v[i] - LearningRate * g[i];
            nv[i] = vi;
            rd[i] = p[i] - (-(Rho * Rho * vi) + (1 + Rho) * LearningRate * g[i]);
        }
        return (new VelocitySlot(next), r);
    }
}

public sealed record SquareSumSlot(Matrix H) : ISlot
{
    public Seq<Matrix> Buffers => Prelude.Seq1(H);
}

/// <summary>AdaGrad: h ← h + g²; p ← p − lr·g/(√h + ε), ε = 1e-7 as in the book.</summary>
public sealed record AdaGrad(double LearningRate = 0.01, double Epsilon = 1e-7) : IRule
{
    public string Name => $"AdaGrad(lr={LearningRate:R})";
    public int SlotSize => 1;

    public ISlot Init(Matrix param) => new SquareSumSlot(Zeros(param));

    public ISlot Restore(Seq<Matrix> b) => new SquareSumSlot(Expect(b, 1, this)[0]);

    public (ISlot Slot, Matrix Delta) Apply(ISlot slot, Matrix param, Matrix grad, long step)
    {
        var h = D(As<SquareSumSlot>(slot, this).H);
        var g = D(grad);
        var (next, nh) = Fresh(grad);
        var (delta, d) = Fresh(grad);
        for (var i = 0; i < d.Length; i++)
        {
            nh[i] = h[i] + g[i] * g[i];
            d[i] = LearningRate * g[i] / (Math.Sqrt(nh[i]) + Epsilon);
        }
        return (new SquareSumSlot(next), delta);
    }

    /// <summary>h' and p − lr·g/(√h' + ε) in one pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (ISlot Slot, Matrix Param) Update(ISlot slot, Matrix param, Matrix grad, long step)
    {
        var h = D(As<SquareSumSlot>(slot, this).H);
        var g = D(grad);
        var p = D(param);
        var (next, nh) = Fresh(grad);
        var (r, rd) = Fresh(param);
        var (lr, eps) = (LearningRate, Epsilon);
        Split(
            nh.Length,
            (h, g, p, nh, rd, lr, eps),
            static (s, lo, end) =>
            {
                var (h, g, p, nh, rd, lr, eps) = s;
                var i = lo;
                if (Vector256.IsHardwareAccelerated)
                {
                    var (vlr, veps) = (Vector256.Create(lr), Vector256.Create(eps));
                    for (; i + 4 <= end; i += 4)
                    {
                        var gi = V(g, i);
                        var hi = V(h, i) + gi * gi;
                        hi.CopyTo(nh.AsSpan(i));
                        (V(p, i) - vlr * gi / (Vector256.Sqrt(hi) + veps)).CopyTo(rd.AsSpan(i));
                    }
                }
                for (; i < end; i++)
                {
                    var hi = h[i] + g[i] * g[i];
                    nh[i] = hi;
                    rd[i] = p[i] - lr * g[i] / (Math.Sqrt(hi) + eps);
                }
            }
        );
        return (new SquareSumSlot(next), r);
    }
}

/// <summary>RMSprop: h ← ρh + (1−ρ)g²; p ← p − lr·g/(√h + ε); the book's decay 0.99, ε 1e-7.</summary>
public sealed record RmsProp(double LearningRate = 0.01, double Decay = 0.99, double Epsilon = 1e-7) : IRule
{
    public string Name => $"RMSprop(lr={LearningRate:R}, decay={Decay:R})";
    public int SlotSize => 1;

    public ISlot Init(Matrix param) => new SquareSumSlot(Zeros(param));

    public ISlot Restore(Seq<Matrix> b) => new SquareSumSlot(Expect(b, 1, this)[0]);

    public (ISlot Slot, Matrix Delta) Apply(ISlot slot, Matrix param, Matrix grad, long step)
    {
        var h = D(As<SquareSumSlot>(slot, this).H);
        var g = D(grad);
        var (next, nh) = Fresh(grad);
        var (delta, d) = Fresh(grad);
        for (var i = 0; i < d.Length; i++)
        {
            nh[i] = Decay * h[i] + (1 - Decay) * g[i] * g[i];
            d[i] = LearningRate * g[i] / (Math.Sqrt(nh[i]) + Epsilon);
        }
        return (new SquareSumSlot(next), delta);
    }

    /// <summary>h' and p − lr·g/(√h' + ε) in one pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (ISlot Slot, Matrix Param) Update(ISlot slot, Matrix param, Matrix grad, long step)
    {
        var h = D(As<SquareSumSlot>(slot, this).H);
        var g = D(grad);
        var p = D(param);
        var (next, nh) = Fresh(grad);
        var (r, rd) = Fresh(param);
        var (lr, eps, dec) = (LearningRate, Epsilon, Decay);
        Split(
            nh.Length,
            (h, g, p, nh, rd, lr, eps, dec),
            static (s, lo, end) =>
            {
                var (h, g, p, nh, rd, lr, eps, dec) = s;
                var i = lo;
                if (Vector256.IsHardwareAccelerated)
                {
                    var (vlr, veps, vdec, vrest) = (
                        Vector256.Create(lr),
                        Vector256.Create(eps),
                        Vector256.Create(dec),
                        Vector256.Create(1 - dec)
                    );
                    for (; i + 4 <= end; i += 4)
                    {
                        var gi = V(g, i);
                        var hi = vdec * V(h, i) + vrest * gi * gi;
                        hi.CopyTo(nh.AsSpan(i));
                        (V(p, i) - vlr * gi / (Vector256.Sqrt(hi) + veps)).CopyTo(rd.AsSpan(i));
                    }
                }
                for (; i < end; i++)
                {
                    var hi = dec * h[i] + (1 - dec) * g[i] * g[i];
                    nh[i] = hi;
                    rd[i] = p[i] - lr * g[i] / (Math.Sqrt(hi) + eps);
                }
            }
        );
        return (new SquareSumSlot(next), r);
    }
}

internal static class Lanes
{
    /// <summary>Arrays with at least this many elements (64 KB) are updated by all workers.</summary>
    public const int ParallelElements = 8_192;

    /// <summary>
    /// Runs <paramref name="body"/> over [0, n): in one call, or, for a large array, in parts on the workers, cut at
    /// multiples of 8. Every element then takes the same path (vector body or scalar tail) as in one call, so the
    /// bits do not depend on the cut. The update loops are bound by memory (three to seven arrays streamed per
    /// element, their outputs fresh): two cores move about twice the bytes of one.
    /// </summary>
    /// <remarks>
    /// The loop's arrays and constants come as <paramref name="state"/> to a static lambda, so a small array (run in
    /// one call) allocates nothing: a capturing lambda cost the regression step ~5 % more bytes.
    /// </remarks>
    public static void Split<TState>(int n, TState state, Action<TState, int, int> body)
    {
        var threads = n >= ParallelElements ? Math.Min(Workers.Available, n / 8) : 1;
        var parts = Math.Min(threads * Workers.ChunksPerThread, n / 8);
        if (threads < 2 || !Workers.TryRun(new Ranges<TState>(n, state, body), parts, threads))
            body(state, 0, n);
    }

    /// <summary>Part p of P: a run of whole 8-element blocks (<see cref="Workers.Cut"/>).</summary>
    internal sealed class Ranges<TState>(int n, TState state, Action<TState, int, int> body) : PartJob
    {
        public override void RunPart(int part, int parts)
        {
            var (lo, hi) = Workers.Cut(n, 8, part, parts);
            body(state, lo, hi);
        }
    }

    /// <summary>Four doubles from <paramref name="a"/> at <paramref name="i"/> (the update loops' vector body: the same
    /// IEEE operations lane by lane as the scalar tail, so the bits do not depend on the vector width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> V(double[] a, int i) => Vector256.Create<double>(a.AsSpan(i, 4));
}

public sealed record AdamSlot(Matrix M, Matrix V) : ISlot
{
    public Seq<Matrix> Buffers => Prelude.Seq(M, V);
}

/// <summary>
/// Adam. Two presets differ numerically and are named: <see cref="Dlfs"/> (the book's common/optimizer.py:
/// bias correction folded into lr_t = lr·√(1−β₂ᵗ)/(1−β₁ᵗ), ε 1e-7 added to √v) and <see cref="Standard"/>
/// (Kingma &amp; Ba / Flux: corrected m̂ and v̂, ε 1e-8 added to √v̂).
/// </summary>
public sealed record Adam(
    double LearningRate = 0.001,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Epsilon = 1e-7,
    bool FoldedBiasCorrection = true
) : IRule
{
    public static Adam Dlfs(double lr = 0.001) => new(lr, 0.9, 0.999, 1e-7, true);

    public static Adam Standard(double lr = 0.001) => new(lr, 0.9, 0.999, 1e-8, false);

    public string Name => $"Adam(lr={LearningRate:R}, b1={Beta1:R}, b2={Beta2:R}, eps={Epsilon:R})";
    public int SlotSize => 2;

    public ISlot Init(Matrix param) => new AdamSlot(Zeros(param), Zeros(param));

    public ISlot Restore(Seq<Matrix> b)
    {
        var x = Expect(b, 2, this);
        return new AdamSlot(x[0], x[1]);
    }

    public (ISlot Slot, Matrix Delta) Apply(ISlot slot, Matrix param, Matrix grad, long step)
    {
        var s = As<AdamSlot>(slot, this);
        var (m, v, g) = (D(s.M), D(s.V), D(grad));
        var (nextM, nm) = Fresh(grad);
        var (nextV, nv) = Fresh(grad);
        var (delta, d) = Fresh(grad);
        var c1 = 1 - Math.Pow(Beta1, step);
        var c2 = 1 - Math.Pow(Beta2, step);
        var lrT = LearningRate * Math.Sqrt(c2) / c1;
        for (var i = 0; i < d.Length; i++)
        {
            nm[i] = m[i] + (1 - Beta1) * (g[i] - m[i]);
            nv[i] = v[i] + (1 - Beta2) * (g[i] * g[i] - v[i]);
            d[i] = FoldedBiasCorrection
                ? lrT * nm[i] / (Math.Sqrt(nv[i]) + Epsilon)
                : LearningRate * (nm[i] / c1) / (Math.Sqrt(nv[i] / c2) + Epsilon);
        }
        return (new AdamSlot(nextM, nextV), delta);
    }

    /// <summary>m', v' and p − delta in one pass (no delta array).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (ISlot Slot, Matrix Param) Update(ISlot slot, Matrix param, Matrix grad, long step)
    {
        var s = As<AdamSlot>(slot, this);
        var (m, v, g, p) = (D(s.M), D(s.V), D(grad), D(param));
        var (nextM, nm) = Fresh(grad);
        var (nextV, nv) = Fresh(grad);
        var (r, rd) = Fresh(param);
        var c1 = 1 - Math.Pow(Beta1, step);
        var c2 = 1 - Math.Pow(Beta2, step);
        var lrT = LearningRate * Math.Sqrt(c2) / c1;
        var (b1, b2, eps, lr) = (1 - Beta1, 1 - Beta2, Epsilon, LearningRate);
        if (FoldedBiasCorrection)
        {
            Split(
                rd.Length,
                (m, v, g, p, nm, nv, rd, b1, b2, eps, lrT),
                static (s, lo, hi) =>
                {
                    var (m, v, g, p, nm, nv, rd, b1, b2, eps, lrT) = s;
                    var i = lo;
                    if (Vector256.IsHardwareAccelerated)
                    {
                        var (vb1, vb2, veps, vlrT) = (
                            Vector256.Create(b1),
                            Vector256.Create(b2),
                            Vector256.Create(eps),
                            Vector256.Create(lrT)
                        );
                        for (; i + 4 <= hi; i += 4)
                        {
                            var (gi, m0, v0) = (V(g, i), V(m, i), V(v, i));
                            var mi = m0 + vb1 * (gi - m0);
                            var vi = v0 + vb2 * (gi * gi - v0);
                            mi.CopyTo(nm.AsSpan(i));
                            vi.CopyTo(nv.AsSpan(i));
                            (V(p, i) - vlrT * mi / (Vector256.Sqrt(vi) + veps)).CopyTo(rd.AsSpan(i));
                        }
                    }
                    for (; i < hi; i++)
                    {
                        var mi = m[i] + b1 * (g[i] - m[i]);
                        var vi = v[i] + b2 * (g[i] * g[i] - v[i]);
                        nm[i] = mi;
                        nv[i] = vi;
                        rd[i] = p[i] - lrT * mi / (Math.Sqrt(vi) + eps);
                    }
                }
            );
        }
        else
        {
            Split(
                rd.Length,
                (m, v, g, p, nm, nv, rd, b1, b2, eps, lr, c1, c2),
                static (s, lo, hi) =>
                {
                    var (m, v, g, p, nm, nv, rd, b1, b2, eps, lr, c1, c2) = s;
                    for (var i = lo; i < hi; i++)
                    {
                        var mi = m[i] + b1 * (g[i] - m[i]);
                        var vi = v[i] + b2 * (g[i] * g[i] - v[i]);
                        nm[i] = mi;
                        nv[i] = vi;
                        rd[i] = p[i] - lr * (mi / c1) / (Math.Sqrt(vi / c2) + eps);
                    }
                }
            );
        }
        return (new AdamSlot(nextM, nextV), r);
    }
}

/// <summary>AdamW (Loshchilov &amp; Hutter): standard Adam plus decoupled decay lr·λ·p.</summary>
public sealed record AdamW(
    double LearningRate = 0.001,
    double WeightDecay = 0.01,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Epsilon = 1e-8
) : IRule
{
    readonly Adam _adam = new(LearningRate, Beta1, Beta2, Epsilon, FoldedBiasCorrection: false);
    public string Name => $"AdamW(lr={LearningRate:R}, wd={WeightDecay:R})";
    public int SlotSize => 2;

    public ISlot Init(Matrix param) => _adam.Init(param);

    public ISlot Restore(Seq<Matrix> b) => _adam.Restore(b);

    public (ISlot Slot, Matrix Delta) Apply(ISlot slot, Matrix param, Matrix grad, long step)
    {
        var (s, delta) = _adam.Apply(slot, param, grad, step);
        return (s, delta + param * (LearningRate * WeightDecay));
    }

    /// <summary>p − (adam delta + lr·λ·p), one pass after Adam's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (ISlot Slot, Matrix Param) Update(ISlot slot, Matrix param, Matrix grad, long step)
    {
        var (s, delta) = _adam.Apply(slot, param, grad, step);
        var (r, rd) = Fresh(param);
        var (p, d) = (D(param), D(delta));
        var decay = LearningRate * WeightDecay;
        for (var i = 0; i < rd.Length; i++)
            rd[i] = p[i] - (d[i] + decay * p[i]);
        return (s, r);
    }
}
