using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>Minimum resting size (5 shares by default) and the $1 minimum of a marketable BUY.</summary>
public sealed class MinimumSizeAndNotionalScenarios
{
    /// <summary>A market whose 1-share minimum size lets the $1 notional rule be seen on its own.</summary>
    private static MarketParameters OneShareMinimum => new(TickSize: 100, MinimumSize: 1 * Share);

    [Fact]
    public void A_GTC_or_GTD_order_below_the_minimum_size_is_rejected_with_BelowMinimumSize()
    {
        var ex = new Exchange(); // minimum 5 shares
        ex.Open(Alice, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);

        ex.ExpectRejected(RejectCode.BelowMinimumSize, ex.Buy(Alice, Yes, 4_000, (5 * Share) - 1), "4.999999 < 5 shares");
        ex.ExpectRejected(
            RejectCode.BelowMinimumSize, ex.Buy(Alice, Yes, 4_000, 4 * Share, TimeInForce.Gtd, expiration: ex.Now + 120_000), "GTD too");
        ex.ExpectRejected(RejectCode.BelowMinimumSize, ex.Sell(Alice, Yes, 7_000, 4 * Share), "SELL too, though the shares are held");
        ex.ExpectAccepted(ex.Buy(Alice, Yes, 4_000, 5 * Share), "exactly 5 shares rests");
    }

    [Fact]
    public void A_FAK_or_FOK_order_below_the_minimum_size_is_allowed()
    {
        var ex = new Exchange(); // minimum 5 shares
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        ex.Sell(Alice, Yes, 6_000, 10 * Share);

        var fak = ex.Buy(Bob, Yes, 6_000, 2 * Share, TimeInForce.Fak); // 2 × 0.60 = 1.20 ≥ $1
        var fok = ex.Buy(Bob, Yes, 6_000, 2 * Share, TimeInForce.Fok);

        ex.ExpectAccepted(fak, "FAK never rests, so the resting minimum does not apply");
        ex.ExpectAccepted(fok, "nor to FOK");
        ex.Expect(new Balance(4 * Share, 0), ex.Held(Bob, Yes), "2 + 2 shares");
    }

    [Fact]
    public void A_marketable_BUY_worth_less_than_one_dollar_is_rejected_with_BelowMinimumNotional()
    {
        var ex = new Exchange(OneShareMinimum);
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        ex.Sell(Alice, Yes, 5_000, 10 * Share);

        ex.ExpectRejected(RejectCode.BelowMinimumNotional, ex.Buy(Bob, Yes, 5_000, 1_999_999), "1.999999 × 0.50 = 0.9999995 < $1 (GTC)");
        ex.ExpectRejected(RejectCode.BelowMinimumNotional, ex.Buy(Bob, Yes, 5_000, 1_999_999, TimeInForce.Fak), "any TIF");

        ex.Open(Carol, 100 * Usdc);
        ex.Buy(Carol, Yes, 4_000, 10 * Share); // YES bid 0.40 = NO ask 0.60
        ex.ExpectRejected(
            RejectCode.BelowMinimumNotional, ex.Buy(Bob, No, 6_000, 1_666_666, TimeInForce.Fok),
            "a BUY NO that would MINT: 1.666666 × 0.60 = 0.9999996 < $1");
    }

    [Fact]
    public void A_marketable_BUY_worth_exactly_one_dollar_is_accepted()
    {
        var ex = new Exchange(OneShareMinimum);
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        ex.Sell(Alice, Yes, 5_000, 10 * Share);

        var bob = ex.Buy(Bob, Yes, 5_000, 2 * Share);

        ex.ExpectAccepted(bob, "2 × 0.50 = $1.00");
        ex.Expect(2 * Share, bob.Trades.Single().Size, "filled");
    }

    [Fact]
    public void The_notional_minimum_is_measured_at_the_limit_price_not_at_the_fill_price()
    {
        var ex = new Exchange(OneShareMinimum);
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        ex.Sell(Alice, Yes, 5_000, 10 * Share);

        var bob = ex.Buy(Bob, Yes, 6_000, 1_800_000); // 1.8 × 0.60 = 1.08 ≥ $1 at the limit

        ex.ExpectAccepted(bob, "worth $1.08 at its limit");
        ex.Expect(900_000L, bob.Trades.Single().Amount, "though it pays 1.8 × 0.50 = 0.90");
    }

    [Fact]
    public void A_BUY_that_does_not_cross_has_no_notional_minimum()
    {
        var ex = new Exchange(OneShareMinimum);
        ex.Open(Bob, 100 * Usdc);

        ex.ExpectAccepted(ex.Buy(Bob, Yes, 1_000, 1 * Share), "1 × 0.10 = $0.10 resting is fine");
        ex.ExpectAccepted(ex.Buy(Bob, No, 1_000, 1 * Share), "on NO too (YES ask 0.90 does not meet the 0.10 bid)");
    }

    [Fact]
    public void A_marketable_SELL_has_no_notional_minimum()
    {
        var ex = new Exchange(OneShareMinimum);
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        ex.Buy(Bob, Yes, 5_000, 10 * Share);

        var alice = ex.Sell(Alice, Yes, 5_000, 1 * Share);

        ex.ExpectAccepted(alice, "a $0.50 SELL into the bid");
        ex.Expect(500_000L, alice.Trades.Single().Amount, "1 × 0.50");
    }

    [Fact]
    public void A_marketable_budget_BUY_below_one_dollar_is_rejected_with_BelowMinimumNotional()
    {
        var ex = new Exchange(OneShareMinimum);
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        ex.Sell(Alice, Yes, 5_000, 10 * Share);

        ex.ExpectRejected(RejectCode.BelowMinimumNotional, ex.BuyWithBudget(Bob, Yes, 5_000, 999_999, TimeInForce.Fak), "$0.999999 budget");
        ex.ExpectAccepted(ex.BuyWithBudget(Bob, Yes, 5_000, 1 * Usdc, TimeInForce.Fak), "a $1.00 budget");
    }
}
