using Polysim.ClobApi.Liquidity;
using Polysim.ClobApi.Liquidity.Replay;
using Polysim.MatchingEngine;
using static Polysim.ClobApi.Tests.Liquidity.External.ExtHarness;

namespace Polysim.ClobApi.Tests.Liquidity.External;

/// <summary>The external participant as the replay source's sink.</summary>
[Trait("Mode", "Embedded")]
public sealed class ReplayWiringTests
{
    [Fact]
    public void A_replay_hands_a_print_before_the_depth_update_of_the_same_instant_so_the_print_fills_the_order_at_the_front()
    {
        var h = new ExtHarness();
        var alice = h.AskViaNo(Alice, 5_200, 10); // rests before the external book appears: first in the queue
        const long T0 = 1_700_000_000_000_000_000;
        var events = new List<ReplayEvent>
        {
            new() { TsNs = T0, Seq = 1, ConditionId = "0xw", Kind = ReplayEventKind.Snapshot, Bids = [(5_000, Sh(50))], Asks = [(5_200, Sh(100))] },
            new() { TsNs = T0 + 1_000_000, Seq = 2, ConditionId = "0xw", Kind = ReplayEventKind.Level, Side = Side.Sell, Price = 5_200, Size = Sh(70) },
            new() { TsNs = T0 + 1_000_000, Seq = 3, ConditionId = "0xw", Kind = ReplayEventKind.Trade, Side = Side.Buy, Price = 5_200, Size = Sh(30), TxHash = "0x1" },
        };
        using var source = new ReplaySource(Market, events, VirtualClock.AsFastAsPossible(), h.Ext);
        source.Start(h.Venue.NowMs);

        for (var i = 0; source.State != ReplayState.Finished && i < 100; i++)
        {
            source.Advance(h.Venue, h.Venue.NowMs);
        }

        h.Expect(ReplayState.Finished, source.State, "replayed");
        h.Expect(BookFreshness.Fresh, source.Freshness, "the source reports the sink's freshness");
        h.Expect(0L, h.Remaining(alice), "print first: Alice, at the front, took 10 of the 30");
        h.Expect(Sh(70), h.ExtAt(bid: false, 5_200), "and the depth update did not remove the 30 again");
        h.Check("after the replay");
    }
}
