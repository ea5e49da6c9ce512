using Polysim.ClobApi.Api;
using Polysim.ClobApi.Liquidity;
using Polysim.ClobApi.Liquidity.External;
using Polysim.MatchingEngine;
using static Polysim.ClobApi.Tests.Liquidity.External.ExtHarness;

namespace Polysim.ClobApi.Tests.Liquidity.External;

/// <summary>The external book as one engine participant: research §5 tests 8 and 10–14 on a bare engine.</summary>
[Trait("Mode", "Embedded")]
public sealed class ExternalLiquidityTests
{
    private static readonly (int, double)[] NoLevels = [];

    [Fact]
    public void A_snapshot_rests_the_external_book_as_orders_of_the_external_account()
    {
        var h = new ExtHarness();

        h.Snapshot([(5_000, 40), (4_900, 60)], [(5_200, 100), (5_300, 25.5)]);

        h.Expect(BookFreshness.Fresh, h.Ext.Freshness, "fresh after a snapshot");
        h.Expect(Sh(40), h.ExtAt(bid: true, 5_000), "bid 0.50");
        h.Expect(Sh(60), h.ExtAt(bid: true, 4_900), "bid 0.49");
        h.Expect(Sh(100), h.ExtAt(bid: false, 5_200), "ask 0.52");
        h.Expect(Sh(25.5), h.ExtAt(bid: false, 5_300), "ask 0.53");
        var orders = h.Engine.GetOpenOrders(SystemAccounts.External);
        h.True(orders.All(o => o.Side == Side.Buy), "the external account only buys (cash, no shares)");
        h.True(orders.Where(o => !o.Outcome.Equals(Outcome.Yes)).All(o => o.BookPrice >= 5_200), "asks are BUY NO orders");
        h.Expect(SelfTradePrevention.CancelIncoming, h.Engine.GetSelfTradePrevention(SystemAccounts.External), "its orders never trade with each other");
    }

    // ---- test 10: queue models through the engine ----------------------------------------------------

    [Fact]
    public void Power_2_moves_an_order_with_30_ahead_and_70_behind_to_28_45_ahead_after_an_unexplained_decrease_of_10()
    {
        var h = new ExtHarness(new ExternalLiquidityOptions { QueueModel = QueueModel.Power(2) });
        h.Snapshot([(5_000, 10)], [(5_200, 30)]);
        var alice = h.AskViaNo(Alice, 5_200, 10);
        h.Level(bid: false, 5_200, 100);
        h.Expect("E:30,1000:10,E:70", h.Queue(bid: false, 5_200), "the growth joined behind Alice");

        h.Level(bid: false, 5_200, 90);

        h.Near(28_448_276, h.Ahead(alice), 1, "30 − (1 − 4900/5800) × 10 = 28.448276 shares ahead");
        h.Expect(Sh(90), h.ExtAt(bid: false, 5_200), "the level shows 90 external shares");
    }

    [Fact]
    public void Risk_adverse_keeps_the_queue_ahead_until_the_level_shrinks_below_it()
    {
        var h = new ExtHarness(new ExternalLiquidityOptions { Policy = ExternalFillPolicy.ExternalFirst });
        h.Snapshot([(5_000, 10)], [(5_200, 30)]);
        var alice = h.AskViaNo(Alice, 5_200, 10);
        h.Level(bid: false, 5_200, 100);

        h.Level(bid: false, 5_200, 40);
        h.Expect(Sh(30), h.Ahead(alice), "decrease of 60 taken behind");

        h.Level(bid: false, 5_200, 20);
        h.Expect(Sh(20), h.Ahead(alice), "front = min(front, new) = 20");
        h.Expect(1L, h.Ext.Counters.QueueAdvances, "one advance");
    }

