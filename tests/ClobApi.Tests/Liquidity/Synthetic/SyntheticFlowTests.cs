using System.Globalization;
using Polysim.ClobApi.Api;
using Polysim.ClobApi.Liquidity;
using Polysim.ClobApi.Liquidity.Synthetic;
using Polysim.MatchingEngine;
using Xunit.Abstractions;

namespace Polysim.ClobApi.Tests.Liquidity.Synthetic;

/// <summary>Whole synthetic runs: determinism (research §5 test 1), the presets' figures (test 4), a user market maker (test 6), invariants.</summary>
[Trait("Mode", "Embedded")]
public sealed class SyntheticFlowTests(ITestOutputHelper output)
{
    private const long Hour = 3_600_000;

    [Fact]
    public void Same_seed_gives_the_same_event_log_hash_and_the_next_seed_a_different_one()
    {
        var options = new SyntheticRunOptions { Scenario = SyntheticScenario.Typical(), Seed = 7, DurationMs = Hour };
        var first = SyntheticRun.Run(options);
        var second = SyntheticRun.Run(options);
        var other = SyntheticRun.Run(options with { Seed = 8 });
        output.WriteLine($"seed 7: {first.EventLogSha256} ({first.Events} events)");
        output.WriteLine($"seed 7: {second.EventLogSha256} ({second.Events} events)");
        output.WriteLine($"seed 8: {other.EventLogSha256} ({other.Events} events)");
        Assert.Equal(first.EventLogSha256, second.EventLogSha256);
        Assert.Equal(first.StateHash, second.StateHash);
        Assert.NotEqual(first.EventLogSha256, other.EventLogSha256);
    }

    [Theory]
    [InlineData("active", "demo", 0.5)]
    [InlineData("typical", "demo", 0.5)]
    [InlineData("thin", "demo", 0.5)]
    [InlineData("typical", "calm", 0.5)]
    [InlineData("active", "demo", 0.08)]
    public void Preset_figures_fall_in_the_documented_ranges(string preset, string fair, double p0)
    {
        // Research §1.4: 4 virtual hours × 3 seeds, tick 0.01; every figure within ±25 % of the range, the spread median inside it.
        var expected = Expected(preset, p0);
        var scenario = SyntheticScenario.Preset(preset, fair) with { P0 = p0 };
        for (ulong seed = 1; seed <= 3; seed++)
        {
            var run = SyntheticRun.Run(new SyntheticRunOptions { Scenario = scenario, Seed = seed, DurationMs = 4 * Hour });
            var m = run.Metrics;
            output.WriteLine($"{preset}/{fair} p0 {p0} seed {seed}: {m}");
            AssertHealthy(run);
            Assert.InRange(m.SpreadMedianTicks, expected.Median.Lo, expected.Median.Hi);
            Assert.InRange(m.SpreadP90Ticks, expected.P90.Lo * 0.75, expected.P90.Hi * 1.25);
            Assert.InRange(m.TimeWithin3TicksPct, expected.Within3.Lo * 0.75, 100);
            Assert.InRange(m.TopOfBookMedianShares, expected.Top.Lo * 0.75, expected.Top.Hi * 1.25);
            Assert.InRange(m.DepthWithin5TicksMedianShares, expected.Depth.Lo * 0.75, expected.Depth.Hi * 1.25);
            Assert.InRange(m.TradesPerMinute, expected.Trades.Lo * 0.75, expected.Trades.Hi * 1.25);
            foreach (var q in m.HouseMakerMaxAbsInventory)
            {
                Assert.InRange(q, 0, 1500 + (5 * 50));
            }
        }
    }

