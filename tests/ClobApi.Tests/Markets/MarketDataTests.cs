using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Polysim.Accounts;
using Polysim.ClobApi.Hosting;
using Polysim.MatchingEngine;
using static Polysim.ClobApi.Tests.Markets.MarketsKit;

namespace Polysim.ClobApi.Tests.Markets;

public sealed class MarketDataTests
{
    /// <summary>A market with YES bids 0.40×100 and 0.42×50, and NO bids 0.45×30 and 0.50×20 (YES asks 0.55 and 0.50).</summary>
    private static async Task<(TestMarket Market, TestAccount Maker, TestAccount Reader)> QuotedMarketAsync(TestServer server)
    {
        var market = await CreateMarketAsync(server);
        var maker = await server.CreateAccountAsync("enterprise", "1000");
        var reader = await server.CreateAccountAsync("enterprise");
        await PlaceOkAsync(server, maker.WalletId, market, Outcome.Yes, Side.Buy, 4_000, 100 * Share);
        await PlaceOkAsync(server, maker.WalletId, market, Outcome.Yes, Side.Buy, 4_200, 50 * Share);
        await PlaceOkAsync(server, maker.WalletId, market, Outcome.No, Side.Buy, 4_500, 30 * Share);
        await PlaceOkAsync(server, maker.WalletId, market, Outcome.No, Side.Buy, 5_000, 20 * Share);
        return (market, maker, reader);
    }

    private static string[] Prices(JsonElement side) => [.. side.EnumerateArray().Select(l => l.GetProperty("price").GetString()!)];

    private static string[] Sizes(JsonElement side) => [.. side.EnumerateArray().Select(l => l.GetProperty("size").GetString()!)];