    [Fact]
    public void Nautilus_example_ahead_100_print_80_print_30_fills_10_print_50_fills_40()
    {
        var h = new ExtHarness();
        h.Snapshot([(5_000, 10)], [(5_200, 100)]);
        var alice = h.AskViaNo(Alice, 5_200, 50);
        h.Expect(Sh(100), h.Ahead(alice), "ahead 100");

        h.Print(5_200, 80);
        h.Expect(Sh(20), h.Ahead(alice), "ahead 20 after a print of 80");
        h.Expect(Sh(50), h.Remaining(alice), "no fill yet");

        h.Print(5_200, 30);
        h.Expect(Sh(40), h.Remaining(alice), "the print of 30 fills the excess 10");
        h.Expect(0L, h.Ahead(alice), "at the front");

        h.Print(5_200, 50);
        h.Expect(0L, h.Remaining(alice), "the print of 50 fills the remaining 40");
        h.Expect(Sh(50), h.Ext.Counters.PrintShares, "50 shares filled by prints");
        h.Expect(Sh(50), h.Engine.GetPosition(SystemAccounts.External, Market, Outcome.Yes).Total, "the external account bought Alice's 50 YES (a mint: Alice holds the NO)");
    }

    // ---- test 11: pairing -----------------------------------------------------------------------------

    [Fact]
    public void A_print_then_its_depth_update_advance_the_queue_once()
    {
        var h = new ExtHarness();
        h.Snapshot([(5_000, 10)], [(5_200, 100)]);
        var alice = h.AskViaNo(Alice, 5_200, 10);

        h.Print(5_200, 30);
        h.Level(bid: false, 5_200, 70);

        h.Expect(Sh(70), h.Ahead(alice), "100 − 30");
        h.Expect(Sh(70), h.ExtAt(bid: false, 5_200), "the external level shows 70");
    }

    [Fact]
    public void A_depth_update_then_its_print_at_the_same_instant_advance_the_queue_once()
    {
        var h = new ExtHarness();
        h.Snapshot([(5_000, 10)], [(5_200, 100)]);
        var alice = h.AskViaNo(Alice, 5_200, 10);

        h.Level(bid: false, 5_200, 70);
        h.Print(5_200, 30);

        h.Expect(Sh(70), h.Ahead(alice), "paired: 70, as print-first gives");
        h.Expect(Sh(70), h.ExtAt(bid: false, 5_200), "the external level shows 70");
    }

    [Fact]
    public void Without_pairing_a_depth_update_and_its_late_print_would_advance_the_queue_twice()
    {
        var h = new ExtHarness();
        h.Snapshot([(5_000, 10)], [(5_200, 100)]);
        var alice = h.AskViaNo(Alice, 5_200, 10);

        h.Level(bid: false, 5_200, 70);
        h.Wait(1); // outside the default window of 0 ms
        h.Print(5_200, 30);

        h.Expect(Sh(40), h.Ahead(alice), "the hazard the pairing window removes: 100 → 70 → 40");
    }

    [Fact]
    public void A_one_second_window_pairs_a_late_print_with_its_depth_update()
    {
        var h = new ExtHarness(new ExternalLiquidityOptions { PairingWindow = TimeSpan.FromSeconds(1) });
        h.Snapshot([(5_000, 10)], [(5_200, 100)]);
        var alice = h.AskViaNo(Alice, 5_200, 10);

        h.Level(bid: false, 5_200, 70);
        h.Wait(800);
        h.Print(5_200, 30);

        h.Expect(Sh(70), h.Ahead(alice), "paired within one second");
    }

    [Fact]
    public void The_same_print_reported_on_both_tokens_counts_once()
    {
        var h = new ExtHarness();
        h.Snapshot([(5_000, 10)], [(5_200, 100)]);
        var alice = h.AskViaNo(Alice, 5_200, 10);

        h.Print(5_200, 30, tx: "0xabc");
        h.Print(5_200, 30, tx: "0xabc");

        h.Expect(Sh(70), h.Ahead(alice), "one print of 30");
        h.Expect(1L, h.Ext.Counters.DuplicatePrints, "one duplicate dropped");
    }

