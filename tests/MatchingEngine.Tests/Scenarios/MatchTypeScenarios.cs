using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>The three match types and exactly what each moves: cash, shares, collateral.</summary>
public sealed class MatchTypeScenarios
{
    [Fact]
    public void A_YES_buyer_meeting_a_YES_seller_is_a_NORMAL_trade_that_moves_shares_and_cash_but_not_collateral()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share); // collateral 10 (the house holds the 10 NO)
        ex.Sell(Alice, Yes, 4_000, 10 * Share);

        var bob = ex.Buy(Bob, Yes, 4_000, 10 * Share);

        ex.Expect(MatchType.Normal, bob.Trades.Single().MatchType, "BUY + SELL of the same token");
        ex.Expect(new Balance(96 * Usdc, 0), ex.Cash(Bob), "Bob pays 10 × 0.40 = 4.00");
        ex.Expect(new Balance(104 * Usdc, 0), ex.Cash(Alice), "Alice receives 4.00");
        ex.Expect(new Balance(10 * Share, 0), ex.Held(Bob, Yes), "Bob gets Alice's 10 YES");
        ex.Expect(new Balance(0, 0), ex.Held(Alice, Yes), "Alice's reserved shares left her");
        ex.Expect(10 * Usdc, ex.Info().Collateral, "no pair created or destroyed");
        ex.Expect(new Balance(0, 0), ex.Cash(Fees), "exact prices leave no rounding remainder");
        ex.ExpectMoneyConserved();
    }

    [Fact]
    public void A_YES_buyer_meeting_a_NO_buyer_is_a_MINT_where_both_pay_and_a_new_pair_is_collateralised()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Buy(Bob, No, 6_000, 10 * Share); // rests as a YES ask at 0.40

        var alice = ex.Buy(Alice, Yes, 4_000, 10 * Share);

        var trade = alice.Trades.Single();
        ex.Expect(MatchType.Mint, trade.MatchType, "BUY YES + BUY NO");
        ex.Expect(4_000, trade.TakerPrice, "the YES side trades at the book price 0.40");
        ex.Expect(6_000, trade.MakerPrice, "the NO side at 1 − 0.40 = 0.60");
        ex.Expect(new Balance(96 * Usdc, 0), ex.Cash(Alice), "Alice pays 10 × 0.40 = 4.00");
        ex.Expect(new Balance(94 * Usdc, 0), ex.Cash(Bob), "Bob pays 10 × 0.60 = 6.00");
        ex.Expect(10 * Usdc, ex.Info().Collateral, "4.00 + 6.00 = 10 pairs × $1 locked");
        ex.Expect(new Balance(10 * Share, 0), ex.Held(Alice, Yes), "10 new YES");
        ex.Expect(new Balance(10 * Share, 0), ex.Held(Bob, No), "10 new NO");
        ex.Expect(10 * Share, ex.Engine.GetSupply(MainMarket, Yes), "YES supply = collateral");
        ex.Expect(10 * Share, ex.Engine.GetSupply(MainMarket, No), "NO supply = collateral");
        ex.ExpectMoneyConserved();
    }

    [Fact]
    public void A_YES_seller_meeting_a_NO_seller_is_a_MERGE_that_destroys_the_pair_and_releases_its_collateral()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Buy(Alice, Yes, 5_000, 10 * Share);
        ex.Buy(Bob, No, 5_000, 10 * Share); // MINT: each paid 5.00, collateral 10
        ex.Sell(Bob, No, 6_000, 10 * Share); // rests as a YES bid at 0.40

        var alice = ex.Sell(Alice, Yes, 4_000, 10 * Share);

        var trade = alice.Trades.Single();
        ex.Expect(MatchType.Merge, trade.MatchType, "SELL YES + SELL NO");
        ex.Expect(4_000, trade.TakerPrice, "YES side at 0.40");
        ex.Expect(6_000, trade.MakerPrice, "NO side at 0.60");
        ex.Expect(new Balance(99 * Usdc, 0), ex.Cash(Alice), "100 − 5.00 + 10 × 0.40 = 99.00");
        ex.Expect(new Balance(101 * Usdc, 0), ex.Cash(Bob), "100 − 5.00 + 10 × 0.60 = 101.00");
        ex.Expect(0L, ex.Info().Collateral, "10 pairs merged back into $10");
        ex.Expect(new Balance(0, 0), ex.Held(Alice, Yes), "Alice's YES destroyed");
        ex.Expect(new Balance(0, 0), ex.Held(Bob, No), "Bob's NO destroyed");
        ex.Expect(0L, ex.Engine.GetSupply(MainMarket, Yes), "no YES left");
        ex.ExpectMoneyConserved();
    }

    [Fact]
    public void A_NO_buyer_meeting_a_NO_seller_is_a_NORMAL_trade_in_NO_shares()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, No, 10 * Share);
        ex.Sell(Alice, No, 3_000, 10 * Share); // rests as a YES bid at 0.70

        var bob = ex.Buy(Bob, No, 3_000, 10 * Share);

        var trade = bob.Trades.Single();
        ex.Expect(MatchType.Normal, trade.MatchType, "BUY NO + SELL NO");
        ex.Expect(3_000, trade.TakerPrice, "both at NO 0.30");
        ex.Expect(3_000, trade.MakerPrice, "both at NO 0.30");
        ex.Expect(new Balance(97 * Usdc, 0), ex.Cash(Bob), "10 × 0.30 = 3.00");
        ex.Expect(new Balance(103 * Usdc, 0), ex.Cash(Alice), "3.00 received");
        ex.Expect(new Balance(10 * Share, 0), ex.Held(Bob, No), "the NO shares move");
        ex.Expect(10 * Usdc, ex.Info().Collateral, "unchanged");
        ex.ExpectMoneyConserved();
    }

    [Fact]
    public void A_SELL_YES_taker_can_meet_a_YES_buyer_and_a_NO_seller_in_one_walk()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Open(Carol, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        ex.GiveShares(Bob, No, 5 * Share); // collateral now 15
        ex.Sell(Bob, No, 4_500, 5 * Share); // YES bid 0.55
        ex.Buy(Carol, Yes, 5_000, 5 * Share); // YES bid 0.50

        var alice = ex.Sell(Alice, Yes, 5_000, 10 * Share);

        ex.Expect(MatchType.Merge, alice.Trades[0].MatchType, "first the 0.55 bid, a NO seller: MERGE");
        ex.Expect(MatchType.Normal, alice.Trades[1].MatchType, "then the 0.50 bid, a YES buyer: NORMAL");
        // 5 × 0.55 + 5 × 0.50 = 2.75 + 2.50 = 5.25.
        ex.Expect(new Balance(105_250_000, 0), ex.Cash(Alice), "Alice receives 5.25");
        ex.Expect(new Balance(102_250_000, 0), ex.Cash(Bob), "Bob receives 5 × 0.45 = 2.25");
        ex.Expect(10 * Usdc, ex.Info().Collateral, "15 − 5 merged pairs");
        ex.Expect(new Balance(5 * Share, 0), ex.Held(Carol, Yes), "Carol got 5 YES");
        ex.ExpectMoneyConserved();
    }
}
