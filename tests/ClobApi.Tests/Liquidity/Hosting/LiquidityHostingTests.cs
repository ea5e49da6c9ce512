using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Polysim.ClobApi.Api;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Liquidity;
using Polysim.ClobApi.Liquidity.Hosting;
using Polysim.MatchingEngine;
using static Polysim.ClobApi.Tests.Markets.MarketsKit;

namespace Polysim.ClobApi.Tests.Liquidity.Hosting;

/// <summary>The liquidity service and its operator routes, with a scripted source in place of the synthetic flow so that
/// what runs, when, and what a restart does are exactly known.</summary>
public sealed class LiquidityHostingTests
{
    private static readonly Dictionary<string, string?> Fast = new() { ["Polysim:Liquidity:TickMs"] = "20" };

    private static Task<TestServer> StartAsync(ScriptedFactory factory, Dictionary<string, string?>? settings = null) =>
        TestServer.StartAsync(settings ?? Fast, configureServices: b => b.Services.AddSingleton<ILiquiditySourceFactory>(factory));

    [Fact]
    public async Task A_configured_source_runs_on_the_engine_thread_and_its_orders_are_journaled_like_users()
    {
        var factory = new ScriptedFactory();
        await using var server = await StartAsync(factory);
        var market = await CreateMarketAsync(server);
        using var admin = server.AdminClient();
        var set = await JsonAsync(await admin.PutAsJsonAsync($"/v1/admin/markets/{market.ConditionId}/liquidity", new { preset = "active", seed = 42 }));
        Assert.Equal("synthetic", set.GetProperty("kind").GetString());
        Assert.Equal("active", set.GetProperty("preset").GetString());
        Assert.Equal(42, set.GetProperty("seed").GetInt64());
        Assert.Equal("running", set.GetProperty("state").GetString());

        await WaitUntilAsync(server, s => s.Engine.GetOpenOrders(SystemAccounts.NoiseTakers).Count >= 3);
        var sources = await Host(server).ReadAsync(_ => factory.Created.Count);
        Assert.Equal(1, sources);
        // Placed through the host: the order projection (fed only by journaled commands) knows them.
        var projected = await Host(server).ReadAsync(s => s.Orders.CountWallet(SystemAccounts.NoiseTakers));
        Assert.True(projected >= 3);

        var list = await JsonAsync(await admin.GetAsync("/v1/admin/liquidity"));
        var row = list.GetProperty("data").EnumerateArray().Single();
        Assert.Equal(market.ConditionId, row.GetProperty("condition_id").GetString());
        Assert.True(row.GetProperty("commands").GetInt64() >= 3);
        Assert.Equal(0, row.GetProperty("rejects").GetInt64());
        Assert.NotNull(row.GetProperty("virtual_time").GetString());
    }

    [Fact]
    public async Task Changing_the_preset_withdraws_the_old_source_and_starts_a_new_one()
    {
        var factory = new ScriptedFactory();
        await using var server = await StartAsync(factory);
        var market = await CreateMarketAsync(server);
        using var admin = server.AdminClient();
        await JsonAsync(await admin.PutAsJsonAsync($"/v1/admin/markets/{market.EngineId}/liquidity", new { preset = "thin" }));
        await WaitUntilAsync(server, s => s.Engine.GetOpenOrders(SystemAccounts.NoiseTakers).Count >= 2);

        var changed = await JsonAsync(await admin.PutAsJsonAsync($"/v1/admin/markets/{market.ConditionId}/liquidity", new { preset = "typical", house_market_makers = false }));
        Assert.Equal("typical", changed.GetProperty("preset").GetString());
        Assert.False(changed.GetProperty("house_market_makers").GetBoolean());
        Assert.Equal(1, changed.GetProperty("seed").GetInt64());
        var (count, first, last) = await Host(server).ReadAsync(_ => (factory.Created.Count, factory.Created[0], factory.Created[^1]));
        Assert.Equal(2, count);
        Assert.True(first.Withdrawn);
        Assert.Equal("typical", last.Config.Preset);
        Assert.False(last.Config.HouseMarketMakers);

        var off = await JsonAsync(await admin.PutAsJsonAsync($"/v1/admin/markets/{market.ConditionId}/liquidity", new { kind = "off" }));
        Assert.Equal("none", off.GetProperty("kind").GetString());
        Assert.Equal("off", off.GetProperty("state").GetString());
        Assert.Equal(0, await Host(server).ReadAsync(s => s.Engine.GetOpenOrders(SystemAccounts.NoiseTakers).Count));
    }

