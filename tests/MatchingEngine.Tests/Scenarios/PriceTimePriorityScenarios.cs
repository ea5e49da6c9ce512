using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>Price-time priority: better price first, FIFO within a level across both tokens, makers at their own price.</summary>
public sealed class PriceTimePriorityScenarios
{
    [Fact]
    public void Within_a_level_orders_fill_first_in_first_out_whichever_token_they_are_on()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Open(Carol, 100 * Usdc);
        ex.Open(Dave, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.GiveShares(Carol, Yes, 5 * Share);

        // Three orders at YES ask 0.60, in this time order: a NO buyer (mirrored), then two YES sellers.
        var bob = ex.Buy(Bob, No, 4_000, 5 * Share);
        var alice = ex.Sell(Alice, Yes, 6_000, 5 * Share);
        var carol = ex.Sell(Carol, Yes, 6_000, 5 * Share);
        ex.Expect(
            string.Join(",", bob.OrderId, alice.OrderId, carol.OrderId),
            string.Join(",", ex.QueueAt(bid: false, 6_000)),
            "one queue at YES 0.60 in arrival order");

        var dave = ex.Buy(Dave, Yes, 6_000, 7 * Share);

        var trades = dave.Trades;
        ex.Expect(2, trades.Count, "7 shares take Bob's 5 and 2 of Alice's");
        ex.Expect(bob.OrderId, trades[0].MakerOrderId, "the earliest order (a NO buyer) fills first");
        ex.Expect(5 * Share, trades[0].Size, "all of Bob's 5");
        ex.Expect(MatchType.Mint, trades[0].MatchType, "YES buyer + NO buyer");
        ex.Expect(alice.OrderId, trades[1].MakerOrderId, "then Alice, the next in time");
        ex.Expect(2 * Share, trades[1].Size, "the last 2 shares");
        ex.Expect(MatchType.Normal, trades[1].MatchType, "YES buyer + YES seller");
        ex.Expect(3 * Share, ex.Order(alice.OrderId).Remaining, "Alice keeps 5 − 2 = 3 at the front");
        ex.Expect(5 * Share, ex.Order(carol.OrderId).Remaining, "Carol, last in the queue, is untouched");
        ex.Expect(new Balance(100 * Usdc - 4_200_000, 0), ex.Cash(Dave), "Dave paid 7 × 0.60 = 4.20");
    }

    [Fact]
    public void A_better_price_fills_before_an_earlier_order_at_a_worse_price()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Open(Dave, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.GiveShares(Bob, Yes, 5 * Share);
        var alice = ex.Sell(Alice, Yes, 6_200, 5 * Share); // first, at 0.62
        var bob = ex.Sell(Bob, Yes, 6_000, 5 * Share);     // later, at the better 0.60

        var dave = ex.Buy(Dave, Yes, 6_500, 10 * Share);

        ex.Expect(bob.OrderId, dave.Trades[0].MakerOrderId, "the lowest ask fills first although it came later");
        ex.Expect(6_000, dave.Trades[0].MakerPrice, "at 0.60");
        ex.Expect(alice.OrderId, dave.Trades[1].MakerOrderId, "then the next price up");
        ex.Expect(6_200, dave.Trades[1].MakerPrice, "at 0.62");
    }

    [Fact]
    public void Makers_fill_at_their_own_price_and_the_taker_gets_the_improvement()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Open(Dave, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.GiveShares(Bob, Yes, 5 * Share);
        ex.Sell(Bob, Yes, 6_000, 5 * Share);
        ex.Sell(Alice, Yes, 6_200, 5 * Share);

        var dave = ex.Buy(Dave, Yes, 6_500, 10 * Share); // willing to pay 0.65 for all 10

        ex.Expect(6_000, dave.Trades[0].TakerPrice, "the taker trades at the maker's 0.60, not its own 0.65");
        ex.Expect(3_000_000L, dave.Trades[0].Amount, "5 × 0.60 = 3.00");
        ex.Expect(6_200, dave.Trades[1].TakerPrice, "then at 0.62");
        ex.Expect(3_100_000L, dave.Trades[1].Amount, "5 × 0.62 = 3.10");
        ex.Expect(new Balance(100 * Usdc - 6_100_000, 0), ex.Cash(Dave), "Dave paid 6.10, not 10 × 0.65 = 6.50");
        ex.Expect(new Balance(100 * Usdc + 3_000_000, 0), ex.Cash(Bob), "Bob got his 0.60 × 5");
        ex.Expect(new Balance(100 * Usdc + 3_100_000, 0), ex.Cash(Alice), "Alice got her 0.62 × 5");
    }

