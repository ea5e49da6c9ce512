using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>Reducing a resting order in place: it keeps its queue position and gives back exactly what the removed part held.</summary>
public sealed class ReduceScenarios
{
    [Fact]
    public void A_reduced_order_keeps_its_place_and_still_fills_first()
    {
        var ex = new Exchange();
        ex.Open(Alice, 0);
        ex.Open(Bob, 0);
        ex.Open(Dave, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        ex.GiveShares(Bob, Yes, 5 * Share);
        var alice = ex.Sell(Alice, Yes, 6_000, 10 * Share);
        var bob = ex.Sell(Bob, Yes, 6_000, 5 * Share);

        ex.ExpectAccepted(ex.Reduce(Alice, alice.OrderId, 3 * Share), "Alice trims her ask from 10 to 3");
        ex.Expect(
            string.Join(",", alice.OrderId, bob.OrderId),
            string.Join(",", ex.QueueAt(bid: false, 6_000)),
            "Alice is still ahead of Bob");
        ex.Expect(8 * Share, ex.Levels(Yes, Side.Sell).Single().Size, "the level holds 3 + 5");

        var dave = ex.Buy(Dave, Yes, 6_000, 5 * Share);

        ex.Expect(2, dave.Trades.Count, "5 shares take Alice's 3 and 2 of Bob's");
        ex.Expect((alice.OrderId, 3 * Share), (dave.Trades[0].MakerOrderId, dave.Trades[0].Size), "the reduced order fills first, all 3");
        ex.Expect((bob.OrderId, 2 * Share), (dave.Trades[1].MakerOrderId, dave.Trades[1].Size), "then Bob");
        ex.ExpectMoneyConserved();
    }

    [Fact]
    public void Reducing_a_BUY_YES_releases_the_cash_the_removed_shares_held()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        var alice = ex.Buy(Alice, Yes, 4_000, 10 * Share); // reserves 10 × 0.40 = 4.00

        var reduce = ex.Reduce(Alice, alice.OrderId, 4 * Share);

        ex.ExpectAccepted(reduce, "10 → 4");
        ex.Expect(new Balance(98_400_000, 1_600_000), ex.Cash(Alice), "6 × 0.40 = 2.40 back; 4 × 0.40 = 1.60 still held");
        var order = ex.Order(alice.OrderId);
        ex.Expect((4 * Share, 4 * Share, 0L, 1_600_000L), (order.Remaining, order.Original, order.Filled, order.Reserved), "a 4-share order");
        ex.Expect(new PriceLevel(4_000, 4 * Share, 1), ex.Levels(Yes, Side.Buy).Single(), "YES bid 0.40 holds 4");
        ex.Expect(new PriceLevel(6_000, 4 * Share, 1), ex.Levels(No, Side.Sell).Single(), "its mirror, NO ask 0.60, holds 4");
    }

    [Fact]
    public void Reducing_a_BUY_NO_releases_cash_at_its_own_price_and_shrinks_the_mirrored_YES_ask()
    {
        var ex = new Exchange();
        ex.Open(Bob, 100 * Usdc);
        var bob = ex.Buy(Bob, No, 4_000, 10 * Share); // rests as a YES ask at 0.60; reserves 10 × 0.40 = 4.00

        var reduce = ex.Reduce(Bob, bob.OrderId, 4 * Share);

        ex.ExpectAccepted(reduce, "10 → 4");
        ex.Expect(new Balance(98_400_000, 1_600_000), ex.Cash(Bob), "6 × 0.40 (the NO price, not the YES 0.60) = 2.40 back");
        ex.Expect(new PriceLevel(6_000, 4 * Share, 1), ex.Levels(Yes, Side.Sell).Single(), "YES ask 0.60 holds 4");
        ex.Expect(new PriceLevel(4_000, 4 * Share, 1), ex.Levels(No, Side.Buy).Single(), "NO bid 0.40 holds 4");
        var reduced = reduce.Of(EventKind.OrderReduced).Single();
        ex.Expect((No, Side.Buy, 4_000), (reduced.Outcome, reduced.Side, reduced.Price), "the event names the order as placed: BUY NO @ 0.40");
    }

    [Fact]
    public void Reducing_a_SELL_gives_back_the_removed_shares()
    {
        var ex = new Exchange();
        ex.Open(Alice, 0);
        ex.GiveShares(Alice, Yes, 10 * Share);
        var alice = ex.Sell(Alice, Yes, 7_000, 10 * Share);
        var cash = ex.Cash(Alice);

        ex.ExpectAccepted(ex.Reduce(Alice, alice.OrderId, 6 * Share), "10 → 6");

        ex.Expect(new Balance(4 * Share, 6 * Share), ex.Held(Alice, Yes), "4 shares free again, 6 still held for the order");
        ex.Expect(cash, ex.Cash(Alice), "a SELL holds no cash: nothing changes there");
        ex.Expect(6 * Share, ex.Order(alice.OrderId).Reserved, "the order holds its 6 shares");
    }

