using System.Numerics;
using CsCheck;

namespace Polysim.MatchingEngine.Tests.Properties;

/// <summary>The taker fee formula against exact rational arithmetic, over CsCheck-generated inputs from a fixed seed.</summary>
public class TakerFeeProperties
{
    private const int Scale = Units.PriceScale;

    private static readonly Gen<(long Size, int Price, int Rate, int Halves, bool InShares)> Inputs = Gen.Select(
        Gen.OneOf(Gen.Long[1, 1_000], Gen.Long[1, 1_000 * Units.AmountScale], Gen.Long[1, Units.MaxAmount]),
        Gen.OneOf(Gen.Int[1, Scale - 1], Gen.OneOf(1, 2, 5_000, 9_998, 9_999)),
        Gen.OneOf(Gen.Int[0, Scale], Gen.OneOf(0, 1, 720, Scale)),
        Gen.OneOf(0, 1, 2, 4),
        Gen.Bool);

    [Fact]
    public void Taker_fee_is_the_exact_figure_rounded_up_and_half_exponents_never_fall_below_it()
    {
        // A fixed PCG seed keeps CI deterministic; a failure names the inputs, which Check.Sample can then shrink.
        var pcg = new PCG(7, 20_250_101);
        for (var i = 0; i < 50_000; i++)
        {
            var (size, price, rate, halves, inShares) = Inputs.Generate(pcg, null, out _);
            var parameters = new MarketParameters(1, TakerFeeRate: rate, TakerFeeExponentHalves: halves);

            var fee = Engine.TakerFee(parameters, size, price, inShares);
            var exact = ExactCeiling(size, price, rate, halves, inShares);

            // Integer exponents are exact. A half exponent rounds √(p(1−p)) up at 1e-12: never below the exact figure, and
            // above it by at most size × rate (× price for USDC) × 1e-16 (1e-20), plus the final rounding up.
            Int128 tenToThe16 = 10_000_000_000_000_000;
            var slack = 1 + (size * (Int128)rate * (inShares ? 1 : price) / (inShares ? tenToThe16 : tenToThe16 * Scale));
            var ok = halves % 2 == 0 ? fee == exact : fee >= exact && fee <= exact + slack;
            Assert.True(ok, $"fee({size}, p {price}, rate {rate}, halves {halves}, {(inShares ? "shares" : "usdc")}) = {fee}, exact ceiling {exact}");
        }
    }

    [Fact]
    public void The_reference_model_fee_agrees_with_the_exact_figure_for_integer_exponents()
    {
        var pcg = new PCG(8, 20_250_102);
        for (var i = 0; i < 10_000; i++)
        {
            var (size, price, rate, halves, _) = Inputs.Generate(pcg, null, out _);
            var even = halves % 2 == 0 ? halves : halves + 1;
            var parameters = new MarketParameters(1, TakerFeeRate: rate, TakerFeeExponentHalves: even);

            Assert.Equal(ExactCeiling(size, price, rate, even, inShares: true), ReferenceExchange.FeeInShares(parameters, size, price));
            Assert.Equal(ExactCeiling(size, price, rate, even, inShares: false), ReferenceExchange.FeeInUsdc(parameters, size, price));
        }
    }

    /// <summary>
    /// ⌈C × p × rate × (p(1−p))^(halves/2)⌉ in micro-USDC, or divided by p in micro-shares: the smallest integer f with
    /// f ≥ X × √(q^halves) / D, i.e. (f × D)² ≥ X² × q^halves, which needs no square root at all.
    /// </summary>
    private static long ExactCeiling(long size, int price, int rate, int halves, bool inShares)
    {
        var q = new BigInteger(price) * (Scale - price); // p(1−p) × 10⁸, so √q^halves is scaled by 10^(4 × halves)
        var x = new BigInteger(size) * rate;
        var d = BigInteger.Pow(10, 4 + (4 * halves)); // rate/10⁴ and (√(p(1−p)))^halves
        if (!inShares)
        {
            x *= price;
            d *= Scale;
        }

        var target = x * x * BigInteger.Pow(q, halves);
        long lo = 0;
        var hi = (long)(x / BigInteger.Pow(10, inShares ? 4 : 8)) + 2; // (p(1−p))^e ≤ 1 and p ≤ 1 bound the fee
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            var scaled = mid * d;
            if (scaled * scaled >= target)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }
}