    [Fact]
    public void A_print_at_or_below_the_best_bid_advances_the_bids_whatever_side_it_reports()
    {
        var h = new ExtHarness();
        h.Snapshot([(5_000, 100)], [(5_200, 100)]);
        var bid = h.BuyYes(Alice, 5_000, 10);
        var ask = h.AskViaNo(Bob, 5_200, 10);

        h.Print(5_000, 30, hint: Side.Buy);

        h.Expect(Sh(70), h.Ahead(bid), "the seller hit the bids");
        h.Expect(Sh(100), h.Ahead(ask), "the asks did not move");
    }

    [Fact]
    public void A_print_through_a_better_internal_order_fills_it_capped_by_the_print_size()
    {
        var h = new ExtHarness();
        h.Snapshot([(4_800, 100)], [(5_200, 100)]);
        var alice = h.AskViaNo(Alice, 5_100, 50); // improves on the external ask

        h.Print(5_200, 30);

        h.Expect(Sh(20), h.Remaining(alice), "a buyer who paid 0.52 would have taken 0.51 first: 30 of 50");
        h.Expect(Sh(70), h.ExtAt(bid: false, 5_200), "the real level still lost the 30 printed there");
    }

    [Fact]
    public void A_print_walks_the_level_in_FIFO_and_external_size_between_internal_orders_uses_up_its_budget()
    {
        var h = new ExtHarness();
        h.Snapshot([(5_000, 10)], [(5_200, 10)]);
        var a = h.AskViaNo(Alice, 5_200, 20);
        h.Level(bid: false, 5_200, 20);
        var b = h.AskViaNo(Bob, 5_200, 20);
        h.Level(bid: false, 5_200, 70);
        h.Expect("E:10,1000:20,E:10,1001:20,E:50", h.Queue(bid: false, 5_200), "two internal orders between external segments");

        h.Print(5_200, 35);

        h.Expect(0L, h.Remaining(a), "10 external, then A's 20");
        h.Expect(Sh(20), h.Remaining(b), "the last 5 went to the external size between A and B, so B is not reached");
        h.Expect("1001:20,E:35", h.Queue(bid: false, 5_200), "the real level lost 35 from its front: B is now first");
        h.Expect(1L, h.Ext.Counters.PrintFills, "one print fill");
    }

    [Fact]
    public void A_print_through_two_levels_sweeps_the_better_one_and_fills_the_internal_order_there_first()
    {
        var h = new ExtHarness();
        h.Snapshot([(5_000, 10)], [(5_200, 30), (5_300, 100)]);
        var bob = h.AskViaNo(Bob, 5_200, 20);
        var alice = h.AskViaNo(Alice, 5_300, 10);

        h.Print(5_300, 50);

        h.Expect(0L, h.Remaining(bob), "a buyer who paid 0.53 went through 0.52: Bob fills despite the external 30 ahead");
        h.Expect(0L, h.ExtAt(bid: false, 5_200), "the swept external level is withdrawn");
        h.Expect(Sh(50), h.Ahead(alice), "0.53 lost the printed 50 from its front");
        h.Expect(Sh(10), h.Remaining(alice), "the print's budget after Bob (30) did not reach Alice");

        h.Level(bid: false, 5_200, 0);
        h.Level(bid: false, 5_300, 50);
        h.Expect(Sh(50), h.Ahead(alice), "the depth updates that confirm the sweep do not move the queue again");
    }

    [Fact]
    public void Internal_first_puts_internal_orders_ahead_of_external_size_at_the_next_external_event()
    {
        var h = new ExtHarness(new ExternalLiquidityOptions { Policy = ExternalFillPolicy.InternalFirst });
        h.Snapshot([(5_000, 10)], [(5_200, 100)]);
        var alice = h.AskViaNo(Alice, 5_200, 10);
        h.Expect(Sh(100), h.Ahead(alice), "behind until the next external event");

        h.Level(bid: true, 5_000, 12);

        h.Expect(0L, h.Ahead(alice), "jumped the external queue");
        h.Expect(Sh(100), h.ExtAt(bid: false, 5_200), "the external size is all still there, behind");
        h.Print(5_200, 10);
        h.Expect(0L, h.Remaining(alice), "the next print fills Alice first");
    }

