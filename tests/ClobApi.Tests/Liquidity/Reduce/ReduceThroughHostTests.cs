using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Polysim.ClobApi.Liquidity;
using Polysim.ClobApi.Tests.Feeds;
using Polysim.ClobApi.Tests.Markets;
using Polysim.ClobApi.Tests.Orders;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.Liquidity.Reduce;

/// <summary>One server shared by the reduce-through-the-host tests.</summary>
public sealed class ReduceServerFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestServer.StartAsync(FeedKit.Settings());

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>A liquidity source trims a resting order through <see cref="HostVenue"/>: book, feeds and order views follow.</summary>
public sealed class ReduceThroughHostTests(ReduceServerFixture fixture) : IClassFixture<ReduceServerFixture>
{
    private const long Share = FeedKit.Share;

    private TestServer Server => fixture.Server;

    private Task<RejectCode> ReduceAsync(int wallet, long orderId, long newRemaining) =>
        Server.Host().WriteAsync(ctx => new HostVenue(ctx).Apply(Command.Reduce(0, 0, wallet, orderId, newRemaining)));

    [Fact]
    public async Task A_reduce_shrinks_the_REST_book_and_sends_a_price_change_with_the_new_level_size()
    {
        var market = await Server.ListMarketAsync();
        var trader = await Server.TraderAsync();
        var first = await Server.PlaceAsync(trader.WalletId, market, Outcome.Yes, Side.Buy, 4200, 10);
        await Server.PlaceAsync(trader.WalletId, market, Outcome.Yes, Side.Buy, 4200, 5);
        await using var ws = await WsClient.ConnectAsync(Server, "/ws/market");
        var books = await ws.SubscribeMarketAsync(false, market.YesToken, market.NoToken);
        var yesSeq = books.Single(b => b.S("asset_id") == market.YesToken).GetProperty("seq").GetInt64();

        Assert.Equal(RejectCode.None, await ReduceAsync(trader.WalletId, first, 4 * Share));

        var change = await ws.NextOfAsync("price_change");
        var entries = change.GetProperty("price_changes").EnumerateArray().ToList();
        var yes = entries.Single(e => e.S("asset_id") == market.YesToken);
        var no = entries.Single(e => e.S("asset_id") == market.NoToken);
        Assert.Equal(("0.42", "9", "BUY"), (yes.S("price"), yes.S("size"), yes.S("side")));
        Assert.Equal(("0.58", "9", "SELL"), (no.S("price"), no.S("size"), no.S("side")));
        Assert.Equal(yesSeq + 1, yes.GetProperty("seq").GetInt64());

        using var http = Server.Client();
        var yesBook = await http.GetFromJsonAsync<JsonElement>($"/book?token_id={market.YesToken}");
        var noBook = await http.GetFromJsonAsync<JsonElement>($"/book?token_id={market.NoToken}");
        Assert.Equal(("0.42", "9"), (yesBook.GetProperty("bids")[0].S("price"), yesBook.GetProperty("bids")[0].S("size")));
        Assert.Equal(("0.58", "9"), (noBook.GetProperty("asks")[0].S("price"), noBook.GetProperty("asks")[0].S("size")));

        // The reduced order kept its place: a seller of 4 meets it, not the later order.
        var queue = await Server.Host().ReadAsync(s => s.Engine.GetOrdersAt(market.MarketId, bid: true, 4200).Select(o => (o.Id, o.Remaining)).ToList());
        Assert.Equal(first, queue[0].Id);
        Assert.Equal(4 * Share, queue[0].Remaining);
    }