    [Fact]
    public void Reducing_by_one_micro_share_releases_nothing_while_the_rest_still_needs_the_same_rounded_up_cash()
    {
        // 5.000003 shares at 0.3333 cost 1.6665009999 → 1.666501 held; 5.000002 cost 1.6665006666 → still 1.666501.
        var ex = new Exchange(FineTick);
        ex.Open(Alice, 100 * Usdc);
        var alice = ex.Buy(Alice, Yes, 3_333, 5_000_003);
        ex.Expect(1_666_501L, ex.Cash(Alice).Reserved, "ceil(5.000003 × 0.3333)");

        ex.ExpectAccepted(ex.Reduce(Alice, alice.OrderId, 5_000_002), "one micro-share off");
        ex.Expect(1_666_501L, ex.Cash(Alice).Reserved, "rounding the removed part up (1 micro-USDC) would favour the account");

        ex.ExpectAccepted(ex.Reduce(Alice, alice.OrderId, 5_000_000), "two more off");
        ex.Expect(new Balance(100 * Usdc - 1_666_500, 1_666_500), ex.Cash(Alice), "5 × 0.3333 = 1.6665 exactly: 1 micro-USDC back");
    }

    [Fact]
    public void Reducing_a_partially_filled_BUY_keeps_its_fills_and_a_reduce_then_cancel_releases_what_a_cancel_would()
    {
        var ex = new Exchange(FineTick);
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 0);
        ex.GiveShares(Bob, Yes, 5 * Share);
        var alice = ex.Buy(Alice, Yes, 3_333, 10 * Share); // holds ceil(10 × 0.3333) = 3.333000
        var bob = ex.Sell(Bob, Yes, 3_333, 3_000_001, TimeInForce.Fak);
        ex.Expect(3_000_001L, bob.Trades.Single().Size, "Bob fills 3.000001 of Alice's 10");

        // N = 3.000001 × 0.3333 = 0.99990033… paid ceil = 0.999901; the remaining 6.999999 then hold
        // ceil(N + 6.999999 × 0.3333) − 0.999901 = 3.333000 − 0.999901 = 2.333099.
        ex.Expect(2_333_099L, ex.Order(alice.OrderId).Reserved, "what the remainder holds before the reduce");
        var before = ex.Cash(Alice);

        ex.ExpectAccepted(ex.Reduce(Alice, alice.OrderId, Share), "6.999999 → 1");