    [Fact]
    public void A_fresh_snapshot_keeps_internal_queue_positions_and_only_applies_the_differences()
    {
        var h = new ExtHarness(new ExternalLiquidityOptions { Policy = ExternalFillPolicy.ExternalFirst });
        h.Snapshot([(5_000, 10)], [(5_200, 30)]);
        var alice = h.AskViaNo(Alice, 5_200, 10);
        h.Level(bid: false, 5_200, 100);

        h.Snapshot([(5_000, 10)], [(5_200, 60), (5_300, 5)]);

        h.Expect(Sh(30), h.Ahead(alice), "the decrease of 40 came off the back");
        h.Expect("E:30,1000:10,E:30", h.Queue(bid: false, 5_200), "queue kept");
        h.Expect(Sh(5), h.ExtAt(bid: false, 5_300), "new level added");
    }

    [Fact]
    public void Withdraw_cancels_every_external_order_and_leaves_the_book_stale_until_a_snapshot()
    {
        var h = new ExtHarness();
        h.Snapshot([(5_000, 10), (4_900, 10)], [(5_200, 30)]);

        h.Ext.Withdraw(h.Venue);
        h.Check("after withdraw");

        h.Expect(0, h.Engine.GetOpenOrders(SystemAccounts.External).Count, "nothing rests");
        h.Expect(BookFreshness.Stale, h.Ext.Freshness, "stale");
        h.Expect((0L, 0L), h.Ext.ExternalLevel(bid: false, 5_200), "forgotten");
    }

    // ---- test 12: consumption ledger -------------------------------------------------------------------

    [Fact]
    public void Two_user_buys_of_80_against_one_external_ask_of_100_fill_100_in_total()
    {
        var h = new ExtHarness();
        h.Snapshot([(5_000, 10)], [(5_200, 100)]);

        h.BuyYes(Alice, 5_200, 80);
        var bob = h.BuyYes(Bob, 5_200, 80);
        h.Level(bid: false, 5_200, 100); // the feed still shows 100: the consumed 100 is not shown again
        h.Wait(1);
        h.Level(bid: false, 5_200, 100);

        var shadow = h.Ext.Counters.ShadowShares;
        h.Expect(Sh(100), shadow, "shadow fills ≤ 100");
        h.Expect(Sh(60), h.Remaining(bob), "Bob's rest waits as a bid");
        h.Expect(0L, h.Ext.Counters.CrossingShares, "no re-display through Bob's bid");
        h.Expect(Sh(100), h.Engine.GetPosition(Alice, Market, Outcome.Yes).Total + h.Engine.GetPosition(Bob, Market, Outcome.Yes).Total, "users hold 100 YES");
    }

    [Fact]
    public void A_NO_side_fill_depletes_the_same_YES_level()
    {
        var h = new ExtHarness();

        // Bob gets 50 NO shares from Carol before the external book appears (a mint at 0.30 / 0.70).
        h.Place(Bob, Outcome.No, Side.Buy, 7_000, 50);
        h.BuyYes(Carol, 3_000, 50);
        h.Snapshot(NoLevels, [(5_200, 100)]);

        h.BuyYes(Alice, 5_200, 80);
        var bob = h.Place(Bob, Outcome.No, Side.Sell, 4_800, 50); // SELL NO at 0.48 = YES bid at 0.52
        h.Level(bid: false, 5_200, 100);

        h.Expect(Sh(100), h.Ext.Counters.ShadowShares, "80 YES bought + 20 NO sold into the same 100");
        h.Expect(Sh(30), h.Remaining(bob), "the NO seller got the last 20");
        h.Expect(0L, h.ExtAt(bid: false, 5_200), "the YES ask level is depleted");
    }

