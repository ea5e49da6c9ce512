using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>Taker fees: <c>C × p × rate × (p(1 − p))^e</c>; a BUY pays in shares, a SELL in USDC; makers never pay.</summary>
public sealed class FeeScenarios
{
    /// <summary>Polymarket's crypto schedule: rate 0.072, exponent 1.</summary>
    private static MarketParameters Crypto => new(TickSize: 100, TakerFeeRate: 720, TakerFeeExponentHalves: 2);

    [Fact]
    public void A_SELL_taker_pays_its_fee_in_USDC_to_the_fee_account()
    {
        var ex = new Exchange(Crypto);
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 100 * Share);
        ex.Buy(Bob, Yes, 5_000, 100 * Share);

        var alice = ex.Sell(Alice, Yes, 5_000, 100 * Share);

        var trade = alice.Trades.Single();
        // 100 × 0.50 × 0.072 × (0.50 × 0.50) = 0.90 USDC.
        ex.Expect(900_000L, trade.Fee, "the fee");
        ex.ExpectTrue(!trade.FeeInShares, "a SELL taker pays in USDC");
        ex.Expect(49_100_000L, trade.Amount, "the taker nets 100 × 0.50 − 0.90 = 49.10");
        ex.Expect(new Balance(149_100_000, 0), ex.Cash(Alice), "100 + 49.10");
        ex.Expect(new Balance(900_000, 0), ex.Cash(Fees), "the fee account receives 0.90");
        ex.Expect(new Balance(50 * Usdc, 0), ex.Cash(Bob), "the maker pays exactly 100 × 0.50, no fee");
        ex.Expect(new Balance(100 * Share, 0), ex.Held(Bob, Yes), "and receives all 100 shares");
        ex.ExpectMoneyConserved();
    }

    [Fact]
    public void A_BUY_taker_pays_its_fee_in_shares_to_the_fee_account()
    {
        var ex = new Exchange(Crypto);
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 100 * Share);
        ex.Sell(Alice, Yes, 5_000, 100 * Share);

        var bob = ex.Buy(Bob, Yes, 5_000, 100 * Share);

        var trade = bob.Trades.Single();
        // fee / p = 100 × 0.072 × 0.25 = 1.8 shares.
        ex.Expect(1_800_000L, trade.Fee, "the fee in micro-shares");
        ex.ExpectTrue(trade.FeeInShares, "a BUY taker pays in shares");
        ex.Expect(new Balance(98_200_000, 0), ex.Held(Bob, Yes), "Bob receives 100 − 1.8 = 98.2 YES");
        ex.Expect(new Balance(1_800_000, 0), ex.Held(Fees, Yes), "the fee account receives 1.8 YES");
        ex.Expect(new Balance(50 * Usdc, 0), ex.Cash(Bob), "Bob still pays 100 × 0.50 = 50.00");
        ex.Expect(new Balance(150 * Usdc, 0), ex.Cash(Alice), "the maker receives the full 50.00");
        ex.Expect(new Balance(0, 0), ex.Cash(Fees), "no USDC fee on a BUY");
        ex.ExpectMoneyConserved();
    }

    [Fact]
    public void A_NO_buyer_taking_a_MINT_pays_the_fee_on_its_own_NO_price_and_the_maker_pays_none()
    {
        var ex = new Exchange(Crypto);
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Buy(Alice, Yes, 8_000, 100 * Share); // NO ask 0.20

        var bob = ex.Buy(Bob, No, 2_000, 100 * Share);

        // p = 0.20 for the NO taker: 100 × 0.072 × (0.20 × 0.80) = 1.152 shares.
        ex.Expect(1_152_000L, bob.Trades.Single().Fee, "fee at the taker's own price");
        ex.Expect(new Balance(98_848_000, 0), ex.Held(Bob, No), "100 − 1.152 NO");
        ex.Expect(new Balance(1_152_000, 0), ex.Held(Fees, No), "1.152 NO to the fee account");
        ex.Expect(new Balance(100 * Share, 0), ex.Held(Alice, Yes), "the maker gets all 100 YES");
        ex.Expect(new Balance(20 * Usdc, 0), ex.Cash(Alice), "and pays 100 × 0.80 = 80.00, nothing more");
        ex.Expect(new Balance(80 * Usdc, 0), ex.Cash(Bob), "100 × 0.20 = 20.00");
        ex.ExpectMoneyConserved();
    }

    [Theory]
    [InlineData(0, 720, 5_000, 3_600_000, 46_400_000)] // 100 × 0.5 × 0.072 × 1            = 3.60
    [InlineData(1, 300, 5_000, 750_000, 49_250_000)]   // 100 × 0.5 × 0.03 × √0.25 = 0.5    = 0.75
    [InlineData(2, 720, 5_000, 900_000, 49_100_000)]   // 100 × 0.5 × 0.072 × 0.25          = 0.90
    [InlineData(4, 720, 5_000, 225_000, 49_775_000)]   // 100 × 0.5 × 0.072 × 0.25²         = 0.225
    [InlineData(2, 720, 2_000, 230_400, 19_769_600)]   // 100 × 0.2 × 0.072 × 0.16          = 0.2304
    [InlineData(1, 300, 2_000, 240_000, 19_760_000)]   // 100 × 0.2 × 0.03 × √0.16 = 0.4    = 0.24
    public void The_SELL_fee_follows_the_rate_and_the_exponent_of_the_fee_curve(
        int exponentHalves, int rate, int price, long fee, long netProceeds)
    {
        var ex = new Exchange(new MarketParameters(TickSize: 100, TakerFeeRate: rate, TakerFeeExponentHalves: exponentHalves));
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 100 * Share);
        ex.Buy(Bob, Yes, price, 100 * Share);

        var alice = ex.Sell(Alice, Yes, price, 100 * Share);

        ex.Expect(fee, alice.Trades.Single().Fee, $"fee at rate {rate}e-4, exponent {exponentHalves}/2, p {price}e-4");
        ex.Expect(new Balance(100 * Usdc + netProceeds, 0), ex.Cash(Alice), "100 shares × p − fee");
        ex.Expect(new Balance(fee, 0), ex.Cash(Fees), "all of it to the fee account");
    }

    [Fact]
    public void A_fee_is_rounded_up_to_the_next_micro_unit()
    {
        var ex = new Exchange(Crypto);
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        ex.Sell(Alice, Yes, 3_300, 7_000_001);

        var bob = ex.Buy(Bob, Yes, 3_300, 7_000_001);

        // 7_000_001 × 0.072 × (0.33 × 0.67) = 7_000_001 × 0.072 × 0.2211 = 111_434.4159 → 111_435 micro-shares.
        ex.Expect(111_435L, bob.Trades.Single().Fee, "never below the exact figure");
        ex.Expect(new Balance(7_000_001 - 111_435, 0), ex.Held(Bob, Yes), "6_888_566 YES to Bob");
    }

    [Fact]
    public void A_SELL_fee_is_capped_at_the_cash_the_fill_gives_the_taker()
    {
        // Rate 1.0 with exponent 0: fee = C × p, which rounds up above the floor(C × p) the seller receives.
        var ex = new Exchange(new MarketParameters(TickSize: 1, TakerFeeRate: 10_000, TakerFeeExponentHalves: 0));
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        ex.Buy(Bob, Yes, 3_333, 5_000_001);

        var alice = ex.Sell(Alice, Yes, 3_333, 5_000_001);

        var trade = alice.Trades.Single();
        // Proceeds floor(5_000_001 × 0.3333) = floor(1_666_500.3333) = 1_666_500; fee ceil(…) = 1_666_501 → capped at 1_666_500.
        ex.Expect(1_666_500L, trade.Fee, "the fee never exceeds the proceeds");
        ex.Expect(0L, trade.Amount, "the taker nets nothing, never less");
        ex.Expect(new Balance(100 * Usdc, 0), ex.Cash(Alice), "Alice's cash is unchanged");
        // Fee 1_666_500 + rounding (Bob paid ceil = 1_666_501, Alice was credited 1_666_500) 1.
        ex.Expect(new Balance(1_666_501, 0), ex.Cash(Fees), "fee plus rounding remainder");
        ex.ExpectMoneyConserved();
    }

    [Fact]
    public void A_market_without_a_fee_rate_charges_no_fee()
    {
        var ex = new Exchange(); // TakerFeeRate 0
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 100 * Share);
        ex.Sell(Alice, Yes, 5_000, 100 * Share);

        var bob = ex.Buy(Bob, Yes, 5_000, 100 * Share);

        ex.Expect(0L, bob.Trades.Single().Fee, "fee-free");
        ex.Expect(new Balance(100 * Share, 0), ex.Held(Bob, Yes), "all 100 shares");
        ex.Expect(new Balance(0, 0), ex.Held(Fees, Yes), "nothing to the fee account");
    }
}
