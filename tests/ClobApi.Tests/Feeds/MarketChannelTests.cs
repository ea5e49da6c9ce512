using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polysim.ClobApi.Tests.Orders;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.Feeds;

/// <summary>One server shared by the market-channel tests.</summary>
public sealed class FeedServerFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestServer.StartAsync(FeedKit.Settings());

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class MarketChannelTests(FeedServerFixture fixture) : IClassFixture<FeedServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Subscribing_dumps_each_book_best_last_with_the_hash_research_3_2_defines()
    {
        var market = await Server.ListMarketAsync();
        var trader = await Server.TraderAsync();
        await Server.PlaceAsync(trader.WalletId, market, Outcome.Yes, Side.Buy, 4000, 10);
        await Server.PlaceAsync(trader.WalletId, market, Outcome.Yes, Side.Buy, 4500, 20);
        await Server.PlaceAsync(trader.WalletId, market, Outcome.No, Side.Buy, 4000, 7);

        await using var ws = await WsClient.ConnectAsync(Server, "/ws/market");
        await ws.SendJsonAsync(FeedKit.MarketSubscribe(false, market.YesToken, market.NoToken));
        var first = await ws.NextAsync();
        var second = await ws.NextAsync();
        Assert.Equal(1, ws.Frames); // the dump arrives as one array frame
        var yes = first.S("asset_id") == market.YesToken ? first : second;

        Assert.Equal("book", yes.Type());
        Assert.Equal(market.ConditionId, yes.S("market"));
        Assert.Equal(["0.4", "0.45"], yes.GetProperty("bids").EnumerateArray().Select(l => l.S("price")));
        Assert.Equal(["0.6"], yes.GetProperty("asks").EnumerateArray().Select(l => l.S("price")));
        Assert.Equal("7", yes.GetProperty("asks")[0].S("size"));

        // sha1 of {market, asset_id, timestamp, hash:"", bids, asks, min_order_size, tick_size, neg_risk, last_trade_price}.
        var unhashed = new JsonObject
        {
            ["market"] = yes.S("market"),
            ["asset_id"] = yes.S("asset_id"),
            ["timestamp"] = yes.S("timestamp"),
            ["hash"] = string.Empty,
            ["bids"] = JsonNode.Parse(yes.GetProperty("bids").GetRawText()),
            ["asks"] = JsonNode.Parse(yes.GetProperty("asks").GetRawText()),
            ["min_order_size"] = yes.S("min_order_size"),
            ["tick_size"] = yes.S("tick_size"),
            ["neg_risk"] = yes.GetProperty("neg_risk").GetBoolean(),
            ["last_trade_price"] = yes.S("last_trade_price"),
        };
#pragma warning disable CA5350 // Polymarket's definition.
        var expected = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(unhashed.ToJsonString())));