    [Fact]
    public void Reset_on_update_shows_consumed_liquidity_again_at_the_next_update()
    {
        var h = new ExtHarness(new ExternalLiquidityOptions { Ledger = ConsumptionLedgerMode.ResetOnUpdate });
        h.Snapshot([(5_000, 10)], [(5_200, 100)]);

        h.BuyYes(Alice, 5_200, 80);
        var bob = h.BuyYes(Bob, 5_200, 80);
        h.Level(bid: false, 5_200, 100);

        h.Expect(0L, h.Remaining(bob), "the re-displayed 100 crossed Bob's bid (the optimistic rule)");
        h.Expect(Sh(60), h.Ext.Counters.CrossingShares, "60 more than the feed ever showed");
    }

    [Fact]
    public void Consumed_liquidity_is_shown_again_after_the_TTL()
    {
        var h = new ExtHarness(new ExternalLiquidityOptions { ConsumptionTtl = TimeSpan.FromSeconds(30) });
        h.Snapshot([(5_000, 10)], [(5_200, 100)]);
        h.BuyYes(Alice, 5_200, 80);
        h.Level(bid: false, 5_200, 100);
        h.Expect(Sh(20), h.ExtAt(bid: false, 5_200), "80 consumed");

        h.Wait(30_000);
        h.Level(bid: false, 5_200, 100);

        h.Expect(Sh(100), h.ExtAt(bid: false, 5_200), "shown again after 30 s");
    }

    // ---- test 13: merge priority --------------------------------------------------------------------------

    [Fact]
    public void An_internal_taker_meets_external_and_internal_asks_in_price_time_order()
    {
        var h = new ExtHarness();
        h.Snapshot([(5_000, 10)], [(5_200, 50)]);
        var a = h.AskViaNo(Alice, 5_200, 20);
        h.Level(bid: false, 5_200, 80);
        var b = h.AskViaNo(Bob, 5_200, 20);
        h.Expect("E:50,1000:20,E:30,1001:20", h.Queue(bid: false, 5_200), "external 50, A, external 30, B");

        h.BuyYes(Carol, 5_200, 120);

        var fills = string.Join(",", h.LastTrades.Select(t => $"{t.MakerAccount}:{t.Size / Share}"));
        h.Expect($"{SystemAccounts.External}:50,{Alice}:20,{SystemAccounts.External}:30,{Bob}:20", fills, "fill sequence with counterparties");
        h.Expect(0L, h.Remaining(a) + h.Remaining(b), "A and B filled");
        h.Level(bid: false, 5_200, 80);
        h.Expect(Sh(80), h.Ext.Counters.ShadowShares, "the external account sees its 80 consumed at its next event");
        h.Expect(0L, h.ExtAt(bid: false, 5_200), "and does not show them again");
    }

    [Fact]
    public void Self_trade_prevention_stops_an_internal_taker_at_its_owners_resting_order()
    {
        var h = new ExtHarness();
        h.Venue.Apply(Command.SetStp(0, 0, Bob, SelfTradePrevention.CancelIncoming));
        h.Snapshot([(5_000, 10)], [(5_200, 50)]);
        h.AskViaNo(Alice, 5_200, 20);
        h.Level(bid: false, 5_200, 80);
        var b = h.AskViaNo(Bob, 5_200, 20);

        h.BuyYes(Bob, 5_200, 120);

        var fills = string.Join(",", h.LastTrades.Select(t => $"{t.MakerAccount}:{t.Size / Share}"));
        h.Expect($"{SystemAccounts.External}:50,{Alice}:20,{SystemAccounts.External}:30", fills, "stops before Bob's own ask");
        h.Expect(Sh(20), h.Remaining(b), "Bob's resting ask untouched");
    }

    // ---- test 14: the external book moves through an internal order --------------------------------------