    [Fact]
    public async Task Settings_survive_a_restart_and_the_agents_orders_are_cancelled_before_the_source_is_recreated()
    {
        var factory = new ScriptedFactory();
        await using var server = await StartAsync(factory);
        var market = await CreateMarketAsync(server);
        using (var admin = server.AdminClient())
        {
            await JsonAsync(await admin.PutAsJsonAsync($"/v1/admin/markets/{market.ConditionId}/liquidity", new { preset = "thin", fair = "calm", seed = "7", house_market_makers = false }));
        }

        await WaitUntilAsync(server, s => s.Engine.GetOpenOrders(SystemAccounts.NoiseTakers).Count >= 2);
        var before = await Host(server).ReadAsync(s => s.Engine.GetOpenOrders(SystemAccounts.NoiseTakers).Select(o => o.Id).ToList());

        factory.Paused = true;
        await server.RestartAsync();
        var after = await Host(server).ReadAsync(s => (
            Open: s.Engine.GetOpenOrders(SystemAccounts.NoiseTakers).Select(o => o.Id).ToList(),
            Sequence: s.Engine.LastSequence,
            Config: s.Liquidity.Of(market.EngineId)));
        Assert.Empty(after.Open.Intersect(before));
        Assert.Equal(LiquidityKind.Synthetic, after.Config!.Kind);
        Assert.Equal(("thin", "calm", 7L, false), (after.Config.Preset, after.Config.Fair, after.Config.Seed, after.Config.HouseMarketMakers));
        var recreated = factory.Created[^1];
        Assert.Equal(LiquidityService.DeriveSeed(7, recreated.SequenceAtCreation), recreated.Seed);

        using var again = server.AdminClient();
        var row = await JsonAsync(await again.GetAsync($"/v1/admin/markets/{market.ConditionId}/liquidity"));
        Assert.Equal("thin", row.GetProperty("preset").GetString());
        Assert.Equal("calm", row.GetProperty("fair").GetString());
        Assert.Equal(recreated.Seed, row.GetProperty("run_seed").GetInt64());
    }

