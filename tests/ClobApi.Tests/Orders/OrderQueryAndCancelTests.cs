using System.Net;
using System.Text.Json;
using Polysim.Accounts;

namespace Polysim.ClobApi.Tests.Orders;

public sealed class OrderQueryAndCancelTests(OrdersServer fixture) : IClassFixture<OrdersServer>
{
    private readonly TestServer _server = fixture.Server;

    private static object Bid(string token, string price, string quantity = "10") => new { token_id = token, side = "BUY", quantity, price };

    [Fact]
    public async Task Get_order_returns_the_callers_order_and_another_accounts_order_is_404_ORDER_NOT_FOUND()
    {
        var market = await _server.ListMarketAsync();
        var owner = await _server.TraderAsync();
        var stranger = await _server.TraderAsync();
        using var ownerClient = _server.KeyClient(owner.ApiKey);
        using var strangerClient = _server.KeyClient(stranger.ApiKey);
        var order = await ownerClient.PlaceAsync(Bid(market.YesToken, "0.3"));
        var id = order.Str("order_id");

        var mine = await ownerClient.GetOrderAsync(id);
        var theirs = await strangerClient.GetAsync($"/v1/orders/{id}");
        var unknown = await ownerClient.GetAsync($"/v1/orders/0x{new string('0', 64)}");
        var garbage = await ownerClient.GetAsync("/v1/orders/not-an-id");

        Assert.Equal(JsonSerializer.Serialize(order), JsonSerializer.Serialize(mine));
        await theirs.AssertErrorAsync(404, "ORDER_NOT_FOUND");
        await unknown.AssertErrorAsync(404, "ORDER_NOT_FOUND");
        await garbage.AssertErrorAsync(404, "ORDER_NOT_FOUND");
    }

