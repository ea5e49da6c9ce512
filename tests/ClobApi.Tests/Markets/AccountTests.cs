using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Polysim.Accounts;
using Polysim.ClobApi.Hosting;
using Polysim.MatchingEngine;
using static Polysim.ClobApi.Tests.Markets.MarketsKit;

namespace Polysim.ClobApi.Tests.Markets;

public sealed class AccountTests
{
    private static JsonElement PositionOf(JsonElement positions, string outcome) =>
        positions.GetProperty("positions").EnumerateArray().Single(p => p.GetProperty("outcome").GetString() == outcome);

    /// <summary>
    /// A buys 100 YES at 0.40 and 100 at 0.50 (MINTs against B's NO bids), sells 50 at 0.60 to C, then rests a SELL of 20 at 0.70;
    /// D quotes 0.54 / 0.56 so the YES midpoint is 0.55.
    /// </summary>
    private static async Task<(TestMarket Market, TestAccount A, TestAccount B)> TradedAsync(TestServer server)
    {
        var market = await CreateMarketAsync(server);
        var a = await server.CreateAccountAsync("enterprise");
        var b = await server.CreateAccountAsync("enterprise");
        var c = await server.CreateAccountAsync("enterprise");
        var d = await server.CreateAccountAsync("enterprise");
        await PlaceOkAsync(server, b.WalletId, market, Outcome.No, Side.Buy, 6_000, 100 * Share);
        await PlaceOkAsync(server, b.WalletId, market, Outcome.No, Side.Buy, 5_000, 100 * Share);
        await PlaceOkAsync(server, a.WalletId, market, Outcome.Yes, Side.Buy, 5_000, 200 * Share, TimeInForce.Fak);
        await PlaceOkAsync(server, c.WalletId, market, Outcome.Yes, Side.Buy, 6_000, 50 * Share);
        await PlaceOkAsync(server, a.WalletId, market, Outcome.Yes, Side.Sell, 6_000, 50 * Share, TimeInForce.Fak);
        await PlaceOkAsync(server, a.WalletId, market, Outcome.Yes, Side.Sell, 7_000, 20 * Share);
        await PlaceOkAsync(server, d.WalletId, market, Outcome.Yes, Side.Buy, 5_400, 10 * Share);
        await PlaceOkAsync(server, d.WalletId, market, Outcome.No, Side.Buy, 4_400, 10 * Share);
        return (market, a, b);
    }

    [Fact]
    public async Task Balance_shows_total_available_and_reserved_USDC_of_the_wallet()
    {
        await using var server = await TestServer.StartAsync();
        var market = await CreateMarketAsync(server);
        var account = await server.CreateAccountAsync("enterprise", "250.5");
        using var client = server.KeyClient(account.ApiKey);
        var fresh = await JsonAsync(await client.GetAsync("/v1/account/balance"));
        Assert.Equal(account.WalletId, fresh.GetProperty("wallet_id").GetInt32());
        Assert.Equal("250.5", fresh.GetProperty("balance").GetString());
        Assert.Equal("250.5", fresh.GetProperty("available").GetString());
        Assert.Equal("0", fresh.GetProperty("reserved").GetString());

        await PlaceOkAsync(server, account.WalletId, market, Outcome.Yes, Side.Buy, 4_000, 100 * Share);
        var after = await JsonAsync(await client.GetAsync("/v1/account/balance"));
        Assert.Equal("250.5", after.GetProperty("balance").GetString());
        Assert.Equal("210.5", after.GetProperty("available").GetString());
        Assert.Equal("40", after.GetProperty("reserved").GetString());
    }

    /// <summary>Adds a second wallet to the account straight through the journal (independent of the wallet routes).</summary>
    private static Task<int> AddWalletAsync(TestServer server, TestAccount account, long deposit) =>
        Host(server).WriteAsync(ctx =>
        {
            var wallet = ctx.State.Engine.AccountIds().Max() + 1;
            ctx.Record(new WalletCreated(wallet, account.AccountId, "second", null, ctx.Now));
            ctx.Apply(Command.RegisterAccount(0, 0, wallet));
            ctx.Apply(Command.Deposit(0, 0, wallet, deposit));
            return wallet;
        });

