namespace Polysim.MatchingEngine.Tests.Properties;

/// <summary>
/// Minimal reproductions of engine defects the differential property tests found (shrunk from generated streams), each
/// checked against the reference model as well as by explicit expectations.
/// </summary>
public class FoundByPropertiesTests
{
    private const long Share = Units.AmountScale;
    private const int A = 1;
    private const int B = 2;

    /// <summary>Two accounts with cash and 100 YES and 100 NO each, in market 1 (tick 0.01, no fee).</summary>
    private static List<Command> TwoTraders(SelfTradePrevention stpOfA)
    {
        var seq = 0L;
        return
        [
            Command.RegisterAccount(++seq, 1_000, A, stpOfA),
            Command.RegisterAccount(++seq, 1_000, B),
            Command.Deposit(++seq, 1_000, A, 1_000 * Share),
            Command.Deposit(++seq, 1_000, B, 1_000 * Share),
            Command.CreateMarket(++seq, 1_000, 1, new MarketParameters(100)),
            Command.Place(++seq, 1_000, A, 1, 1, Outcome.Yes, Side.Buy, 5_000, 100 * Share),
            Command.Place(++seq, 1_000, B, 1, 2, Outcome.No, Side.Buy, 5_000, 100 * Share, TimeInForce.Fak),
            Command.Place(++seq, 1_000, B, 1, 3, Outcome.Yes, Side.Buy, 5_000, 100 * Share),
            Command.Place(++seq, 1_000, A, 1, 4, Outcome.No, Side.Buy, 5_000, 100 * Share, TimeInForce.Fak),
        ];
    }

    private static (Engine Engine, RejectCode Last) Apply(List<Command> commands)
    {
        StreamChecker.Run("minimal reproduction", commands); // the model agrees and every invariant holds throughout
        var engine = new Engine(new EngineOptions { FeeAccount = CommandStreamGenerator.FeeAccount });
        var last = RejectCode.None;
        foreach (var command in commands)
        {
            last = engine.Apply(command);
        }

        return (engine, last);
    }

    [Fact]
    public void A_filled_taker_does_not_cancel_its_own_resting_order_under_CancelResting()
    {
        // Found by seed 1 (fixed in 449c5af): the walk went on after the taker was filled and cancelled the own order behind.
        var commands = TwoTraders(SelfTradePrevention.CancelResting);
        commands.Add(Command.Place(10, 1_000, B, 1, 5, Outcome.No, Side.Sell, 3_500, 10 * Share)); // YES bid 0.65
        commands.Add(Command.Place(11, 1_000, A, 1, 6, Outcome.No, Side.Sell, 3_500, 10 * Share)); // behind it, own
        commands.Add(Command.Place(12, 1_000, A, 1, 7, Outcome.Yes, Side.Sell, 6_500, 10 * Share, TimeInForce.Fak));

        var (engine, last) = Apply(commands);

        Assert.Equal(RejectCode.None, last);
        Assert.True(engine.TryGetOrder(6, out var own), "the own resting order was never met by a taker that still had something to fill");
        Assert.Equal(10 * Share, own.Remaining);
        Assert.DoesNotContain(engine.Events.ToArray(), e => e.Kind == EventKind.OrderCancelled);
    }

    [Fact]
    public void A_FOK_filled_exactly_before_its_own_order_is_accepted_under_CancelIncoming()
    {
        // Found by seed 11 (fixed in 449c5af): the dry run met the own order after the FOK was complete and said "not filled".
        var commands = TwoTraders(SelfTradePrevention.CancelIncoming);
        commands.Add(Command.Place(10, 1_000, B, 1, 5, Outcome.Yes, Side.Sell, 4_900, 10 * Share));
        commands.Add(Command.Place(11, 1_000, A, 1, 6, Outcome.Yes, Side.Sell, 5_000, 10 * Share));
        commands.Add(Command.Place(12, 1_000, A, 1, 7, Outcome.Yes, Side.Buy, 5_000, 10 * Share, TimeInForce.Fok));

        var (engine, last) = Apply(commands);

        Assert.Equal(RejectCode.None, last);
        var trade = Assert.Single(engine.Events.ToArray(), e => e.Kind == EventKind.Trade);
        Assert.Equal((5L, 10 * Share), (trade.MakerOrderId, trade.Size));
        Assert.True(engine.TryGetOrder(6, out _));
    }

    [Fact]
    public void A_budget_FOK_whose_leftover_buys_nothing_at_its_limit_is_accepted_when_it_meets_its_own_order()
    {
        // Found by seeds 64, 128 and 135. After buying 10.000030 shares at 0.58 the budget has 6,000e-10 USDC left:
        // one more micro-share at 0.58 (the own order's price) but none at the 0.62 limit, so the order is complete
        // (its remainder converts to floor(6000 / 6200) = 0 shares). The walk stops at the own order (CancelIncoming)
        // with nothing left to cancel; Match would retire it filled, but the FOK dry run answered "not filled".
        var commands = TwoTraders(SelfTradePrevention.CancelIncoming);
        commands.Add(Command.Place(10, 1_000, B, 1, 5, Outcome.Yes, Side.Sell, 5_800, 10_000_030));
        commands.Add(Command.Place(11, 1_000, A, 1, 6, Outcome.Yes, Side.Sell, 5_800, 5 * Share));
        commands.Add(Command.PlaceBudgetBuy(12, 1_000, A, 1, 7, Outcome.Yes, 6_200, 5_800_018, TimeInForce.Fok));

        var (engine, last) = Apply(commands);

        Assert.Equal(RejectCode.None, last);
        var trade = Assert.Single(engine.Events.ToArray(), e => e.Kind == EventKind.Trade);
        Assert.Equal((5L, 10_000_030L, 5_800_018L), (trade.MakerOrderId, trade.Size, trade.Amount));
        Assert.False(engine.TryGetOrder(7, out _));
        Assert.True(engine.TryGetOrder(6, out _));
    }
}
