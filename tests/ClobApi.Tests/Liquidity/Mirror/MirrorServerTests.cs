using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Polysim.ClobApi.Api;
using Polysim.ClobApi.Liquidity.Hosting;
using Polysim.ClobApi.Tests.Markets;
using Polysim.MatchingEngine;
using static Polysim.ClobApi.Tests.Markets.MarketsKit;

namespace Polysim.ClobApi.Tests.Liquidity.Mirror;

/// <summary>The live mirror switched on from the settings in a real server, against the local fake of Gamma, the CLOB and the market WebSocket.</summary>
public sealed class MirrorServerTests
{
    private const string Condition = "0x311d0c4b6671ab54af4970c06fcf58662516f5168997bdda209ec3db5aa6b0c1";
    private const string Yes = "76043073756653678226373981964075571318267289248134717369284518995922789326425";
    private const string No = "31690934263385727664202099278545688007799199447969475608906331829650099442770";

    private static async Task<FakePolymarket> FakeAsync()
    {
        var fake = await FakePolymarket.StartAsync();
        fake.AddMarket(Condition, Yes, No, "Will NVDA close above 240?");
        fake.SetLevel(Yes, bid: true, 6100, 120 * Share);
        fake.SetLevel(Yes, bid: true, 6050, 40 * Share);
        fake.SetLevel(Yes, bid: false, 6300, 75_500_000);
        return fake;
    }

    private static Dictionary<string, string?> Settings(FakePolymarket fake, bool enabled = true)
    {
        var settings = Common(fake);
        if (enabled)
        {
            settings["Polysim:Mirror:Enabled"] = "true";
        }

        return settings;
    }

    private static Dictionary<string, string?> Common(FakePolymarket fake) => new()
    {
        ["Polysim:Liquidity:TickMs"] = "20",
        ["Polysim:Mirror:Markets"] = Condition,
        ["Polysim:Mirror:GammaUrl"] = fake.GammaUrl.ToString(),
        ["Polysim:Mirror:ClobUrl"] = fake.ClobUrl.ToString(),
        ["Polysim:Mirror:WsUrl"] = fake.WsUrl.ToString(),
        ["Polysim:Mirror:PingIntervalMs"] = "200",
    };

    private static string[] Column(JsonElement side, string name) => [.. side.EnumerateArray().Select(l => l.GetProperty(name).GetString()!)];

    private static async Task<JsonElement> BookAsync(HttpClient client) => await JsonAsync(await client.GetAsync($"/v1/book?token_id={Yes}"));

    private static async Task WaitForBookAsync(HttpClient client, string[] askSizes)
    {
        // The key's tier allows 10 requests a second: poll below that, and a 429 (the test's own other calls) means "not yet".
        Assert.True(
            await EventuallyAsync(async () =>
            {
                await Task.Delay(150);
                using var response = await client.GetAsync($"/v1/book?token_id={Yes}");
                return response.StatusCode != System.Net.HttpStatusCode.TooManyRequests
                    && Column((await JsonAsync(response)).GetProperty("asks"), "size").SequenceEqual(askSizes);
            }, 20_000),
            $"book never showed asks {string.Join(",", askSizes)}: {await BookAsync(client)}");
    }

    /// <summary>Waits until the WebSocket's own book dump has been applied, not only the REST seed.</summary>
    /// <remarks>The mirror seeds over REST and then subscribes; the subscription's dump is a second snapshot, and a
    /// snapshot rightly forgets what users consumed. A fill placed before it lands would be undone by it.</remarks>
    private static async Task WaitForStreamSnapshotAsync(TestServer server)
    {
        var mirror = server.Services.GetRequiredService<MirrorHostedService>().Mirror;
        Assert.NotNull(mirror);
        using var admin = server.AdminClient();
        Assert.True(
            await EventuallyAsync(async () =>
            {
                var stats = mirror.Stats;
                if (stats.Frames < 1)
                {
                    return false;
                }

                var row = (await JsonAsync(await admin.GetAsync("/v1/admin/liquidity"))).GetProperty("data").EnumerateArray()
                    .Single(r => r.GetProperty("condition_id").GetString() == Condition);
                return row.GetProperty("mirror").GetProperty("events").GetInt64() >= stats.Events;
            }, 20_000),
            $"the stream's book dump was never applied: {mirror.Stats}");
    }

