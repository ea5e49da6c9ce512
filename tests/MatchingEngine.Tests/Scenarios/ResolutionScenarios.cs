using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>Resolution: winning shares pay $1, losing shares nothing, open orders are cancelled, the market closes for good.</summary>
public sealed class ResolutionScenarios
{
    [Fact]
    public void When_YES_wins_YES_holders_get_one_dollar_a_share_and_NO_holders_nothing()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Buy(Alice, Yes, 5_000, 10 * Share);
        ex.Buy(Bob, No, 5_000, 10 * Share); // MINT: each paid 5.00, collateral 10

        var resolve = ex.Resolve(Yes);

        ex.ExpectAccepted(resolve, "resolve YES");
        ex.Expect(new Balance(105 * Usdc, 0), ex.Cash(Alice), "95.00 + 10 shares × $1");
        ex.Expect(new Balance(95 * Usdc, 0), ex.Cash(Bob), "NO pays nothing");
        ex.Expect(new Balance(0, 0), ex.Held(Alice, Yes), "winning shares are redeemed");
        ex.Expect(new Balance(0, 0), ex.Held(Bob, No), "losing shares are gone");
        ex.Expect(0L, ex.Info().Collateral, "the collateral paid the winners");
        ex.Expect(MarketStatus.Resolved, ex.Info().Status, "resolved");
        var resolved = resolve.Of(EventKind.MarketResolved).Single();
        ex.Expect(Yes, resolved.Outcome, "winner");
        ex.Expect(10 * Usdc, resolved.Amount, "total paid out");
        ex.ExpectMoneyConserved();
    }

    [Fact]
    public void When_NO_wins_NO_holders_get_one_dollar_a_share_and_YES_holders_nothing()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Buy(Alice, Yes, 3_000, 10 * Share);
        ex.Buy(Bob, No, 7_000, 10 * Share); // MINT: Alice 3.00, Bob 7.00

        ex.Resolve(No);

        ex.Expect(new Balance(97 * Usdc, 0), ex.Cash(Alice), "YES worthless");
        ex.Expect(new Balance(103 * Usdc, 0), ex.Cash(Bob), "93.00 + 10 × $1");
        ex.Expect(0L, ex.Info().Collateral, "all paid out");
        ex.ExpectMoneyConserved();
    }

    [Fact]
    public void Resolution_cancels_every_open_order_with_reason_MarketResolved_and_releases_what_they_reserved()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Carol, 100 * Usdc);
        ex.Open(Dave, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        ex.Sell(Alice, Yes, 9_000, 5 * Share); // 5 of her 10 YES on offer
        ex.Buy(Carol, Yes, 3_000, 10 * Share); // 3.00 reserved
        ex.Buy(Dave, No, 2_000, 10 * Share);   // 2.00 reserved

        var resolve = ex.Resolve(Yes);

        var cancelled = resolve.Of(EventKind.OrderCancelled);
        ex.Expect(3, cancelled.Count, "all three open orders");
        ex.ExpectTrue(cancelled.All(e => e.Reason == CancelReason.MarketResolved), "reason MarketResolved");
        ex.ExpectTrue(
            resolve.IndexOf(EventKind.OrderCancelled) < resolve.IndexOf(EventKind.MarketResolved),
            "orders are cancelled before the payout is announced");
        ex.Expect(0, ex.Info().OpenOrders, "empty book");
        ex.Expect(new Balance(100 * Usdc, 0), ex.Cash(Carol), "Carol's 3.00 released");
        ex.Expect(new Balance(100 * Usdc, 0), ex.Cash(Dave), "Dave's 2.00 released");
        ex.Expect(new Balance(110 * Usdc, 0), ex.Cash(Alice), "all 10 YES paid, including the 5 that were on offer");
        ex.ExpectMoneyConserved();
    }

    [Fact]
    public void A_resolved_market_takes_no_orders_and_cannot_be_reopened_retuned_or_resolved_again()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Resolve(Yes);

        ex.ExpectRejected(RejectCode.MarketClosed, ex.Buy(Alice, Yes, 4_000, 10 * Share), "no new orders");
        ex.ExpectRejected(RejectCode.MarketResolved, ex.Resolve(No), "resolution is final");
        ex.ExpectRejected(RejectCode.MarketResolved, ex.SetStatus(MarketStatus.Active), "cannot be reopened");
        ex.ExpectRejected(RejectCode.MarketResolved, ex.SetTick(10), "no tick changes");
        ex.ExpectRejected(RejectCode.MarketNotFound, ex.Resolve(Yes, market: 7), "unknown market");
    }

    [Fact]
    public void Shares_the_fee_account_collected_are_redeemed_like_anyone_elses()
    {
        var ex = new Exchange(new MarketParameters(TickSize: 100, TakerFeeRate: 720, TakerFeeExponentHalves: 2));
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Buy(Alice, No, 5_000, 100 * Share);
        ex.Buy(Bob, Yes, 5_000, 100 * Share); // Bob's taker fee 100 × 0.072 × 0.25 = 1.8 YES to the fee account

        ex.Resolve(Yes);

        ex.Expect(new Balance(50 * Usdc + 98_200_000, 0), ex.Cash(Bob), "50.00 left + 98.2 YES × $1");
        ex.Expect(new Balance(1_800_000, 0), ex.Cash(Fees), "1.8 YES × $1");
        ex.ExpectMoneyConserved();
    }
}
