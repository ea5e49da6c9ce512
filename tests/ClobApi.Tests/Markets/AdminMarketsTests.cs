using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Polysim.MatchingEngine;
using static Polysim.ClobApi.Tests.Markets.MarketsKit;

namespace Polysim.ClobApi.Tests.Markets;

public sealed partial class AdminMarketsTests
{
    [GeneratedRegex("^0x[0-9a-f]{64}$")]
    private static partial Regex ConditionIdShape();

    [GeneratedRegex("^[0-9]{1,78}$")]
    private static partial Regex TokenIdShape();

    [Fact]
    public async Task Listing_a_market_answers_201_with_a_condition_id_and_two_uint256_token_ids()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = server.AdminClient();
        var response = await admin.PostAsJsonAsync("/v1/admin/markets", new
        {
            question = "Will the Lakers win tonight?",
            tick_size = 0.001,
            min_order_size = 10,
            neg_risk = true,
            taker_fee_rate = "0.03",
            fee_exponent = 1,
            auto_tick = false,
        });
        var market = await JsonAsync(response, HttpStatusCode.Created);
        Assert.Matches(ConditionIdShape(), market.GetProperty("condition_id").GetString());
        Assert.Equal(market.GetProperty("condition_id").GetString(), market.GetProperty("market_id").GetString());
        var tokens = market.GetProperty("tokens");
        Assert.Equal(2, tokens.GetArrayLength());
        Assert.Equal("Yes", tokens[0].GetProperty("outcome").GetString());
        Assert.Equal("No", tokens[1].GetProperty("outcome").GetString());
        Assert.Matches(TokenIdShape(), tokens[0].GetProperty("token_id").GetString());
        Assert.Matches(TokenIdShape(), tokens[1].GetProperty("token_id").GetString());
        Assert.NotEqual(tokens[0].GetProperty("token_id").GetString(), tokens[1].GetProperty("token_id").GetString());
        Assert.Equal(0.001m, market.GetProperty("minimum_tick_size").GetDecimal());
        Assert.Equal("0.001", market.GetProperty("tick_size").GetString());
        Assert.Equal(10m, market.GetProperty("minimum_order_size").GetDecimal());
        Assert.True(market.GetProperty("neg_risk").GetBoolean());
        Assert.Equal("0.03", market.GetProperty("taker_fee_rate").GetString());
        Assert.Equal("1", market.GetProperty("fee_exponent").GetString());
        Assert.Equal(300, market.GetProperty("taker_base_fee").GetInt32());
        Assert.Equal("active", market.GetProperty("status").GetString());
        Assert.True(market.GetProperty("accepting_orders").GetBoolean());
        Assert.Equal("will-the-lakers-win-tonight", market.GetProperty("market_slug").GetString());
    }

    [Fact]
    public async Task Market_ids_are_derived_not_random_and_survive_a_restart()
    {
        await using var server = await TestServer.StartAsync();
        var market = await CreateMarketAsync(server, "Will it snow in Madrid this winter?");
        await server.RestartAsync();
        var account = await server.CreateAccountAsync("enterprise");
        using var client = server.KeyClient(account.ApiKey);
        var reloaded = await JsonAsync(await client.GetAsync($"/v1/markets/{market.ConditionId}"));
        Assert.Equal(market.YesToken, reloaded.GetProperty("tokens")[0].GetProperty("token_id").GetString());
        Assert.Equal(Polysim.ClobApi.Api.Markets.MarketIds.ConditionId(market.EngineId, "Will it snow in Madrid this winter?"), market.ConditionId);
    }

    [Theory]
    [InlineData("{\"tick_size\":\"0.01\"}", "question")]
    [InlineData("{\"question\":\"Q?\"}", "tick_size")]
    [InlineData("{\"question\":\"Q?\",\"tick_size\":\"0.02\"}", "tick_size")]
    [InlineData("{\"question\":\"Q?\",\"tick_size\":0.00001}", "tick_size")]
    [InlineData("{\"question\":\"Q?\",\"tick_size\":\"0.01\",\"min_order_size\":-5}", "min_order_size")]
    [InlineData("{\"question\":\"Q?\",\"tick_size\":\"0.01\",\"taker_fee_rate\":\"1.5\"}", "taker_fee_rate")]
    [InlineData("{\"question\":\"Q?\",\"tick_size\":\"0.01\",\"fee_exponent\":3}", "fee_exponent")]
    [InlineData("{\"question\":\"Q?\",\"tick_size\":\"0.01\",\"neg_risk\":\"maybe\"}", "neg_risk")]
    [InlineData("[1,2]", "body")]
    public async Task An_invalid_market_listing_answers_422_VALIDATION_FAILED(string body, string what)
    {
        await using var server = await TestServer.StartAsync();
        using var admin = server.AdminClient();
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var response = await admin.PostAsync("/v1/admin/markets", content);
        await AssertErrorAsync(response, HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/admin/markets") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Polysim-Verbose", "true");
        var verbose = await JsonAsync(await admin.SendAsync(request), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("VALIDATION_FAILED", verbose.GetProperty("error").GetString());
        if (what != "body")
        {
            Assert.Contains(what, verbose.GetProperty("details").GetProperty("field").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(0, await Host(server).ReadAsync(s => s.Markets.All.Count));
    }

    [Fact]
    public async Task Operator_market_routes_need_the_admin_key()
    {
        await using var server = await TestServer.StartAsync();
        using var anonymous = server.Client();
        var missing = await anonymous.PostAsJsonAsync("/v1/admin/markets", new { question = "Q?", tick_size = "0.01" });
        await AssertErrorAsync(missing, HttpStatusCode.Unauthorized, "MISSING_API_KEY");
        anonymous.DefaultRequestHeaders.Add("X-Admin-Key", "wrong");
        var wrong = await anonymous.PostAsJsonAsync("/v1/admin/clock/advance", new { seconds = 1 });
        await AssertErrorAsync(wrong, HttpStatusCode.Unauthorized, "INVALID_KEY");
    }

    [Fact]
    public async Task Changing_the_tick_size_shows_on_the_market_and_the_tick_size_route()
    {
        await using var server = await TestServer.StartAsync();
        var market = await CreateMarketAsync(server);
        using var admin = server.AdminClient();
        var changed = await JsonAsync(await admin.PostAsJsonAsync($"/v1/admin/markets/{market.ConditionId}/tick-size", new { tick_size = "0.001" }));
        Assert.Equal("0.001", changed.GetProperty("tick_size").GetString());
        var account = await server.CreateAccountAsync("enterprise");
        using var client = server.KeyClient(account.ApiKey);
        var tick = await JsonAsync(await client.GetAsync($"/v1/tick-size/{market.NoToken}"));
        Assert.Equal(0.001m, tick.GetProperty("minimum_tick_size").GetDecimal());

        var bad = await admin.PostAsJsonAsync($"/v1/admin/markets/{market.ConditionId}/tick-size", new { tick_size = "0.05" });
        await AssertErrorAsync(bad, HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        var unknown = await admin.PostAsJsonAsync($"/v1/admin/markets/0x{new string('a', 64)}/tick-size", new { tick_size = "0.01" });
        await AssertErrorAsync(unknown, HttpStatusCode.NotFound, "MARKET_NOT_FOUND");
    }

    [Fact]
    public async Task Closing_stops_new_orders_and_reopening_allows_them_again()
    {
        await using var server = await TestServer.StartAsync();
        var market = await CreateMarketAsync(server);
        var account = await server.CreateAccountAsync("enterprise");
        using var admin = server.AdminClient();
        var closed = await JsonAsync(await admin.PostAsync($"/v1/admin/markets/{market.ConditionId}/close", null));
        Assert.Equal("closed", closed.GetProperty("status").GetString());
        Assert.False(closed.GetProperty("accepting_orders").GetBoolean());
        Assert.True(closed.GetProperty("closed").GetBoolean());
        var (_, refused) = await PlaceAsync(server, account.WalletId, market, Outcome.Yes, Side.Buy, 5_000, 10 * Share);
        Assert.Equal(RejectCode.MarketClosed, refused.Code);

        var reopened = await JsonAsync(await admin.PostAsync($"/v1/admin/markets/{market.ConditionId}/reopen", null));
        Assert.Equal("active", reopened.GetProperty("status").GetString());
        await PlaceOkAsync(server, account.WalletId, market, Outcome.Yes, Side.Buy, 5_000, 10 * Share);

        var unknown = await admin.PostAsync("/v1/admin/markets/0xdead/close", null);
        await AssertErrorAsync(unknown, HttpStatusCode.NotFound, "MARKET_NOT_FOUND");
    }

    [Fact]
    public async Task Resolution_pays_a_dollar_per_winning_share_and_closes_the_market_for_good()
    {
        await using var server = await TestServer.StartAsync();
        var market = await CreateMarketAsync(server);
        var yesBuyer = await server.CreateAccountAsync("enterprise", "1000");
        var noBuyer = await server.CreateAccountAsync("enterprise", "1000");
        // A MINT: 100 YES at 0.40 and 100 NO at 0.60.
        await PlaceOkAsync(server, noBuyer.WalletId, market, Outcome.No, Side.Buy, 6_000, 100 * Share);
        await PlaceOkAsync(server, yesBuyer.WalletId, market, Outcome.Yes, Side.Buy, 4_000, 100 * Share);
        var resting = await PlaceOkAsync(server, yesBuyer.WalletId, market, Outcome.Yes, Side.Buy, 3_000, 10 * Share);

        using var admin = server.AdminClient();
        var resolved = await JsonAsync(await admin.PostAsJsonAsync($"/v1/admin/markets/{market.ConditionId}/resolve", new { winning_outcome = "yes" }));
        Assert.Equal("resolved", resolved.GetProperty("status").GetString());
        Assert.Equal("Yes", resolved.GetProperty("winning_outcome").GetString());
        Assert.False(resolved.GetProperty("active").GetBoolean());
        Assert.True(resolved.GetProperty("tokens")[0].GetProperty("winner").GetBoolean());
        Assert.Equal(1m, resolved.GetProperty("tokens")[0].GetProperty("price").GetDecimal());
        Assert.False(await IsOpenAsync(server, resting));

        using var winner = server.KeyClient(yesBuyer.ApiKey);
        var balance = await JsonAsync(await winner.GetAsync("/v1/account/balance"));
        Assert.Equal("1060", balance.GetProperty("balance").GetString()); // 1000 − 40 + 100
        var positions = await JsonAsync(await winner.GetAsync("/v1/account/positions"));
        var yes = positions.GetProperty("positions").EnumerateArray().Single(p => p.GetProperty("outcome").GetString() == "Yes");
        Assert.Equal("0", yes.GetProperty("size").GetString());
        Assert.Equal("60", yes.GetProperty("realized_pnl").GetString());
        Assert.Equal("CLOSED", yes.GetProperty("status").GetString());
        using var loser = server.KeyClient(noBuyer.ApiKey);
        var lost = await JsonAsync(await loser.GetAsync("/v1/account/balance"));
        Assert.Equal("940", lost.GetProperty("balance").GetString());

        var again = await admin.PostAsJsonAsync($"/v1/admin/markets/{market.ConditionId}/resolve", new { winning_outcome = market.NoToken });
        await AssertErrorAsync(again, HttpStatusCode.BadRequest, "MARKET_CLOSED");
        var reopen = await admin.PostAsync($"/v1/admin/markets/{market.ConditionId}/reopen", null);
        await AssertErrorAsync(reopen, HttpStatusCode.BadRequest, "MARKET_CLOSED");
    }

    [Fact]
    public async Task Resolving_by_token_id_works_and_an_unknown_outcome_is_422()
    {
        await using var server = await TestServer.StartAsync();
        var market = await CreateMarketAsync(server);
        using var admin = server.AdminClient();
        var bad = await admin.PostAsJsonAsync($"/v1/admin/markets/{market.ConditionId}/resolve", new { winning_outcome = "Maybe" });
        await AssertErrorAsync(bad, HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        var missing = await admin.PostAsJsonAsync($"/v1/admin/markets/{market.ConditionId}/resolve", new { });
        await AssertErrorAsync(missing, HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        var unknown = await admin.PostAsJsonAsync($"/v1/admin/markets/0x{new string('b', 64)}/resolve", new { winning_outcome = "Yes" });
        await AssertErrorAsync(unknown, HttpStatusCode.NotFound, "MARKET_NOT_FOUND");
        var byToken = await JsonAsync(await admin.PostAsJsonAsync($"/v1/admin/markets/{market.ConditionId}/resolve", new { winning_outcome = market.NoToken }));
        Assert.Equal("No", byToken.GetProperty("winning_outcome").GetString());
    }

    [Fact]
    public async Task Advancing_the_clock_expires_a_due_GTD_order_at_once()
    {
        await using var server = await TestServer.StartAsync();
        var market = await CreateMarketAsync(server);
        var account = await server.CreateAccountAsync("enterprise");
        var now = await Host(server).ReadAsync(s => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + s.ClockOffsetMs);
        var gtd = await PlaceOkAsync(server, account.WalletId, market, Outcome.Yes, Side.Buy, 4_000, 10 * Share, TimeInForce.Gtd, now + 3_600_000);
        var gtc = await PlaceOkAsync(server, account.WalletId, market, Outcome.Yes, Side.Buy, 3_000, 10 * Share);

        using var admin = server.AdminClient();
        var reply = await JsonAsync(await admin.PostAsJsonAsync("/v1/admin/clock/advance", new { seconds = 3_601 }));
        Assert.Equal(1, reply.GetProperty("expired_orders").GetInt32());
        Assert.True(reply.GetProperty("offset_ms").GetInt64() >= 3_601_000);
        Assert.True(reply.GetProperty("now_ms").GetInt64() >= now + 3_601_000);
        Assert.False(await IsOpenAsync(server, gtd));
        Assert.True(await IsOpenAsync(server, gtc));
        using var client = server.KeyClient(account.ApiKey);
        var balance = await JsonAsync(await client.GetAsync("/v1/account/balance"));
        Assert.Equal("3", balance.GetProperty("reserved").GetString()); // only the GTC's 10 × 0.30 stays reserved
    }

    [Fact]
    public async Task The_clock_never_goes_back_and_its_offset_survives_a_restart()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = server.AdminClient();
        var negative = await admin.PostAsJsonAsync("/v1/admin/clock/advance", new { seconds = -5 });
        await AssertErrorAsync(negative, HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        var missing = await admin.PostAsJsonAsync("/v1/admin/clock/advance", new { });
        await AssertErrorAsync(missing, HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        var words = await admin.PostAsJsonAsync("/v1/admin/clock/advance", new { seconds = "soon" });
        await AssertErrorAsync(words, HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        var huge = await admin.PostAsJsonAsync("/v1/admin/clock/advance", new { seconds = 1e12 });
        await AssertErrorAsync(huge, HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");

        var first = await JsonAsync(await admin.PostAsJsonAsync("/v1/admin/clock/advance", new { seconds = "90.5" }));
        Assert.Equal(90_500, first.GetProperty("offset_ms").GetInt64());
        await server.RestartAsync();
        using var admin2 = server.AdminClient();
        var second = await JsonAsync(await admin2.PostAsJsonAsync("/v1/admin/clock/advance", new { seconds = 0 }));
        Assert.Equal(90_500, second.GetProperty("offset_ms").GetInt64());
        Assert.True(DateTimeOffset.Parse(second.GetProperty("now").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddSeconds(80));
    }

    [Fact]
    public async Task The_openapi_document_describes_the_market_and_account_routes()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.Client();
        var doc = await JsonAsync(await client.GetAsync("/openapi/v1.json"));
        var paths = doc.GetProperty("paths");
        foreach (var path in new[]
        {
            "/v1/admin/markets", "/v1/admin/markets/{condition_id}/tick-size", "/v1/admin/markets/{condition_id}/close",
            "/v1/admin/markets/{condition_id}/resolve", "/v1/admin/clock/advance", "/v1/markets", "/v1/markets/{condition_id}",
            "/v1/markets/{condition_id}/book", "/v1/book", "/v1/tick-size/{token_id}", "/v1/markets-by-token/{token_id}",
            "/v1/midpoint", "/v1/spread", "/v1/price", "/v1/last-trade-price", "/v1/prices-history", "/v1/account/balance",
            "/v1/account/positions", "/v1/account/history", "/v1/account/reset-api-balance", "/v1/heartbeats",
        })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
        }

        Assert.Equal(JsonValueKind.Object, paths.GetProperty("/v1/book").GetProperty("get").GetProperty("responses").ValueKind);
    }
}