    [Fact]
    public void An_external_ask_falling_below_an_internal_bid_fills_it_as_maker_at_its_limit_up_to_the_crossing_size()
    {
        var h = new ExtHarness();
        h.Snapshot([(4_800, 100)], [(5_200, 100)]);
        var alice = h.BuyYes(Alice, 5_100, 30);

        h.Level(bid: false, 5_000, 20);

        h.Expect(Sh(10), h.Remaining(alice), "20 of 30 filled");
        h.Expect(Sh(20), h.Ext.Counters.CrossingShares, "qty ≤ crossing size");
        var cash = h.Engine.GetBalance(Alice);
        h.Expect((100_000 * Usdc) - (20 * 5_100 * Usdc / 10_000), cash.Total, "Alice paid her own limit 0.51, not 0.50");

        h.Level(bid: false, 5_000, 20);
        h.Expect(Sh(10), h.Remaining(alice), "the same displayed 20 never fills twice");

        h.Level(bid: false, 5_000, 25);
        h.Expect(Sh(5), h.Remaining(alice), "growth of 5 crosses again");
    }

    // ---- test 8: gaps ---------------------------------------------------------------------------------------

    [Fact]
    public void After_a_gap_nothing_fills_against_the_external_book_and_internal_orders_still_match()
    {
        var h = new ExtHarness();
        h.Snapshot([(5_000, 100)], [(5_200, 100)]);
        var alice = h.AskViaNo(Alice, 5_200, 10);

        h.Gap();
        h.Expect(BookFreshness.Stale, h.Ext.Freshness, "stale");
        h.Expect(0, h.Engine.GetOpenOrders(SystemAccounts.External).Count, "external orders withdrawn");
        h.Level(bid: false, 5_200, 300);
        h.Print(5_200, 50);
        h.Expect(2L, h.Ext.Counters.IgnoredWhileStale, "level and print ignored");

        h.BuyYes(Bob, 5_300, 30, TimeInForce.Fak);
        h.True(h.LastTrades.All(t => t.MakerAccount != SystemAccounts.External && t.TakerAccount != SystemAccounts.External), "no external fills while stale");
        h.Expect(Alice, h.LastTrades.Single().MakerAccount, "Bob met Alice");
        h.Expect(0L, h.Remaining(alice), "internal orders keep matching each other");

        h.Snapshot([(5_000, 100)], [(5_200, 100)]);
        h.Expect(BookFreshness.Fresh, h.Ext.Freshness, "fresh again");
        h.Expect(Sh(100), h.ExtAt(bid: false, 5_200), "rebuilt");
    }

    [Fact]
    public void A_crossed_update_makes_the_book_stale()
    {
        var h = new ExtHarness();
        h.Snapshot([(5_000, 100)], [(5_200, 100)]);

        h.Level(bid: true, 5_200, 10);

        h.Expect(BookFreshness.Stale, h.Ext.Freshness, "crossed → stale");
        h.Expect(0, h.Engine.GetOpenOrders(SystemAccounts.External).Count, "withdrawn");
    }

    [Fact]
    public void A_print_that_empties_a_level_lets_the_taker_remainder_rest_on_the_other_side_without_a_false_cross()
    {
        var h = new ExtHarness();
        h.Snapshot([(5_000, 100)], [(5_200, 40)]);

        h.Print(5_200, 40);
        h.Level(bid: true, 5_200, 10); // the aggressor's remainder, reported before the ask level's removal
        h.Level(bid: false, 5_200, 0);

        h.Expect(BookFreshness.Fresh, h.Ext.Freshness, "still fresh");
        h.Expect(Sh(10), h.ExtAt(bid: true, 5_200), "new best bid 0.52");
    }

    [Fact]
    public void Growth_below_the_minimum_size_waits_or_merges_into_an_external_order_at_the_back()
    {
        var h = new ExtHarness(minimumSize: 5 * Share);
        h.Snapshot([(5_000, 10)], [(5_200, 3)]);
        h.Expect(0L, h.ExtAt(bid: false, 5_200), "3 shares are below the minimum of 5: not placed yet");
        h.Expect((Sh(3), Sh(3)), h.Ext.ExternalLevel(bid: false, 5_200), "but known");

        h.Level(bid: false, 5_200, 6);
        h.Expect(Sh(6), h.ExtAt(bid: false, 5_200), "placed once it reaches 5");

        h.Level(bid: false, 5_200, 7);
        h.Expect("E:7", h.Queue(bid: false, 5_200), "one share merged into the order at the back");
    }
}
