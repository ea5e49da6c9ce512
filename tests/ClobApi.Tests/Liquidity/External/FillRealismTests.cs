using Polysim.ClobApi.Liquidity;
using Polysim.ClobApi.Liquidity.External;
using Polysim.MatchingEngine;
using Xunit.Abstractions;
using static Polysim.ClobApi.Tests.Liquidity.External.ExtHarness;

namespace Polysim.ClobApi.Tests.Liquidity.External;

/// <summary>Research §5 test 16: a passive user market maker over one generated external stream under each queue policy.</summary>
[Trait("Mode", "Embedded")]
public sealed class FillRealismTests(ITestOutputHelper output)
{
    [Fact]
    public void Internal_first_fills_at_least_the_estimate_and_the_estimate_at_least_external_first()
    {
        var stream = Generate(seed: 7, events: 3_000);

        var internalFirst = Run(stream, new ExternalLiquidityOptions { Policy = ExternalFillPolicy.InternalFirst });
        var estimated = Run(stream, new ExternalLiquidityOptions { Policy = ExternalFillPolicy.Estimated, QueueModel = QueueModel.Power(2) });
        var externalFirst = Run(stream, new ExternalLiquidityOptions { Policy = ExternalFillPolicy.ExternalFirst });

        output.WriteLine($"{stream.Count} external events; maker fills (shares) and PnL at the last mid (USDC):");
        output.WriteLine($"  InternalFirst     {internalFirst.Shares,10:F2} {internalFirst.Pnl,10:F2}");
        output.WriteLine($"  Estimated(Power2) {estimated.Shares,10:F2} {estimated.Pnl,10:F2}");
        output.WriteLine($"  ExternalFirst     {externalFirst.Shares,10:F2} {externalFirst.Pnl,10:F2}");
        Assert.True(externalFirst.Shares > 0, "the pessimistic policy still fills a maker at the touch");
        Assert.True(internalFirst.Shares >= estimated.Shares, $"InternalFirst {internalFirst.Shares} ≥ Estimated {estimated.Shares}");
        Assert.True(estimated.Shares >= externalFirst.Shares, $"Estimated {estimated.Shares} ≥ ExternalFirst {externalFirst.Shares}");
    }

    [Fact]
    public void The_same_stream_and_policy_give_the_same_engine_state()
    {
        var stream = Generate(seed: 11, events: 600);

        var first = Run(stream, new ExternalLiquidityOptions());
        var second = Run(stream, new ExternalLiquidityOptions());

        Assert.Equal(first.Hash, second.Hash);
    }

    private static (double Shares, double Pnl, ulong Hash) Run(IReadOnlyList<ReplayEvent> stream, ExternalLiquidityOptions options)
    {
        var h = new ExtHarness(options);
        long bid = 0, ask = 0;
        int bidPrice = 0, askPrice = 0;
        var cash0 = h.Engine.GetBalance(Alice).Total;
        var lastMs = stream[0].TsNs / 1_000_000;
        var mid = 5_000;
        foreach (var e in stream)
        {
            var ms = e.TsNs / 1_000_000;
            h.Wait(ms - lastMs);
            lastMs = ms;
            h.Feed(e);
            if (e.Kind == ReplayEventKind.Snapshot)
            {
                mid = (e.Bids[0].Price + e.Asks[0].Price) / 2;
            }

            // Alice joins the external touch with 10 shares a side and follows it.
            var (bestBid, bestAsk) = (mid - 100, mid + 100);
            if (h.IsOpen(bid) && bidPrice != bestBid)
            {
                h.Venue.Apply(Command.Cancel(0, 0, Alice, bid));
            }

            if (h.IsOpen(ask) && askPrice != bestAsk)
            {
                h.Venue.Apply(Command.Cancel(0, 0, Alice, ask));
            }

            if (!h.IsOpen(bid))
            {
                (bid, bidPrice) = (h.BuyYes(Alice, bestBid, 10), bestBid);
            }

            if (!h.IsOpen(ask))
            {
                (ask, askPrice) = (h.AskViaNo(Alice, bestAsk, 10), bestAsk);
            }
        }

        var counters = h.Ext.Counters;
        var yes = h.Engine.GetPosition(Alice, Market, Outcome.Yes).Total;
        var no = h.Engine.GetPosition(Alice, Market, Outcome.No).Total;
        var value = h.Engine.GetBalance(Alice).Total - cash0 + ((yes * mid) + (no * (10_000 - mid))) / 10_000;
        return ((counters.PrintShares + counters.CrossingShares) / (double)Share, value / (double)Usdc, h.Engine.ComputeStateHash());
    }

