using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Polysim.ClobApi.Tests.Markets;
using Polysim.MatchingEngine;
using static Polysim.ClobApi.Tests.Markets.MarketsKit;

namespace Polysim.ClobApi.Tests.PolymarketPublic;

public sealed class PublicRoutesTests
{
    private static readonly string[] BookKeys =
        ["market", "asset_id", "timestamp", "hash", "bids", "asks", "min_order_size", "tick_size", "neg_risk", "last_trade_price"];

    /// <summary>YES bids 0.40×100 and 0.42×50; NO bids 0.45×30 and 0.50×20 (so YES asks 0.55×30 and 0.50×20).</summary>
    private static async Task<(TestMarket Market, TestAccount Maker)> QuotedMarketAsync(TestServer server, bool negRisk = false)
    {
        var market = await CreateMarketAsync(server, negRisk: negRisk);
        var maker = await server.CreateAccountAsync("enterprise", "1000");
        await PlaceOkAsync(server, maker.WalletId, market, Outcome.Yes, Side.Buy, 4_000, 100 * Share);
        await PlaceOkAsync(server, maker.WalletId, market, Outcome.Yes, Side.Buy, 4_200, 50 * Share);
        await PlaceOkAsync(server, maker.WalletId, market, Outcome.No, Side.Buy, 4_500, 30 * Share);
        await PlaceOkAsync(server, maker.WalletId, market, Outcome.No, Side.Buy, 5_000, 20 * Share);
        return (market, maker);
    }

    private static string[] Prices(JsonElement side) => [.. side.EnumerateArray().Select(l => l.GetProperty("price").GetString()!)];

    private static string[] Sizes(JsonElement side) => [.. side.EnumerateArray().Select(l => l.GetProperty("size").GetString()!)];

    private static string[] Keys(JsonElement obj) => [.. obj.EnumerateObject().Select(p => p.Name)];

