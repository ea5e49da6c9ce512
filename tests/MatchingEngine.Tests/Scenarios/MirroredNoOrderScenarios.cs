using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>One book in YES terms: NO orders rest mirrored at 1 − price and show in both tokens' views.</summary>
public sealed class MirroredNoOrderScenarios
{
    [Fact]
    public void A_BUY_NO_at_q_rests_as_a_YES_ask_at_one_minus_q_and_as_a_NO_bid_at_q()
    {
        var ex = new Exchange();
        ex.Open(Bob, 100 * Usdc);

        var bob = ex.Buy(Bob, No, 3_500, 10 * Share);

        ex.Expect("6500:10000000:1", Render(ex.Levels(Yes, Side.Sell)), "YES asks: 1 − 0.35 = 0.65");
        ex.Expect("3500:10000000:1", Render(ex.Levels(No, Side.Buy)), "NO bids: 0.35");
        ex.Expect(string.Empty, Render(ex.Levels(Yes, Side.Buy)), "no YES bids");
        ex.Expect(string.Empty, Render(ex.Levels(No, Side.Sell)), "no NO asks");
        ex.Expect(6_500, ex.Info().BestAsk, "best YES ask");
        ex.Expect(6_500, ex.Order(bob.OrderId).BookPrice, "book price in YES terms");
        ex.Expect(3_500, ex.Order(bob.OrderId).Price, "own-token price");
    }

    [Fact]
    public void A_SELL_NO_at_q_rests_as_a_YES_bid_at_one_minus_q_and_as_a_NO_ask_at_q()
    {
        var ex = new Exchange();
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Bob, No, 10 * Share);

        ex.Sell(Bob, No, 3_500, 10 * Share);

        ex.Expect("6500:10000000:1", Render(ex.Levels(Yes, Side.Buy)), "YES bids: 1 − 0.35 = 0.65");
        ex.Expect("3500:10000000:1", Render(ex.Levels(No, Side.Sell)), "NO asks: 0.35");
        ex.Expect(string.Empty, Render(ex.Levels(Yes, Side.Sell)), "no YES asks");
        ex.Expect(6_500, ex.Info().BestBid, "best YES bid");
    }

    [Theory]
    [InlineData(Outcome.Yes, Side.Buy, 3_000, true, 3_000)]
    [InlineData(Outcome.No, Side.Sell, 3_000, true, 7_000)]
    [InlineData(Outcome.Yes, Side.Sell, 7_000, false, 7_000)]
    [InlineData(Outcome.No, Side.Buy, 3_500, false, 6_500)]
    public void Each_order_kind_rests_in_the_YES_book_as_the_spec_table_says_and_its_mirror_in_the_NO_book(
        Outcome outcome, Side side, int price, bool yesBid, int yesPrice)
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.GiveShares(Alice, outcome, 10 * Share, price: 2_000); // rests and fills at a price none of the cases cross

        ex.Place(Alice, outcome, side, price, 10 * Share);

        var yes = ex.Levels(Yes, yesBid ? Side.Buy : Side.Sell);
        var no = ex.Levels(No, yesBid ? Side.Sell : Side.Buy);
        ex.Expect($"{yesPrice}:10000000:1", Render(yes), "the YES view");
        ex.Expect($"{10_000 - yesPrice}:10000000:1", Render(no), "the NO view: other side, complementary price, same size");
    }

    [Fact]
    public void A_BUY_NO_taker_fills_against_a_resting_YES_buyer_as_a_MINT_and_gets_the_price_improvement()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Buy(Alice, Yes, 4_200, 10 * Share); // YES bid 0.42 = NO ask 0.58

        var bob = ex.Buy(Bob, No, 6_000, 10 * Share); // willing to pay 0.60 for NO

        var trade = bob.Trades.Single();
        ex.Expect(MatchType.Mint, trade.MatchType, "two buyers");
        ex.Expect(5_800, trade.TakerPrice, "Bob pays the mirrored 1 − 0.42 = 0.58");
        ex.Expect(4_200, trade.MakerPrice, "Alice pays her own 0.42");
        ex.Expect(new Balance(94_200_000, 0), ex.Cash(Bob), "10 × 0.58 = 5.80; the 0.20 above it released");
        ex.Expect(new Balance(95_800_000, 0), ex.Cash(Alice), "10 × 0.42 = 4.20");
        ex.Expect(10 * Usdc, ex.Info().Collateral, "5.80 + 4.20 = 10 pairs");
    }

    [Fact]
    public void A_NO_taker_walks_the_YES_bids_from_the_highest_which_is_the_cheapest_NO()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Open(Carol, 100 * Usdc);
        var bob = ex.Buy(Bob, Yes, 4_000, 5 * Share);     // NO 0.60
        var alice = ex.Buy(Alice, Yes, 4_500, 5 * Share); // NO 0.55

        var carol = ex.Buy(Carol, No, 6_000, 10 * Share);

        ex.Expect(alice.OrderId, carol.Trades[0].MakerOrderId, "YES 0.45 first: NO at 0.55");
        ex.Expect(5_500, carol.Trades[0].TakerPrice, "NO 0.55");
        ex.Expect(bob.OrderId, carol.Trades[1].MakerOrderId, "then YES 0.40: NO at 0.60");
        ex.Expect(6_000, carol.Trades[1].TakerPrice, "NO 0.60");
        ex.Expect(new Balance(100 * Usdc - 5_750_000, 0), ex.Cash(Carol), "5 × 0.55 + 5 × 0.60 = 5.75");
    }

    [Fact]
    public void The_NO_best_bid_and_ask_are_the_mirror_of_the_YES_best_ask_and_bid()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Buy(Alice, Yes, 3_000, 10 * Share); // YES bid 0.30
        ex.Buy(Alice, No, 6_000, 10 * Share);  // YES ask 0.40

        ex.Expect(3_000, ex.Info().BestBid, "YES best bid 0.30");
        ex.Expect(4_000, ex.Info().BestAsk, "YES best ask 0.40");
        ex.Expect(6_000, ex.Levels(No, Side.Buy)[0].Price, "NO best bid = 1 − YES best ask");
        ex.Expect(7_000, ex.Levels(No, Side.Sell)[0].Price, "NO best ask = 1 − YES best bid");
    }

    private static string Render(IReadOnlyList<PriceLevel> levels) =>
        string.Join(" ", levels.Select(l => $"{l.Price}:{l.Size}:{l.Orders}"));
}
