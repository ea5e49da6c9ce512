using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>Cancelling one order, all of an account's orders, or those in one market or on one token.</summary>
public sealed class CancelScenarios
{
    [Fact]
    public void Cancelling_an_order_removes_it_from_the_book_and_releases_its_reservation()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        var alice = ex.Buy(Alice, Yes, 4_000, 10 * Share);

        var cancel = ex.Cancel(Alice, alice.OrderId);

        var cancelled = cancel.Of(EventKind.OrderCancelled).Single();
        ex.Expect(alice.OrderId, cancelled.OrderId, "that order");
        ex.Expect(CancelReason.UserRequest, cancelled.Reason, "asked for by its owner");
        ex.Expect(10 * Share, cancelled.Remaining, "all 10 unfilled");
        ex.ExpectTrue(!ex.IsOpen(alice.OrderId), "gone");
        ex.Expect(0, ex.Info().OpenOrders, "the book is empty");
        ex.Expect(new Balance(100 * Usdc, 0), ex.Cash(Alice), "4.00 released");
    }

    [Fact]
    public void Cancelling_someone_elses_order_is_rejected_with_NotOrderOwner()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        var alice = ex.Buy(Alice, Yes, 4_000, 10 * Share);

        ex.ExpectRejected(RejectCode.NotOrderOwner, ex.Cancel(Bob, alice.OrderId), "Bob cannot cancel Alice's order");
        ex.ExpectTrue(ex.IsOpen(alice.OrderId), "it stays");
    }

    [Fact]
    public void Cancelling_an_unknown_or_finished_order_is_rejected_with_OrderNotFound()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        var sold = ex.Sell(Alice, Yes, 4_000, 5 * Share);
        ex.Buy(Bob, Yes, 4_000, 5 * Share); // fills Alice completely
        var resting = ex.Buy(Bob, Yes, 3_000, 5 * Share);
        ex.Cancel(Bob, resting.OrderId);

        ex.ExpectRejected(RejectCode.OrderNotFound, ex.Cancel(Alice, 12_345), "never existed");
        ex.ExpectRejected(RejectCode.OrderNotFound, ex.Cancel(Alice, sold.OrderId), "filled");
        ex.ExpectRejected(RejectCode.OrderNotFound, ex.Cancel(Bob, resting.OrderId), "already cancelled");
    }

    [Fact]
    public void Cancel_all_removes_every_open_order_of_the_account_in_every_market_and_nobody_elses()
    {
        var ex = new Exchange();
        ex.AddMarket(SecondMarket, Standard);
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Buy(Alice, Yes, 4_000, 10 * Share);
        ex.Buy(Alice, No, 3_000, 10 * Share);
        ex.Buy(Alice, Yes, 2_000, 10 * Share, market: SecondMarket);
        var bob = ex.Buy(Bob, Yes, 3_500, 10 * Share);

        var cancel = ex.CancelAll(Alice);

        ex.Expect(3, cancel.Of(EventKind.OrderCancelled).Count, "Alice's three orders");
        ex.Expect(0, ex.Engine.GetOpenOrders(Alice).Count, "none left");
        ex.Expect(new Balance(100 * Usdc, 0), ex.Cash(Alice), "4.00 + 3.00 + 2.00 released");
        ex.ExpectTrue(ex.IsOpen(bob.OrderId), "Bob's order is not hers");
    }

    [Fact]
    public void Cancel_by_market_removes_only_that_markets_orders()
    {
        var ex = new Exchange();
        ex.AddMarket(SecondMarket, Standard);
        ex.Open(Alice, 100 * Usdc);
        ex.Buy(Alice, Yes, 4_000, 10 * Share);
        ex.Buy(Alice, No, 3_000, 10 * Share);
        var other = ex.Buy(Alice, Yes, 2_000, 10 * Share, market: SecondMarket);

        var cancel = ex.CancelMarket(Alice, MainMarket);

        ex.Expect(2, cancel.Of(EventKind.OrderCancelled).Count, "both tokens of market 1");
        ex.Expect(0, ex.Info().OpenOrders, "market 1 empty");
        ex.ExpectTrue(ex.IsOpen(other.OrderId), "market 2 untouched");
        ex.Expect(new Balance(98 * Usdc, 2 * Usdc), ex.Cash(Alice), "only market 2's 2.00 still reserved");
    }

    [Fact]
    public void Cancel_by_market_and_token_removes_only_that_tokens_orders()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        var buyYes = ex.Buy(Alice, Yes, 4_000, 10 * Share);
        var buyNo = ex.Buy(Alice, No, 3_000, 10 * Share);
        var sellYes = ex.Sell(Alice, Yes, 8_000, 10 * Share);

        var cancelNo = ex.CancelMarket(Alice, MainMarket, No);

        ex.Expect(buyNo.OrderId, cancelNo.Of(EventKind.OrderCancelled).Single().OrderId, "only the NO order");
        ex.ExpectTrue(ex.IsOpen(buyYes.OrderId) && ex.IsOpen(sellYes.OrderId), "the YES orders stay");

        var cancelYes = ex.CancelMarket(Alice, MainMarket, Yes);

        ex.Expect(2, cancelYes.Of(EventKind.OrderCancelled).Count, "both YES orders, BUY and SELL");
        ex.Expect(new Balance(10 * Share, 0), ex.Held(Alice, Yes), "the SELL's shares are released");
    }

    [Fact]
    public void Cancelling_in_an_unknown_market_or_for_an_unknown_account_is_rejected()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);

        ex.ExpectRejected(RejectCode.MarketNotFound, ex.CancelMarket(Alice, 7), "market 7 does not exist");
        ex.ExpectRejected(RejectCode.AccountNotFound, ex.CancelAll(42), "account 42 does not exist");
        ex.ExpectAccepted(ex.CancelAll(Alice), "cancelling nothing is fine");
    }
}
