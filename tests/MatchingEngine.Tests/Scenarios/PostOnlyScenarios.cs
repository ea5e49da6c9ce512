using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>Post-only: rest or be rejected, never take.</summary>
public sealed class PostOnlyScenarios
{
    [Fact]
    public void A_post_only_BUY_at_or_above_the_best_ask_is_rejected_with_PostOnlyWouldCross()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.Sell(Alice, Yes, 6_000, 5 * Share);
        var before = ex.Snapshot();

        ex.ExpectRejected(RejectCode.PostOnlyWouldCross, ex.Buy(Bob, Yes, 6_000, 5 * Share, postOnly: true), "0.60 = best ask");
        ex.ExpectRejected(RejectCode.PostOnlyWouldCross, ex.Buy(Bob, Yes, 6_100, 5 * Share, postOnly: true), "0.61 > best ask");
        ex.Expect(before, ex.Snapshot(), "rejected, not repriced: nothing changed");
    }

    [Fact]
    public void A_post_only_SELL_at_or_below_the_best_bid_is_rejected_with_PostOnlyWouldCross()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.Buy(Bob, Yes, 5_000, 5 * Share);

        ex.ExpectRejected(RejectCode.PostOnlyWouldCross, ex.Sell(Alice, Yes, 5_000, 5 * Share, postOnly: true), "0.50 = best bid");
        ex.ExpectRejected(RejectCode.PostOnlyWouldCross, ex.Sell(Alice, Yes, 4_900, 5 * Share, postOnly: true), "0.49 < best bid");
        ex.Expect(new Balance(5 * Share, 0), ex.Held(Alice, Yes), "no shares reserved");
    }

    [Fact]
    public void A_post_only_order_that_would_cross_a_mirrored_NO_order_is_rejected()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Open(Carol, 100 * Usdc);
        ex.Open(Dave, 100 * Usdc);
        ex.Buy(Bob, No, 4_000, 5 * Share);  // YES ask 0.60
        ex.Buy(Dave, Yes, 5_500, 5 * Share); // YES bid 0.55 = NO ask 0.45

        ex.ExpectRejected(
            RejectCode.PostOnlyWouldCross, ex.Buy(Alice, Yes, 6_000, 5 * Share, postOnly: true),
            "BUY YES 0.60 would MINT with Bob's BUY NO 0.40 (0.60 + 0.40 ≥ 1)");
        ex.ExpectRejected(
            RejectCode.PostOnlyWouldCross, ex.Buy(Carol, No, 4_500, 5 * Share, postOnly: true),
            "BUY NO 0.45 would MINT with Dave's BUY YES 0.55");
        ex.ExpectAccepted(ex.Buy(Carol, No, 4_400, 5 * Share, postOnly: true), "BUY NO 0.44: 0.44 + 0.55 < 1 rests");
    }

    [Theory]
    [InlineData(TimeInForce.Fok)]
    [InlineData(TimeInForce.Fak)]
    public void Post_only_with_FOK_or_FAK_is_rejected_with_PostOnlyInvalidTimeInForce(TimeInForce tif)
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);

        ex.ExpectRejected(
            RejectCode.PostOnlyInvalidTimeInForce, ex.Buy(Alice, Yes, 4_000, 10 * Share, tif, postOnly: true),
            $"post-only means resting; {tif} never rests");
    }

    [Fact]
    public void A_post_only_order_that_does_not_cross_rests_like_a_GTC_or_GTD_order()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.Sell(Alice, Yes, 6_000, 5 * Share);

        var gtc = ex.Buy(Bob, Yes, 5_900, 5 * Share, postOnly: true);
        var gtd = ex.Buy(Bob, Yes, 5_800, 5 * Share, TimeInForce.Gtd, postOnly: true, expiration: ex.Now + 120_000);

        ex.ExpectAccepted(gtc, "0.59 < 0.60 does not cross");
        ex.ExpectTrue(ex.Order(gtc.OrderId).PostOnly, "flagged post-only");
        ex.Expect(TimeInForce.Gtc, ex.Order(gtc.OrderId).TimeInForce, "GTC");
        ex.ExpectAccepted(gtd, "post-only GTD rests too");
        ex.Expect(TimeInForce.Gtd, ex.Order(gtd.OrderId).TimeInForce, "GTD");
        ex.Expect(5_900, ex.Info().BestBid, "best bid 0.59");
    }
}