    [Fact]
    public async Task The_book_lists_bids_ascending_and_asks_descending_so_the_best_level_is_last()
    {
        await using var server = await TestServer.StartAsync();
        var (market, _, reader) = await QuotedMarketAsync(server);
        using var client = server.KeyClient(reader.ApiKey);
        var book = await JsonAsync(await client.GetAsync($"/v1/book?token_id={market.YesToken}"));
        Assert.Equal(
            ["market", "asset_id", "timestamp", "hash", "bids", "asks", "min_order_size", "tick_size", "neg_risk", "last_trade_price"],
            book.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(market.ConditionId, book.GetProperty("market").GetString());
        Assert.Equal(market.YesToken, book.GetProperty("asset_id").GetString());
        Assert.Equal(["0.4", "0.42"], Prices(book.GetProperty("bids")));
        Assert.Equal(["100", "50"], Sizes(book.GetProperty("bids")));
        Assert.Equal(["0.55", "0.5"], Prices(book.GetProperty("asks")));
        Assert.Equal(["30", "20"], Sizes(book.GetProperty("asks")));
        Assert.Equal("5", book.GetProperty("min_order_size").GetString());
        Assert.Equal("0.01", book.GetProperty("tick_size").GetString());
        Assert.False(book.GetProperty("neg_risk").GetBoolean());
        Assert.Equal(string.Empty, book.GetProperty("last_trade_price").GetString());
        var timestamp = long.Parse(book.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(timestamp, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task The_NO_book_is_the_mirror_of_the_YES_book()
    {
        await using var server = await TestServer.StartAsync();
        var (market, _, reader) = await QuotedMarketAsync(server);
        using var client = server.KeyClient(reader.ApiKey);
        var book = await JsonAsync(await client.GetAsync($"/v1/book?token_id={market.NoToken}"));
        Assert.Equal(market.NoToken, book.GetProperty("asset_id").GetString());
        Assert.Equal(["0.45", "0.5"], Prices(book.GetProperty("bids")));
        Assert.Equal(["30", "20"], Sizes(book.GetProperty("bids")));
        Assert.Equal(["0.6", "0.58"], Prices(book.GetProperty("asks")));
        Assert.Equal(["100", "50"], Sizes(book.GetProperty("asks")));

        var byMarket = await JsonAsync(await client.GetAsync($"/v1/markets/{market.ConditionId}/book?outcome=No"));
        Assert.Equal(["0.45", "0.5"], Prices(byMarket.GetProperty("bids")));
        var yesByMarket = await JsonAsync(await client.GetAsync($"/v1/markets/{market.ConditionId}/book"));
        Assert.Equal(market.YesToken, yesByMarket.GetProperty("asset_id").GetString());
        var badOutcome = await client.GetAsync($"/v1/markets/{market.ConditionId}/book?outcome=Maybe");
        await AssertErrorAsync(badOutcome, HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        var unknown = await client.GetAsync($"/v1/markets/0x{new string('c', 64)}/book");
        await AssertErrorAsync(unknown, HttpStatusCode.NotFound, "MARKET_NOT_FOUND");
    }

    [Fact]
    public async Task The_book_hash_is_the_SHA1_of_its_compact_JSON_with_an_empty_hash()
    {
        await using var server = await TestServer.StartAsync();
        var (market, _, reader) = await QuotedMarketAsync(server);
        using var client = server.KeyClient(reader.ApiKey);
        var text = await (await client.GetAsync($"/v1/book?token_id={market.YesToken}")).Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(text);
        var hash = json.RootElement.GetProperty("hash").GetString()!;
        Assert.Matches("^[0-9a-f]{40}$", hash);
        var unhashed = text.Replace($"\"hash\":\"{hash}\"", "\"hash\":\"\"", StringComparison.Ordinal);
        Assert.NotEqual(text, unhashed);
#pragma warning disable CA5350 // the wire defines SHA-1
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(unhashed))), hash);
#pragma warning restore CA5350
    }

    [Fact]
    public async Task Midpoint_spread_and_price_follow_Polymarket_semantics_on_both_tokens()
    {
        await using var server = await TestServer.StartAsync();
        var (market, _, reader) = await QuotedMarketAsync(server);
        using var client = server.KeyClient(reader.ApiKey);
        Assert.Equal("0.46", (await JsonAsync(await client.GetAsync($"/v1/midpoint?token_id={market.YesToken}"))).GetProperty("mid").GetString());
        Assert.Equal("0.54", (await JsonAsync(await client.GetAsync($"/v1/midpoint?token_id={market.NoToken}"))).GetProperty("mid").GetString());
        Assert.Equal("0.08", (await JsonAsync(await client.GetAsync($"/v1/spread?token_id={market.YesToken}"))).GetProperty("spread").GetString());
        Assert.Equal("0.08", (await JsonAsync(await client.GetAsync($"/v1/spread?token_id={market.NoToken}"))).GetProperty("spread").GetString());
        Assert.Equal("0.42", (await JsonAsync(await client.GetAsync($"/v1/price?token_id={market.YesToken}&side=BUY"))).GetProperty("price").GetString());
        Assert.Equal("0.5", (await JsonAsync(await client.GetAsync($"/v1/price?token_id={market.YesToken}&side=SELL"))).GetProperty("price").GetString());
        Assert.Equal("0.5", (await JsonAsync(await client.GetAsync($"/v1/price?token_id={market.NoToken}&side=buy"))).GetProperty("price").GetString());
        Assert.Equal("0.58", (await JsonAsync(await client.GetAsync($"/v1/price?token_id={market.NoToken}&side=SELL"))).GetProperty("price").GetString());
    }

    [Fact]
    public async Task A_midpoint_that_needs_a_fifth_decimal_is_exact()
    {
        await using var server = await TestServer.StartAsync();
        var market = await CreateMarketAsync(server, tick: "0.0001");
        var maker = await server.CreateAccountAsync("enterprise");
        await PlaceOkAsync(server, maker.WalletId, market, Outcome.Yes, Side.Buy, 4_501, 10 * Share);
        await PlaceOkAsync(server, maker.WalletId, market, Outcome.No, Side.Buy, 5_498, 10 * Share); // YES ask 0.4502
        using var client = server.KeyClient(maker.ApiKey);
        Assert.Equal("0.45015", (await JsonAsync(await client.GetAsync($"/v1/midpoint?token_id={market.YesToken}"))).GetProperty("mid").GetString());
    }

    [Fact]
    public async Task Prices_on_an_empty_book_side_answer_404_NO_ORDERBOOK()
    {
        await using var server = await TestServer.StartAsync();
        var market = await CreateMarketAsync(server);
        var maker = await server.CreateAccountAsync("enterprise");
        await PlaceOkAsync(server, maker.WalletId, market, Outcome.Yes, Side.Buy, 4_000, 10 * Share);
        using var client = server.KeyClient(maker.ApiKey);
        await AssertErrorAsync(await client.GetAsync($"/v1/midpoint?token_id={market.YesToken}"), HttpStatusCode.NotFound, "NO_ORDERBOOK");
        await AssertErrorAsync(await client.GetAsync($"/v1/spread?token_id={market.YesToken}"), HttpStatusCode.NotFound, "NO_ORDERBOOK");
        await AssertErrorAsync(await client.GetAsync($"/v1/price?token_id={market.YesToken}&side=SELL"), HttpStatusCode.NotFound, "NO_ORDERBOOK");
        await AssertErrorAsync(await client.GetAsync($"/v1/price?token_id={market.NoToken}&side=BUY"), HttpStatusCode.NotFound, "NO_ORDERBOOK");
        Assert.Equal("0.6", (await JsonAsync(await client.GetAsync($"/v1/price?token_id={market.NoToken}&side=SELL"))).GetProperty("price").GetString());
    }

    [Theory]
    [InlineData("/v1/book")]
    [InlineData("/v1/book?token_id=")]
    [InlineData("/v1/book?token_id=0x12ab")]
    [InlineData("/v1/midpoint?token_id=12a")]
    [InlineData("/v1/spread")]
    [InlineData("/v1/last-trade-price")]
    [InlineData("/v1/tick-size")]
    [InlineData("/v1/tick-size/not-a-token")]
    [InlineData("/v1/markets-by-token/abc")]
    [InlineData("/v1/price?token_id=123")]
    [InlineData("/v1/price?token_id=123&side=MIDDLE")]
    [InlineData("/v1/prices-history")]
    [InlineData("/v1/prices-history?market=123&interval=2h")]
    [InlineData("/v1/prices-history?market=123&interval=1h&startTs=5")]
    [InlineData("/v1/prices-history?market=123&startTs=10&endTs=5")]
    [InlineData("/v1/prices-history?market=123&fidelity=0")]
    [InlineData("/v1/prices-history?market=123&startTs=-1")]
    [InlineData("/v1/markets?limit=0")]
    [InlineData("/v1/markets?limit=1001")]
    [InlineData("/v1/markets?next_cursor=%25%25%25")]
    public async Task A_missing_or_malformed_query_answers_422_VALIDATION_FAILED(string url)
    {
        await using var server = await TestServer.StartAsync();
        var reader = await server.CreateAccountAsync("enterprise");
        using var client = server.KeyClient(reader.ApiKey);
        await AssertErrorAsync(await client.GetAsync(url), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
    }

    [Theory]
    [InlineData("/v1/book?token_id=123")]
    [InlineData("/v1/midpoint?token_id=123")]
    [InlineData("/v1/spread?token_id=123")]
    [InlineData("/v1/price?token_id=123&side=BUY")]
    [InlineData("/v1/last-trade-price?token_id=123")]
    [InlineData("/v1/tick-size/123")]
    [InlineData("/v1/tick-size?token_id=123")]
    [InlineData("/v1/markets-by-token/123")]
    [InlineData("/v1/prices-history?market=123")]
    [InlineData("/v1/markets/0x0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("/v1/markets/not-a-market")]
    public async Task An_unknown_token_or_market_answers_404_MARKET_NOT_FOUND(string url)
    {
        await using var server = await TestServer.StartAsync();
        await CreateMarketAsync(server);
        var reader = await server.CreateAccountAsync("enterprise");
        using var client = server.KeyClient(reader.ApiKey);
        await AssertErrorAsync(await client.GetAsync(url), HttpStatusCode.NotFound, "MARKET_NOT_FOUND");
    }

    [Fact]
    public async Task Market_data_needs_a_key_with_read_permission()
    {
        await using var server = await TestServer.StartAsync();
        var market = await CreateMarketAsync(server);
        var account = await server.CreateAccountAsync("enterprise");
        using var anonymous = server.Client();
        await AssertErrorAsync(await anonymous.GetAsync("/v1/markets"), HttpStatusCode.Unauthorized, "MISSING_API_KEY");

        // A trade-only key, issued straight through the journal so this test does not depend on the key routes.
        var secret = AccountDirectory.NewSecret();
        await Host(server).WriteAsync(ctx =>
        {
            ctx.Record(new ApiKeyIssued(
                "key_tradeonly", account.AccountId, "trade-only", secret[..10], AccountDirectory.HashSecret(secret), KeyPermissions.Trade, null, ctx.Now));
            return true;
        });
        using var tradeOnly = server.KeyClient(secret);
        foreach (var url in new[] { "/v1/markets", $"/v1/book?token_id={market.YesToken}", $"/v1/midpoint?token_id={market.YesToken}", "/v1/account/balance" })
        {
            await AssertErrorAsync(await tradeOnly.GetAsync(url), HttpStatusCode.Forbidden, "INSUFFICIENT_PERMISSION");
        }
    }

    [Fact]
    public async Task Markets_are_paged_with_Polymarket_cursors()
    {
        await using var server = await TestServer.StartAsync();
        var first = await CreateMarketAsync(server, "Market one?");
        await CreateMarketAsync(server, "Market two?");
        var third = await CreateMarketAsync(server, "Market three?");
        var reader = await server.CreateAccountAsync("enterprise");
        using var client = server.KeyClient(reader.ApiKey);
        var page1 = await JsonAsync(await client.GetAsync("/v1/markets?limit=2"));
        Assert.Equal(2, page1.GetProperty("count").GetInt32());
        Assert.Equal(2, page1.GetProperty("limit").GetInt32());
        Assert.Equal(first.ConditionId, page1.GetProperty("data")[0].GetProperty("condition_id").GetString());
        var cursor = page1.GetProperty("next_cursor").GetString()!;
        Assert.Equal("Mg==", cursor);
        var page2 = await JsonAsync(await client.GetAsync($"/v1/markets?limit=2&next_cursor={Uri.EscapeDataString(cursor)}"));
        Assert.Equal(1, page2.GetProperty("count").GetInt32());
        Assert.Equal(third.ConditionId, page2.GetProperty("data")[0].GetProperty("condition_id").GetString());
        Assert.Equal("LTE=", page2.GetProperty("next_cursor").GetString());
        var end = await JsonAsync(await client.GetAsync("/v1/markets?next_cursor=LTE%3D"));
        Assert.Equal(0, end.GetProperty("count").GetInt32());
        var all = await JsonAsync(await client.GetAsync("/v1/markets"));
        Assert.Equal(3, all.GetProperty("data").GetArrayLength());
        var market = all.GetProperty("data")[0];
        foreach (var field in new[]
        {
            "enable_order_book", "active", "closed", "archived", "accepting_orders", "accepting_order_timestamp", "minimum_order_size",
            "minimum_tick_size", "condition_id", "question_id", "question", "description", "market_slug", "end_date_iso", "game_start_time",
            "seconds_delay", "fpmm", "maker_base_fee", "taker_base_fee", "notifications_enabled", "neg_risk", "neg_risk_market_id",
            "neg_risk_request_id", "icon", "image", "rewards", "is_50_50_outcome", "tokens", "tags",
        })
        {
            Assert.True(market.TryGetProperty(field, out _), $"market object lacks {field}");
        }

        Assert.Equal(JsonValueKind.Number, market.GetProperty("minimum_tick_size").ValueKind);
        Assert.Equal(0.5m, market.GetProperty("tokens")[0].GetProperty("price").GetDecimal());
    }

    [Fact]
    public async Task A_market_is_found_by_condition_id_and_by_token()
    {
        await using var server = await TestServer.StartAsync();
        var (market, _, reader) = await QuotedMarketAsync(server);
        using var client = server.KeyClient(reader.ApiKey);
        var byId = await JsonAsync(await client.GetAsync($"/v1/markets/{market.ConditionId.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal)}"));
        Assert.Equal(market.ConditionId, byId.GetProperty("condition_id").GetString());
        Assert.Equal("0.42", byId.GetProperty("best_bid").GetString());
        Assert.Equal("0.5", byId.GetProperty("best_ask").GetString());
        Assert.Equal(0.46m, byId.GetProperty("tokens")[0].GetProperty("price").GetDecimal());
        Assert.Equal(0.54m, byId.GetProperty("tokens")[1].GetProperty("price").GetDecimal());

        var byToken = await JsonAsync(await client.GetAsync($"/v1/markets-by-token/{market.NoToken}"));
        Assert.Equal(market.ConditionId, byToken.GetProperty("condition_id").GetString());
        Assert.Equal("No", byToken.GetProperty("outcome").GetString());
        Assert.Equal(market.YesToken, byToken.GetProperty("primary_token_id").GetString());
        Assert.Equal(market.NoToken, byToken.GetProperty("secondary_token_id").GetString());

        var tick = await JsonAsync(await client.GetAsync($"/v1/tick-size?token_id={market.YesToken}"));
        Assert.Equal(JsonValueKind.Number, tick.GetProperty("minimum_tick_size").ValueKind);
        Assert.Equal("0.01", tick.GetProperty("minimum_tick_size").GetRawText());
    }

    [Fact]
    public async Task Last_trade_price_and_price_history_follow_the_trades_on_both_tokens()
    {
        await using var server = await TestServer.StartAsync();
        var (market, _, reader) = await QuotedMarketAsync(server);
        var taker = await server.CreateAccountAsync("enterprise", "1000");
        using var client = server.KeyClient(reader.ApiKey);
        var none = await JsonAsync(await client.GetAsync($"/v1/last-trade-price?token_id={market.YesToken}"));
        Assert.Equal(string.Empty, none.GetProperty("price").GetString());
        Assert.Equal(0, (await JsonAsync(await client.GetAsync($"/v1/prices-history?market={market.YesToken}"))).GetProperty("history").GetArrayLength());

        // A YES buyer lifts the 0.50 ask (a NO bid at 0.50: a MINT).
        await PlaceOkAsync(server, taker.WalletId, market, Outcome.Yes, Side.Buy, 5_000, 20 * Share, TimeInForce.Fak);
        var first = await JsonAsync(await client.GetAsync($"/v1/last-trade-price?token_id={market.YesToken}"));
        Assert.Equal("0.5", first.GetProperty("price").GetString());
        Assert.Equal("BUY", first.GetProperty("side").GetString());

        using var admin = server.AdminClient();
        await JsonAsync(await admin.PostAsJsonAsync("/v1/admin/clock/advance", new { seconds = 7_200 }));
        await PlaceOkAsync(server, taker.WalletId, market, Outcome.Yes, Side.Buy, 5_500, 10 * Share, TimeInForce.Fak);

        var yesLast = await JsonAsync(await client.GetAsync($"/v1/last-trade-price?token_id={market.YesToken}"));
        Assert.Equal("0.55", yesLast.GetProperty("price").GetString());
        var noLast = await JsonAsync(await client.GetAsync($"/v1/last-trade-price?token_id={market.NoToken}"));
        Assert.Equal("0.45", noLast.GetProperty("price").GetString());
        Assert.Equal("SELL", noLast.GetProperty("side").GetString());
        var book = await JsonAsync(await client.GetAsync($"/v1/book?token_id={market.NoToken}"));
        Assert.Equal("0.45", book.GetProperty("last_trade_price").GetString());

        var history = (await JsonAsync(await client.GetAsync($"/v1/prices-history?market={market.YesToken}"))).GetProperty("history");
        Assert.Equal([0.5m, 0.55m], history.EnumerateArray().Select(p => p.GetProperty("p").GetDecimal()).ToArray());
        var t1 = history[0].GetProperty("t").GetInt64();
        var t2 = history[1].GetProperty("t").GetInt64();
        Assert.InRange(t2 - t1, 7_199, 7_201);
        Assert.Equal(JsonValueKind.Number, history[0].GetProperty("p").ValueKind);

        var noHistory = (await JsonAsync(await client.GetAsync($"/v1/prices-history?market={market.NoToken}"))).GetProperty("history");
        Assert.Equal([0.5m, 0.45m], noHistory.EnumerateArray().Select(p => p.GetProperty("p").GetDecimal()).ToArray());

        var recent = (await JsonAsync(await client.GetAsync($"/v1/prices-history?market={market.YesToken}&interval=1h"))).GetProperty("history");
        Assert.Equal([0.55m], recent.EnumerateArray().Select(p => p.GetProperty("p").GetDecimal()).ToArray());
        var window = (await JsonAsync(await client.GetAsync($"/v1/prices-history?market={market.YesToken}&startTs={t1}&endTs={t1}"))).GetProperty("history");
        Assert.Single(window.EnumerateArray());
        var daily = (await JsonAsync(await client.GetAsync($"/v1/prices-history?market={market.YesToken}&fidelity=1440"))).GetProperty("history");
        Assert.All(daily.EnumerateArray(), p => Assert.Equal(0, p.GetProperty("t").GetInt64() % 86_400));
        Assert.InRange(daily.GetArrayLength(), 1, 2);
        Assert.Equal(0.55m, daily[daily.GetArrayLength() - 1].GetProperty("p").GetDecimal());
    }
}