    [Fact]
    public async Task The_run_seed_is_a_pure_function_of_the_configured_seed_and_the_sequence()
    {
        Assert.Equal(LiquidityService.DeriveSeed(7, 1_000), LiquidityService.DeriveSeed(7, 1_000));
        Assert.NotEqual(LiquidityService.DeriveSeed(7, 1_000), LiquidityService.DeriveSeed(7, 1_001));
        Assert.NotEqual(LiquidityService.DeriveSeed(7, 1_000), LiquidityService.DeriveSeed(8, 1_000));
        Assert.True(LiquidityService.DeriveSeed(long.MaxValue, long.MaxValue) >= 0);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Bad_inputs_get_the_error_contract_and_never_a_500()
    {
        var factory = new ScriptedFactory();
        await using var server = await StartAsync(factory);
        var market = await CreateMarketAsync(server);
        var path = $"/v1/admin/markets/{market.ConditionId}/liquidity";
        using var admin = server.AdminClient();
        using var anonymous = server.Client();

        await AssertErrorAsync(await anonymous.GetAsync("/v1/admin/liquidity"), HttpStatusCode.Unauthorized, "MISSING_API_KEY");
        await AssertErrorAsync(await anonymous.PutAsJsonAsync(path, new { preset = "active" }), HttpStatusCode.Unauthorized, "MISSING_API_KEY");
        await AssertErrorAsync(await admin.PutAsJsonAsync("/v1/admin/markets/0xdeadbeef/liquidity", new { preset = "active" }), HttpStatusCode.NotFound, "MARKET_NOT_FOUND");
        await AssertErrorAsync(await admin.PutAsJsonAsync("/v1/admin/markets/9999/liquidity", new { preset = "active" }), HttpStatusCode.NotFound, "MARKET_NOT_FOUND");
        await AssertErrorAsync(await admin.GetAsync("/v1/admin/markets/nope/liquidity"), HttpStatusCode.NotFound, "MARKET_NOT_FOUND");
        await AssertErrorAsync(await admin.PutAsJsonAsync(path, new { preset = "busy" }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await admin.PutAsJsonAsync(path, new { fair = "wild" }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await admin.PutAsJsonAsync(path, new { kind = "magic" }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await admin.PutAsJsonAsync(path, new { kind = "mirror" }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await admin.PutAsJsonAsync(path, new { seed = -1 }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await admin.PutAsJsonAsync(path, new { seed = 1.5 }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await admin.PutAsJsonAsync(path, new { seed = "99999999999999999999" }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await admin.PutAsJsonAsync(path, new { seed = true }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await admin.PutAsJsonAsync(path, new { house_market_makers = "maybe" }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await admin.PutAsync(path, new StringContent("{not json", Encoding.UTF8, "application/json")), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await admin.PutAsync(path, new StringContent("[]", Encoding.UTF8, "application/json")), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await admin.PutAsync(path, new StringContent("null", Encoding.UTF8, "application/json")), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");

        var replay = $"/v1/admin/markets/{market.ConditionId}/replay";
        await AssertErrorAsync(await admin.PostAsJsonAsync(replay, new { path = "x.parquet" }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await admin.PostAsJsonAsync(replay, new { path = "x.parquet", format = "csv" }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await admin.PostAsJsonAsync(replay, new { format = "pmxt-v2" }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await admin.PostAsJsonAsync(replay, new { path = "../../etc/passwd", format = "ws-capture", source_condition_id = "0xabc" }), HttpStatusCode.BadRequest, "INVALID_PATH");
        await AssertErrorAsync(await admin.PostAsJsonAsync(replay, new { path = "/etc/passwd", format = "ws-capture", source_condition_id = "0xabc" }), HttpStatusCode.BadRequest, "INVALID_PATH");
        await AssertErrorAsync(await admin.PostAsJsonAsync(replay, new { path = "missing.ndjson", format = "ws-capture", source_condition_id = "0xabc" }), HttpStatusCode.NotFound, "NOT_FOUND");

        await AssertErrorAsync(await admin.PostAsJsonAsync(replay, new { path = "x", format = "ws-capture" }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await admin.PostAsync(replay + "/start", null), HttpStatusCode.Conflict, "REPLAY_NOT_LOADED");
        await AssertErrorAsync(await admin.PostAsJsonAsync(replay + "/step", new { events = 0 }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await admin.PostAsJsonAsync(replay + "/speed", new { mode = "warp" }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await admin.PostAsJsonAsync(replay + "/run-until", new { time = "yesterday-ish" }), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");

        // Nothing of the refused requests changed the market.
        Assert.Null(await Host(server).ReadAsync(s => s.Liquidity.Of(market.EngineId)));
        Assert.Empty(factory.Created);
    }

    [Fact]
    public async Task A_recording_loads_into_a_market_and_replays_through_the_operator_controls()
    {
        await using var server = await TestServer.StartAsync(Fast);
        var market = await CreateMarketAsync(server);
        const string source = "0x00000000000000000000000000000000000000000000000000000000000000ab";
        var rows = Enumerable.Range(0, 3).Select(i => JsonSerializer.Serialize(new
        {
            conditionId = source,
            asset = "111",
            outcomeIndex = 0,
            side = "BUY",
            price = 0.5m + (i / 100m),
            size = 10,
            timestamp = 1_700_000_000 + i,
            transactionHash = "0x" + i,
        }));
        await File.WriteAllTextAsync(Path.Combine(server.DataDir, "trades.json"), "[" + string.Join(',', rows) + "]");
        using var admin = server.AdminClient();
        var replay = $"/v1/admin/markets/{market.ConditionId}/replay";

        var loaded = await JsonAsync(await admin.PostAsJsonAsync(replay, new { path = "trades.json", format = "data-api-trades", source_condition_id = source, source_yes_token_id = "111" }));
        Assert.Equal("replay", loaded.GetProperty("kind").GetString());
        Assert.Equal("trades.json", loaded.GetProperty("recording_path").GetString());
        Assert.Equal("idle", loaded.GetProperty("replay").GetProperty("state").GetString());
        Assert.Equal(3, loaded.GetProperty("replay").GetProperty("events_remaining").GetInt64());

        await JsonAsync(await admin.PostAsJsonAsync(replay + "/step", new { events = 1 }));
        await JsonAsync(await admin.PostAsJsonAsync(replay + "/speed", new { mode = "max" }));
        await JsonAsync(await admin.PostAsync(replay + "/start", null));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var row = await JsonAsync(await admin.GetAsync($"/v1/admin/markets/{market.ConditionId}/liquidity"));
            if (row.GetProperty("replay").GetProperty("events_consumed").GetInt64() == 3)
            {
                Assert.Equal("finished", row.GetProperty("replay").GetProperty("state").GetString());
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"replay did not finish: {row}");
            await Task.Delay(50);
        }

        // The choice is journaled: a restart loads the recording again, idle at its start.
        await server.RestartAsync();
        using var again = server.AdminClient();
        var restarted = await JsonAsync(await again.GetAsync($"/v1/admin/markets/{market.ConditionId}/liquidity"));
        Assert.Equal("replay", restarted.GetProperty("kind").GetString());
        Assert.Equal("idle", restarted.GetProperty("replay").GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_closed_market_stops_its_source_and_a_reopened_one_picks_it_up_again()
    {
        var factory = new ScriptedFactory();
        await using var server = await StartAsync(factory);
        var market = await CreateMarketAsync(server);
        using var admin = server.AdminClient();
        await JsonAsync(await admin.PutAsJsonAsync($"/v1/admin/markets/{market.ConditionId}/liquidity", new { preset = "active" }));
        await WaitUntilAsync(server, s => s.Engine.GetOpenOrders(SystemAccounts.NoiseTakers).Count >= 2);

        await JsonAsync(await admin.PostAsync($"/v1/admin/markets/{market.ConditionId}/close", null));
        var closed = await JsonAsync(await admin.GetAsync($"/v1/admin/markets/{market.ConditionId}/liquidity"));
        Assert.Equal("market_closed", closed.GetProperty("state").GetString());
        var commands = closed.GetProperty("commands").GetInt64();
        await Task.Delay(500);
        var still = await JsonAsync(await admin.GetAsync($"/v1/admin/markets/{market.ConditionId}/liquidity"));
        Assert.Equal(commands, still.GetProperty("commands").GetInt64());

        await JsonAsync(await admin.PostAsync($"/v1/admin/markets/{market.ConditionId}/reopen", null));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var row = await JsonAsync(await admin.GetAsync($"/v1/admin/markets/{market.ConditionId}/liquidity"));
            if (row.GetProperty("commands").GetInt64() > commands)
            {
                Assert.Equal("running", row.GetProperty("state").GetString());
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "the flow did not resume after the market reopened");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_resolved_market_refuses_a_source()
    {
        await using var server = await StartAsync(new ScriptedFactory());
        var market = await CreateMarketAsync(server);
        using var admin = server.AdminClient();
        await JsonAsync(await admin.PostAsJsonAsync($"/v1/admin/markets/{market.ConditionId}/resolve", new { winning_outcome = "Yes" }));
        await AssertErrorAsync(await admin.PutAsJsonAsync($"/v1/admin/markets/{market.ConditionId}/liquidity", new { preset = "typical" }), HttpStatusCode.BadRequest, "MARKET_CLOSED");
        var off = await JsonAsync(await admin.PutAsJsonAsync($"/v1/admin/markets/{market.ConditionId}/liquidity", new { kind = "off" }));
        Assert.Equal("off", off.GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_failing_source_stops_its_market_only_and_reports_why()
    {
        var factory = new ScriptedFactory { ThrowOnMarket = 1 };
        await using var server = await StartAsync(factory);
        var bad = await CreateMarketAsync(server, "Will this source crash?");
        var good = await CreateMarketAsync(server, "Will this one keep going?");
        using var admin = server.AdminClient();
        await JsonAsync(await admin.PutAsJsonAsync($"/v1/admin/markets/{bad.ConditionId}/liquidity", new { preset = "active" }));
        await JsonAsync(await admin.PutAsJsonAsync($"/v1/admin/markets/{good.ConditionId}/liquidity", new { preset = "active" }));
        await WaitUntilAsync(server, s => s.Engine.GetOpenOrders(SystemAccounts.NoiseTakers).Count(o => o.Market == good.EngineId) >= 3);
        var row = await JsonAsync(await admin.GetAsync($"/v1/admin/markets/{bad.ConditionId}/liquidity"));
        Assert.Equal("failed", row.GetProperty("state").GetString());
        Assert.Contains("scripted failure", row.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await Host(server).ReadAsync(s => s.Engine.GetOpenOrders(SystemAccounts.NoiseTakers).Count(o => o.Market == bad.EngineId)));
    }

    internal static async Task WaitUntilAsync(TestServer server, Func<HostState, bool> condition, int seconds = 20)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!await Host(server).ReadAsync(condition))
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(20);
        }
    }
}

/// <summary>Creates <see cref="ScriptedSource"/>s and remembers them (touched on the engine thread only).</summary>
internal sealed class ScriptedFactory : ILiquiditySourceFactory
{
    public List<ScriptedSource> Created { get; } = [];

    /// <summary>Sources created while set do nothing (a restart test wants the book as the restart left it).</summary>
    public volatile bool Paused;

    /// <summary>Sources of this engine market throw on their third wake.</summary>
    public int ThrowOnMarket { get; init; } = -1;

    public void Validate(LiquidityConfigured config, MarketListed market, HostState state)
    {
    }

    public IReadOnlyList<ReplayEvent> LoadRecording(LiquidityConfigured config, string dataDirectory) => [];

    public ILiquiditySource Create(LiquidityConfigured config, long seed, MarketListed market, IMarketVenue venue, IReadOnlyList<ReplayEvent>? recording)
    {
        if (!venue.Engine.HasAccount(SystemAccounts.NoiseTakers))
        {
            venue.Apply(Command.RegisterAccount(0, 0, SystemAccounts.NoiseTakers));
            venue.Apply(Command.Deposit(0, 0, SystemAccounts.NoiseTakers, 1_000_000 * Units.AmountScale));
        }

        var source = new ScriptedSource(config, seed, venue.Engine.LastSequence, Paused, market.MarketId == ThrowOnMarket);
        Created.Add(source);
        return source;
    }
}

/// <summary>Rests one 5-share YES bid at 0.10–0.19 every 100 virtual ms; cancels them on withdraw.</summary>
internal sealed class ScriptedSource(LiquidityConfigured config, long seed, long sequenceAtCreation, bool idle, bool fails) : ILiquiditySource
{
    private long _next;
    private int _wakes;

    public LiquidityConfigured Config { get; } = config;

    public long Seed { get; } = seed;

    public long SequenceAtCreation { get; } = sequenceAtCreation;

    public bool Withdrawn { get; private set; }

    public int MarketId => Config.MarketId;

    public long NextWakeMs => idle || Withdrawn ? long.MaxValue : _next;

    public void Advance(IMarketVenue venue, long nowMs)
    {
        while (_next <= nowMs && !Withdrawn)
        {
            if (++_wakes == 3 && fails)
            {
                throw new InvalidOperationException("scripted failure");
            }

            var price = 1_000 + (_wakes % 10 * 100);
            venue.Apply(Command.Place(0, 0, SystemAccounts.NoiseTakers, MarketId, venue.NextOrderId, Outcome.Yes, Side.Buy, price, 5 * Units.AmountScale));
            _next = Math.Max(_next, nowMs) + 100;
        }
    }

    public void Withdraw(IMarketVenue venue)
    {
        Withdrawn = true;
        venue.Apply(Command.CancelMarket(0, 0, SystemAccounts.NoiseTakers, MarketId));
    }
}
