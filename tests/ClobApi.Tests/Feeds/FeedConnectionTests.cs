using System.Net.WebSockets;
using System.Text.Json;
using Polysim.ClobApi.Feeds;
using Polysim.ClobApi.Tests.Orders;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.Feeds;

public sealed class FeedConnectionTests
{
    [Fact]
    public async Task The_v1_market_feed_accepts_the_key_as_query_parameter_bearer_or_header()
    {
        await using var server = await TestServer.StartAsync(FeedKit.Settings());
        var market = await server.ListMarketAsync();
        var account = await server.TraderAsync();

        var ways = new Func<Task<WsClient>>[]
        {
            () => WsClient.ConnectAsync(server, "/v1/ws/market?api_key=" + Uri.EscapeDataString(account.ApiKey)),
            () => WsClient.ConnectAsync(server, "/v1/ws/market", o => o.SetRequestHeader("Authorization", "Bearer " + account.ApiKey)),
            () => WsClient.ConnectAsync(server, "/v1/ws/market", o => o.SetRequestHeader("X-API-Key", account.ApiKey)),
        };
        foreach (var connect in ways)
        {
            await using var ws = await connect();
            var books = await ws.SubscribeMarketAsync(false, market.YesToken);
            Assert.Equal(market.YesToken, books[0].S("asset_id"));
        }
    }