        // ceil(N + 1 × 0.3333) − 0.999901 = ceil(1.33320033…) − 0.999901 = 1.333201 − 0.999901 = 0.333300.
        var order = ex.Order(alice.OrderId);
        ex.Expect((Share, 3_000_001L, 4_000_001L, 333_300L), (order.Remaining, order.Filled, order.Original, order.Reserved), "1 left, fills kept, size = filled + left");
        ex.Expect(before.Available + 1_999_799, ex.Cash(Alice).Available, "2.333099 − 0.333300 released");
        ex.ExpectAccepted(ex.Cancel(Alice, alice.OrderId), "then cancelled");
        ex.Expect(before.Available + 2_333_099, ex.Cash(Alice).Available, "in all exactly what a cancel alone releases");
        ex.Expect(0L, ex.Cash(Alice).Reserved, "nothing held");
        ex.ExpectMoneyConserved();
    }

    [Fact]
    public void A_reduce_reports_the_order_the_level_in_both_views_and_the_balance()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Carol, 100 * Usdc);
        ex.Buy(Carol, Yes, 4_000, 5 * Share);
        var alice = ex.Buy(Alice, Yes, 4_000, 10 * Share);

        var reduce = ex.Reduce(Alice, alice.OrderId, 4 * Share);

        ex.Expect(
            "OrderReduced,BookLevelChanged,BookLevelChanged,BalanceChanged",
            string.Join(",", reduce.Events.Select(e => e.Kind)),
            "the order, the level (YES and NO views), then the balance");
        var e = reduce.Events[0];
        ex.Expect(
            (alice.OrderId, Alice, MainMarket, Yes, Side.Buy, 4_000, 4 * Share, 6 * Share),
            (e.OrderId, e.Account, e.Market, e.Outcome, e.Side, e.Price, e.Remaining, e.Size),
            "order, owner, market, token, side, own price, remaining, size = removed");
        ex.Expect((Yes, Side.Buy, 4_000, 9 * Share), (reduce.Events[1].Outcome, reduce.Events[1].Side, reduce.Events[1].Price, reduce.Events[1].Size), "YES bid 0.40 now 5 + 4");
        ex.Expect((No, Side.Sell, 6_000, 9 * Share), (reduce.Events[2].Outcome, reduce.Events[2].Side, reduce.Events[2].Price, reduce.Events[2].Size), "NO ask 0.60 now 9");
        ex.Expect((Alice, 98_400_000L, 1_600_000L), (reduce.Events[3].Account, reduce.Events[3].Amount, reduce.Events[3].OtherAmount), "Alice's cash after");
    }

    [Fact]
    public void Invalid_reductions_are_rejected_with_no_effect()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        var alice = ex.Buy(Alice, Yes, 4_000, 10 * Share);

        void Refused(RejectCode code, Command command, string because)
        {
            var result = ex.Apply(command);
            ex.ExpectRejected(code, result, because);
            ex.Expect(ex.HashIfLastCommandWereANoOp(), ex.Engine.ComputeStateHash(), because + ": no effect");
        }

        Refused(RejectCode.OrderNotFound, Command.Reduce(0, 0, Alice, 12_345, Share), "no such order");
        Refused(RejectCode.NotOrderOwner, Command.Reduce(0, 0, Bob, alice.OrderId, Share), "only the owner may reduce");
        Refused(RejectCode.InvalidQuantity, Command.Reduce(0, 0, Alice, alice.OrderId, 10 * Share), "the same size is not a reduction");
        Refused(RejectCode.InvalidQuantity, Command.Reduce(0, 0, Alice, alice.OrderId, 11 * Share), "a reduce cannot grow an order");
        Refused(RejectCode.InvalidQuantity, Command.Reduce(0, 0, Alice, alice.OrderId, 0), "to zero is a cancel");
        Refused(RejectCode.InvalidQuantity, Command.Reduce(0, 0, Alice, alice.OrderId, -Share), "negative");
        Refused(RejectCode.InvalidCommand, Command.Reduce(0, 0, Alice, alice.OrderId, Share) with { IsBudget = true }, "the new size is in shares, never a budget");
        ex.Expect(10 * Share, ex.Order(alice.OrderId).Remaining, "the order is untouched");
        ex.Expect(new Balance(96 * Usdc, 4 * Usdc), ex.Cash(Alice), "and so is the cash");
    }

    [Fact]
    public void An_order_that_has_filled_or_been_cancelled_cannot_be_reduced()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        var filled = ex.Buy(Alice, Yes, 4_000, 5 * Share);
        ex.Buy(Bob, No, 6_000, 5 * Share, TimeInForce.Fok); // MINT against it: filled
        var cancelled = ex.Buy(Alice, Yes, 3_000, 5 * Share);
        ex.Cancel(Alice, cancelled.OrderId);

        ex.ExpectRejected(RejectCode.OrderNotFound, ex.Reduce(Alice, filled.OrderId, Share), "filled");
        ex.ExpectRejected(RejectCode.OrderNotFound, ex.Reduce(Alice, cancelled.OrderId, Share), "cancelled");
    }

    [Fact]
    public void A_reduced_GTD_order_still_expires_at_its_time_and_a_closed_market_allows_reducing_like_cancelling()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        var alice = ex.Buy(Alice, Yes, 4_000, 10 * Share, TimeInForce.Gtd, expiration: StartTime + 120_000);
        ex.SetStatus(MarketStatus.Closed);

        ex.ExpectAccepted(ex.Reduce(Alice, alice.OrderId, 6 * Share), "reducing is a partial cancel");
        var expired = ex.AdvanceTime(120_000).Of(EventKind.OrderExpired).Single();

        ex.Expect((alice.OrderId, 6 * Share), (expired.OrderId, expired.Remaining), "the 6 left expire on time");
        ex.Expect(new Balance(100 * Usdc, 0), ex.Cash(Alice), "all released");
    }

    [Fact]
    public void A_reduce_survives_the_journal_codec()
    {
        var command = Command.Reduce(42, StartTime, Alice, 1_234_567_890_123, 3 * Share);
        var bytes = new byte[CommandCodec.Size];

        CommandCodec.Encode(command, bytes);

        Assert.True(CommandCodec.TryDecode(bytes, out var decoded));
        Assert.Equal(command, decoded);
        Assert.Equal(CommandKind.ReduceOrder, decoded.Kind);
    }
}