    [Fact]
    public async Task Balance_reads_the_wallet_selected_by_wallet_id_or_X_Wallet_Id()
    {
        await using var server = await TestServer.StartAsync();
        var account = await server.CreateAccountAsync("enterprise", "100");
        var second = await AddWalletAsync(server, account, 7 * Share);
        using var client = server.KeyClient(account.ApiKey);
        var byQuery = await JsonAsync(await client.GetAsync($"/v1/account/balance?wallet_id={second}"));
        Assert.Equal(second, byQuery.GetProperty("wallet_id").GetInt32());
        Assert.Equal("7", byQuery.GetProperty("balance").GetString());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/account/balance");
        request.Headers.Add("X-Wallet-Id", second.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("7", (await JsonAsync(await client.SendAsync(request))).GetProperty("balance").GetString());
        Assert.Equal("100", (await JsonAsync(await client.GetAsync("/v1/account/balance"))).GetProperty("balance").GetString());
    }

    [Fact]
    public async Task Positions_carry_average_entry_cost_basis_and_realized_and_unrealized_PnL()
    {
        await using var server = await TestServer.StartAsync();
        var (market, a, b) = await TradedAsync(server);
        using var clientA = server.KeyClient(a.ApiKey);
        var positions = await JsonAsync(await clientA.GetAsync("/v1/account/positions"));
        Assert.Equal(a.WalletId, positions.GetProperty("wallet_id").GetInt32());
        var yes = PositionOf(positions, "Yes");
        Assert.Equal(market.YesToken, yes.GetProperty("token_id").GetString());
        Assert.Equal(market.ConditionId, yes.GetProperty("market_id").GetString());
        Assert.Equal("150", yes.GetProperty("size").GetString());
        Assert.Equal("130", yes.GetProperty("available").GetString());
        Assert.Equal("20", yes.GetProperty("reserved").GetString());
        Assert.Equal("0.45", yes.GetProperty("avg_entry_price").GetString());
        Assert.Equal("67.5", yes.GetProperty("cost_basis").GetString());
        Assert.Equal("0.55", yes.GetProperty("current_price").GetString());
        Assert.Equal("82.5", yes.GetProperty("market_value").GetString());
        Assert.Equal("7.5", yes.GetProperty("realized_pnl").GetString());
        Assert.Equal("15", yes.GetProperty("unrealized_pnl").GetString());
        Assert.Equal("OPEN", yes.GetProperty("status").GetString());
        Assert.Single(positions.GetProperty("positions").EnumerateArray());

        using var clientB = server.KeyClient(b.ApiKey);
        var no = PositionOf(await JsonAsync(await clientB.GetAsync("/v1/account/positions")), "No");
        Assert.Equal("200", no.GetProperty("size").GetString());
        Assert.Equal("0.55", no.GetProperty("avg_entry_price").GetString());
        Assert.Equal("0.45", no.GetProperty("current_price").GetString());
        Assert.Equal("-20", no.GetProperty("unrealized_pnl").GetString());
        Assert.Equal("0", no.GetProperty("realized_pnl").GetString());
    }

    [Fact]
    public async Task Positions_and_history_are_rebuilt_identically_after_a_restart()
    {
        await using var server = await TestServer.StartAsync();
        var (_, a, _) = await TradedAsync(server);
        using var before = server.KeyClient(a.ApiKey);
        var positions = (await JsonAsync(await before.GetAsync("/v1/account/positions"))).GetRawText();
        var history = (await JsonAsync(await before.GetAsync("/v1/account/history"))).GetRawText();
        await server.RestartAsync();
        using var after = server.KeyClient(a.ApiKey);
        Assert.Equal(positions, (await JsonAsync(await after.GetAsync("/v1/account/positions"))).GetRawText());
        Assert.Equal(history, (await JsonAsync(await after.GetAsync("/v1/account/history"))).GetRawText());
    }

    [Fact]
    public async Task History_lists_the_wallets_fills_newest_first_in_pages()
    {
        await using var server = await TestServer.StartAsync();
        var (market, a, _) = await TradedAsync(server);
        using var client = server.KeyClient(a.ApiKey);
        var page1 = await JsonAsync(await client.GetAsync("/v1/account/history?limit=2"));
        Assert.Equal(a.WalletId, page1.GetProperty("wallet_id").GetInt32());
        var fills = page1.GetProperty("fills");
        Assert.Equal(2, fills.GetArrayLength());
        Assert.True(page1.GetProperty("has_more").GetBoolean());
        var sell = fills[0];
        Assert.Equal("SELL", sell.GetProperty("side").GetString());
        Assert.Equal("0.6", sell.GetProperty("price").GetString());
        Assert.Equal("50", sell.GetProperty("size").GetString());
        Assert.Equal("30", sell.GetProperty("usdc").GetString());
        Assert.Equal("7.5", sell.GetProperty("realized_pnl").GetString());
        Assert.Equal("TAKER", sell.GetProperty("liquidity").GetString());
        Assert.Equal("NORMAL", sell.GetProperty("match_type").GetString());
        Assert.Equal(market.YesToken, sell.GetProperty("token_id").GetString());
        Assert.Equal(market.ConditionId, sell.GetProperty("market_id").GetString());
        Assert.Matches("^0x[0-9a-f]{64}$", sell.GetProperty("order_id").GetString());
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", sell.GetProperty("trade_id").GetString());
        Assert.Equal("0.5", fills[1].GetProperty("price").GetString());
        Assert.Equal("MINT", fills[1].GetProperty("match_type").GetString());

        var cursor = page1.GetProperty("next_cursor").GetString()!;
        var page2 = await JsonAsync(await client.GetAsync($"/v1/account/history?limit=2&cursor={Uri.EscapeDataString(cursor)}"));
        Assert.Single(page2.GetProperty("fills").EnumerateArray());
        Assert.Equal("0.4", page2.GetProperty("fills")[0].GetProperty("price").GetString());
        Assert.False(page2.GetProperty("has_more").GetBoolean());
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("next_cursor").ValueKind);

        await AssertErrorAsync(await client.GetAsync("/v1/account/history?limit=0"), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await client.GetAsync("/v1/account/history?limit=201"), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await AssertErrorAsync(await client.GetAsync("/v1/account/history?cursor=***"), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
    }

    [Fact]
    public async Task Resetting_cancels_open_orders_and_restores_the_starting_balance_keeping_positions()
    {
        await using var server = await TestServer.StartAsync();
        var (_, a, _) = await TradedAsync(server);
        var rich = await server.CreateAccountAsync("enterprise", "25000");
        using var client = server.KeyClient(a.ApiKey);
        var reset = await JsonAsync(await client.PostAsync("/v1/account/reset-api-balance", null));
        Assert.Equal(a.WalletId, reset.GetProperty("wallet_id").GetInt32());
        Assert.Equal("10000", reset.GetProperty("balance").GetString());
        Assert.Equal("0", reset.GetProperty("reserved").GetString());
        Assert.Equal(1, reset.GetProperty("canceled_orders").GetInt32());
        Assert.Equal(0, reset.GetProperty("positions_closed").GetInt32());
        Assert.Equal(1, reset.GetProperty("positions_kept").GetInt32());
        var yes = PositionOf(await JsonAsync(await client.GetAsync("/v1/account/positions")), "Yes");
        Assert.Equal("150", yes.GetProperty("available").GetString());

        using var richClient = server.KeyClient(rich.ApiKey);
        var lowered = await JsonAsync(await richClient.PostAsync("/v1/account/reset-api-balance", null));
        Assert.Equal("10000", lowered.GetProperty("balance").GetString());
        Assert.Equal(0, lowered.GetProperty("canceled_orders").GetInt32());
    }

    [Fact]
    public async Task Account_writes_need_the_trade_permission()
    {
        await using var server = await TestServer.StartAsync();
        var account = await server.CreateAccountAsync("enterprise");
        var secret = AccountDirectory.NewSecret();
        await Host(server).WriteAsync(ctx =>
        {
            ctx.Record(new ApiKeyIssued(
                "key_readonly", account.AccountId, "read-only", secret[..10], AccountDirectory.HashSecret(secret), KeyPermissions.Read, null, ctx.Now));
            return true;
        });
        using var readOnly = server.KeyClient(secret);
        await JsonAsync(await readOnly.GetAsync("/v1/account/positions"));
        await AssertErrorAsync(await readOnly.PostAsync("/v1/account/reset-api-balance", null), HttpStatusCode.Forbidden, "INSUFFICIENT_PERMISSION");
        await AssertErrorAsync(await readOnly.PostAsJsonAsync("/v1/heartbeats", new { interval_ms = 5_000 }), HttpStatusCode.Forbidden, "INSUFFICIENT_PERMISSION");
        await AssertErrorAsync(await readOnly.DeleteAsync("/v1/heartbeats"), HttpStatusCode.Forbidden, "INSUFFICIENT_PERMISSION");
        using var anonymous = server.Client();
        await AssertErrorAsync(await anonymous.GetAsync("/v1/account/history"), HttpStatusCode.Unauthorized, "MISSING_API_KEY");
    }

    [Theory]
    [InlineData("{\"interval_ms\":999}")]
    [InlineData("{\"interval_ms\":60001}")]
    [InlineData("{\"interval_ms\":\"soon\"}")]
    [InlineData("{\"interval_ms\":1500.5}")]
    [InlineData("{\"interval_ms\":true}")]
    [InlineData("not json")]
    public async Task A_heartbeat_with_a_bad_interval_answers_422_VALIDATION_FAILED(string body)
    {
        await using var server = await TestServer.StartAsync();
        var account = await server.CreateAccountAsync("enterprise");
        using var client = server.KeyClient(account.ApiKey);
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        await AssertErrorAsync(await client.PostAsync("/v1/heartbeats", content), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
    }

    [Fact]
    public async Task A_heartbeat_without_an_interval_arms_Polymarkets_ten_seconds()
    {
        await using var server = await TestServer.StartAsync();
        var account = await server.CreateAccountAsync("enterprise");
        using var client = server.KeyClient(account.ApiKey);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var reply = await JsonAsync(await client.PostAsJsonAsync("/v1/heartbeats", new { heartbeat_id = (string?)null }));
        Assert.True(reply.GetProperty("ok").GetBoolean());
        Assert.Equal(10_000, reply.GetProperty("interval_ms").GetInt64());
        Assert.Equal(2_500, reply.GetProperty("grace_ms").GetInt64());
        Assert.InRange(reply.GetProperty("expires_at_ms").GetInt64(), before + 12_500, before + 12_500 + 5_000);
        Assert.False(string.IsNullOrEmpty(reply.GetProperty("heartbeat_id").GetString()));
    }

    [Fact]
    public async Task When_heartbeats_stop_the_open_orders_of_every_wallet_of_the_account_are_cancelled()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(configureServices: b => b.Services.AddSingleton<TimeProvider>(time));
        var market = await CreateMarketAsync(server);
        var account = await server.CreateAccountAsync("enterprise");
        var bystander = await server.CreateAccountAsync("enterprise");
        var order = await PlaceOkAsync(server, account.WalletId, market, Outcome.Yes, Side.Buy, 4_000, 10 * Share);
        var other = await PlaceOkAsync(server, bystander.WalletId, market, Outcome.Yes, Side.Buy, 3_000, 10 * Share);
        var secondWallet = await AddWalletAsync(server, account, 100 * Share);
        var secondOrder = await PlaceOkAsync(server, secondWallet, market, Outcome.No, Side.Buy, 3_000, 10 * Share);
        using var client = server.KeyClient(account.ApiKey);
        var armed = await JsonAsync(await client.PostAsJsonAsync("/v1/heartbeats", new { interval_ms = 1_000 }));
        Assert.Equal(1_000, armed.GetProperty("grace_ms").GetInt64());

        // Heartbeats every 1.5 s keep the orders alive past several intervals.
        for (var i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1_500));
            await JsonAsync(await client.PostAsJsonAsync("/v1/heartbeats", new { interval_ms = 1_000 }));
        }

        time.Advance(TimeSpan.FromMilliseconds(300));
        await Task.Delay(300);
        Assert.True(await IsOpenAsync(server, order));

        time.Advance(TimeSpan.FromMilliseconds(2_000));
        Assert.True(await EventuallyAsync(async () => !await IsOpenAsync(server, order)), "the order survived a lapsed heartbeat");
        Assert.False(await IsOpenAsync(server, secondOrder));
        Assert.True(await IsOpenAsync(server, other));
        Assert.Equal(0, await Host(server).ReadAsync(s => s.Heartbeats.Count));
        var balance = await JsonAsync(await client.GetAsync("/v1/account/balance"));
        Assert.Equal("0", balance.GetProperty("reserved").GetString());
    }

