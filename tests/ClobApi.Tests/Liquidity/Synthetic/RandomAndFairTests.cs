using System.Globalization;
using Polysim.ClobApi.Liquidity.Synthetic;
using Xunit.Abstractions;

namespace Polysim.ClobApi.Tests.Liquidity.Synthetic;

/// <summary>The random streams, the fair process (research §5 tests 2 and 3) and the Avellaneda–Stoikov formulas (test 5).</summary>
[Trait("Mode", "Embedded")]
public sealed class RandomAndFairTests(ITestOutputHelper output)
{
    [Fact]
    public void SplitMix64_and_xoshiro256_starstar_match_their_reference_outputs()
    {
        ulong state = 0;
        Assert.Equal(0xE220A8397B1DCDAFUL, Prng.SplitMix64(ref state));
        Assert.Equal(0x6E789E6AA1B965F4UL, Prng.SplitMix64(ref state));

        var rng = Prng.FromState(1, 2, 3, 4);
        Assert.Equal(11520UL, rng.NextUInt64());
        Assert.Equal(0UL, rng.NextUInt64());
        Assert.Equal(1509978240UL, rng.NextUInt64());
        Assert.Equal(1215971899390074240UL, rng.NextUInt64());
    }

    [Fact]
    public void Streams_of_different_ids_or_seeds_differ_and_the_same_id_repeats()
    {
        Assert.Equal(Prng.ForStream(7, 3).NextUInt64(), Prng.ForStream(7, 3).NextUInt64());
        Assert.NotEqual(Prng.ForStream(7, 3).NextUInt64(), Prng.ForStream(7, 4).NextUInt64());
        Assert.NotEqual(Prng.ForStream(7, 3).NextUInt64(), Prng.ForStream(8, 3).NextUInt64());
    }

