using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>Self-trade prevention, per account, applied by the taker's mode.</summary>
public sealed class SelfTradePreventionScenarios
{
    [Fact]
    public void With_self_trade_prevention_off_an_account_trades_with_itself()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc); // Off by default, as on Polymarket
        ex.GiveShares(Alice, Yes, 5 * Share);
        var sell = ex.Sell(Alice, Yes, 6_000, 5 * Share);

        var buy = ex.Buy(Alice, Yes, 6_000, 5 * Share);

        var trade = buy.Trades.Single();
        ex.Expect(Alice, trade.MakerAccount, "maker is Alice");
        ex.Expect(Alice, trade.TakerAccount, "taker is Alice");
        ex.Expect(sell.OrderId, trade.MakerOrderId, "her own resting SELL");
        ex.Expect(new Balance(100 * Usdc, 0), ex.Cash(Alice), "paid 3.00 to herself");
        ex.Expect(new Balance(5 * Share, 0), ex.Held(Alice, Yes), "and got her shares back");
    }

    [Fact]
    public void CancelResting_cancels_the_takers_own_resting_order_and_the_walk_continues()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc, SelfTradePrevention.CancelResting);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.GiveShares(Bob, Yes, 5 * Share);
        var own = ex.Sell(Alice, Yes, 6_000, 5 * Share); // first in the queue
        var bob = ex.Sell(Bob, Yes, 6_000, 5 * Share);

        var buy = ex.Buy(Alice, Yes, 6_000, 5 * Share);

        var cancelled = buy.Of(EventKind.OrderCancelled).Single();
        ex.Expect(own.OrderId, cancelled.OrderId, "her resting SELL is cancelled");
        ex.Expect(CancelReason.SelfTrade, cancelled.Reason, "for self-trade");
        ex.Expect(bob.OrderId, buy.Trades.Single().MakerOrderId, "and she buys from Bob instead");
        ex.Expect(new Balance(10 * Share, 0), ex.Held(Alice, Yes), "5 released + 5 bought");
        ex.Expect(new Balance(97 * Usdc, 0), ex.Cash(Alice), "paid 5 × 0.60 = 3.00");
    }

    [Fact]
    public void CancelIncoming_cancels_the_takers_remainder_at_its_own_order_and_keeps_the_fills_already_made()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc, SelfTradePrevention.CancelIncoming);
        ex.Open(Bob, 100 * Usdc);
        ex.Open(Carol, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.GiveShares(Bob, Yes, 5 * Share);
        ex.GiveShares(Carol, Yes, 5 * Share);
        var bob = ex.Sell(Bob, Yes, 6_000, 5 * Share);
        var own = ex.Sell(Alice, Yes, 6_000, 5 * Share);
        var carol = ex.Sell(Carol, Yes, 6_100, 5 * Share);

        var buy = ex.Buy(Alice, Yes, 6_100, 10 * Share);

        ex.Expect(bob.OrderId, buy.Trades.Single().MakerOrderId, "the fill before her own order stands");
        var cancelled = buy.Of(EventKind.OrderCancelled).Single();
        ex.Expect(buy.OrderId, cancelled.OrderId, "the incoming order is cancelled");
        ex.Expect(CancelReason.SelfTrade, cancelled.Reason, "for self-trade");
        ex.Expect(5 * Share, cancelled.Remaining, "its remaining 5");
        ex.ExpectTrue(ex.IsOpen(own.OrderId), "her resting SELL stays");
        ex.Expect(5 * Share, ex.Order(carol.OrderId).Remaining, "the walk stopped: Carol's 0.61 untouched");
        ex.Expect(new Balance(97 * Usdc, 0), ex.Cash(Alice), "paid 3.00; the rest of 10 × 0.61 released");
    }

    [Fact]
    public void Under_CancelIncoming_a_FOK_that_would_meet_its_own_order_before_it_is_filled_is_rejected_with_no_effect()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc, SelfTradePrevention.CancelIncoming);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.GiveShares(Bob, Yes, 5 * Share);
        ex.Sell(Alice, Yes, 6_000, 5 * Share); // first
        ex.Sell(Bob, Yes, 6_000, 5 * Share);
        var before = ex.Snapshot();

        var fok = ex.Buy(Alice, Yes, 6_000, 5 * Share, TimeInForce.Fok);

        ex.ExpectRejected(RejectCode.FokNotFilled, fok, "the walk would stop at her own order with 5 unfilled");
        ex.Expect(before, ex.Snapshot(), "no effect");
    }

    [Theory]
    [InlineData(6_000)] // her order queues behind Bob's at the same price
    [InlineData(6_100)] // her order sits at the next price, still within the FOK's limit
    public void Under_CancelIncoming_a_FOK_that_is_filled_before_it_reaches_its_own_order_is_accepted(int ownPrice)
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc, SelfTradePrevention.CancelIncoming);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.GiveShares(Bob, Yes, 5 * Share);
        var bob = ex.Sell(Bob, Yes, 6_000, 5 * Share); // first, and best
        var own = ex.Sell(Alice, Yes, ownPrice, 5 * Share);

        var fok = ex.Buy(Alice, Yes, 6_100, 5 * Share, TimeInForce.Fok);

        ex.ExpectAccepted(fok, "Bob's 5 fill all 5; her own order is never reached");
        ex.Expect(bob.OrderId, fok.Trades.Single().MakerOrderId, "bought from Bob");
        ex.ExpectTrue(ex.IsOpen(own.OrderId), "her resting SELL stays");
    }

    [Theory]
    [InlineData(6_000)] // her order queues behind Bob's at the same price
    [InlineData(6_100)] // her order sits at the next price, still within the taker's limit
    public void Under_CancelResting_a_taker_that_is_already_filled_leaves_its_own_orders_behind_the_fill_alone(int ownPrice)
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc, SelfTradePrevention.CancelResting);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.GiveShares(Bob, Yes, 5 * Share);
        ex.Sell(Bob, Yes, 6_000, 5 * Share); // first, and best
        var own = ex.Sell(Alice, Yes, ownPrice, 5 * Share);

        var buy = ex.Buy(Alice, Yes, 6_100, 5 * Share);

        ex.Expect(5 * Share, buy.Trades.Single().Size, "filled completely by Bob");
        ex.Expect(0, buy.Of(EventKind.OrderCancelled).Count, "a filled taker meets nothing more, so cancels nothing");
        ex.ExpectTrue(ex.IsOpen(own.OrderId), "her resting SELL stays");
    }

    [Fact]
    public void Under_CancelResting_a_FOK_counts_only_other_accounts_liquidity()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc, SelfTradePrevention.CancelResting);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.GiveShares(Bob, Yes, 5 * Share);
        var own = ex.Sell(Alice, Yes, 6_000, 5 * Share);
        ex.Sell(Bob, Yes, 6_000, 5 * Share);

        var fok = ex.Buy(Alice, Yes, 6_000, 10 * Share, TimeInForce.Fok);

        ex.ExpectRejected(RejectCode.FokNotFilled, fok, "10 on offer, but 5 of them are her own");
        ex.ExpectTrue(ex.IsOpen(own.OrderId), "a rejected FOK cancels nothing");
    }

    [Fact]
    public void An_accounts_self_trade_prevention_mode_can_be_changed()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        var own = ex.Sell(Alice, Yes, 6_000, 5 * Share);

        ex.ExpectAccepted(ex.SetStp(Alice, SelfTradePrevention.CancelResting), "switch to CancelResting");
        ex.Expect(SelfTradePrevention.CancelResting, ex.Engine.GetSelfTradePrevention(Alice), "stored");
        var buy = ex.Buy(Alice, Yes, 6_000, 5 * Share);

        ex.Expect(0, buy.Trades.Count, "no self-trade any more");
        ex.Expect(own.OrderId, buy.Of(EventKind.OrderCancelled).Single().OrderId, "her SELL is cancelled instead");
        ex.ExpectTrue(ex.IsOpen(buy.OrderId), "and the BUY rests");
    }
}
