using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>What the engine reports, and in which order.</summary>
public sealed class EventScenarios
{
    [Fact]
    public void A_fill_emits_a_Trade_with_both_orders_accounts_tokens_sides_own_prices_size_cash_and_match_type()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        var bob = ex.Buy(Bob, No, 6_000, 10 * Share);

        var alice = ex.Buy(Alice, Yes, 4_000, 10 * Share);

        var t = alice.Trades.Single();
        ex.Expect(1L, t.TradeId, "the engine's first trade");
        ex.Expect(MainMarket, t.Market, "market");
        ex.Expect(alice.OrderId, t.TakerOrderId, "taker order");
        ex.Expect(bob.OrderId, t.MakerOrderId, "maker order");
        ex.Expect(Alice, t.TakerAccount, "taker account");
        ex.Expect(Bob, t.MakerAccount, "maker account");
        ex.Expect(Yes, t.Outcome, "taker token");
        ex.Expect(No, t.OtherOutcome, "maker token");
        ex.Expect(Side.Buy, t.Side, "taker side");
        ex.Expect(Side.Buy, t.OtherSide, "maker side");
        ex.Expect(4_000, t.TakerPrice, "taker's own-token price");
        ex.Expect(6_000, t.MakerPrice, "maker's own-token price");
        ex.Expect(10 * Share, t.Size, "size");
        ex.Expect(MatchType.Mint, t.MatchType, "match type");
        ex.Expect(4 * Usdc, t.Amount, "taker paid 4.00");
        ex.Expect(6 * Usdc, t.OtherAmount, "maker paid 6.00");
        ex.Expect(0L, t.Fee, "no fee");
        ex.Expect(0L, t.Remaining, "taker done");
        ex.Expect(0L, t.OtherRemaining, "maker done");
    }

    [Fact]
    public void A_fill_emits_OrderFilled_for_the_maker_and_for_the_taker()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        var alice = ex.Sell(Alice, Yes, 4_000, 10 * Share);

        var bob = ex.Buy(Bob, Yes, 4_000, 4 * Share, TimeInForce.Fak);

        var filled = bob.Of(EventKind.OrderFilled);
        ex.Expect(2, filled.Count, "one per side");
        var maker = filled.Single(e => e.OrderId == alice.OrderId);
        var taker = filled.Single(e => e.OrderId == bob.OrderId);
        ex.Expect(4 * Share, maker.Size, "maker filled 4");
        ex.Expect(6 * Share, maker.Remaining, "maker has 6 left");
        ex.Expect(4 * Share, taker.Size, "taker filled 4");
        ex.Expect(0L, taker.Remaining, "taker done");
        ex.Expect(Alice, maker.Account, "maker account");
        ex.Expect(Bob, taker.Account, "taker account");
    }

    [Fact]
    public void Book_level_changes_come_in_YES_and_NO_pairs_with_complementary_prices_and_the_same_size()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Bob, Yes, 10 * Share);

        var rest = ex.Buy(Alice, Yes, 4_000, 10 * Share);
        ExpectPairs(ex, rest, "resting");
        var level = rest.Of(EventKind.BookLevelChanged);
        ex.Expect((Yes, Side.Buy, 4_000, 10 * Share), (level[0].Outcome, level[0].Side, level[0].Price, level[0].Size), "YES bid 0.40 = 10");
        ex.Expect((No, Side.Sell, 6_000, 10 * Share), (level[1].Outcome, level[1].Side, level[1].Price, level[1].Size), "NO ask 0.60 = 10");

        var fill = ex.Sell(Bob, Yes, 4_000, 4 * Share, TimeInForce.Fak);
        ExpectPairs(ex, fill, "a partial fill");
        ex.Expect(6 * Share, fill.Of(EventKind.BookLevelChanged)[0].Size, "the level shrinks to 6");

        var cancel = ex.Cancel(Alice, rest.OrderId);
        ExpectPairs(ex, cancel, "a cancel");
        ex.Expect(0L, cancel.Of(EventKind.BookLevelChanged)[0].Size, "the level empties");
    }

    [Fact]
    public void Each_touched_account_and_position_gets_exactly_one_balance_or_position_event_per_command_with_its_final_values()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Open(Dave, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        ex.GiveShares(Bob, Yes, 5 * Share);
        ex.Sell(Alice, Yes, 6_000, 5 * Share);
        ex.Sell(Bob, Yes, 6_100, 5 * Share);
        ex.Sell(Alice, Yes, 6_200, 5 * Share);

        var dave = ex.Buy(Dave, Yes, 6_200, 15 * Share); // three fills: Alice, Bob, Alice

        ex.Expect(3, dave.Trades.Count, "three fills");
        var balances = dave.Of(EventKind.BalanceChanged);
        ex.Expect(balances.Count, balances.Select(e => e.Account).Distinct().Count(), "no account twice");
        foreach (var account in new[] { Alice, Bob, Dave })
        {
            var e = balances.Single(b => b.Account == account);
            ex.Expect(ex.Cash(account), new Balance(e.Amount, e.OtherAmount), $"account {account}: the event carries the final cash");
        }

        var positions = dave.Of(EventKind.PositionChanged);
        ex.Expect(positions.Count, positions.Select(e => (e.Account, e.Market, e.Outcome)).Distinct().Count(), "no position twice");
        foreach (var account in new[] { Alice, Bob, Dave })
        {
            var e = positions.Single(p => p.Account == account && p.Outcome == Yes);
            ex.Expect(ex.Held(account, Yes), new Balance(e.Amount, e.OtherAmount), $"account {account}: the event carries the final shares");
        }

        ex.ExpectTrue(
            dave.Events.SkipWhile(e => e.Kind is not (EventKind.BalanceChanged or EventKind.PositionChanged))
                .All(e => e.Kind is EventKind.BalanceChanged or EventKind.PositionChanged),
            "balance and position events close the command");
    }

    [Fact]
    public void A_rejected_command_emits_one_Rejected_event_that_carries_the_code_the_order_and_the_account()
    {
        var ex = new Exchange();
        ex.Open(Alice, 1 * Usdc);

        var r = ex.Buy(Alice, Yes, 4_000, 10 * Share, orderId: 555);

        ex.Expect(RejectCode.InsufficientBalance, r.Code, "4.00 > 1.00");
        var e = r.Events.Single();
        ex.Expect(EventKind.Rejected, e.Kind, "the only event");
        ex.Expect(RejectCode.InsufficientBalance, e.Code, "the code");
        ex.Expect(555L, e.OrderId, "the order id");
        ex.Expect(Alice, e.Account, "the account");
    }

    [Fact]
    public void An_order_is_announced_with_OrderAccepted_then_its_fills_then_OrderRested_for_what_is_left()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 5 * Share);
        ex.Sell(Alice, Yes, 4_000, 5 * Share);

        var bob = ex.Buy(Bob, Yes, 4_000, 8 * Share);

        var accepted = bob.Of(EventKind.OrderAccepted).Single();
        ex.Expect((bob.OrderId, Bob, Yes, Side.Buy, 4_000, 8 * Share), (accepted.OrderId, accepted.Account, accepted.Outcome, accepted.Side, accepted.Price, accepted.Size), "OrderAccepted fields");
        ex.Expect(0, bob.IndexOf(EventKind.OrderAccepted), "first");
        ex.ExpectTrue(bob.IndexOf(EventKind.Trade) > 0, "then the trade");
        ex.ExpectTrue(bob.IndexOf(EventKind.OrderRested) > bob.IndexOf(EventKind.Trade), "then the remainder rests");
        var rested = bob.Of(EventKind.OrderRested).Single();
        ex.Expect(3 * Share, rested.Remaining, "8 − 5 = 3 rest");
        ex.Expect(4_000, rested.Price, "at its own price");
    }

    private static void ExpectPairs(Exchange ex, Result result, string what)
    {
        var levels = result.Of(EventKind.BookLevelChanged);
        ex.ExpectTrue(levels.Count > 0 && levels.Count % 2 == 0, $"{what}: level events come in pairs");
        for (var i = 0; i < levels.Count; i += 2)
        {
            var yes = levels[i];
            var no = levels[i + 1];
            ex.Expect(Yes, yes.Outcome, $"{what}: first of the pair is the YES view");
            ex.Expect(No, no.Outcome, $"{what}: second is the NO view");
            ex.Expect(10_000 - yes.Price, no.Price, $"{what}: complementary prices");
            ex.ExpectTrue(yes.Side != no.Side, $"{what}: a YES bid is a NO ask and vice versa");
            ex.Expect(yes.Size, no.Size, $"{what}: same size");
        }
    }
}
