using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>Tick size changes: by the operator, or automatically 0.01 → 0.001 near the extremes.</summary>
public sealed class TickSizeScenarios
{
    private static MarketParameters AutoTick => new(TickSize: 100, AutoTickSize: true);

    [Fact]
    public void An_operator_tick_change_emits_TickSizeChanged_and_applies_to_new_orders()
    {
        var ex = new Exchange(); // tick 0.01
        ex.Open(Alice, 100 * Usdc);
        ex.ExpectRejected(RejectCode.InvalidTickSize, ex.Buy(Alice, Yes, 3_450, 10 * Share), "0.345 is off the 0.01 grid");

        var change = ex.SetTick(10);

        var e = change.Of(EventKind.TickSizeChanged).Single();
        ex.Expect(10, e.Price, "new tick 0.001");
        ex.Expect(100, e.OtherPrice, "old tick 0.01");
        ex.Expect(10, ex.Info().TickSize, "current tick");
        ex.ExpectAccepted(ex.Buy(Alice, Yes, 3_450, 10 * Share), "0.345 is on the 0.001 grid");
        ex.ExpectRejected(RejectCode.InvalidMarketParameters, ex.SetTick(50), "0.005 is not a tick size");
    }

    [Fact]
    public void Resting_orders_off_the_new_grid_stay_and_can_still_fill_at_their_price()
    {
        var ex = new Exchange(new MarketParameters(TickSize: 10)); // tick 0.001
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Bob, Yes, 10 * Share);
        var alice = ex.Buy(Alice, Yes, 3_450, 10 * Share);

        ex.SetTick(100);

        ex.ExpectTrue(ex.IsOpen(alice.OrderId), "0.345 is off the new 0.01 grid but stays");
        ex.Expect(3_450, ex.Info().BestBid, "still the best bid");
        ex.ExpectRejected(RejectCode.InvalidTickSize, ex.Buy(Bob, Yes, 3_450, 10 * Share), "new orders must use the new grid");
        var bob = ex.Sell(Bob, Yes, 3_400, 10 * Share);
        ex.Expect(3_450, bob.Trades.Single().MakerPrice, "fills at the maker's 0.345");
        ex.Expect(new Balance(103_450_000, 0), ex.Cash(Bob), "10 × 0.345 = 3.45");
    }

    [Fact]
    public void With_AutoTickSize_a_trade_above_0_96_switches_the_tick_from_0_01_to_0_001()
    {
        var ex = new Exchange(AutoTick);
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        ex.Sell(Alice, Yes, 9_700, 10 * Share);

        var bob = ex.Buy(Bob, Yes, 9_700, 5 * Share);

        var e = bob.Of(EventKind.TickSizeChanged).Single();
        ex.Expect(10, e.Price, "to 0.001");
        ex.Expect(100, e.OtherPrice, "from 0.01");
        ex.ExpectTrue(bob.IndexOf(EventKind.Trade) < bob.IndexOf(EventKind.TickSizeChanged), "after the trade that printed at 0.97");
        ex.Expect(10, ex.Info().TickSize, "now 0.001");
        ex.ExpectAccepted(ex.Buy(Bob, Yes, 4_550, 10 * Share), "0.455 is now a valid price");
    }

    [Fact]
    public void With_AutoTickSize_a_NO_trade_at_0_97_prints_YES_0_03_and_switches_the_tick()
    {
        var ex = new Exchange(AutoTick);
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Buy(Alice, Yes, 300, 10 * Share); // YES bid 0.03

        var bob = ex.Buy(Bob, No, 9_700, 10 * Share); // MINT at YES 0.03 / NO 0.97

        ex.Expect(300, ex.Info().LastTradePrice, "YES price 0.03 < 0.04");
        ex.Expect(1, bob.Of(EventKind.TickSizeChanged).Count, "tick switched");
        ex.Expect(10, ex.Info().TickSize, "0.001");
    }

    [Theory]
    [InlineData(9_600)]
    [InlineData(400)]
    public void With_AutoTickSize_a_trade_exactly_at_0_96_or_0_04_does_not_switch(int price)
    {
        var ex = new Exchange(AutoTick);
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.Buy(Alice, Yes, price, 30 * Share);

        var bob = ex.Buy(Bob, No, 10_000 - price, 30 * Share);

        ex.Expect(1, bob.Trades.Count, "traded");
        ex.Expect(0, bob.Of(EventKind.TickSizeChanged).Count, "the thresholds are strict: above 0.96, below 0.04");
        ex.Expect(100, ex.Info().TickSize, "still 0.01");
    }

    [Fact]
    public void Without_AutoTickSize_an_extreme_trade_leaves_the_tick_alone()
    {
        var ex = new Exchange(); // AutoTickSize off
        ex.Open(Alice, 100 * Usdc);
        ex.Open(Bob, 100 * Usdc);
        ex.GiveShares(Alice, Yes, 10 * Share);
        ex.Sell(Alice, Yes, 9_900, 10 * Share);

        var bob = ex.Buy(Bob, Yes, 9_900, 10 * Share);

        ex.Expect(1, bob.Trades.Count, "traded at 0.99");
        ex.Expect(0, bob.Of(EventKind.TickSizeChanged).Count, "no automatic change");
        ex.Expect(100, ex.Info().TickSize, "still 0.01");
    }
}
