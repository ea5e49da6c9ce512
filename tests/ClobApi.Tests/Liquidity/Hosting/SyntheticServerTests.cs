using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Polysim.ClobApi.Api;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Seeding;
using Polysim.MatchingEngine;
using Xunit.Abstractions;
using static Polysim.ClobApi.Tests.Liquidity.Hosting.LiquidityHostingTests;
using static Polysim.ClobApi.Tests.Markets.MarketsKit;

namespace Polysim.ClobApi.Tests.Liquidity.Hosting;

/// <summary>The real synthetic flow in a real server: demo markets come alive, a REST market maker gets filled, the house
/// market makers can be switched off. Virtual time runs 60× faster than the wall clock so a few seconds are minutes of flow.</summary>
public sealed class SyntheticServerTests(ITestOutputHelper output)
{
    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Polysim:Liquidity:TimeScale"] = "60",
            ["Polysim:Liquidity:TickMs"] = "50",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task A_demo_seeded_server_shows_two_sided_books_that_move_and_trades_that_print_within_seconds()
    {
        await using var server = await TestServer.StartAsync(Settings(("Polysim:SeedDemo", "true"), ("Polysim:Liquidity:DemoPreset", "active")));
        var markets = await Host(server).ReadAsync(s => s.Markets.All.ToList());
        Assert.Equal(DemoSeed.Markets.Count, markets.Count);
        var firstOrders = await Host(server).ReadAsync(s => s.Engine.GetOpenOrders(SystemAccounts.HouseMarketMaker).Select(o => o.Id).ToHashSet());

        await WaitUntilAsync(server, s => markets.All(m => s.Trades.PriceHistory(m.MarketId).Count >= 2), seconds: 45);
        using var admin = server.AdminClient();
        var list = await JsonAsync(await admin.GetAsync("/v1/admin/liquidity"));
        foreach (var row in list.GetProperty("data").EnumerateArray())
        {
            Assert.Equal("synthetic", row.GetProperty("kind").GetString());
            Assert.Equal("active", row.GetProperty("preset").GetString());
            Assert.Equal("running", row.GetProperty("state").GetString());
            Assert.InRange(row.GetProperty("fair_probability").GetDouble(), 0.0, 1.0);
            output.WriteLine($"{row.GetProperty("question").GetString()}: {row.GetProperty("commands").GetInt64()} commands, {row.GetProperty("trades").GetInt64()} trades");
        }

        using var client = server.KeyClient(server.Services.GetRequiredService<StartupBanner>().DemoKey!);
        foreach (var market in markets)
        {
            var book = await JsonAsync(await client.GetAsync($"/v1/book?token_id={market.YesTokenId}"));
            Assert.True(book.GetProperty("bids").GetArrayLength() > 0, $"no bids on {market.Question}");
            Assert.True(book.GetProperty("asks").GetArrayLength() > 0, $"no asks on {market.Question}");
            var last = await JsonAsync(await client.GetAsync($"/v1/last-trade-price?token_id={market.YesTokenId}"));
            Assert.NotEqual(string.Empty, last.GetProperty("price").GetString());
        }

        // The house requotes: none of the orders it rested at the start are still the ones resting now.
        var nowOrders = await Host(server).ReadAsync(s => s.Engine.GetOpenOrders(SystemAccounts.HouseMarketMaker).Select(o => o.Id).ToHashSet());
        Assert.NotEmpty(nowOrders);
        Assert.NotEqual(firstOrders, nowOrders);
    }