    /// <summary>A canonical stream around a mid on a 0.01 grid: a snapshot whenever the mid moves, depth added and
    /// cancelled at random levels, and prints at the touch followed (at the same instant) by their depth decrease.</summary>
    internal static List<ReplayEvent> Generate(ulong seed, int events)
    {
        var rng = new SplitMix(seed);
        var stream = new List<ReplayEvent>();
        var bids = new SortedDictionary<int, long>();
        var asks = new SortedDictionary<int, long>();
        var mid = 5_000;
        var ns = 1_700_000_000_000L * 1_000_000;
        var seq = 0L;

        void Snapshot()
        {
            bids.Clear();
            asks.Clear();
            for (var i = 1; i <= 5; i++)
            {
                bids[mid - (100 * i)] = Sh(20 + rng.Next(80));
                asks[mid + (100 * i)] = Sh(20 + rng.Next(80));
            }

            stream.Add(new ReplayEvent
            {
                TsNs = ns,
                Seq = ++seq,
                ConditionId = "0xgen",
                Kind = ReplayEventKind.Snapshot,
                Bids = bids.Reverse().Select(kv => (kv.Key, kv.Value)).ToList(),
                Asks = asks.Select(kv => (kv.Key, kv.Value)).ToList(),
            });
        }

        void Level(bool bid, int price, long size)
        {
            (bid ? bids : asks)[price] = size;
            stream.Add(new ReplayEvent { TsNs = ns, Seq = ++seq, ConditionId = "0xgen", Kind = ReplayEventKind.Level, Side = bid ? Side.Buy : Side.Sell, Price = price, Size = size });
        }

        Snapshot();
        while (stream.Count < events)
        {
            ns += (1 + rng.Next(500)) * 1_000_000L;
            var roll = rng.Next(100);
            var bid = rng.Next(2) == 0;
            var book = bid ? bids : asks;
            var price = mid + ((bid ? -100 : 100) * (1 + rng.Next(5)));
            if (roll < 40)
            {
                Level(bid, price, book[price] + Sh(5 + rng.Next(45)));
            }
            else if (roll < 70)
            {
                Level(bid, price, book[price] - (long)(book[price] * (rng.Next(60) / 100.0)));
            }
            else if (roll < 95)
            {
                var touch = mid + (bid ? -100 : 100);
                var size = Math.Min(book[touch], Sh(5 + rng.Next(40)));
                if (size > 0)
                {
                    stream.Add(new ReplayEvent { TsNs = ns, Seq = ++seq, ConditionId = "0xgen", Kind = ReplayEventKind.Trade, Side = bid ? Side.Sell : Side.Buy, Price = touch, Size = size, TxHash = $"0x{seq:x}" });
                    Level(bid, touch, book[touch] - size);
                }
            }
            else
            {
                mid += rng.Next(2) == 0 ? -100 : 100;
                mid = Math.Clamp(mid, 1_000, 9_000);
                Snapshot();
            }
        }

        return stream;
    }

    /// <summary>SplitMix64: a project-owned generator, so the stream does not depend on the runtime's <c>System.Random</c>.</summary>
    internal sealed class SplitMix(ulong seed)
    {
        private ulong _state = seed;

        public int Next(int bound)
        {
            _state += 0x9E3779B97F4A7C15UL;
            var z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z % (ulong)bound);
        }
    }
}