#pragma warning restore CA5350
        Assert.Equal(expected, yes.S("hash"));

        using var http = Server.Client();
        var rest = await http.GetFromJsonAsync<JsonElement>($"/book?token_id={market.YesToken}");
        Assert.Equal(rest.GetProperty("bids").GetRawText(), yes.GetProperty("bids").GetRawText());
        Assert.Equal(rest.GetProperty("asks").GetRawText(), yes.GetProperty("asks").GetRawText());
    }

    [Fact]
    public async Task A_resting_order_sends_one_price_change_with_the_mirrored_YES_and_NO_entries_and_the_new_bests()
    {
        var market = await Server.ListMarketAsync();
        var trader = await Server.TraderAsync();
        await using var ws = await WsClient.ConnectAsync(Server, "/ws/market");
        var books = await ws.SubscribeMarketAsync(false, market.YesToken, market.NoToken);
        var yesSeq = books.Single(b => b.S("asset_id") == market.YesToken).GetProperty("seq").GetInt64();

        await Server.PlaceAsync(trader.WalletId, market, Outcome.Yes, Side.Buy, 4200, 10);
        var change = await ws.NextOfAsync("price_change");

        Assert.Equal(market.ConditionId, change.S("market"));
        var entries = change.GetProperty("price_changes").EnumerateArray().ToList();
        Assert.Equal(2, entries.Count);
        var yes = entries.Single(e => e.S("asset_id") == market.YesToken);
        var no = entries.Single(e => e.S("asset_id") == market.NoToken);
        Assert.Equal(("0.42", "10", "BUY", "0.42", "1"), (yes.S("price"), yes.S("size"), yes.S("side"), yes.S("best_bid"), yes.S("best_ask")));
        Assert.Equal(("0.58", "10", "SELL", "0", "0.58"), (no.S("price"), no.S("size"), no.S("side"), no.S("best_bid"), no.S("best_ask")));
        Assert.Equal(40, yes.S("hash").Length);
        Assert.Equal(yesSeq + 1, yes.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task A_cancel_sends_a_price_change_with_size_zero()
    {
        var market = await Server.ListMarketAsync();
        var trader = await Server.TraderAsync();
        var id = await Server.PlaceAsync(trader.WalletId, market, Outcome.Yes, Side.Buy, 3000, 10);
        await using var ws = await WsClient.ConnectAsync(Server, "/ws/market");
        await ws.SubscribeMarketAsync(false, market.YesToken);

        Assert.True(await Server.CancelAsync(trader.WalletId, id));
        var change = await ws.NextOfAsync("price_change");

        var yes = change.GetProperty("price_changes").EnumerateArray().Single(e => e.S("asset_id") == market.YesToken);
        Assert.Equal(("0.3", "0"), (yes.S("price"), yes.S("size")));
    }

    [Fact]
    public async Task A_trade_sends_last_trade_price_for_both_tokens_then_a_fresh_book_of_each()
    {
        var market = await Server.ListMarketAsync();
        var maker = await Server.TraderAsync();
        var taker = await Server.TraderAsync();
        await Server.PlaceAsync(maker.WalletId, market, Outcome.Yes, Side.Buy, 4000, 10);
        await using var ws = await WsClient.ConnectAsync(Server, "/ws/market");
        await ws.SubscribeMarketAsync(false, market.YesToken, market.NoToken);

        // BUY NO @0.60 meets the YES bid @0.40: a MINT of 6 shares.
        Assert.NotEqual(0, await Server.PlaceAsync(taker.WalletId, market, Outcome.No, Side.Buy, 6000, 6));

        var yesTrade = await ws.NextOfAsync("last_trade_price", market.YesToken);
        var noTrade = await ws.NextOfAsync("last_trade_price", market.NoToken);
        Assert.Equal(("0.4", "SELL", "6"), (yesTrade.S("price"), yesTrade.S("side"), yesTrade.S("size")));
        Assert.Equal(("0.6", "BUY", "6"), (noTrade.S("price"), noTrade.S("side"), noTrade.S("size")));
        var yesBook = await ws.NextOfAsync("book", market.YesToken);
        Assert.Equal("4", yesBook.GetProperty("bids")[0].S("size"));
        Assert.Equal("0.4", yesBook.S("last_trade_price"));
        var noBook = await ws.NextOfAsync("book", market.NoToken);
        Assert.Equal("0.6", noBook.GetProperty("asks")[0].S("price"));
        Assert.Equal(yesTrade.GetProperty("seq").GetInt64() + 1, yesBook.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task Custom_features_add_best_bid_ask_new_market_and_market_resolved_and_plain_subscribers_get_none_of_them()
    {
        var market = await Server.ListMarketAsync();
        var trader = await Server.TraderAsync();
        await using var custom = await WsClient.ConnectAsync(Server, "/ws/market");
        await using var plain = await WsClient.ConnectAsync(Server, "/ws/market");
        await custom.SubscribeMarketAsync(true, market.YesToken);
        await plain.SubscribeMarketAsync(false, market.YesToken);

        await Server.PlaceAsync(trader.WalletId, market, Outcome.Yes, Side.Buy, 5100, 10);
        var best = await custom.NextOfAsync("best_bid_ask", market.YesToken);
        Assert.Equal(("0.51", "1", "0.49"), (best.S("best_bid"), best.S("best_ask"), best.S("spread")));

        var listed = await Server.ListMarketAsync();
        var created = await custom.NextOfAsync("new_market");
        Assert.Equal(listed.ConditionId, created.S("market"));
        Assert.Equal([listed.YesToken, listed.NoToken], created.GetProperty("assets_ids").EnumerateArray().Select(a => a.GetString()));

        await Server.Host().WriteAsync(ctx => ctx.Apply(Command.Resolve(0, 0, market.MarketId, Outcome.No)));
        var resolved = await custom.NextOfAsync("market_resolved");
        Assert.Equal((market.ConditionId, market.NoToken, "No"), (resolved.S("market"), resolved.S("winning_asset_id"), resolved.S("winning_outcome")));

        var plainEvents = await plain.DrainAsync();
        Assert.Contains(plainEvents, e => e.Type() == "price_change");
        Assert.DoesNotContain(plainEvents, e => e.Type() is "best_bid_ask" or "new_market" or "market_resolved");
    }

    [Fact]
    public async Task A_custom_feature_subscription_without_assets_still_hears_of_new_markets()
    {
        await using var ws = await WsClient.ConnectAsync(Server, "/ws/market");
        await ws.SendJsonAsync(new { assets_ids = Array.Empty<string>(), type = "market", custom_feature_enabled = true });
        await ws.DrainAsync();

        var listed = await Server.ListMarketAsync();

        Assert.Equal(listed.ConditionId, (await ws.NextOfAsync("new_market")).S("market"));
    }

    [Fact]
    public async Task A_tick_size_change_reaches_subscribers_of_both_tokens()
    {
        var market = await Server.ListMarketAsync();
        await using var ws = await WsClient.ConnectAsync(Server, "/ws/market");
        await ws.SubscribeMarketAsync(false, market.YesToken, market.NoToken);

        var result = await Server.Host().WriteAsync(ctx => ctx.Apply(Command.SetTickSize(0, 0, market.MarketId, 10)));
        Assert.True(result.Accepted, result.Code.ToString());

        var change = await ws.NextOfAsync("tick_size_change", market.YesToken);
        Assert.Equal(("0.01", "0.001"), (change.S("old_tick_size"), change.S("new_tick_size")));
        await ws.NextOfAsync("tick_size_change", market.NoToken);
    }

    [Fact]
    public async Task Subscribing_to_an_unknown_asset_answers_an_error_frame_and_keeps_the_connection()
    {
        var market = await Server.ListMarketAsync();
        await using var ws = await WsClient.ConnectAsync(Server, "/ws/market");
        await ws.SendJsonAsync(FeedKit.MarketSubscribe(false, "123456789", market.YesToken));

        var events = new List<JsonElement> { await ws.NextAsync(), await ws.NextAsync() };
        var error = events.Single(e => e.Type() == "error");
        Assert.Equal(["123456789"], error.GetProperty("assets_ids").EnumerateArray().Select(a => a.GetString()));
        Assert.Single(events, e => e.Type() == "book");
        await ws.SendAsync("PING");
        await ws.NextOfAsync("PONG");
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, ws.Socket.State);
    }

    [Fact]
    public async Task Ping_is_answered_with_pong_and_garbage_with_an_error_frame()
    {
        await using var ws = await WsClient.ConnectAsync(Server, "/ws/market");
        await ws.SendAsync("PING");
        await ws.NextOfAsync("PONG");
        await ws.SendAsync("{not json");
        var error = await ws.NextAsync();
        Assert.Equal("error", error.Type());
        await ws.SendAsync("PING");
        await ws.NextOfAsync("PONG");
        Assert.Equal(2, ws.Pongs);
    }

    [Fact]
    public async Task Unsubscribe_stops_a_tokens_events_and_a_later_subscribe_operation_starts_them_with_a_dump()
    {
        var market = await Server.ListMarketAsync();
        var trader = await Server.TraderAsync();
        await using var ws = await WsClient.ConnectAsync(Server, "/ws/market");
        await ws.SubscribeMarketAsync(false, market.YesToken);

        await ws.SendJsonAsync(new { operation = "unsubscribe", assets_ids = new[] { market.YesToken } });
        await ws.DrainAsync();
        await Server.PlaceAsync(trader.WalletId, market, Outcome.Yes, Side.Buy, 2000, 10);
        Assert.DoesNotContain(await ws.DrainAsync(), e => e.Type() == "price_change");

        await ws.SendJsonAsync(new { operation = "subscribe", assets_ids = new[] { market.NoToken } });
        var book = await ws.NextOfAsync("book", market.NoToken);
        Assert.Equal("0.8", book.GetProperty("asks")[0].S("price"));
        await Server.PlaceAsync(trader.WalletId, market, Outcome.Yes, Side.Buy, 2100, 10);
        var change = await ws.NextOfAsync("price_change");
        Assert.Contains(change.GetProperty("price_changes").EnumerateArray(), e => e.S("asset_id") == market.NoToken && e.S("price") == "0.79");
    }

    [Fact]
    public async Task Sequence_numbers_of_a_token_are_contiguous_across_every_event_type()
    {
        var market = await Server.ListMarketAsync();
        var a = await Server.TraderAsync();
        var b = await Server.TraderAsync();
        await using var ws = await WsClient.ConnectAsync(Server, "/ws/market");
        var books = await ws.SubscribeMarketAsync(false, market.YesToken);
        var seq = books[0].GetProperty("seq").GetInt64();

        await Server.PlaceAsync(a.WalletId, market, Outcome.Yes, Side.Buy, 4000, 10);
        Assert.NotEqual(0, await Server.PlaceAsync(b.WalletId, market, Outcome.No, Side.Buy, 6000, 5));
        var id = await Server.PlaceAsync(a.WalletId, market, Outcome.Yes, Side.Buy, 3000, 10);
        await Server.CancelAsync(a.WalletId, id);

        foreach (var e in await ws.DrainAsync())
        {
            var seqs = e.Type() == "price_change"
                ? e.GetProperty("price_changes").EnumerateArray().Where(c => c.S("asset_id") == market.YesToken).Select(c => c.GetProperty("seq").GetInt64())
                : e.TryGetProperty("asset_id", out var asset) && asset.GetString() == market.YesToken ? [e.GetProperty("seq").GetInt64()] : [];
            foreach (var s in seqs)
            {
                Assert.Equal(++seq, s);
            }
        }

        Assert.True(seq >= books[0].GetProperty("seq").GetInt64() + 6, $"only reached seq {seq}");
    }

    [Fact]
    public async Task A_plain_http_request_to_a_feed_route_answers_400_in_the_error_contract()
    {
        using var http = Server.Client();
        var response = await http.GetAsync("/ws/market");
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("WEBSOCKET_REQUIRED", response.Headers.GetValues("X-Polysim-Code").Single());
        Assert.Contains("WebSocket", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
