using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>FAK: fills what it can at once; the remainder is cancelled; no fill at all is a rejection.</summary>
public sealed class FillAndKillScenarios
{
    [Fact]
    public void A_FAK_fills_what_it_can_and_cancels_the_remainder_with_reason_FakRemainder()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Dave, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.Sell(Alice, Yes, 6_000, 5 * Share);

        var dave = ex.Buy(Dave, Yes, 6_000, 8 * Share, TimeInForce.Fak);

        ex.ExpectAccepted(dave, "a partial fill is fine for FAK");
        ex.Expect(5 * Share, dave.Trades.Single().Size, "the 5 on offer");
        var cancelled = dave.Of(EventKind.OrderCancelled).Single();
        ex.Expect(CancelReason.FakRemainder, cancelled.Reason, "the rest is killed");
        ex.Expect(3 * Share, cancelled.Remaining, "8 − 5 = 3");
        ex.ExpectTrue(dave.IndexOf(EventKind.Trade) < dave.IndexOf(EventKind.OrderCancelled), "after the fill");
        ex.Expect(0, dave.Of(EventKind.OrderRested).Count, "a FAK never rests");
        // Reserved 8 × 0.60 = 4.80, paid 5 × 0.60 = 3.00, the other 1.80 released.
        ex.Expect(new Balance(97 * Usdc, 0), ex.Cash(Dave), "only the 3.00 paid is gone");
    }

    [Fact]
    public void A_FAK_that_finds_nothing_to_match_is_rejected_with_FakNoMatch_and_has_no_effect()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Dave, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.Sell(Alice, Yes, 6_200, 5 * Share);
        var before = ex.Snapshot();

        var dave = ex.Buy(Dave, Yes, 6_000, 8 * Share, TimeInForce.Fak);

        ex.ExpectRejected(RejectCode.FakNoMatch, dave, "the best ask 0.62 is above 0.60");
        ex.Expect(1, dave.Events.Count, "only the Rejected event");
        ex.Expect(before, ex.Snapshot(), "nothing changed");
        ex.Expect(ex.HashIfLastCommandWereANoOp(), ex.Engine.ComputeStateHash(), "same state hash as a no-op");
    }

    [Fact]
    public void A_FAK_that_fills_completely_has_nothing_to_cancel()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Dave, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        ex.Sell(Alice, Yes, 6_000, 10 * Share);

        var dave = ex.Buy(Dave, Yes, 6_000, 8 * Share, TimeInForce.Fak);

        ex.Expect(8 * Share, dave.Trades.Single().Size, "8 of Alice's 10");
        ex.Expect(0, dave.Of(EventKind.OrderCancelled).Count, "no remainder");
        ex.ExpectTrue(!ex.IsOpen(dave.OrderId), "done");
    }
}