    private static async Task AssertPolymarketErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code, string message)
    {
        Assert.True(response.Headers.Contains("X-Request-Id"), "X-Request-Id missing");
        var text = await response.Content.ReadAsStringAsync();
        await AssertErrorAsync(response, status, code);
        using var json = JsonDocument.Parse(text);
        Assert.Equal(message, json.RootElement.GetProperty("error").GetString());
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task The_health_version_and_time_routes_answer_without_a_key_as_Polymarket_does()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.Client();

        var root = await client.GetAsync("/");
        Assert.Equal("\"OK\"", await root.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.True(root.Headers.Contains("X-Request-Id"));
        Assert.Equal("\"OK\"", await client.GetStringAsync("/ok"));

        var version = await JsonAsync(await client.GetAsync("/version"));
        Assert.Equal(JsonValueKind.Number, version.GetProperty("version").ValueKind);
        Assert.Equal(2, version.GetProperty("version").GetInt32());
        Assert.Single(version.EnumerateObject());

        var time = await JsonAsync(await client.GetAsync("/time"));
        Assert.Equal(JsonValueKind.Number, time.ValueKind);
        Assert.InRange(time.GetInt64(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);
    }

    [Fact]
    public async Task The_book_lists_best_levels_last_with_all_ten_keys_and_the_NO_book_mirrors_YES()
    {
        await using var server = await TestServer.StartAsync();
        var (market, _) = await QuotedMarketAsync(server, negRisk: true);
        using var client = server.Client();

        var yes = await JsonAsync(await client.GetAsync($"/book?token_id={market.YesToken}"));
        Assert.Equal(BookKeys, Keys(yes));
        Assert.Equal(market.ConditionId, yes.GetProperty("market").GetString());
        Assert.Equal(market.YesToken, yes.GetProperty("asset_id").GetString());
        Assert.Equal(["0.4", "0.42"], Prices(yes.GetProperty("bids")));
        Assert.Equal(["100", "50"], Sizes(yes.GetProperty("bids")));
        Assert.Equal(["0.55", "0.5"], Prices(yes.GetProperty("asks")));
        Assert.Equal(["30", "20"], Sizes(yes.GetProperty("asks")));
        Assert.Equal("5", yes.GetProperty("min_order_size").GetString());
        Assert.Equal("0.01", yes.GetProperty("tick_size").GetString());
        Assert.True(yes.GetProperty("neg_risk").GetBoolean());
        Assert.Equal(string.Empty, yes.GetProperty("last_trade_price").GetString());
        Assert.Equal(JsonValueKind.String, yes.GetProperty("timestamp").ValueKind);

        var no = await JsonAsync(await client.GetAsync($"/book?token_id={market.NoToken}"));
        Assert.Equal(market.NoToken, no.GetProperty("asset_id").GetString());
        Assert.Equal(["0.45", "0.5"], Prices(no.GetProperty("bids")));
        Assert.Equal(["0.6", "0.58"], Prices(no.GetProperty("asks")));
        Assert.Equal(["100", "50"], Sizes(no.GetProperty("asks")));
    }

    [Fact]
    public async Task The_book_hash_is_the_SHA1_of_the_compact_summary_with_an_empty_hash()
    {
        await using var server = await TestServer.StartAsync();
        var (market, _) = await QuotedMarketAsync(server);
        using var client = server.Client();
        var book = await JsonAsync(await client.GetAsync($"/book?token_id={market.YesToken}"));

        var hash = book.GetProperty("hash").GetString()!;
        Assert.Matches("^[0-9a-f]{40}$", hash);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var property in book.EnumerateObject())
            {
                if (property.Name == "hash")
                {
                    writer.WriteString("hash", string.Empty);
                }
                else
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

#pragma warning disable CA5350 // Polymarket's book hash is SHA-1.
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(stream.ToArray())), hash);
#pragma warning restore CA5350
    }

    [Fact]
    public async Task POST_books_answers_the_summaries_in_request_order()
    {
        await using var server = await TestServer.StartAsync();
        var (market, _) = await QuotedMarketAsync(server);
        using var client = server.Client();
        var books = await JsonAsync(await client.PostAsync(
            "/books", Body($"[{{\"token_id\":\"{market.NoToken}\",\"side\":\"BUY\"}},{{\"token_id\":\"{market.YesToken}\"}}]")));
        Assert.Equal(2, books.GetArrayLength());
        Assert.Equal(market.NoToken, books[0].GetProperty("asset_id").GetString());
        Assert.Equal(market.YesToken, books[1].GetProperty("asset_id").GetString());
        Assert.Equal(BookKeys, Keys(books[1]));
        Assert.Equal(["0.4", "0.42"], Prices(books[1].GetProperty("bids")));
    }

    [Fact]
    public async Task Price_midpoint_and_spread_read_the_best_levels_of_each_token()
    {
        await using var server = await TestServer.StartAsync();
        var (market, _) = await QuotedMarketAsync(server);
        using var client = server.Client();

        Assert.Equal("0.42", (await JsonAsync(await client.GetAsync($"/price?token_id={market.YesToken}&side=BUY"))).GetProperty("price").GetString());
        Assert.Equal("0.5", (await JsonAsync(await client.GetAsync($"/price?token_id={market.YesToken}&side=SELL"))).GetProperty("price").GetString());
        Assert.Equal("0.5", (await JsonAsync(await client.GetAsync($"/price?token_id={market.NoToken}&side=BUY"))).GetProperty("price").GetString());
        Assert.Equal("0.58", (await JsonAsync(await client.GetAsync($"/price?token_id={market.NoToken}&side=SELL"))).GetProperty("price").GetString());
        Assert.Equal("0.46", (await JsonAsync(await client.GetAsync($"/midpoint?token_id={market.YesToken}"))).GetProperty("mid").GetString());
        Assert.Equal("0.54", (await JsonAsync(await client.GetAsync($"/midpoint?token_id={market.NoToken}"))).GetProperty("mid").GetString());
        Assert.Equal("0.08", (await JsonAsync(await client.GetAsync($"/spread?token_id={market.YesToken}"))).GetProperty("spread").GetString());

        var prices = await JsonAsync(await client.PostAsync(
            "/prices",
            Body($"[{{\"token_id\":\"{market.YesToken}\",\"side\":\"BUY\"}},{{\"token_id\":\"{market.YesToken}\",\"side\":\"SELL\"}},{{\"token_id\":\"{market.NoToken}\",\"side\":\"SELL\"}}]")));
        Assert.Equal("0.42", prices.GetProperty(market.YesToken).GetProperty("BUY").GetString());
        Assert.Equal("0.5", prices.GetProperty(market.YesToken).GetProperty("SELL").GetString());
        Assert.Equal("0.58", prices.GetProperty(market.NoToken).GetProperty("SELL").GetString());
        Assert.False(prices.GetProperty(market.NoToken).TryGetProperty("BUY", out _));

        var all = await JsonAsync(await client.GetAsync("/prices"));
        Assert.Equal("0.5", all.GetProperty(market.NoToken).GetProperty("BUY").GetString());
        Assert.Equal("0.42", all.GetProperty(market.YesToken).GetProperty("BUY").GetString());

        var tokens = Body($"[{{\"token_id\":\"{market.YesToken}\"}},{{\"token_id\":\"{market.NoToken}\"}}]");
        var mids = await JsonAsync(await client.PostAsync("/midpoints", tokens));
        Assert.Equal("0.46", mids.GetProperty(market.YesToken).GetString());
        Assert.Equal("0.54", mids.GetProperty(market.NoToken).GetString());
        var spreads = await JsonAsync(await client.PostAsync(
            "/spreads", Body($"[{{\"token_id\":\"{market.YesToken}\"}},{{\"token_id\":\"{market.NoToken}\"}}]")));
        Assert.Equal("0.08", spreads.GetProperty(market.YesToken).GetString());
        Assert.Equal("0.08", spreads.GetProperty(market.NoToken).GetString());
    }

    [Fact]
    public async Task Last_trade_prices_are_empty_before_a_trade_and_mirrored_for_NO_after_one()
    {
        await using var server = await TestServer.StartAsync();
        var (market, _) = await QuotedMarketAsync(server);
        using var client = server.Client();

        var before = await JsonAsync(await client.GetAsync($"/last-trade-price?token_id={market.YesToken}"));
        Assert.Equal(string.Empty, before.GetProperty("price").GetString());
        Assert.Equal(string.Empty, before.GetProperty("side").GetString());

        // A taker sells YES into the 0.42 bid.
        var taker = await server.CreateAccountAsync("enterprise", "1000");
        await PlaceOkAsync(server, taker.WalletId, market, Outcome.No, Side.Buy, 5_800, 10 * Share);

        var yes = await JsonAsync(await client.GetAsync($"/last-trade-price?token_id={market.YesToken}"));
        Assert.Equal("0.42", yes.GetProperty("price").GetString());
        Assert.Equal("SELL", yes.GetProperty("side").GetString());

        var body = $"[{{\"token_id\":\"{market.YesToken}\"}},{{\"token_id\":\"{market.NoToken}\"}}]";
        var posted = await JsonAsync(await client.PostAsync("/last-trades-prices", Body(body)));
        using var get = new HttpRequestMessage(HttpMethod.Get, "/last-trades-prices") { Content = Body(body) };
        var fetched = await JsonAsync(await client.SendAsync(get));
        foreach (var list in new[] { posted, fetched })
        {
            Assert.Equal(2, list.GetArrayLength());
            Assert.Equal(["token_id", "price", "side"], Keys(list[0]));
            Assert.Equal(market.YesToken, list[0].GetProperty("token_id").GetString());
            Assert.Equal("0.42", list[0].GetProperty("price").GetString());
            Assert.Equal(market.NoToken, list[1].GetProperty("token_id").GetString());
            Assert.Equal("0.58", list[1].GetProperty("price").GetString());
            Assert.Equal("BUY", list[1].GetProperty("side").GetString());
        }

        var book = await JsonAsync(await client.GetAsync($"/book?token_id={market.NoToken}"));
        Assert.Equal("0.58", book.GetProperty("last_trade_price").GetString());

        var history = await JsonAsync(await client.GetAsync($"/prices-history?market={market.NoToken}"));
        var point = Assert.Single(history.GetProperty("history").EnumerateArray());
        Assert.Equal(JsonValueKind.Number, point.GetProperty("p").ValueKind);
        Assert.Equal(0.58m, point.GetProperty("p").GetDecimal());
        Assert.Equal(JsonValueKind.Number, point.GetProperty("t").ValueKind);
    }

    [Fact]
    public async Task Tick_size_neg_risk_and_fee_rate_answer_typed_values()
    {
        await using var server = await TestServer.StartAsync();
        var plain = await CreateMarketAsync(server, tick: "0.001");
        var negRisk = await CreateMarketAsync(server, question: "Neg risk?", negRisk: true);
        var fees = await CreateMarketAsync(server, extra: new { question = "With fees?", tick_size = "0.01", taker_fee_rate = "0.072", fee_exponent = 1 });
        using var client = server.Client();

        var tick = await JsonAsync(await client.GetAsync($"/tick-size?token_id={plain.NoToken}"));
        Assert.Equal(JsonValueKind.Number, tick.GetProperty("minimum_tick_size").ValueKind);
        Assert.Equal("0.001", tick.GetProperty("minimum_tick_size").GetRawText());

        var nr = await JsonAsync(await client.GetAsync($"/neg-risk?token_id={negRisk.YesToken}"));
        Assert.True(nr.GetProperty("neg_risk").GetBoolean());
        Assert.False((await JsonAsync(await client.GetAsync($"/neg-risk?token_id={plain.YesToken}"))).GetProperty("neg_risk").GetBoolean());

        var free = await JsonAsync(await client.GetAsync($"/fee-rate?token_id={plain.YesToken}"));
        Assert.Equal(JsonValueKind.Number, free.GetProperty("base_fee").ValueKind);
        Assert.Equal(0, free.GetProperty("base_fee").GetInt32());
        Assert.Equal(1000, (await JsonAsync(await client.GetAsync($"/fee-rate?token_id={fees.NoToken}"))).GetProperty("base_fee").GetInt32());
    }

    [Fact]
    public async Task Market_listings_page_with_base64_offset_cursors_and_end_with_LTE()
    {
        await using var server = await TestServer.StartAsync();
        var first = await CreateMarketAsync(server, question: "First?");
        var second = await CreateMarketAsync(server, question: "Second?");
        using var client = server.Client();

        var page = await JsonAsync(await client.GetAsync("/markets"));
        Assert.Equal(["limit", "count", "next_cursor", "data"], Keys(page));
        Assert.Equal(1000, page.GetProperty("limit").GetInt32());
        Assert.Equal(2, page.GetProperty("count").GetInt32());
        Assert.Equal("LTE=", page.GetProperty("next_cursor").GetString());
        var market = page.GetProperty("data")[0];
        Assert.Equal(first.ConditionId, market.GetProperty("condition_id").GetString());
        string[] required =
        [
            "enable_order_book", "active", "closed", "archived", "accepting_orders", "accepting_order_timestamp", "minimum_order_size",
            "minimum_tick_size", "condition_id", "question_id", "question", "description", "market_slug", "end_date_iso", "game_start_time",
            "seconds_delay", "fpmm", "maker_base_fee", "taker_base_fee", "notifications_enabled", "neg_risk", "neg_risk_market_id",
            "neg_risk_request_id", "icon", "image", "rewards", "is_50_50_outcome", "tokens", "tags",
        ];
        Assert.Empty(required.Except(Keys(market)));
        Assert.Equal(JsonValueKind.Number, market.GetProperty("minimum_tick_size").ValueKind);
        Assert.Equal(JsonValueKind.Number, market.GetProperty("minimum_order_size").ValueKind);
        Assert.Equal(first.YesToken, market.GetProperty("tokens")[0].GetProperty("token_id").GetString());

        var fromStart = await JsonAsync(await client.GetAsync("/markets?next_cursor=MA=="));
        Assert.Equal(2, fromStart.GetProperty("count").GetInt32());
        var fromOne = await JsonAsync(await client.GetAsync("/markets?next_cursor=MQ=="));
        Assert.Equal(second.ConditionId, Assert.Single(fromOne.GetProperty("data").EnumerateArray()).GetProperty("condition_id").GetString());
        var past = await JsonAsync(await client.GetAsync("/markets?next_cursor=LTE="));
        Assert.Equal(0, past.GetProperty("count").GetInt32());
        Assert.Equal("LTE=", past.GetProperty("next_cursor").GetString());

        var simplified = await JsonAsync(await client.GetAsync("/simplified-markets"));
        Assert.Equal(2, simplified.GetProperty("count").GetInt32());
        Assert.Equal(
            ["condition_id", "tokens", "rewards", "active", "closed", "archived", "accepting_orders"],
            Keys(simplified.GetProperty("data")[1]));
        Assert.Equal(second.NoToken, simplified.GetProperty("data")[1].GetProperty("tokens")[1].GetProperty("token_id").GetString());

        // Resolving the first market takes it out of the sampling listings.
        using var admin = server.AdminClient();
        var resolved = await admin.PostAsJsonAsync($"/v1/admin/markets/{first.ConditionId}/resolve", new { winning_outcome = "Yes" });
        Assert.True(resolved.IsSuccessStatusCode, await resolved.Content.ReadAsStringAsync());
        var sampling = await JsonAsync(await client.GetAsync("/sampling-markets"));
        Assert.Equal(second.ConditionId, Assert.Single(sampling.GetProperty("data").EnumerateArray()).GetProperty("condition_id").GetString());
        Assert.Equal("LTE=", sampling.GetProperty("next_cursor").GetString());
        var samplingSimplified = await JsonAsync(await client.GetAsync("/sampling-simplified-markets"));
        Assert.Equal(1, samplingSimplified.GetProperty("count").GetInt32());
        Assert.Equal(2, (await JsonAsync(await client.GetAsync("/markets"))).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task One_market_by_condition_id_by_token_and_in_V2_short_key_form()
    {
        await using var server = await TestServer.StartAsync();
        var plain = await CreateMarketAsync(server);
        var fees = await CreateMarketAsync(
            server, extra: new { question = "With fees?", tick_size = "0.001", taker_fee_rate = "0.072", fee_exponent = 1, neg_risk = true });
        using var client = server.Client();

        var market = await JsonAsync(await client.GetAsync($"/markets/{plain.ConditionId}"));
        Assert.Equal(plain.ConditionId, market.GetProperty("condition_id").GetString());
        Assert.Equal(plain.NoToken, market.GetProperty("tokens")[1].GetProperty("token_id").GetString());

        var byToken = await JsonAsync(await client.GetAsync($"/markets-by-token/{plain.NoToken}"));
        Assert.Equal(plain.ConditionId, byToken.GetProperty("condition_id").GetString());
        Assert.Equal(plain.YesToken, byToken.GetProperty("primary_token_id").GetString());
        Assert.Equal(plain.NoToken, byToken.GetProperty("secondary_token_id").GetString());

        var details = await JsonAsync(await client.GetAsync($"/clob-markets/{plain.ConditionId}"));
        Assert.Equal(plain.ConditionId, details.GetProperty("c").GetString());
        Assert.Equal(plain.YesToken, details.GetProperty("t")[0].GetProperty("t").GetString());
        Assert.Equal("Yes", details.GetProperty("t")[0].GetProperty("o").GetString());
        Assert.Equal("No", details.GetProperty("t")[1].GetProperty("o").GetString());
        Assert.Equal("0.01", details.GetProperty("mts").GetRawText());
        Assert.False(details.TryGetProperty("nr", out _));
        Assert.False(details.TryGetProperty("fd", out _));
        Assert.Equal(JsonValueKind.Null, details.GetProperty("r").ValueKind);
        Assert.Equal(0, details.GetProperty("tbf").GetInt32());
        Assert.True(details.GetProperty("ao").GetBoolean());
        Assert.Equal(5m, details.GetProperty("mos").GetDecimal());

        var feeDetails = await JsonAsync(await client.GetAsync($"/clob-markets/{fees.ConditionId}"));
        Assert.True(feeDetails.GetProperty("nr").GetBoolean());
        Assert.Equal("0.001", feeDetails.GetProperty("mts").GetRawText());
        Assert.Equal(0.072m, feeDetails.GetProperty("fd").GetProperty("r").GetDecimal());
        Assert.Equal(1m, feeDetails.GetProperty("fd").GetProperty("e").GetDecimal());
        Assert.True(feeDetails.GetProperty("fd").GetProperty("to").GetBoolean());
        Assert.Equal(1000, feeDetails.GetProperty("tbf").GetInt32());
        Assert.Equal(1000, feeDetails.GetProperty("mbf").GetInt32());
    }

    [Fact]
    public async Task Unknown_tokens_and_markets_answer_Polymarket_errors()
    {
        await using var server = await TestServer.StartAsync();
        var market = await CreateMarketAsync(server);
        using var client = server.Client();
        const string NoBook = "No orderbook exists for the requested token id";

        await AssertPolymarketErrorAsync(await client.GetAsync("/book?token_id=123"), HttpStatusCode.NotFound, "NO_ORDERBOOK", NoBook);
        await AssertPolymarketErrorAsync(await client.GetAsync("/book"), HttpStatusCode.BadRequest, "INVALID_TOKEN_ID", "Invalid token id");
        await AssertPolymarketErrorAsync(await client.GetAsync("/midpoint?token_id=abc"), HttpStatusCode.BadRequest, "INVALID_TOKEN_ID", "Invalid token id");
        await AssertPolymarketErrorAsync(await client.GetAsync("/tick-size?token_id=77"), HttpStatusCode.NotFound, "NO_ORDERBOOK", NoBook);
        await AssertPolymarketErrorAsync(await client.GetAsync("/neg-risk?token_id=77"), HttpStatusCode.NotFound, "NO_ORDERBOOK", NoBook);
        await AssertPolymarketErrorAsync(await client.GetAsync("/fee-rate?token_id=77"), HttpStatusCode.NotFound, "NO_ORDERBOOK", NoBook);
        await AssertPolymarketErrorAsync(await client.GetAsync("/markets-by-token/77"), HttpStatusCode.NotFound, "NO_ORDERBOOK", NoBook);
        await AssertPolymarketErrorAsync(await client.GetAsync("/prices-history?market=77"), HttpStatusCode.NotFound, "NO_ORDERBOOK", NoBook);
        await AssertPolymarketErrorAsync(
            await client.GetAsync($"/price?token_id={market.YesToken}&side=UP"), HttpStatusCode.BadRequest, "INVALID_SIDE", "Invalid side");

        // An empty book has no price, midpoint or spread.
        await AssertPolymarketErrorAsync(
            await client.GetAsync($"/price?token_id={market.YesToken}&side=BUY"), HttpStatusCode.NotFound, "NO_ORDERBOOK", NoBook);
        await AssertPolymarketErrorAsync(await client.GetAsync($"/midpoint?token_id={market.NoToken}"), HttpStatusCode.NotFound, "NO_ORDERBOOK", NoBook);
        await AssertPolymarketErrorAsync(await client.GetAsync($"/spread?token_id={market.NoToken}"), HttpStatusCode.NotFound, "NO_ORDERBOOK", NoBook);
        var empty = await JsonAsync(await client.GetAsync($"/book?token_id={market.NoToken}"));
        Assert.Equal(0, empty.GetProperty("bids").GetArrayLength());
        Assert.Equal(0, empty.GetProperty("asks").GetArrayLength());

        var unknownMarket = "0x" + new string('c', 64);
        await AssertPolymarketErrorAsync(await client.GetAsync($"/markets/{unknownMarket}"), HttpStatusCode.NotFound, "MARKET_NOT_FOUND", "market not found");
        await AssertPolymarketErrorAsync(await client.GetAsync($"/clob-markets/{unknownMarket}"), HttpStatusCode.NotFound, "MARKET_NOT_FOUND", "market not found");
        await AssertPolymarketErrorAsync(await client.GetAsync("/markets/not-a-market"), HttpStatusCode.BadRequest, "INVALID_MARKET", "Invalid market");
        await AssertErrorAsync(await client.GetAsync("/markets?next_cursor=%21%21"), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
    }

    [Fact]
    public async Task Batch_bodies_that_are_malformed_or_name_unknown_tokens_are_refused()
    {
        await using var server = await TestServer.StartAsync();
        var market = await CreateMarketAsync(server);
        using var client = server.Client();

        await AssertPolymarketErrorAsync(await client.PostAsync("/books", Body("{not json")), HttpStatusCode.BadRequest, "INVALID_PAYLOAD", "Invalid payload");
        await AssertPolymarketErrorAsync(await client.PostAsync("/midpoints", Body("[]")), HttpStatusCode.BadRequest, "INVALID_PAYLOAD", "Invalid payload");
        await AssertPolymarketErrorAsync(
            await client.PostAsync("/spreads", Body("[{\"token_id\":\"x1\"}]")), HttpStatusCode.BadRequest, "INVALID_TOKEN_ID", "Invalid token id");
        await AssertPolymarketErrorAsync(
            await client.PostAsync("/books", Body($"[{{\"token_id\":\"{market.YesToken}\"}},{{\"token_id\":\"42\"}}]")),
            HttpStatusCode.NotFound,
            "NO_ORDERBOOK",
            "No orderbook exists for the requested token id");
        await AssertPolymarketErrorAsync(
            await client.PostAsync("/prices", Body($"[{{\"token_id\":\"{market.YesToken}\",\"side\":\"HOLD\"}}]")),
            HttpStatusCode.BadRequest,
            "INVALID_SIDE",
            "Invalid side");

        var tooMany = "[" + string.Join(",", Enumerable.Repeat($"{{\"token_id\":\"{market.YesToken}\"}}", 501)) + "]";
        await AssertErrorAsync(await client.PostAsync("/books", Body(tooMany)), HttpStatusCode.BadRequest, "BATCH_LIMIT_EXCEEDED");
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_root_routes_under_the_Polymarket_tag()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.Client();
        var doc = await JsonAsync(await client.GetAsync("/openapi/v1.json"));
        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/", "/time", "/version", "/markets", "/book", "/books", "/prices", "/last-trades-prices", "/fee-rate", "/clob-markets/{condition_id}" })
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} missing from the OpenAPI document");
            var operation = item.EnumerateObject().First().Value;
            Assert.Contains("Polymarket", operation.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        }

        Assert.Equal(2, paths.GetProperty("/last-trades-prices").EnumerateObject().Count());
    }
}
