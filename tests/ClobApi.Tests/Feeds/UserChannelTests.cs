using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Polysim.ClobApi.Tests.Orders;

namespace Polysim.ClobApi.Tests.Feeds;

public sealed class UserChannelTests(FeedServerFixture fixture) : IClassFixture<FeedServerFixture>
{
    private TestServer Server => fixture.Server;

    private async Task<WsClient> UserFeedAsync(TestAccount account, params string[] markets)
    {
        var ws = await WsClient.ConnectAsync(Server, "/v1/ws/user", o => o.SetRequestHeader("X-API-Key", account.ApiKey));
        await ws.SendJsonAsync(new { markets, type = "user" });
        await ws.DrainAsync(); // the subscription is in place once the PONG is back
        return ws;
    }

    [Fact]
    public async Task Placement_trade_matched_then_confirmed_update_and_cancellation_reach_both_sides_with_maker_orders()
    {
        var market = await Server.ListMarketAsync();
        var maker = await Server.TraderAsync();
        var taker = await Server.TraderAsync();
        await using var makerFeed = await UserFeedAsync(maker, market.ConditionId);
        await using var takerFeed = await UserFeedAsync(taker);
        using var makerHttp = Server.KeyClient(maker.ApiKey);
        using var takerHttp = Server.KeyClient(taker.ApiKey);

        var resting = await makerHttp.PlaceAsync(new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.4" });
        var placed = await makerFeed.NextAsync();
        Assert.Equal(("order", "PLACEMENT", "LIVE"), (placed.Type(), placed.S("type"), placed.S("status")));
        Assert.Equal(resting.Str("order_id"), placed.S("id"));
        Assert.Equal((market.ConditionId, market.YesToken, "BUY", "10", "0", "0.4", "GTC"),
            (placed.S("market"), placed.S("asset_id"), placed.S("side"), placed.S("original_size"), placed.S("size_matched"), placed.S("price"), placed.S("order_type")));
        Assert.Equal(JsonValueKind.Null, placed.GetProperty("associate_trades").ValueKind);

        var taken = await takerHttp.PlaceAsync(new { token_id = market.NoToken, side = "BUY", quantity = "5", price = "0.6" });

        var takerPlaced = await takerFeed.NextAsync();
        Assert.Equal(("order", "PLACEMENT", taken.Str("order_id")), (takerPlaced.Type(), takerPlaced.S("type"), takerPlaced.S("id")));
        var matched = await takerFeed.NextAsync();
        var confirmed = await takerFeed.NextAsync();
        var takerUpdate = await takerFeed.NextAsync();
        Assert.Equal(("UPDATE", "5", "MATCHED"), (takerUpdate.S("type"), takerUpdate.S("size_matched"), takerUpdate.S("status")));
        Assert.Equal(("MATCHED", "CONFIRMED"), (matched.S("status"), confirmed.S("status")));
        Assert.Equal(matched.S("id"), confirmed.S("id"));
        Assert.Equal(("TAKER", taken.Str("order_id"), market.NoToken, "BUY", "5", "0.6"),
            (matched.S("trader_side"), matched.S("taker_order_id"), matched.S("asset_id"), matched.S("side"), matched.S("size"), matched.S("price")));
        Assert.Equal(matched.S("match_time"), matched.S("matchtime"));
        var makerOrder = matched.GetProperty("maker_orders").EnumerateArray().Single();
        Assert.Equal((resting.Str("order_id"), "5", "0.4", market.YesToken, "BUY"),
            (makerOrder.S("order_id"), makerOrder.S("matched_amount"), makerOrder.S("price"), makerOrder.S("asset_id"), makerOrder.S("side")));

        // Engine order: the trade (MATCHED, then CONFIRMED), then the fill's order UPDATE.
        var makerTrade = await makerFeed.NextAsync();
        Assert.Equal(("trade", "MAKER", "MATCHED", matched.S("id")), (makerTrade.Type(), makerTrade.S("trader_side"), makerTrade.S("status"), makerTrade.S("id")));
        Assert.Equal("CONFIRMED", (await makerFeed.NextAsync()).S("status"));
        var update = await makerFeed.NextAsync();
        Assert.Equal(("order", "UPDATE", "5", "LIVE"), (update.Type(), update.S("type"), update.S("size_matched"), update.S("status")));

        var cancel = await makerHttp.DeleteAsync($"/v1/orders/{resting.Str("order_id")}");
        Assert.True(cancel.IsSuccessStatusCode, await cancel.Content.ReadAsStringAsync());
        var cancelled = await makerFeed.NextOfAsync("order");
        Assert.Equal(("CANCELLATION", "CANCELED", "5"), (cancelled.S("type"), cancelled.S("status"), cancelled.S("size_matched")));
        Assert.Equal([matched.S("id")], cancelled.GetProperty("associate_trades").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task The_markets_filter_keeps_other_markets_orders_out()
    {
        var watched = await Server.ListMarketAsync();
        var other = await Server.ListMarketAsync();
        var trader = await Server.TraderAsync();
        await using var feed = await UserFeedAsync(trader, watched.ConditionId);
        using var http = Server.KeyClient(trader.ApiKey);

        await http.PlaceAsync(new { token_id = other.YesToken, side = "BUY", quantity = "10", price = "0.3" });
        await http.PlaceAsync(new { token_id = watched.YesToken, side = "BUY", quantity = "10", price = "0.3" });

        var first = await feed.NextAsync();
        Assert.Equal(watched.ConditionId, first.S("market"));
        Assert.DoesNotContain(await feed.DrainAsync(), e => e.Type() == "order");
    }

    [Fact]
    public async Task Another_accounts_orders_never_reach_a_user_feed()
    {
        var market = await Server.ListMarketAsync();
        var watcher = await Server.TraderAsync();
        var stranger = await Server.TraderAsync();
        await using var feed = await UserFeedAsync(watcher);
        using var http = Server.KeyClient(stranger.ApiKey);

        await http.PlaceAsync(new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.3" });
        await Server.PlaceAsync(stranger.WalletId, market, MatchingEngine.Outcome.Yes, MatchingEngine.Side.Buy, 3100, 10);

        Assert.Empty(await feed.DrainAsync());
    }

    [Fact]
    public async Task A_GTD_expiry_arrives_as_a_cancellation()
    {
        var market = await Server.ListMarketAsync();
        var trader = await Server.TraderAsync();
        await using var feed = await UserFeedAsync(trader);
        using var http = Server.KeyClient(trader.ApiKey);
        var expiration = DateTimeOffset.UtcNow.AddSeconds(90).ToUnixTimeSeconds();
        var order = await http.PlaceAsync(new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.3", time_in_force = "GTD", expiration });
        Assert.Equal("PLACEMENT", (await feed.NextOfAsync("order")).S("type"));

        await Server.AdvanceClockAsync(TimeSpan.FromMinutes(5));

        var cancelled = await feed.NextOfAsync("order");
        Assert.Equal(("CANCELLATION", "CANCELED", order.Str("order_id"), "GTD"), (cancelled.S("type"), cancelled.S("status"), cancelled.S("id"), cancelled.S("order_type")));
    }

    [Fact]
    public async Task A_lapsed_heartbeat_cancels_arrive_as_cancellations()
    {
        var market = await Server.ListMarketAsync();
        var trader = await Server.TraderAsync();
        await using var feed = await UserFeedAsync(trader);
        using var http = Server.KeyClient(trader.ApiKey);
        var order = await http.PlaceAsync(new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.3" });
        Assert.Equal("PLACEMENT", (await feed.NextOfAsync("order")).S("type"));

        var armed = await http.PostAsJsonAsync("/v1/heartbeats", new { interval_ms = 1_000 });
        Assert.True(armed.IsSuccessStatusCode, await armed.Content.ReadAsStringAsync());

        var cancelled = await feed.NextOfAsync("order", timeoutMs: 10_000);
        Assert.Equal(("CANCELLATION", order.Str("order_id")), (cancelled.S("type"), cancelled.S("id")));
    }

    [Fact]
    public async Task The_root_user_channel_closes_1008_on_credentials_it_does_not_know()
    {
        await using var ws = await WsClient.ConnectAsync(Server, "/ws/user");
        await ws.SendJsonAsync(new { auth = new { apiKey = Guid.NewGuid().ToString(), secret = "c2VjcmV0", passphrase = "pass" }, markets = Array.Empty<string>(), type = "user" });

        Assert.True(await ws.ClosedWithinAsync(5_000));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, ws.CloseStatus);
    }

    [Fact]
    public async Task The_root_user_channel_closes_1008_when_the_first_message_has_no_auth()
    {
        await using var ws = await WsClient.ConnectAsync(Server, "/ws/user");
        await ws.SendJsonAsync(new { markets = Array.Empty<string>(), type = "user" });

        Assert.True(await ws.ClosedWithinAsync(5_000));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, ws.CloseStatus);
        Assert.Contains("auth", ws.CloseDescription, StringComparison.Ordinal);
    }
}