    [Fact]
    public async Task The_owner_hears_an_order_UPDATE_and_the_order_views_show_the_smaller_size()
    {
        var market = await Server.ListMarketAsync();
        var maker = await Server.TraderAsync();
        var ws = await WsClient.ConnectAsync(Server, "/v1/ws/user", o => o.SetRequestHeader("X-API-Key", maker.ApiKey));
        await using var _ = ws;
        await ws.SendJsonAsync(new { markets = new[] { market.ConditionId }, type = "user" });
        await ws.DrainAsync();
        using var http = Server.KeyClient(maker.ApiKey);
        var placed = await http.PlaceAsync(new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.4" });
        var publicId = placed.Str("order_id");
        Assert.Equal("PLACEMENT", (await ws.NextOfAsync("order")).S("type"));
        var engineId = await Server.Host().ReadAsync(s => s.Orders.FindByPublicId(publicId)!.EngineId);
        var before = await Server.Host().ReadAsync(s => s.Engine.GetBalance(maker.WalletId));

        Assert.Equal(RejectCode.None, await ReduceAsync(maker.WalletId, engineId, 4 * Share));

        var update = await ws.NextOfAsync("order");
        Assert.Equal(("UPDATE", publicId, "4", "0", "LIVE"), (update.S("type"), update.S("id"), update.S("original_size"), update.S("size_matched"), update.S("status")));
        var order = await http.GetOrderAsync(publicId);
        Assert.Equal(("4", "0", "4"), (order.Str("quantity"), order.Str("filled_quantity"), order.Str("remaining_quantity")));
        var after = await Server.Host().ReadAsync(s => s.Engine.GetBalance(maker.WalletId));
        Assert.Equal(before.Available + 2_400_000, after.Available); // 6 × 0.40 released
        Assert.Equal(1_600_000, after.Reserved);
        if (TestMode.Postgres)
        {
            // The PostgreSQL order row follows the reduce too.
            Assert.True(await MarketsKit.EventuallyAsync(async () => await OrderRowAsync(engineId) == (4 * Share, 4 * Share)), "orders row not updated");
        }
    }

    private async Task<(long Quantity, long Remaining)> OrderRowAsync(long engineId)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT quantity, remaining FROM orders WHERE engine_order_id = @id", connection);
        command.Parameters.AddWithValue("id", engineId);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
    }

    [Fact]
    public async Task A_refused_reduce_changes_nothing_and_is_not_published()
    {
        var market = await Server.ListMarketAsync();
        var owner = await Server.TraderAsync();
        var other = await Server.TraderAsync();
        var id = await Server.PlaceAsync(owner.WalletId, market, Outcome.No, Side.Buy, 3000, 10);
        await using var ws = await WsClient.ConnectAsync(Server, "/ws/market");
        await ws.SubscribeMarketAsync(false, market.YesToken);

        Assert.Equal(RejectCode.NotOrderOwner, await ReduceAsync(other.WalletId, id, 4 * Share));
        Assert.Equal(RejectCode.InvalidQuantity, await ReduceAsync(owner.WalletId, id, 10 * Share));

        Assert.DoesNotContain(await ws.DrainAsync(), e => e.Type() == "price_change");
        Assert.Equal(10 * Share, await Server.Host().ReadAsync(s => s.Engine.TryGetOrder(id, out var o) ? o.Remaining : 0));
    }

    [Fact]
    public async Task A_reduce_is_journaled_and_replayed_after_a_restart()
    {
        await using var server = await TestServer.StartAsync(FeedKit.Settings());
        var market = await server.ListMarketAsync();
        var trader = await server.TraderAsync();
        var buyer = await server.TraderAsync();
        var yes = await server.PlaceAsync(trader.WalletId, market, Outcome.Yes, Side.Buy, 5000, 10);
        Assert.NotEqual(0, await server.PlaceAsync(buyer.WalletId, market, Outcome.No, Side.Buy, 5000, 10));
        Assert.False(await server.Host().ReadAsync(s => s.Engine.TryGetOrder(yes, out _))); // a MINT: the trader holds 10 YES
        var sell = await server.PlaceAsync(trader.WalletId, market, Outcome.Yes, Side.Sell, 6000, 10);
        Assert.Equal(RejectCode.None, await server.Host().WriteAsync(ctx => new HostVenue(ctx).Apply(Command.Reduce(0, 0, trader.WalletId, sell, 3 * Share))));
        var hash = await server.Host().ReadAsync(s => s.Engine.ComputeStateHash());

        await server.RestartAsync();

        Assert.Equal(hash, server.Host().ReplayedStateHash);
        var position = await server.Host().ReadAsync(s => s.Engine.GetPosition(trader.WalletId, market.MarketId, Outcome.Yes));
        Assert.Equal(new Balance(7 * Share, 3 * Share), position);
        using var http = server.Client();
        var book = await http.GetFromJsonAsync<JsonElement>($"/book?token_id={market.YesToken}");
        Assert.Equal(("0.6", "3"), (book.GetProperty("asks")[0].S("price"), book.GetProperty("asks")[0].S("size")));
    }
}