    [Fact]
    public void Draws_have_the_moments_of_their_distributions()
    {
        var rng = new Prng(42);
        const int n = 200_000;
        double sum = 0, sumSq = 0, exp = 0, poisson = 0, logn = 0;
        for (var i = 0; i < n; i++)
        {
            var z = rng.Normal();
            sum += z;
            sumSq += z * z;
            exp += rng.Exponential(4);
            poisson += rng.Poisson(2.5);
            logn += Math.Log(rng.LogNormal(25, 1.0));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"normal mean {sum / n:0.0000} var {sumSq / n:0.0000}; exp mean {exp / n:0.000}; poisson mean {poisson / n:0.000}; mean ln lognormal {logn / n:0.000} (ln 25 = {Math.Log(25):0.000})"));
        Assert.InRange(sum / n, -0.01, 0.01);
        Assert.InRange(sumSq / n, 0.98, 1.02);
        Assert.InRange(exp / n, 3.95, 4.05);
        Assert.InRange(poisson / n, 2.48, 2.52);
        Assert.InRange(logn / n, Math.Log(25) - 0.01, Math.Log(25) + 0.01);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.15)]
    public void The_fair_probability_is_a_martingale_over_2000_paths_of_4_hours(double p0)
    {
        // Research §5 test 2: demo parameters (σ_b 0.12/√h, λ_J 1/h, s_J 0.25), Δ = 5 s.
        var parameters = FairParameters.Demo with { StepS = 5 };
        const int paths = 2000;
        var steps = 4 * 3600 / 5;
        double sum = 0, sumSq = 0;
        for (var path = 0; path < paths; path++)
        {
            var fair = new FairProcess(parameters, p0, Prng.ForStream(2026, (ulong)path));
            for (var s = 0; s < steps; s++)
            {
                fair.Step();
            }

            sum += fair.P;
            sumSq += fair.P * fair.P;
        }

        var mean = sum / paths;
        var se = Math.Sqrt(((sumSq / paths) - (mean * mean)) / (paths - 1));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"p0 {p0}: mean p_T {mean:0.0000}, s.e. {se:0.0000}, |mean − p0| / s.e. = {Math.Abs(mean - p0) / se:0.00}"));
        Assert.True(Math.Abs(mean - p0) < 3 * se, $"mean {mean} is more than 3 s.e. ({se}) from {p0}");
    }

    [Fact]
    public void Without_the_drift_a_logit_random_walk_is_pulled_towards_one_half()
    {
        // The reason the drift exists: at p0 = 0.15 a driftless logit walk's mean drifts up; the drift cancels it exactly.
        var parameters = FairParameters.Demo;
        var x = Math.Log(0.15 / 0.85);
        Assert.True(FairProcess.MartingaleDrift(x, parameters) < 0);
        Assert.Equal(0, FairProcess.MartingaleDrift(0, parameters), 12);
        Assert.True(FairProcess.MartingaleDrift(-x, parameters) > 0);
    }

    [Fact]
    public void The_exact_drift_agrees_with_the_second_order_form_when_jumps_are_small()
    {
        // μ ≈ −½·(1−2p)·(σ_b² + λ_J·s_J²) holds to second order in the jump size.
        var parameters = new FairParameters(0.12, 1.0, SJ: 0.02);
        foreach (var p in (double[])[0.1, 0.3, 0.7, 0.9])
        {
            var x = Math.Log(p / (1 - p));
            var exact = FairProcess.MartingaleDrift(x, parameters);
            var second = -0.5 * (1 - (2 * p)) * ((0.12 * 0.12) + (1.0 * 0.02 * 0.02));
            Assert.Equal(second, exact, 6);
        }
    }

    [Fact]
    public void Jumps_arrive_at_the_configured_rate_over_ten_thousand_hours()
    {
        // Research §5 test 3: N ~ Poisson(λ_J·T), so within 3·√(λ_J·T) of λ_J·T.
        var parameters = FairParameters.Demo with { StepS = 60 };
        var fair = new FairProcess(parameters, 0.5, Prng.ForStream(99, 1));
        const int hours = 10_000;
        for (var s = 0; s < hours * 60; s++)
        {
            fair.Step();
        }

        var expected = parameters.LambdaJ * hours;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{fair.Jumps} jumps in {hours} h = {(double)fair.Jumps / hours:0.0000}/h (λ_J {parameters.LambdaJ}/h, 3σ = ±{3 * Math.Sqrt(expected):0})"));
        Assert.InRange(fair.Jumps, expected - (3 * Math.Sqrt(expected)), expected + (3 * Math.Sqrt(expected)));
    }

    [Theory]
    [InlineData(-2, 100.8)]
    [InlineData(0, 100.0)]
    [InlineData(2, 99.2)]
    public void Avellaneda_Stoikov_reservation_price_and_spread_match_the_paper_settings(double q, double expectedR)
    {
        // Research §5 test 5: s = 100, σ = 2, γ = 0.1, k = 1.5, τ = 1 → r = s − 0.4q, spread = 0.4 + 20·ln(1 + 0.1/1.5).
        var r = AvellanedaStoikov.ReservationPrice(100, q, 0.1, 2, 1);
        var spread = AvellanedaStoikov.TotalSpread(0.1, 2, 1, 1.5);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"q {q}: r {r:0.0000}, total spread {spread:0.0000}"));
        Assert.Equal(expectedR, r, 10);
        Assert.InRange(spread, 1.6907, 1.6908); // 0.4 + 20·ln(16/15) = 1.690770…
    }

    [Fact]
    public void Tick_quotes_floor_the_bid_ceil_the_ask_and_skew_with_inventory()
    {
        Assert.Equal((48L, 52L), AvellanedaStoikov.QuoteTicks(50, 0, 1.5, 1));
        Assert.Equal((48L, 52L), AvellanedaStoikov.QuoteTicks(50.3, 0, 1.5, 1));
        Assert.Equal((49L, 51L), AvellanedaStoikov.QuoteTicks(50, 0, 1.0, 1));
        Assert.Equal((47L, 51L), AvellanedaStoikov.QuoteTicks(50, 100, 1.5, 1));
        Assert.Equal((50L, 51L), AvellanedaStoikov.QuoteTicks(50.5, 0, 0, 1));
        Assert.Equal((50L, 51L), AvellanedaStoikov.QuoteTicks(50, 0, 0, 1));
        Assert.InRange(AvellanedaStoikov.SkewTicksPer100(0.5, 0.12, 1.0, 1.0 / 12, 0.01), 0.749, 0.751);
    }
}
