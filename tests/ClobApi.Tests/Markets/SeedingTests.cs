using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Polysim.ClobApi.Seeding;
using Polysim.MatchingEngine;
using static Polysim.ClobApi.Tests.Markets.MarketsKit;

namespace Polysim.ClobApi.Tests.Markets;

public sealed class SeedingTests
{
    // The static house ladder these tests check: the synthetic demo flow (the default) is covered in Liquidity/Hosting.
    private static readonly Dictionary<string, string?> SeedOn = new() { ["Polysim:SeedDemo"] = "true", ["Polysim:Liquidity:DemoPreset"] = "off" };

    [Fact]
    public async Task A_fresh_data_directory_is_seeded_with_two_sided_demo_markets_and_a_working_demo_key()
    {
        await using var server = await TestServer.StartAsync(SeedOn);
        var banner = server.Services.GetRequiredService<StartupBanner>();
        var demoKey = banner.DemoKey;
        Assert.NotNull(demoKey);
        Assert.Equal(demoKey, File.ReadAllText(Path.Combine(server.DataDir, DemoSeed.DemoKeyFile)).Trim());
        var text = banner.Compose();
        Assert.Contains(server.BaseAddress.GetLeftPart(UriPartial.Authority), text, StringComparison.Ordinal);
        Assert.Contains("/docs", text, StringComparison.Ordinal);
        Assert.Contains(demoKey, text, StringComparison.Ordinal);
        Assert.Contains("X-Admin-Key", text, StringComparison.Ordinal);

        using var client = server.KeyClient(demoKey);
        var page = await JsonAsync(await client.GetAsync("/v1/markets"));
        var markets = page.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(DemoSeed.Markets.Count, markets.Length);
        Assert.Contains(markets, m => m.GetProperty("tick_size").GetString() == "0.01");
        Assert.Contains(markets, m => m.GetProperty("tick_size").GetString() == "0.001");
        Assert.Contains(markets, m => m.GetProperty("neg_risk").GetBoolean());
        foreach (var market in markets)
        {
            foreach (var token in market.GetProperty("tokens").EnumerateArray())
            {
                var book = await JsonAsync(await client.GetAsync($"/v1/book?token_id={token.GetProperty("token_id").GetString()}"));
                Assert.True(book.GetProperty("bids").GetArrayLength() > 0, $"no bids on {market.GetProperty("question").GetString()}");
                Assert.True(book.GetProperty("asks").GetArrayLength() > 0, $"no asks on {market.GetProperty("question").GetString()}");
                var bestBid = decimal.Parse(book.GetProperty("bids")[book.GetProperty("bids").GetArrayLength() - 1].GetProperty("price").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                var bestAsk = decimal.Parse(book.GetProperty("asks")[book.GetProperty("asks").GetArrayLength() - 1].GetProperty("price").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(bestBid < bestAsk);
            }
        }

        var balance = await JsonAsync(await client.GetAsync("/v1/account/balance"));
        Assert.Equal("10000", balance.GetProperty("balance").GetString());

        // The house quotes from cash alone and holds no shares before anyone trades.
        var house = await Host(server).ReadAsync(s => (
            s.Engine.HasAccount(Api.SystemAccounts.HouseMarketMaker),
            s.Engine.GetOpenOrders(Api.SystemAccounts.HouseMarketMaker).Count,
            s.Markets.All.Sum(m => s.Engine.GetSupply(m.MarketId, Outcome.Yes))));
        Assert.True(house.Item1);
        Assert.True(house.Item2 >= DemoSeed.Markets.Count * 2);
        Assert.Equal(0, house.Item3);
    }

    [Fact]
    public async Task A_demo_taker_buying_YES_mints_a_pair_against_the_house()
    {
        await using var server = await TestServer.StartAsync(SeedOn);
        var demoKey = server.Services.GetRequiredService<StartupBanner>().DemoKey!;
        var wallet = await Host(server).ReadAsync(s => s.Accounts.FindKeyBySecret(demoKey)!.AccountId);
        var walletId = await Host(server).ReadAsync(s => s.Accounts.FindAccount(wallet)!.Wallets[0].Id);
        var listed = await Host(server).ReadAsync(s => s.Markets.All[0]);
        var market = new TestMarket(listed.ConditionId, listed.YesTokenId, listed.NoTokenId, listed.MarketId);
        await PlaceOkAsync(server, walletId, market, Outcome.Yes, Side.Buy, 9_000, 10 * Share, TimeInForce.Fak);
        using var client = server.KeyClient(demoKey);
        var positions = await JsonAsync(await client.GetAsync("/v1/account/positions"));
        var yes = positions.GetProperty("positions").EnumerateArray().Single();
        Assert.Equal("10", yes.GetProperty("size").GetString());
        Assert.Equal("0.63", yes.GetProperty("avg_entry_price").GetString());
        var last = await JsonAsync(await client.GetAsync($"/v1/last-trade-price?token_id={listed.YesTokenId}"));
        Assert.Equal("0.63", last.GetProperty("price").GetString());
    }

    [Fact]
    public async Task A_restart_does_not_seed_again_and_the_demo_key_is_shown_again()
    {
        await using var server = await TestServer.StartAsync(SeedOn);
        var demoKey = server.Services.GetRequiredService<StartupBanner>().DemoKey;
        var sequence = await Host(server).ReadAsync(s => s.Engine.LastSequence);
        await server.RestartAsync();
        Assert.Equal(sequence, await Host(server).ReadAsync(s => s.Engine.LastSequence));
        Assert.Equal(DemoSeed.Markets.Count, await Host(server).ReadAsync(s => s.Markets.All.Count));
        var banner = server.Services.GetRequiredService<StartupBanner>();
        Assert.False(banner.SeededThisStart);
        Assert.Equal(demoKey, banner.DemoKey);
        Assert.Contains(demoKey!, banner.Compose(), StringComparison.Ordinal);
        using var client = server.KeyClient(demoKey!);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/account/balance")).StatusCode);
    }

    [Fact]
    public async Task SeedDemo_false_leaves_the_data_directory_empty()
    {
        await using var server = await TestServer.StartAsync();
        Assert.Equal(0, await Host(server).ReadAsync(s => s.Markets.All.Count));
        Assert.False(File.Exists(Path.Combine(server.DataDir, DemoSeed.DemoKeyFile)));
        var banner = server.Services.GetRequiredService<StartupBanner>();
        Assert.Null(banner.DemoKey);
        Assert.Contains("Demo API key:   none", banner.Compose(), StringComparison.Ordinal);
        Assert.DoesNotContain(TestServer.AdminKey, banner.Compose(), StringComparison.Ordinal);
    }
}
