using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>FOK: fills completely at once, or is rejected with no effect at all.</summary>
public sealed class FillOrKillScenarios
{
    [Fact]
    public void A_FOK_that_the_book_can_fill_completely_fills_across_levels_and_never_rests()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Open(Dave, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.GiveShares(Bob, Yes, 5 * Share);
        ex.Sell(Alice, Yes, 6_000, 5 * Share);
        ex.Sell(Bob, Yes, 6_100, 5 * Share);

        var dave = ex.Buy(Dave, Yes, 6_100, 10 * Share, TimeInForce.Fok);

        ex.ExpectAccepted(dave, "10 shares are on offer within 0.61");
        ex.Expect(10 * Share, dave.Trades.Sum(t => t.Size), "all 10 filled");
        ex.Expect(0, dave.Of(EventKind.OrderRested).Count, "nothing rests");
        ex.Expect(0, dave.Of(EventKind.OrderCancelled).Count, "nothing is left to cancel");
        ex.ExpectTrue(!ex.IsOpen(dave.OrderId), "the FOK is done");
        ex.Expect(new Balance(100 * Usdc - 6_050_000, 0), ex.Cash(Dave), "5 × 0.60 + 5 × 0.61 = 6.05, nothing left reserved");
    }

    [Fact]
    public void A_FOK_that_cannot_fill_completely_is_rejected_with_FokNotFilled_and_has_no_effect_at_all()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Dave, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.Sell(Alice, Yes, 6_000, 5 * Share);
        var before = ex.Snapshot();

        var dave = ex.Buy(Dave, Yes, 6_000, 6 * Share, TimeInForce.Fok);

        ex.ExpectRejected(RejectCode.FokNotFilled, dave, "only 5 of 6 shares are available");
        ex.Expect(1, dave.Events.Count, "the Rejected event is all it produced");
        ex.Expect(before, ex.Snapshot(), "book, orders, cash and shares are exactly as before");
        ex.Expect(ex.HashIfLastCommandWereANoOp(), ex.Engine.ComputeStateHash(), "the state hash equals that of a no-op at the same sequence");
    }

    [Fact]
    public void A_FOK_is_not_filled_by_liquidity_beyond_its_limit()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Open(Dave, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.GiveShares(Bob, Yes, 5 * Share);
        var alice = ex.Sell(Alice, Yes, 6_000, 5 * Share);
        ex.Sell(Bob, Yes, 6_200, 5 * Share);

        var dave = ex.Buy(Dave, Yes, 6_100, 10 * Share, TimeInForce.Fok);

        ex.ExpectRejected(RejectCode.FokNotFilled, dave, "the second 5 cost 0.62 > 0.61");
        ex.Expect(5 * Share, ex.Order(alice.OrderId).Remaining, "Alice's 5 at 0.60 were not touched");
        ex.Expect(new Balance(100 * Usdc, 0), ex.Cash(Dave), "nothing reserved");
    }

    [Fact]
    public void A_FOK_SELL_fills_completely_or_not_at_all()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Carol, 100 * Usdc);
        ex.GiveShares(Carol, Yes, 10 * Share);
        ex.Buy(Alice, Yes, 5_000, 5 * Share);

        ex.ExpectRejected(RejectCode.FokNotFilled, ex.Sell(Carol, Yes, 5_000, 10 * Share, TimeInForce.Fok), "only 5 shares bid");
        ex.Expect(new Balance(10 * Share, 0), ex.Held(Carol, Yes), "no shares reserved or sold");

        var sold = ex.Sell(Carol, Yes, 5_000, 5 * Share, TimeInForce.Fok);
        ex.ExpectAccepted(sold, "5 shares are bid");
        ex.Expect(new Balance(102_500_000, 0), ex.Cash(Carol), "5 × 0.50 = 2.50");
    }
}
