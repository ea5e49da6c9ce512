using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>Cumulative per-order rounding: payers pay the ceiling, receivers get the floor, the fee account keeps the rest.</summary>
/// <remarks>All on a 0.0001-tick market at 0.3333 / 0.6667, where notionals have fractional micro-USDC.</remarks>
public sealed class RoundingScenarios
{
    [Fact]
    public void A_BUY_filled_in_several_pieces_pays_the_ceiling_of_its_total_notional_not_of_each_piece()
    {
        var ex = new Exchange(FineTick);
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Bob, Yes, 5 * Share);
        var alice = ex.Buy(Alice, Yes, 3_333, 10 * Share); // reserves 10 × 0.3333 = 3.333

        // Three separate SELLs of 1_000_001 micro-shares: each piece is 1_000_001 × 0.3333 = 333_300.3333 micro-USDC.
        var pieces = new[]
        {
            ex.Sell(Bob, Yes, 3_333, 1_000_001, TimeInForce.Fak).Trades.Single(),
            ex.Sell(Bob, Yes, 3_333, 1_000_001, TimeInForce.Fak).Trades.Single(),
            ex.Sell(Bob, Yes, 3_333, 1_000_001, TimeInForce.Fak).Trades.Single(),
        };

        // Alice's running total: ceil(333_300.3333) = 333_301, ceil(666_600.6666) = 666_601, ceil(999_900.9999) = 999_901.
        ex.Expect("333301,333300,333300", string.Join(",", pieces.Select(t => t.OtherAmount)), "each piece pays the difference of the ceilings");
        ex.Expect(9_999_009_999L, ex.Order(alice.OrderId).Notional, "3 × 3_333_003_333 (1e-10 USDC)");
        ex.Expect(new Balance(100 * Usdc - 3_333_000, 3_333_000 - 999_901), ex.Cash(Alice), "paid 999_901 in total, not 3 × 333_301");
        // Each SELL is its own order: floor(333_300.3333) = 333_300 each.
        ex.Expect("333300,333300,333300", string.Join(",", pieces.Select(t => t.Amount)), "each seller gets the floor");
        ex.Expect(new Balance(1, 0), ex.Cash(Fees), "999_901 paid − 999_900 received = 1");
        ex.ExpectMoneyConserved();
    }

    [Fact]
    public void A_SELL_filled_in_several_pieces_receives_the_floor_of_its_total_notional_not_of_each_piece()
    {
        var ex = new Exchange(FineTick);
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Open(Carol, 100 * Usdc);
        ex.Open(Dave, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        ex.Sell(Alice, Yes, 3_333, 10 * Share);

        // Each BUY of 3_000_302 micro-shares is worth 3_000_302 × 0.3333 = 1_000_000.6566 micro-USDC (≥ $1).
        var pieces = new[]
        {
            ex.Buy(Bob, Yes, 3_333, 3_000_302, TimeInForce.Fak).Trades.Single(),
            ex.Buy(Carol, Yes, 3_333, 3_000_302, TimeInForce.Fak).Trades.Single(),
            ex.Buy(Dave, Yes, 3_333, 3_000_302, TimeInForce.Fak).Trades.Single(),
        };

        // Alice's running total: floor(1_000_000.6566) = 1_000_000, floor(2_000_001.3132) = 2_000_001, floor(3_000_001.9698) = 3_000_001.
        ex.Expect("1000000,1000001,1000000", string.Join(",", pieces.Select(t => t.OtherAmount)), "each piece receives the difference of the floors");
        ex.Expect(new Balance(100 * Usdc + 3_000_001, 0), ex.Cash(Alice), "3_000_001 in total, not 3 × 1_000_000");
        // Each buyer pays ceil(1_000_000.6566) = 1_000_001.
        ex.Expect("1000001,1000001,1000001", string.Join(",", pieces.Select(t => t.Amount)), "each buyer pays the ceiling");
        ex.Expect(new Balance(2, 0), ex.Cash(Fees), "3_000_003 paid − 3_000_001 received = 2");
        ex.ExpectMoneyConserved();
    }

    [Fact]
    public void A_MINT_at_prices_that_do_not_divide_evenly_sends_the_rounding_remainder_to_the_fee_account()
    {
        var ex = new Exchange(FineTick);
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Buy(Bob, No, 6_667, 5_000_001); // YES ask 0.3333

        var alice = ex.Buy(Alice, Yes, 3_333, 5_000_001);

        var trade = alice.Trades.Single();
        ex.Expect(1_666_501L, trade.Amount, "YES: ceil(5_000_001 × 0.3333) = ceil(1_666_500.3333)");
        ex.Expect(3_333_501L, trade.OtherAmount, "NO: ceil(5_000_001 × 0.6667) = ceil(3_333_500.6667)");
        ex.Expect(5_000_001L, ex.Info().Collateral, "one $1 per pair: 5_000_001 micro-USDC");
        ex.Expect(new Balance(1, 0), ex.Cash(Fees), "1_666_501 + 3_333_501 − 5_000_001 = 1");
        ex.ExpectMoneyConserved();
    }

    [Fact]
    public void A_MERGE_at_prices_that_do_not_divide_evenly_pays_the_floors_and_the_fee_account_keeps_the_rest_of_the_collateral()
    {
        var ex = new Exchange(FineTick);
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Buy(Alice, Yes, 5_000, 5_000_001);
        ex.Buy(Bob, No, 5_000, 5_000_001); // MINT at 0.50: 2_500_000.5 each, ceil → 2_500_001 each, fee account +1
        ex.Sell(Bob, No, 6_667, 5_000_001); // YES bid 0.3333

        var alice = ex.Sell(Alice, Yes, 3_333, 5_000_001);

        var trade = alice.Trades.Single();
        ex.Expect(MatchType.Merge, trade.MatchType, "two sellers");
        ex.Expect(1_666_500L, trade.Amount, "YES: floor(1_666_500.3333)");
        ex.Expect(3_333_500L, trade.OtherAmount, "NO: floor(3_333_500.6667)");
        ex.Expect(0L, ex.Info().Collateral, "all 5_000_001 released");
        ex.Expect(new Balance(2, 0), ex.Cash(Fees), "1 from the MINT + (5_000_001 − 5_000_000) from the MERGE");
        ex.ExpectMoneyConserved();
    }
}
