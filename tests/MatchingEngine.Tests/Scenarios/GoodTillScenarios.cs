using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>GTC and GTD: orders that rest, and how long.</summary>
public sealed class GoodTillScenarios
{
    private const long Minute = 60_000;

    [Fact]
    public void A_GTC_order_that_does_not_cross_rests_until_cancelled_however_much_time_passes()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        var alice = ex.Buy(Alice, Yes, 4_000, 10 * Share);
        ex.Expect(10 * Share, alice.Of(EventKind.OrderRested).Single().Remaining, "rests whole");

        var later = ex.AdvanceTime(365L * 24 * 60 * Minute);

        ex.Expect(0, later.Of(EventKind.OrderExpired).Count, "GTC never expires");
        ex.ExpectTrue(ex.IsOpen(alice.OrderId), "still open a year later");
        ex.Expect(new Balance(96 * Usdc, 4 * Usdc), ex.Cash(Alice), "still reserving 10 × 0.40");
    }

    [Fact]
    public void A_GTD_expiring_less_than_a_minute_after_acceptance_is_rejected_with_InvalidExpiration()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);

        ex.ExpectRejected(
            RejectCode.InvalidExpiration,
            ex.Buy(Alice, Yes, 4_000, 10 * Share, TimeInForce.Gtd, expiration: ex.Now + Minute - 1),
            "59.999 s is inside Polymarket's one-minute security threshold");
        ex.ExpectRejected(RejectCode.InvalidExpiration, ex.Buy(Alice, Yes, 4_000, 10 * Share, TimeInForce.Gtd), "a GTD needs an expiration");
        ex.ExpectAccepted(ex.Buy(Alice, Yes, 4_000, 10 * Share, TimeInForce.Gtd, expiration: ex.Now + Minute), "exactly one minute is enough");
    }

    [Theory]
    [InlineData(TimeInForce.Gtc)]
    [InlineData(TimeInForce.Fok)]
    [InlineData(TimeInForce.Fak)]
    public void A_non_GTD_order_with_an_expiration_is_rejected_with_InvalidExpiration(TimeInForce tif)
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);

        ex.ExpectRejected(
            RejectCode.InvalidExpiration,
            ex.Buy(Alice, Yes, 4_000, 10 * Share, tif, expiration: ex.Now + (10 * Minute)),
            $"{tif} orders do not expire");
    }

    [Fact]
    public void A_GTD_order_expires_exactly_at_its_expiration_and_releases_its_reservation()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        var expiration = ex.Now + (2 * Minute);
        var alice = ex.Buy(Alice, Yes, 4_000, 10 * Share, TimeInForce.Gtd, expiration: expiration);
        ex.Expect(new Balance(96 * Usdc, 4 * Usdc), ex.Cash(Alice), "10 × 0.40 reserved");

        var early = ex.AdvanceTime((2 * Minute) - 1);
        ex.Expect(0, early.Of(EventKind.OrderExpired).Count, "one millisecond early: still live");
        ex.ExpectTrue(ex.IsOpen(alice.OrderId), "still open at expiration − 1 ms");

        var due = ex.AdvanceTime(1);

        var expired = due.Of(EventKind.OrderExpired).Single();
        ex.Expect(alice.OrderId, expired.OrderId, "the GTD order expires when now = expiration");
        ex.Expect(10 * Share, expired.Remaining, "with all 10 shares unfilled");
        ex.ExpectTrue(!ex.IsOpen(alice.OrderId), "gone");
        ex.Expect(new Balance(100 * Usdc, 0), ex.Cash(Alice), "the 4.00 comes back");
        ex.Expect(0, ex.Levels(Yes, Side.Buy).Count, "the level is empty");
        ex.Expect(2, due.Of(EventKind.BookLevelChanged).Count(e => e.Size == 0), "YES and NO views of the emptied level");
    }

    [Fact]
    public void A_due_GTD_order_expires_before_the_command_that_arrives_at_its_expiration_is_applied()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        var alice = ex.Sell(Alice, Yes, 4_000, 5 * Share, TimeInForce.Gtd, expiration: ex.Now + (2 * Minute));
        ex.MoveClock(2 * Minute);

        var bob = ex.Buy(Bob, Yes, 4_000, 5 * Share); // would have matched Alice

        ex.ExpectTrue(bob.IndexOf(EventKind.OrderExpired) >= 0, "Alice's order expired in Bob's command");
        ex.ExpectTrue(bob.IndexOf(EventKind.OrderExpired) < bob.IndexOf(EventKind.OrderAccepted), "before Bob's order was looked at");
        ex.Expect(alice.OrderId, bob.Of(EventKind.OrderExpired).Single().OrderId, "Alice's");
        ex.Expect(0, bob.Trades.Count, "so Bob finds nothing to match");
        ex.ExpectTrue(ex.IsOpen(bob.OrderId), "and rests");
        ex.Expect(new Balance(5 * Share, 0), ex.Held(Alice, Yes), "Alice's 5 shares are released");
    }

    [Fact]
    public void A_partly_filled_GTD_order_expires_with_its_remainder_and_releases_only_that()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Bob, Yes, 10 * Share);
        var alice = ex.Buy(Alice, Yes, 4_000, 10 * Share, TimeInForce.Gtd, expiration: ex.Now + (5 * Minute));
        ex.Sell(Bob, Yes, 4_000, 4 * Share, TimeInForce.Fak); // Alice pays 4 × 0.40 = 1.60

        var due = ex.AdvanceTime(5 * Minute);

        ex.Expect(6 * Share, due.Of(EventKind.OrderExpired).Single().Remaining, "10 − 4 = 6 expire");
        ex.Expect(alice.OrderId, due.Of(EventKind.OrderExpired).Single().OrderId, "Alice's order");
        ex.Expect(new Balance(100 * Usdc - 1_600_000, 0), ex.Cash(Alice), "only the 1.60 actually paid is gone");
        ex.Expect(new Balance(4 * Share, 0), ex.Held(Alice, Yes), "she keeps the 4 shares she bought");
    }

    [Fact]
    public void Several_GTD_orders_expire_each_at_its_own_time_whatever_order_they_were_placed_in()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        int[] minutes = [5, 2, 9, 2, 7, 3, 4];
        var ids = new List<long>();
        for (var i = 0; i < minutes.Length; i++)
        {
            ids.Add(ex.Buy(Alice, Yes, 1_000 + (i * 100), 5 * Share, TimeInForce.Gtd, expiration: StartTime + (minutes[i] * Minute)).OrderId);
        }

        for (var minute = 1; minute <= 10; minute++)
        {
            var step = ex.AdvanceTime(Minute);
            var expected = Enumerable.Range(0, minutes.Length).Where(i => minutes[i] == minute).Select(i => ids[i]).Order();
            var actual = step.Of(EventKind.OrderExpired).Select(e => e.OrderId).Order();
            ex.Expect(string.Join(",", expected), string.Join(",", actual), $"the orders due at minute {minute}, and only those");
        }

        ex.Expect(0, ex.Info().OpenOrders, "all expired");
        ex.Expect(new Balance(100 * Usdc, 0), ex.Cash(Alice), "every reservation released");
    }
}