    [Fact]
    public async Task A_mirrored_market_is_listed_under_its_real_ids_shows_the_external_book_and_fills_a_users_order_against_it()
    {
        await using var fake = await FakeAsync();
        await using var server = await TestServer.StartAsync(Settings(fake));
        var user = await server.CreateAccountAsync("pro", "1000");
        using var client = server.KeyClient(user.ApiKey);
        Assert.True(await EventuallyAsync(async () => (await client.GetAsync($"/v1/markets/{Condition}")).StatusCode == HttpStatusCode.OK, 20_000), "the mirrored market was never listed");
        var market = await JsonAsync(await client.GetAsync($"/v1/markets/{Condition}"));
        Assert.Equal(Condition, market.GetProperty("condition_id").GetString());
        Assert.Equal([Yes, No], market.GetProperty("tokens").EnumerateArray().Select(t => t.GetProperty("token_id").GetString()));

        await WaitForBookAsync(client, ["75.5"]);
        await WaitForStreamSnapshotAsync(server);
        var book = await BookAsync(client);
        Assert.Equal(["0.605", "0.61"], Column(book.GetProperty("bids"), "price"));
        Assert.Equal(["40", "120"], Column(book.GetProperty("bids"), "size"));
        Assert.Equal(["0.63"], Column(book.GetProperty("asks"), "price"));
        Assert.Equal("0.001", book.GetProperty("tick_size").GetString());

        // A user's marketable buy takes 10 of the 75.5 shares Polymarket shows: the counterparty is the external book.
        var engineId = await Host(server).ReadAsync(s => s.Markets.ByCondition(Condition)!.MarketId);
        var (_, outcome) = await PlaceAsync(server, user.WalletId, new TestMarket(Condition, Yes, No, engineId), Outcome.Yes, Side.Buy, 6300, 10 * Share, TimeInForce.Fak);
        Assert.True(outcome.Accepted, $"order refused: {outcome.Code}");
        var trades = outcome.Events.Where(e => e.Kind == EventKind.Trade).ToList();
        Assert.NotEmpty(trades);
        Assert.All(trades, t => Assert.Equal(
            [SystemAccounts.External, user.WalletId],
            new[] { t.Account, t.OtherAccount }.Order()));
        Assert.Equal(10 * Share, trades.Sum(t => t.Size));
        await WaitForBookAsync(client, ["65.5"]);

        using var admin = server.AdminClient();
        var row = (await JsonAsync(await admin.GetAsync("/v1/admin/liquidity"))).GetProperty("data").EnumerateArray()
            .Single(r => r.GetProperty("condition_id").GetString() == Condition);
        Assert.Equal("mirror", row.GetProperty("kind").GetString());
        Assert.Equal("running", row.GetProperty("state").GetString());
        Assert.Equal("fresh", row.GetProperty("freshness").GetString());
        Assert.True(row.GetProperty("mirror").GetProperty("events").GetInt64() >= 1);

        // After a restart the market is the same listing (not listed twice) and the mirror drives it again.
        await server.RestartAsync();
        using var again = server.KeyClient(user.ApiKey);
        await WaitForBookAsync(again, ["75.5"]);
        Assert.Equal(1, await Host(server).ReadAsync(s => s.Markets.All.Count(m => m.ConditionId == Condition)));
        Assert.Equal(engineId, await Host(server).ReadAsync(s => s.Markets.ByCondition(Condition)!.MarketId));
    }

    [Fact]
    public async Task The_mirror_is_off_by_default_and_lists_nothing()
    {
        await using var fake = await FakeAsync();
        await using var server = await TestServer.StartAsync(Settings(fake, enabled: false));
        await server.Services.GetRequiredService<MirrorHostedService>().Started;

        Assert.Null(server.Services.GetRequiredService<MirrorHostedService>().Mirror);
        Assert.Empty(fake.Requests);
        Assert.Equal(0, await Host(server).ReadAsync(s => s.Markets.All.Count));
    }

    [Fact]
    public async Task An_unreachable_Gamma_is_logged_and_the_server_keeps_running_without_the_markets()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Polysim:Mirror:Enabled"] = "true",
            ["Polysim:Mirror:Markets"] = Condition,
            ["Polysim:Mirror:GammaUrl"] = "http://127.0.0.1:1/gamma",
            ["Polysim:Mirror:ClobUrl"] = "http://127.0.0.1:1/clob",
        };
        await using var server = await TestServer.StartAsync(settings);
        await server.Services.GetRequiredService<MirrorHostedService>().Started;

        var reader = await server.CreateAccountAsync();
        using var client = server.KeyClient(reader.ApiKey);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/markets/{Condition}")).StatusCode);
        Assert.Equal(0, await Host(server).ReadAsync(s => s.Markets.All.Count));
    }
}
