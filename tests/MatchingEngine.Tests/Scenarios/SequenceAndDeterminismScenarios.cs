using static Polysim.MatchingEngine.Tests.Scenarios.Scenario;

namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>Sequence numbers, the clock, and determinism: same commands, same events, same state hash.</summary>
public sealed class SequenceAndDeterminismScenarios
{
    [Fact]
    public void A_command_whose_sequence_is_not_above_the_last_is_rejected_with_SequenceOutOfOrder_and_changes_nothing()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        var gtd = ex.Buy(Alice, Yes, 4_000, 10 * Share, TimeInForce.Gtd, expiration: ex.Now + 120_000);
        var last = ex.Engine.LastSequence;
        var hash = ex.Engine.ComputeStateHash();
        var now = ex.Engine.Now;

        // Same and lower sequence numbers, with a timestamp past the GTD expiration.
        var same = ex.ApplyExactly(Command.Place(last, now + 600_000, Alice, MainMarket, 900, Yes, Side.Buy, 3_000, 10 * Share));
        var lower = ex.ApplyExactly(Command.Deposit(last - 1, now + 600_000, Alice, 5 * Usdc));

        ex.ExpectRejected(RejectCode.SequenceOutOfOrder, same, "equal sequence");
        ex.ExpectRejected(RejectCode.SequenceOutOfOrder, lower, "lower sequence");
        ex.Expect(last, ex.Engine.LastSequence, "the sequence does not move");
        ex.Expect(now, ex.Engine.Now, "neither does the clock");
        ex.ExpectTrue(ex.IsOpen(gtd.OrderId), "nothing expired");
        ex.Expect(hash, ex.Engine.ComputeStateHash(), "the state hash is unchanged");
    }

    [Fact]
    public void A_command_rejected_for_any_other_reason_still_uses_up_its_sequence_number()
    {
        var ex = new Exchange();
        ex.Open(Alice, 1 * Usdc);
        var seq = ex.Engine.LastSequence + 1;

        var poor = ex.ApplyExactly(Command.Place(seq, ex.Now, Alice, MainMarket, 902, Yes, Side.Buy, 4_000, 10 * Share));
        var again = ex.ApplyExactly(Command.Deposit(seq, ex.Now, Alice, 5 * Usdc));

        ex.ExpectRejected(RejectCode.InsufficientBalance, poor, "4.00 > 1.00");
        ex.Expect(seq, ex.Engine.LastSequence, "the rejected command was still sequenced");
        ex.ExpectRejected(RejectCode.SequenceOutOfOrder, again, "so its number cannot be used again");
    }

    [Fact]
    public void A_timestamp_that_goes_backwards_is_treated_as_now()
    {
        var ex = new Exchange();
        ex.Open(Alice, 100 * Usdc);
        var now = ex.Engine.Now;

        var backwards = ex.ApplyExactly(Command.Place(
            ex.Engine.LastSequence + 1, now - 30_000, Alice, MainMarket, 901, Yes, Side.Buy, 4_000, 10 * Share,
            TimeInForce.Gtd, expiration: now + 50_000));

        ex.Expect(now, ex.Engine.Now, "the clock never goes back");
        ex.ExpectRejected(RejectCode.InvalidExpiration, backwards, "50 s after the engine's now is under a minute, whatever the command says");
    }

    [Fact]
    public void Two_engines_fed_the_same_commands_produce_identical_events_and_state_hashes()
    {
        var script = BusyDay();
        var a = new Engine(Exchange.Options);
        var b = new Engine(Exchange.Options);

        for (var i = 0; i < script.Count; i++)
        {
            var codeA = a.Apply(script[i]);
            var eventsA = a.Events.ToArray();
            var codeB = b.Apply(script[i]);
            var eventsB = b.Events.ToArray();
            Assert.True(codeA == codeB, $"command {i}: {codeA} vs {codeB}");
            Assert.True(eventsA.SequenceEqual(eventsB), $"command {i}: events differ\n{BookFormatter.Format(a, MainMarket)}");
            Assert.True(a.ComputeStateHash() == b.ComputeStateHash(), $"command {i}: hashes differ\n{BookFormatter.Format(a, MainMarket)}");
        }

        Assert.True(a.TradeCount > 0, "the script trades");
    }

    [Fact]
    public void A_different_command_leads_to_a_different_state_hash()
    {
        var script = BusyDay();
        var changed = script.ToList();
        var i = changed.FindLastIndex(c => c.Kind == CommandKind.PlaceOrder && c.TimeInForce == TimeInForce.Gtc);
        changed[i] = changed[i] with { Price = changed[i].Price - 100 }; // one tick lower

        Assert.NotEqual(Replay(script).ComputeStateHash(), Replay(changed).ComputeStateHash());
    }

    /// <summary>A script touching most of the engine: mints, trades, merges, fees, budget orders, cancels, expiry.</summary>
    private static IReadOnlyList<Command> BusyDay()
    {
        var ex = new Exchange(new MarketParameters(TickSize: 100, TakerFeeRate: 720, TakerFeeExponentHalves: 2));
        ex.Open(Alice, 1_000 * Usdc);
        ex.Open(Bob, 1_000 * Usdc);
        ex.Open(Carol, 1_000 * Usdc, SelfTradePrevention.CancelResting);
        ex.Buy(Alice, Yes, 4_500, 50 * Share);
        ex.Buy(Bob, No, 5_600, 30 * Share);
        ex.Sell(Alice, Yes, 6_000, 10 * Share);
        ex.BuyWithBudget(Carol, Yes, 6_100, 7 * Usdc, TimeInForce.Fak);
        ex.Buy(Carol, No, 3_000, 20 * Share, TimeInForce.Gtd, expiration: ex.Now + 90_000);
        ex.Sell(Bob, No, 4_200, 10 * Share);
        ex.Sell(Carol, Yes, 4_500, 3 * Share, TimeInForce.Fak);
        ex.AdvanceTime(100_000);
        ex.Buy(Bob, Yes, 3_900, 12 * Share);
        ex.CancelAll(Alice);
        return ex.Log;
    }

    private static Engine Replay(IEnumerable<Command> commands)
    {
        var engine = new Engine(Exchange.Options);
        foreach (var c in commands)
        {
            engine.Apply(c);
        }

        return engine;
    }
}