    [Fact]
    public async Task A_heartbeat_lapses_on_the_real_clock_too()
    {
        await using var server = await TestServer.StartAsync();
        var market = await CreateMarketAsync(server);
        var account = await server.CreateAccountAsync("enterprise");
        var order = await PlaceOkAsync(server, account.WalletId, market, Outcome.Yes, Side.Buy, 4_000, 10 * Share);
        using var client = server.KeyClient(account.ApiKey);
        await JsonAsync(await client.PostAsJsonAsync("/v1/heartbeats", new { interval_ms = 1_000 }));
        Assert.True(await IsOpenAsync(server, order));
        Assert.True(await EventuallyAsync(async () => !await IsOpenAsync(server, order), 8_000), "the order survived a lapsed heartbeat");
    }

    [Fact]
    public async Task Advancing_the_clock_past_a_heartbeat_cancels_at_once_and_a_stopped_heartbeat_cancels_nothing()
    {
        await using var server = await TestServer.StartAsync();
        var market = await CreateMarketAsync(server);
        var account = await server.CreateAccountAsync("enterprise");
        var order = await PlaceOkAsync(server, account.WalletId, market, Outcome.Yes, Side.Buy, 4_000, 10 * Share);
        using var client = server.KeyClient(account.ApiKey);
        using var admin = server.AdminClient();

        await JsonAsync(await client.PostAsJsonAsync("/v1/heartbeats", new { interval_ms = 60_000 }));
        var stop = await JsonAsync(await client.DeleteAsync("/v1/heartbeats"));
        Assert.True(stop.GetProperty("stopped").GetBoolean());
        var idle = await JsonAsync(await admin.PostAsJsonAsync("/v1/admin/clock/advance", new { seconds = 120 }));
        Assert.Equal(0, idle.GetProperty("heartbeats_expired").GetInt32());
        Assert.True(await IsOpenAsync(server, order));
        Assert.False((await JsonAsync(await client.DeleteAsync("/v1/heartbeats"))).GetProperty("stopped").GetBoolean());

        await JsonAsync(await client.PostAsJsonAsync("/v1/heartbeats", new { interval_ms = 60_000 }));
        await server.RestartAsync();
        using var admin2 = server.AdminClient();
        var lapsed = await JsonAsync(await admin2.PostAsJsonAsync("/v1/admin/clock/advance", new { seconds = 120 }));
        Assert.Equal(1, lapsed.GetProperty("heartbeats_expired").GetInt32());
        Assert.False(await IsOpenAsync(server, order));
    }
}