    [Fact]
    public async Task The_order_list_is_newest_first_filters_by_status_side_and_market_and_pages_with_an_opaque_cursor()
    {
        var market = await _server.ListMarketAsync();
        var other = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        var counterparty = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);
        var placed = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            placed.Add((await client.PlaceAsync(Bid(market.YesToken, "0.3" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))).Str("order_id"));
        }

        placed.Add((await client.PlaceAsync(Bid(other.YesToken, "0.2"))).Str("order_id"));
        await _server.MintAsync(other, trader, counterparty, "10");
        var cancelled = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/v1/orders/{placed[0]}"));
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);

        using var all = await (await client.GetAsync("/v1/orders")).JsonAsync();
        var ids = all.RootElement.GetProperty("orders").EnumerateArray().Select(o => o.Str("order_id")).ToArray();
        Assert.Equal(7, ids.Length);
        Assert.Equal(placed.AsEnumerable().Reverse(), ids.Skip(1));
        Assert.False(all.RootElement.GetProperty("has_more").GetBoolean());
        Assert.Equal(JsonValueKind.Null, all.RootElement.GetProperty("next_cursor").ValueKind);
        Assert.Equal(7, all.RootElement.GetProperty("total_hint").GetInt32());

        using var open = await (await client.GetAsync($"/v1/orders?status=open&market_id={market.ConditionId}&side=BUY")).JsonAsync();
        Assert.Equal(placed.Skip(1).Take(4).Reverse(), open.RootElement.GetProperty("orders").EnumerateArray().Select(o => o.Str("order_id")));
        using var gone = await (await client.GetAsync("/v1/orders?status=CANCELLED")).JsonAsync();
        Assert.Equal(placed[0], Assert.Single(gone.RootElement.GetProperty("orders").EnumerateArray()).Str("order_id"));
        using var filled = await (await client.GetAsync("/v1/orders?status=FILLED")).JsonAsync();
        Assert.Single(filled.RootElement.GetProperty("orders").EnumerateArray());
        using var sells = await (await client.GetAsync("/v1/orders?side=sell")).JsonAsync();
        Assert.Empty(sells.RootElement.GetProperty("orders").EnumerateArray());

        var paged = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            using var page = await (await client.GetAsync("/v1/orders?limit=3" + (cursor is null ? string.Empty : "&cursor=" + cursor))).JsonAsync();
            paged.AddRange(page.RootElement.GetProperty("orders").EnumerateArray().Select(o => o.Str("order_id")));
            cursor = page.RootElement.GetProperty("has_more").GetBoolean() ? page.RootElement.Str("next_cursor") : null;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(ids, paged);
        Assert.Equal(3, pages);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=201")]
    [InlineData("limit=ten")]
    [InlineData("status=PENDINGISH")]
    [InlineData("side=HOLD")]
    [InlineData("cursor=%%%")]
    [InlineData("cursor=bm90LWEtY3Vyc29y")]
    public async Task Bad_list_parameters_answer_422_VALIDATION_FAILED(string query)
    {
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.GetAsync("/v1/orders?" + query);

        await response.AssertErrorAsync(422, "VALIDATION_FAILED");
    }

    [Fact]
    public async Task Reading_orders_needs_the_read_permission()
    {
        var trader = await _server.TraderAsync();
        var tradeOnly = await _server.IssueKeyAsync(trader.AccountId, KeyPermissions.Trade);
        using var client = _server.KeyClient(tradeOnly);

        var list = await client.GetAsync("/v1/orders");
        var one = await client.GetAsync($"/v1/orders/0x{new string('1', 64)}");

        await list.AssertErrorAsync(403, "INSUFFICIENT_PERMISSION");
        await one.AssertErrorAsync(403, "INSUFFICIENT_PERMISSION");
    }

    [Fact]
    public async Task Cancelling_an_open_order_answers_the_cancel_shape_and_a_second_cancel_is_400_ORDER_NOT_CANCELLABLE()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync(balance: "3");
        using var client = _server.KeyClient(trader.ApiKey);
        var id = (await client.PlaceAsync(Bid(market.YesToken, "0.3"))).Str("order_id");
        var blocked = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", Bid(market.YesToken, "0.3"));
        await blocked.AssertErrorAsync(400, "INSUFFICIENT_BALANCE");

        var first = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/v1/orders/{id}"));
        var second = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/v1/orders/{id}"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var body = await first.JsonAsync();
        Assert.Equal([id], body.RootElement.GetProperty("canceled").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(body.RootElement.GetProperty("not_canceled").EnumerateObject());
        var message = await second.AssertErrorAsync(400, "ORDER_NOT_CANCELLABLE");
        Assert.Contains("CANCELLED", message, StringComparison.Ordinal);
        var after = await client.GetOrderAsync(id);
        Assert.Equal("CANCELLED", after.Str("status"));
        Assert.Equal("user", after.Str("cancel_reason"));
        // The reservation came back: the same order fits again.
        await client.PlaceAsync(Bid(market.YesToken, "0.3"));
    }

    [Fact]
    public async Task Cancelling_a_filled_order_is_400_ORDER_NOT_CANCELLABLE_and_an_unknown_or_foreign_one_404_ORDER_NOT_FOUND()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        var other = await _server.TraderAsync();
        await _server.MintAsync(market, trader, other, "10");
        using var client = _server.KeyClient(trader.ApiKey);
        using var otherClient = _server.KeyClient(other.ApiKey);
        using var list = await (await client.GetAsync("/v1/orders?status=FILLED")).JsonAsync();
        var filled = Assert.Single(list.RootElement.GetProperty("orders").EnumerateArray()).Str("order_id");
        var foreign = (await otherClient.PlaceAsync(Bid(market.YesToken, "0.2"))).Str("order_id");

        var onFilled = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/v1/orders/{filled}"));
        var onForeign = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/v1/orders/{foreign}"));
        var onUnknown = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/v1/orders/0x{new string('f', 64)}"));

        await onFilled.AssertErrorAsync(400, "ORDER_NOT_CANCELLABLE");
        await onForeign.AssertErrorAsync(404, "ORDER_NOT_FOUND");
        await onUnknown.AssertErrorAsync(404, "ORDER_NOT_FOUND");
        Assert.Equal("OPEN", (await otherClient.GetOrderAsync(foreign)).Str("status"));
    }

    [Fact]
    public async Task Delete_v1_order_cancels_the_orderID_in_the_body()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);
        var id = (await client.PlaceAsync(Bid(market.YesToken, "0.3"))).Str("order_id");

        var cancelled = await client.SendJsonAsync(HttpMethod.Delete, "/v1/order", new { orderID = id });
        var again = await client.SendJsonAsync(HttpMethod.Delete, "/v1/order", new { orderID = id });
        var missing = await client.SendJsonAsync(HttpMethod.Delete, "/v1/order", new { order_id = id });
        var unknown = await client.SendJsonAsync(HttpMethod.Delete, "/v1/order", new { orderID = "0x" + new string('e', 64) });

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        using var body = await cancelled.JsonAsync();
        Assert.Equal(id, Assert.Single(body.RootElement.GetProperty("canceled").EnumerateArray()).GetString());
        await again.AssertErrorAsync(400, "ORDER_NOT_CANCELLABLE");
        await missing.AssertErrorAsync(422, "VALIDATION_FAILED");
        await unknown.AssertErrorAsync(404, "ORDER_NOT_FOUND");
    }

    [Fact]
    public async Task Delete_v1_orders_cancels_a_list_and_reports_each_order_it_could_not_cancel()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);
        var a = (await client.PlaceAsync(Bid(market.YesToken, "0.3"))).Str("order_id");
        var b = (await client.PlaceAsync(Bid(market.YesToken, "0.31"))).Str("order_id");
        var done = (await client.PlaceAsync(Bid(market.YesToken, "0.32"))).Str("order_id");
        await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/v1/orders/{done}"));
        var unknown = "0x" + new string('d', 64);

        var response = await client.SendJsonAsync(HttpMethod.Delete, "/v1/orders", new[] { a, b, done, unknown });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = await response.JsonAsync();
        Assert.Equal([a, b], body.RootElement.GetProperty("canceled").EnumerateArray().Select(e => e.GetString()));
        var notCanceled = body.RootElement.GetProperty("not_canceled");
        Assert.Equal("order already canceled", notCanceled.Str(done));
        Assert.Equal("order not found", notCanceled.Str(unknown));
    }

    [Fact]
    public async Task Delete_v1_orders_with_more_than_100_ids_answers_400_BATCH_LIMIT_EXCEEDED_and_a_non_array_422()
    {
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);
        var ids = Enumerable.Range(0, 101).Select(i => "0x" + i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        var tooMany = await client.SendJsonAsync(HttpMethod.Delete, "/v1/orders", ids);
        var notArray = await client.SendJsonAsync(HttpMethod.Delete, "/v1/orders", new { ids });
        var notStrings = await client.SendJsonAsync(HttpMethod.Delete, "/v1/orders", "[1, 2]");

        Assert.Equal("Too many orders in payload, max allowed: 100", await tooMany.AssertErrorAsync(400, "BATCH_LIMIT_EXCEEDED"));
        await notArray.AssertErrorAsync(422, "VALIDATION_FAILED");
        await notStrings.AssertErrorAsync(422, "VALIDATION_FAILED");
    }

    [Fact]
    public async Task Cancel_all_requires_confirmation_then_cancels_every_open_order_of_the_wallet()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        var bystander = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);
        using var bystanderClient = _server.KeyClient(bystander.ApiKey);
        var a = (await client.PlaceAsync(Bid(market.YesToken, "0.3"))).Str("order_id");
        var b = (await client.PlaceAsync(Bid(market.NoToken, "0.3"))).Str("order_id");
        var theirs = (await bystanderClient.PlaceAsync(Bid(market.YesToken, "0.2"))).Str("order_id");

        var unconfirmed = await client.PostAsync("/v1/cancel-all", null);
        Assert.Equal("OPEN", (await client.GetOrderAsync(a)).Str("status"));
        var confirmed = await client.PostAsync("/v1/cancel-all?confirm=true", null);
        var nothingLeft = await client.SendJsonAsync(HttpMethod.Post, "/v1/cancel-all", null, new Dictionary<string, string> { ["X-Confirm-Cancel-All"] = "true" });

        var message = await unconfirmed.AssertErrorAsync(400, "CONFIRMATION_REQUIRED");
        Assert.Contains("confirm=true", message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        using var body = await confirmed.JsonAsync();
        Assert.Equal(new[] { a, b }.Order(), body.RootElement.GetProperty("canceled").EnumerateArray().Select(e => e.GetString()!).Order());
        Assert.Empty(body.RootElement.GetProperty("not_canceled").EnumerateObject());
        using var empty = await nothingLeft.JsonAsync();
        Assert.Empty(empty.RootElement.GetProperty("canceled").EnumerateArray());
        Assert.Equal("OPEN", (await bystanderClient.GetOrderAsync(theirs)).Str("status"));
    }

    [Fact]
    public async Task Cancel_market_orders_cancels_by_market_or_by_token_only()
    {
        var market = await _server.ListMarketAsync();
        var other = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);
        var yes = (await client.PlaceAsync(Bid(market.YesToken, "0.3"))).Str("order_id");
        var no = (await client.PlaceAsync(Bid(market.NoToken, "0.3"))).Str("order_id");
        var elsewhere = (await client.PlaceAsync(Bid(other.YesToken, "0.3"))).Str("order_id");

        var byToken = await client.SendJsonAsync(HttpMethod.Delete, "/v1/cancel-market-orders", new { asset_id = market.NoToken });
        using var tokenBody = await byToken.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, byToken.StatusCode);
        Assert.Equal(no, Assert.Single(tokenBody.RootElement.GetProperty("canceled").EnumerateArray()).GetString());
        Assert.Equal("OPEN", (await client.GetOrderAsync(yes)).Str("status"));

        var byMarket = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/v1/cancel-market-orders?market={market.ConditionId}"));
        using var marketBody = await byMarket.JsonAsync();
        Assert.Equal(yes, Assert.Single(marketBody.RootElement.GetProperty("canceled").EnumerateArray()).GetString());
        Assert.Equal("OPEN", (await client.GetOrderAsync(elsewhere)).Str("status"));
    }

    [Fact]
    public async Task Cancel_market_orders_needs_a_known_market_or_token()
    {
        var market = await _server.ListMarketAsync();
        var other = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var neither = await client.SendJsonAsync(HttpMethod.Delete, "/v1/cancel-market-orders", new { });
        var unknownMarket = await client.SendJsonAsync(HttpMethod.Delete, "/v1/cancel-market-orders", new { market = "0x" + new string('b', 64) });
        var unknownToken = await client.SendJsonAsync(HttpMethod.Delete, "/v1/cancel-market-orders", new { asset_id = "42" });
        var mismatched = await client.SendJsonAsync(HttpMethod.Delete, "/v1/cancel-market-orders", new { market = market.ConditionId, asset_id = other.YesToken });

        await neither.AssertErrorAsync(422, "VALIDATION_FAILED");
        await unknownMarket.AssertErrorAsync(404, "MARKET_NOT_FOUND");
        await unknownToken.AssertErrorAsync(404, "MARKET_NOT_FOUND");
        await mismatched.AssertErrorAsync(422, "VALIDATION_FAILED");
    }

    [Fact]
    public async Task Orders_act_on_the_selected_wallet()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync(balance: "1");
        var second = await _server.AddWalletAsync(trader.AccountId, 100);
        using var client = _server.KeyClient(trader.ApiKey);
        var wallet = new Dictionary<string, string> { ["X-Wallet-Id"] = second.ToString(System.Globalization.CultureInfo.InvariantCulture) };

        var onDefault = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", Bid(market.YesToken, "0.3"));
        var onSecond = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", Bid(market.YesToken, "0.3"), wallet);

        await onDefault.AssertErrorAsync(400, "INSUFFICIENT_BALANCE");
        Assert.Equal(HttpStatusCode.OK, onSecond.StatusCode);
        using var defaultList = await (await client.GetAsync("/v1/orders")).JsonAsync();
        Assert.Empty(defaultList.RootElement.GetProperty("orders").EnumerateArray());
        using var secondList = await (await client.GetAsync($"/v1/orders?wallet_id={second}")).JsonAsync();
        Assert.Single(secondList.RootElement.GetProperty("orders").EnumerateArray());
    }

    [Fact]
    public async Task Cancelling_needs_the_trade_permission()
    {
        var trader = await _server.TraderAsync();
        var readOnly = await _server.IssueKeyAsync(trader.AccountId, KeyPermissions.Read);
        using var client = _server.KeyClient(readOnly);

        var one = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/v1/orders/0x{new string('1', 64)}"));
        var all = await client.PostAsync("/v1/cancel-all?confirm=true", null);

        await one.AssertErrorAsync(403, "INSUFFICIENT_PERMISSION");
        await all.AssertErrorAsync(403, "INSUFFICIENT_PERMISSION");
    }
}