    [Fact]
    public async Task A_market_maker_quoting_at_the_touch_through_the_REST_API_gets_filled_in_the_typical_preset()
    {
        await using var server = await TestServer.StartAsync(Settings());
        var market = await CreateMarketAsync(server, "Will a REST market maker get filled?");
        using (var admin = server.AdminClient())
        {
            await JsonAsync(await admin.PutAsJsonAsync($"/v1/admin/markets/{market.ConditionId}/liquidity", new { preset = "typical", seed = 3 }));
        }

        var bot = await server.CreateAccountAsync("enterprise", "10000");
        using var client = server.KeyClient(bot.ApiKey);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var quotes = new List<string>();
        int quoteCycles = 0;
        decimal filled = 0;
        while (filled == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no fill after {quoteCycles} quote cycles");
            var book = await JsonAsync(await client.GetAsync($"/v1/book?token_id={market.YesToken}"));
            var bids = book.GetProperty("bids");
            var asks = book.GetProperty("asks");
            if (bids.GetArrayLength() == 0 || asks.GetArrayLength() == 0)
            {
                await Task.Delay(100);
                continue;
            }

            var bestBid = Price(bids[bids.GetArrayLength() - 1]);
            var bestAsk = Price(asks[asks.GetArrayLength() - 1]);
            // At the touch; one tick inside when the spread leaves room, as a market maker would.
            var bid = bestAsk - bestBid >= 0.03m ? bestBid + 0.01m : bestBid;
            var ask = bestAsk - bestBid >= 0.03m ? bestAsk - 0.01m : bestAsk;
            quotes.Clear();
            // Post-only: a quote the moving book would cross is refused and simply not placed this cycle.
            foreach (var placed in new[] { await PlaceAsync(client, market.YesToken, bid), await PlaceAsync(client, market.NoToken, 1 - ask) })
            {
                if (placed is not null)
                {
                    quotes.Add(placed);
                }
            }

            quoteCycles++;
            for (var i = 0; i < 8 && filled == 0; i++)
            {
                // One request per poll keeps the bot inside its tier's rate limit: any position means a quote was hit.
                await Task.Delay(250);
                var positions = await JsonAsync(await client.GetAsync("/v1/account/positions"));
                filled = positions.GetProperty("positions").EnumerateArray()
                    .Sum(p => decimal.Parse(p.GetProperty("size").GetString()!, CultureInfo.InvariantCulture));
            }

            foreach (var id in quotes)
            {
                await client.DeleteAsync($"/v1/orders/{id}");
            }
        }

        output.WriteLine($"filled {filled} shares after {quoteCycles} quote cycles");
        Assert.True(filled > 0);
    }

    [Fact]
    public async Task With_the_house_market_makers_off_only_users_and_the_other_agents_have_orders_in_the_market()
    {
        await using var server = await TestServer.StartAsync(Settings());
        var market = await CreateMarketAsync(server, "Will users make this market alone?");
        using var admin = server.AdminClient();
        var path = $"/v1/admin/markets/{market.ConditionId}/liquidity";
        await JsonAsync(await admin.PutAsJsonAsync(path, new { preset = "active" }));
        await WaitUntilAsync(server, s => HouseOrders(s, market.EngineId) > 0);

        var off = await JsonAsync(await admin.PutAsJsonAsync(path, new { house_market_makers = false }));
        Assert.False(off.GetProperty("house_market_makers").GetBoolean());
        Assert.Equal("active", off.GetProperty("preset").GetString());
        Assert.Equal(0, await Host(server).ReadAsync(s => HouseOrders(s, market.EngineId)));

        // A user quotes too; then several virtual minutes of flow pass.
        var user = await server.CreateAccountAsync("pro", "1000");
        await PlaceOkAsync(server, user.WalletId, market, Outcome.Yes, Side.Buy, 100, 10 * Share);
        await WaitUntilAsync(server, s => s.Engine.GetOpenOrders(SystemAccounts.BackgroundLiquidity).Any(o => o.Market == market.EngineId));
        for (var i = 0; i < 20; i++)
        {
            var owners = await Host(server).ReadAsync(s => s.Engine.GetMarketOrders(market.EngineId).Select(o => o.Account).ToHashSet());
            Assert.DoesNotContain(SystemAccounts.HouseMarketMaker, owners);
            Assert.DoesNotContain(SystemAccounts.SecondHouseMarketMaker, owners);
            Assert.All(owners, a => Assert.True(a == user.WalletId || a is SystemAccounts.NoiseTakers or SystemAccounts.InformedTakers or SystemAccounts.BackgroundLiquidity, $"order of account {a}"));
            await Task.Delay(100);
        }
    }

    private static int HouseOrders(HostState s, int market) =>
        s.Engine.GetOpenOrders(SystemAccounts.HouseMarketMaker).Count(o => o.Market == market)
        + s.Engine.GetOpenOrders(SystemAccounts.SecondHouseMarketMaker).Count(o => o.Market == market);

    private static decimal Price(JsonElement level) => decimal.Parse(level.GetProperty("price").GetString()!, CultureInfo.InvariantCulture);

    private static async Task<string?> PlaceAsync(HttpClient client, string token, decimal price)
    {
        var response = await client.PostAsJsonAsync("/v1/orders", new
        {
            token_id = token,
            side = "BUY",
            price = price.ToString(CultureInfo.InvariantCulture),
            quantity = "10",
            post_only = true,
        });
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"order refused: {(int)response.StatusCode} {text}");
            return null;
        }

        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("order_id").GetString()!;
    }
}