    [Theory]
    [InlineData("/v1/ws/market")]
    [InlineData("/v1/ws/market?api_key=pk_live_not_a_key")]
    [InlineData("/v1/ws/user?api_key=pk_live_not_a_key")]
    public async Task A_v1_feed_without_a_valid_key_is_closed_with_1008(string path)
    {
        await using var server = await TestServer.StartAsync(FeedKit.Settings());
        await using var ws = await WsClient.ConnectAsync(server, path);

        Assert.True(await ws.ClosedWithinAsync(5_000));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, ws.CloseStatus);
        Assert.StartsWith("authentication failed", ws.CloseDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_tiers_connection_cap_closes_the_extra_connection_with_4002_and_frees_the_slot_on_close()
    {
        await using var server = await TestServer.StartAsync(FeedKit.Settings());
        var free = await server.CreateAccountAsync("free");
        var path = "/v1/ws/market?api_key=" + Uri.EscapeDataString(free.ApiKey);

        var first = await WsClient.ConnectAsync(server, path);
        await first.DrainAsync();
        await using (var second = await WsClient.ConnectAsync(server, "/v1/ws/user?api_key=" + Uri.EscapeDataString(free.ApiKey)))
        {
            Assert.True(await second.ClosedWithinAsync(5_000));
            Assert.Equal(FeedConnection.ConnectionCapCloseCode, (int)second.CloseStatus!);
            Assert.Contains("free", second.CloseDescription, StringComparison.Ordinal);
        }

        await first.DisposeAsync();
        Assert.True(await MarketsKitEventually(async () =>
        {
            await using var third = await WsClient.ConnectAsync(server, path);
            try
            {
                await third.DrainAsync(2_000);
                return true;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }));
    }

    private static Task<bool> MarketsKitEventually(Func<Task<bool>> condition) => Markets.MarketsKit.EventuallyAsync(condition, 10_000);

    [Fact]
    public async Task A_silent_connection_is_closed_after_the_idle_timeout_and_one_that_pings_stays()
    {
        // A timeout eight pings long: the parallel suite can stall a client's timer for most of a second.
        await using var server = await TestServer.StartAsync(FeedKit.Settings(("Polysim:Feeds:IdleTimeoutMs", "2000")));
        await using var silent = await WsClient.ConnectAsync(server, "/ws/market");
        await using var chatty = await WsClient.ConnectAsync(server, "/ws/market");

        var started = Environment.TickCount64;
        while (Environment.TickCount64 - started < 4_500)
        {
            await chatty.SendAsync("PING");
            await Task.Delay(250);
        }

        Assert.True(await silent.ClosedWithinAsync(3_000));
        Assert.Equal(FeedConnection.IdleCloseCode, (int)silent.CloseStatus!);
        Assert.Contains("idle", silent.CloseDescription, StringComparison.Ordinal);
        Assert.Equal(WebSocketState.Open, chatty.Socket.State);
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_disconnected_4001_while_the_engine_and_a_fast_subscriber_carry_on_and_it_can_resubscribe()
    {
        await using var server = await TestServer.StartAsync(FeedKit.Settings(
            ("Polysim:Feeds:OutboxCapacity", "256"), ("Polysim:Feeds:CloseGraceMs", "30000"), ("Polysim:Feeds:IdleTimeoutMs", "120000")));
        var market = await server.ListMarketAsync();
        var trader = await server.TraderAsync("100000000");
        await using var fast = await WsClient.ConnectAsync(server, "/ws/market");
        var books = await fast.SubscribeMarketAsync(false, market.YesToken);
        var slow = await WsClient.ConnectAsync(server, "/ws/market", read: false, receiveBufferBytes: 4096);
        await slow.SendJsonAsync(FeedKit.MarketSubscribe(false, market.YesToken));

        // Level changes only (no trades): bids at ever new prices, then cancelled, until the slow outbox overflows. The fast
        // subscriber reads each round before the next one starts, checking that its sequence has no gap.
        var hub = server.Hub();
        var seq = books[0].GetProperty("seq").GetInt64();
        for (var round = 0; round < 400 && hub.SlowConsumerDisconnects == 0; round++)
        {
            var ids = await Task.WhenAll(Enumerable.Range(0, 25).Select(i => server.PlaceAsync(trader.WalletId, market, Outcome.Yes, Side.Buy, 100 + (i * 100), 5)));
            Assert.All(await Task.WhenAll(ids.Select(id => server.CancelAsync(trader.WalletId, id))), Assert.True);
            for (var changes = 0; changes < 50;)
            {
                var e = await fast.NextOfAsync("price_change");
                foreach (var entry in e.GetProperty("price_changes").EnumerateArray().Where(c => c.S("asset_id") == market.YesToken))
                {
                    Assert.Equal(++seq, entry.GetProperty("seq").GetInt64());
                    changes++;
                }
            }
        }

        Assert.Equal(1, hub.SlowConsumerDisconnects);

        slow.StartReading();
        Assert.True(await slow.ClosedWithinAsync(20_000), "the slow consumer was not closed");
        Assert.Equal(FeedConnection.SlowConsumerCloseCode, (int)slow.CloseStatus!);
        Assert.Contains("slow consumer", slow.CloseDescription, StringComparison.Ordinal);
        await slow.DisposeAsync();

        await using var again = await WsClient.ConnectAsync(server, "/ws/market");
        var book = (await again.SubscribeMarketAsync(false, market.YesToken))[0];
        Assert.Equal(seq, book.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task Every_subscriber_receives_the_same_bytes_for_an_event()
    {
        await using var server = await TestServer.StartAsync(FeedKit.Settings());
        var market = await server.ListMarketAsync();
        var trader = await server.TraderAsync();
        await using var a = await WsClient.ConnectAsync(server, "/ws/market");
        await using var b = await WsClient.ConnectAsync(server, "/ws/market");
        await a.SubscribeMarketAsync(false, market.YesToken);
        await b.SubscribeMarketAsync(false, market.NoToken);

        await server.PlaceAsync(trader.WalletId, market, Outcome.Yes, Side.Buy, 4400, 10);

        var fromA = await a.NextOfAsync("price_change");
        var fromB = await b.NextOfAsync("price_change");
        Assert.Equal(fromA.GetRawText(), fromB.GetRawText());
        Assert.Equal(JsonValueKind.Array, fromA.GetProperty("price_changes").ValueKind);
    }
}
