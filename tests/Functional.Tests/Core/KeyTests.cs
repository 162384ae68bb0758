using Functional.Core;
using Xunit;

namespace Functional.Tests.Core;

public class KeyTests
{
    [Fact]
    public void Draws_are_pure_functions_of_key_and_counter()
    {
        var k = Key.Of(42);
        Assert.Equal(k.Bits(7), Key.Of(42).Bits(7));
        Assert.NotEqual(k.Bits(7), k.Bits(8));
        Assert.NotEqual(k.FoldIn(1).Bits(0), k.FoldIn(2).Bits(0));
        var (a, b) = k.Split();
        Assert.NotEqual(a, b);
        Assert.Equal(a, k.FoldIn(0UL));
    }

    [Fact]
    public void Samplers_have_the_expected_moments()
    {
        var u = Sampling.Uniform(Key.Of(1), 200, 100);
        var n = Sampling.Normal(Key.Of(2), 200, 100);
        Assert.InRange(u.Enumerate().Average(), 0.49, 0.51);
        Assert.True(u.Enumerate().All(v => v is >= 0 and < 1));
        var mean = n.Enumerate().Average();
        var std = Math.Sqrt(n.Enumerate().Average(v => (v - mean) * (v - mean)));
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(std, 0.98, 1.02);
    }

    [Fact]
    public void Permutation_is_a_permutation_and_choice_stays_in_range()
    {
        var p = Sampling.Permutation(Key.Of(3), 1000);
        Assert.Equal(Enumerable.Range(0, 1000), p.Order());
        Assert.NotEqual(Enumerable.Range(0, 1000), p);
        Assert.True(Sampling.Choice(Key.Of(4), 7, 500).All(i => i is >= 0 and < 7));
    }

    [Fact]
    public void Param_keys_order_numerically_then_ordinally()
    {
        var keys = new[]
        {
            new ParamKey(10, "W"),
            new ParamKey(2, "b"),
            new ParamKey(2, "W"),
            new ParamKey(1, "gamma"),
        };
        Assert.Equal(["1.gamma", "2.W", "2.b", "10.W"], keys.Order().Select(k => k.ToString()));
        Assert.Equal(new ParamKey(12, "beta"), ParamKey.Parse("12.beta"));
        Assert.Throws<FormatException>(() => ParamKey.Parse("W1"));
    }
}