    [Fact]
    public void A_user_market_maker_quoting_at_the_touch_in_typical_gets_fills()
    {
        // Research §5 test 6, with the house makers on and then off (the user then competes for the flow alone).
        foreach (var scenario in (SyntheticScenario[])[SyntheticScenario.Typical(), SyntheticScenario.Typical().WithoutHouseMarketMakers()])
        {
            var run = SyntheticRun.Run(new SyntheticRunOptions { Scenario = scenario, Seed = 3, DurationMs = Hour, User = TouchQuoter(1000) });
            var user = run.User!;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"typical, house makers {(scenario.HouseMarketMakers ? "on" : "off")}: {user.Fills} fills/h ({user.MakerFills} as maker), {user.FilledShares:0} of {user.PlacedShares:0} shares placed filled (fill ratio {user.FillRatio:P2}), PnL {user.Pnl:0.00} $, inventory {user.Inventory:0}; book {run.Metrics}"));
            AssertHealthy(run);
            Assert.True(user.Fills > 0, "the user market maker got no fill");
            Assert.True(user.MakerFills > 0, "the user market maker never filled as maker");
        }
    }

    [Fact]
    public void Stepping_wake_by_wake_or_in_coarse_host_steps_sends_the_same_orders()
    {
        // The host calls Advance with its own clock; agents decide on wake times, so only the command timestamps differ.
        static List<string> Orders(long stepMs)
        {
            var (engine, venue) = NewMarket(1, new MarketParameters(100));
            var log = new List<string>();
            var recording = new LoggingVenue(venue, log);
            var source = new SyntheticMarket(1, SyntheticScenario.Typical(), 5);
            source.Start(0);
            while (source.NextWakeMs <= 600_000)
            {
                var t = stepMs == 0 ? source.NextWakeMs : ((source.NextWakeMs / stepMs) + 1) * stepMs;
                venue.SetTime(t);
                source.Advance(recording, t);
            }

            return log;
        }

        var fine = Orders(0);
        var coarse = Orders(5_000);
        output.WriteLine($"{fine.Count} commands in 10 virtual minutes, stepped wake by wake and in 5 s steps");
        Assert.True(fine.Count > 100);
        Assert.Equal(fine, coarse);
    }

    [Fact]
    public void Withdraw_cancels_only_this_markets_agent_orders_and_stops_the_flow()
    {
        var (engine, venue) = NewMarket(1, new MarketParameters(100));
        venue.Apply(Command.CreateMarket(0, 0, 2, new MarketParameters(100)));
        var one = new SyntheticMarket(1, SyntheticScenario.Typical(), 1);
        var two = new SyntheticMarket(2, SyntheticScenario.Typical(), 2);
        one.Start(0);
        two.Start(0);
        Run(venue, [one, two], 300_000);
        Assert.True(engine.GetMarket(1)!.Value.OpenOrders > 0);
        var before = engine.GetMarket(2)!.Value.OpenOrders;

        one.Withdraw(venue);

        Assert.Equal(0, engine.GetMarket(1)!.Value.OpenOrders);
        Assert.Equal(before, engine.GetMarket(2)!.Value.OpenOrders);
        Assert.Equal(long.MaxValue, one.NextWakeMs);
        Assert.True(one.Stopped);
    }

    [Fact]
    public void Agents_follow_a_tick_change_and_respect_the_minimum_size()
    {
        var (engine, venue) = NewMarket(1, new MarketParameters(100, MinimumSize: 30 * Units.AmountScale));
        var source = new SyntheticMarket(1, SyntheticScenario.Active(), 11);
        source.Start(0);
        Run(venue, [source], 600_000);
        Assert.All(engine.GetMarketOrders(1), o => Assert.Equal(0, o.BookPrice % 100));

        venue.Apply(Command.SetTickSize(0, 0, 1, 10));
        Run(venue, [source], 1_200_000);

        var orders = engine.GetMarketOrders(1);
        var offGrid = orders.Count(o => o.BookPrice % 100 != 0);
        output.WriteLine($"after the tick change to 0.001: {orders.Count} resting orders, {offGrid} between the old ticks; rejections {source.Rejections}");
        Assert.True(offGrid > 0, "no agent used the finer tick");
        Assert.All(orders, o => Assert.True(o.Original >= 30 * Units.AmountScale, $"order {o.Id} of {o.Original} is below the minimum"));
        Assert.Equal(0, source.Rejections);
        Assert.Empty(SyntheticRun.CheckInvariants(engine));
    }

    [Theory]
    [InlineData(0.03, 10)]
    [InlineData(0.97, 10)]
    [InlineData(0.04, 100)]
    public void Agents_near_the_edges_send_nothing_the_engine_refuses(double p0, int tick)
    {
        // Near 0 the $1 marketable-BUY minimum needs large sizes; near the bounds ladder levels fall off the price grid.
        var run = SyntheticRun.Run(new SyntheticRunOptions { Scenario = SyntheticScenario.Active() with { P0 = p0, Tick = tick }, Seed = 4, DurationMs = Hour / 2 });
        output.WriteLine($"p0 {p0} tick {tick}: {run.Metrics}; {run.Trades} trades, rejections {run.Rejections}");
        AssertHealthy(run);
        Assert.True(run.Trades > 0);
    }

    [Fact]
    public void Ensure_accounts_registers_and_funds_once_and_tops_up_a_drained_account()
    {
        var (engine, venue) = NewMarket(1, new MarketParameters(100), ensure: false);
        Assert.Equal(10, SyntheticMarket.EnsureAccounts(venue));
        Assert.Equal(0, SyntheticMarket.EnsureAccounts(venue));
        Assert.All(SyntheticMarket.AgentAccounts, a => Assert.Equal(SyntheticMarket.FundAmount, engine.GetBalance(a).Available));

        venue.Apply(Command.Withdraw(0, 0, SystemAccounts.NoiseTakers, SyntheticMarket.FundAmount - (10 * Units.AmountScale)));
        Assert.Equal(1, SyntheticMarket.EnsureAccounts(venue));
        Assert.Equal(SyntheticMarket.FundAmount, engine.GetBalance(SystemAccounts.NoiseTakers).Available);
        Assert.True(SyntheticMarket.FundAmount < Units.MaxAmount);
    }

    [Fact]
    public void With_the_house_makers_off_no_order_comes_from_the_house_accounts()
    {
        var (engine, venue) = NewMarket(1, new MarketParameters(100));
        var source = new SyntheticMarket(1, SyntheticScenario.Typical().WithoutHouseMarketMakers(), 1);
        source.Start(0);
        Run(venue, [source], 900_000);
        Assert.True(engine.GetMarket(1)!.Value.OpenOrders > 0);
        Assert.Empty(engine.GetOpenOrders(SystemAccounts.HouseMarketMaker));
        Assert.Empty(engine.GetOpenOrders(SystemAccounts.SecondHouseMarketMaker));
    }

    [Fact]
    public void A_scenario_round_trips_through_json_in_the_research_shape()
    {
        var scenario = SyntheticScenario.Thin(FairParameters.Calm) with { Seed = 9, EndDate = 1_800_000_000_000 };
        var json = scenario.ToJson();
        output.WriteLine(json);
        Assert.Contains("\"type\":\"mm\"", json, StringComparison.Ordinal);
        Assert.Equal(json, SyntheticScenario.FromJson(json).ToJson());

        var handWritten = SyntheticScenario.FromJson(
            """{"seed":3,"tick":100,"p0":0.3,"fair":{"sigmaB":0.06,"lambdaJ":0.25,"sJ":0.5},"agents":[{"rate":2,"type":"noise"},{"type":"mm","count":1,"halfTicks":2}]}""");
        Assert.Equal(0.3, handWritten.P0);
        Assert.Equal(0.5, handWritten.Fair.SJ);
        Assert.Contains("\"sJ\":0.25", json, StringComparison.Ordinal);
        Assert.Equal(2, handWritten.Agent<NoiseAgentConfig>()!.Rate);
        Assert.Equal(5, handWritten.Agent<MarketMakerConfig>()!.Levels);
        Assert.Null(handWritten.Agent<ZiAgentConfig>());
    }

    private static ((double Lo, double Hi) Median, (double Lo, double Hi) P90, (double Lo, double Hi) Within3, (double Lo, double Hi) Top, (double Lo, double Hi) Depth, (double Lo, double Hi) Trades) Expected(string preset, double p0) => preset switch
    {
        "active" => ((1, 1), p0 < 0.5 ? (1, 2) : (2, 2), (100, 100), (215, 390), (2040, 2680), (4.5, 5.2)),
        "typical" => ((1, 1), (2, 2), (99, 99), (115, 185), (840, 1040), (1.4, 1.7)),
        _ => ((1, 2), (3, 4), (84, 96), (50, 85), (325, 470), (0.7, 1.0)),
    };

    private static void AssertHealthy(SyntheticRunResult run)
    {
        Assert.Equal(0, run.Rejections);
        Assert.Equal(0, run.CrossedAfterCommand);
        Assert.Empty(SyntheticRun.CheckInvariants(run.Engine));
    }

    private static (Engine Engine, EngineVenue Venue) NewMarket(int market, MarketParameters parameters, bool ensure = true)
    {
        var engine = new Engine();
        var venue = new EngineVenue(engine);
        venue.Apply(Command.CreateMarket(0, 0, market, parameters));
        if (ensure)
        {
            SyntheticMarket.EnsureAccounts(venue);
        }

        return (engine, venue);
    }

    private static void Run(EngineVenue venue, SyntheticMarket[] sources, long untilMs)
    {
        while (true)
        {
            var next = sources.Min(s => s.NextWakeMs);
            if (next > untilMs)
            {
                return;
            }

            venue.SetTime(next);
            foreach (var s in sources)
            {
                s.Advance(venue, next);
            }
        }
    }

    /// <summary>A user market maker that keeps one 50-share order at the best bid and one at the best ask (cash only).</summary>
    private static UserStrategy TouchQuoter(int account)
    {
        long bidId = 0, askId = 0;
        return new UserStrategy(account, 10_000 * Units.AmountScale, 1_000, (venue, market, _) =>
        {
            var info = venue.Engine.GetMarket(market)!.Value;
            bidId = Quote(venue, account, market, bidId, bid: true, info.BestBid > 0 ? info.BestBid : 0);
            info = venue.Engine.GetMarket(market)!.Value;
            askId = Quote(venue, account, market, askId, bid: false, info.BestAsk < Units.PriceScale ? info.BestAsk : 0);
        });

        static long Quote(IMarketVenue venue, int account, int market, long id, bool bid, int touch)
        {
            const long size = 50 * Units.AmountScale;
            if (venue.Engine.TryGetOrder(id, out var order))
            {
                if (order.BookPrice == touch)
                {
                    return id;
                }

                venue.Apply(Command.Cancel(0, 0, account, id));
            }

            if (touch == 0)
            {
                return 0;
            }

            var next = venue.NextOrderId;
            var code = bid
                ? venue.Apply(Command.Place(0, 0, account, market, next, Outcome.Yes, Side.Buy, touch, size))
                : venue.Apply(Command.Place(0, 0, account, market, next, Outcome.No, Side.Buy, Units.PriceScale - touch, size));
            return code == RejectCode.None ? next : 0;
        }
    }

    /// <summary>Logs each command without its timestamp.</summary>
    private sealed class LoggingVenue(EngineVenue inner, List<string> log) : IMarketVenue
    {
        public Engine Engine => inner.Engine;

        public long NowMs => inner.NowMs;

        public long NextOrderId => inner.NextOrderId;

        public RejectCode Apply(Command command)
        {
            var code = inner.Apply(command);
            log.Add($"{command.Kind} a{command.Account} o{command.OrderId} {command.Outcome} {command.Side} {command.Price} {command.Quantity} {command.TimeInForce} {code}");
            return code;
        }
    }
}
