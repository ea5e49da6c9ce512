using Polysim.ClobApi.Api;
using Polysim.ClobApi.Liquidity.External;
using Polysim.MatchingEngine;
using static Polysim.ClobApi.Tests.Liquidity.External.ExtHarness;

namespace Polysim.ClobApi.Tests.Liquidity.External;

/// <summary>A generated external stream with internal makers and takers under every policy, queue family and ledger
/// mode: after every step money is conserved, the merged book is not crossed, and the external orders at each price
/// add up to what the ledger makes available.</summary>
[Trait("Mode", "Embedded")]
public sealed class ExternalStreamTests
{
    public static TheoryData<string, ExternalFillPolicy, ConsumptionLedgerMode> Configurations => new()
    {
        { "Power(2)", ExternalFillPolicy.Estimated, ConsumptionLedgerMode.Sticky },
        { "Log", ExternalFillPolicy.Estimated, ConsumptionLedgerMode.Sticky },
        { "Power2(3)", ExternalFillPolicy.Estimated, ConsumptionLedgerMode.ResetOnUpdate },
        { "Log2", ExternalFillPolicy.Estimated, ConsumptionLedgerMode.Sticky },
        { "Power3(2)", ExternalFillPolicy.Estimated, ConsumptionLedgerMode.Sticky },
        { "RiskAdverse", ExternalFillPolicy.ExternalFirst, ConsumptionLedgerMode.Sticky },
        { "Power(2)", ExternalFillPolicy.InternalFirst, ConsumptionLedgerMode.ResetOnUpdate },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Internal_makers_and_takers_over_a_generated_stream_keep_every_invariant(string model, ExternalFillPolicy policy, ConsumptionLedgerMode ledger)
    {
        Assert.True(QueueModel.TryParse(model, out var queueModel));
        var h = new ExtHarness(new ExternalLiquidityOptions { QueueModel = queueModel, Policy = policy, Ledger = ledger, ConsumptionTtl = TimeSpan.FromSeconds(5) });
        var stream = FillRealismTests.Generate(seed: 23, events: 1_500);
        var rng = new FillRealismTests.SplitMix(99);
        var lastMs = stream[0].TsNs / 1_000_000;
        var resting = new List<(int Account, long Id)>();
        foreach (var e in stream)
        {
            var ms = e.TsNs / 1_000_000;
            h.Wait(ms - lastMs);
            lastMs = ms;
            h.Feed(e);

            var roll = rng.Next(10);
            var levels = h.Ext.ExternalLevels();
            var bestBid = levels.Where(l => l.Bid).Select(l => l.Price).DefaultIfEmpty(4_000).First();
            var bestAsk = levels.Where(l => !l.Bid).Select(l => l.Price).DefaultIfEmpty(6_000).First();
            if (roll < 3)
            {
                // Bob takes up to one tick through the touch on either side (FAK).
                var size = 5 + rng.Next(40);
                var code = rng.Next(2) == 0
                    ? h.Venue.Apply(Command.Place(0, 0, Bob, Market, h.Venue.NextOrderId, Outcome.Yes, Side.Buy, Math.Min(bestAsk + 100, 9_900), Sh(size), TimeInForce.Fak))
                    : h.Venue.Apply(Command.Place(0, 0, Bob, Market, h.Venue.NextOrderId, Outcome.No, Side.Buy, 10_000 - Math.Max(bestBid - 100, 100), Sh(size), TimeInForce.Fak));
                Assert.True(code is RejectCode.None or RejectCode.FakNoMatch, $"Bob's taker: {code}");
                h.Check("after Bob's taker");
            }
            else if (roll < 5)
            {
                // Carol rests an order near the touch (sometimes inside the spread, sometimes marketable).
                var bid = rng.Next(2) == 0;
                var price = bid ? bestBid - 100 + (100 * rng.Next(3)) : bestAsk + 100 - (100 * rng.Next(3));
                price = Math.Clamp(price, 100, 9_900);
                var id = bid ? h.BuyYes(Carol, price, 5 + rng.Next(20)) : h.AskViaNo(Carol, price, 5 + rng.Next(20));
                resting.Add((Carol, id));
            }
            else if (roll == 5 && resting.Count > 0)
            {
                var (account, id) = resting[rng.Next(resting.Count)];
                h.Venue.Apply(Command.Cancel(0, 0, account, id));
                h.Check("after a cancel");
            }
        }

        var counters = h.Ext.Counters;
        Assert.True(counters.ShadowShares > 0, "internal takers met external orders");
        Assert.True(counters.PrintShares > 0, "prints filled internal makers");
        h.Ext.Withdraw(h.Venue);
        Assert.Empty(h.Engine.GetOpenOrders(SystemAccounts.External));
        h.Check("after withdraw");
    }
}