    [Fact]
    public void A_BUY_sized_in_shares_pays_the_makers_lower_price_and_gets_the_excess_reservation_released()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Dave, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.Sell(Alice, Yes, 6_000, 5 * Share);

        // Reserves 10 × 0.65 = 6.50 on acceptance; fills 5 at 0.60 (3.00) and rests 5 at 0.65.
        var dave = ex.Buy(Dave, Yes, 6_500, 10 * Share);

        ex.Expect(3_000_000L, dave.Trades.Single().Amount, "5 × 0.60");
        ex.Expect(3_250_000L, ex.Order(dave.OrderId).Reserved, "the remainder needs only 5 × 0.65 = 3.25");
        // 100 − 3.00 paid − 3.25 still reserved = 93.75: the 5 × (0.65 − 0.60) = 0.25 improvement came back at once.
        ex.Expect(new Balance(93_750_000, 3_250_000), ex.Cash(Dave), "improvement released");
    }

    [Fact]
    public void A_SELL_taker_walks_bids_from_the_highest_down_and_receives_each_makers_price()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Open(Carol, 100 * Usdc);
        ex.GiveShares(Carol, Yes, 10 * Share);
        var bob = ex.Buy(Bob, Yes, 5_000, 5 * Share);     // earlier, lower
        var alice = ex.Buy(Alice, Yes, 5_500, 5 * Share); // later, higher

        var carol = ex.Sell(Carol, Yes, 4_500, 8 * Share);

        ex.Expect(alice.OrderId, carol.Trades[0].MakerOrderId, "the highest bid first");
        ex.Expect(5 * Share, carol.Trades[0].Size, "all 5 at 0.55");
        ex.Expect(bob.OrderId, carol.Trades[1].MakerOrderId, "then 0.50");
        ex.Expect(3 * Share, carol.Trades[1].Size, "the last 3");
        // 5 × 0.55 + 3 × 0.50 = 2.75 + 1.50 = 4.25, not 8 × 0.45.
        ex.Expect(new Balance(104_250_000, 0), ex.Cash(Carol), "Carol receives each maker's price");
        ex.Expect(2 * Share, ex.Order(bob.OrderId).Remaining, "Bob keeps 5 − 3 = 2");
    }

    [Fact]
    public void A_taker_stops_at_its_limit_and_rests_the_remainder_at_its_own_price()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Open(Dave, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.GiveShares(Bob, Yes, 5 * Share);
        ex.Sell(Alice, Yes, 6_000, 5 * Share);
        ex.Sell(Bob, Yes, 6_200, 5 * Share);

        var dave = ex.Buy(Dave, Yes, 6_100, 10 * Share);

        ex.Expect(1, dave.Trades.Count, "0.62 is beyond the 0.61 limit");
        ex.Expect(5 * Share, dave.Of(EventKind.OrderRested).Single().Remaining, "5 rest");
        ex.Expect(6_100, ex.Info().BestBid, "at Dave's own 0.61");
        ex.Expect(6_200, ex.Info().BestAsk, "Bob's 0.62 still offered");
        ex.Expect(new Balance(100 * Usdc - 3_000_000 - 3_050_000, 3_050_000), ex.Cash(Dave), "paid 3.00, 5 × 0.61 = 3.05 reserved");
    }
}
