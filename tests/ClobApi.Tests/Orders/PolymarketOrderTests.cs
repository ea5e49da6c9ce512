using System.Globalization;
using System.Net;

namespace Polysim.ClobApi.Tests.Orders;

public sealed class PolymarketOrderTests(OrdersServer fixture) : IClassFixture<OrdersServer>
{
    private readonly TestServer _server = fixture.Server;

    /// <summary>A Polymarket order body as the TypeScript client sends it (signature fields included, to be ignored).</summary>
    private static object Pm(string tokenId, string side, long makerAmount, long takerAmount, string orderType = "GTC", string expiration = "0", bool postOnly = false) => new
    {
        deferExec = false,
        order = new
        {
            salt = 1234567890123L,
            maker = "0x1111111111111111111111111111111111111111",
            signer = "0x1111111111111111111111111111111111111111",
            taker = "0x0000000000000000000000000000000000000000",
            tokenId,
            makerAmount = makerAmount.ToString(CultureInfo.InvariantCulture),
            takerAmount = takerAmount.ToString(CultureInfo.InvariantCulture),
            side,
            expiration,
            nonce = "0",
            feeRateBps = "0",
            signatureType = 0,
            signature = "0x" + new string('a', 130),
        },
        owner = "5d1c266a-ed39-b9bd-c1f5-f24ae3e14a7b",
        orderType,
        postOnly,
    };

    [Fact]
    public async Task A_Polymarket_BUY_body_derives_price_from_the_amounts_and_answers_Polymarket_reply_fields()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/order", Pm(market.YesToken, "BUY", 34_000_000, 100_000_000));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = await response.JsonAsync();
        var reply = body.RootElement;
        Assert.Equal(
            ["success", "errorMsg", "orderID", "status", "makingAmount", "takingAmount", "transactionsHashes", "tradeIDs"],
            reply.EnumerateObject().Select(p => p.Name));
        Assert.True(reply.GetProperty("success").GetBoolean());
        Assert.Equal(string.Empty, reply.Str("errorMsg"));
        Assert.Equal("live", reply.Str("status"));
        Assert.Equal(string.Empty, reply.Str("makingAmount"));
        var order = await client.GetOrderAsync(reply.Str("orderID"));
        Assert.Equal("0.34", order.Str("price"));
        Assert.Equal("100", order.Str("quantity"));
        Assert.Equal("BUY", order.Str("side"));
        Assert.Equal("GTC", order.Str("time_in_force"));
    }

    [Fact]
    public async Task A_Polymarket_SELL_body_prices_at_taker_over_maker_and_sells_makerAmount_shares()
    {
        var market = await _server.ListMarketAsync();
        var seller = await _server.TraderAsync();
        await _server.MintAsync(market, seller, await _server.TraderAsync(), "20");
        using var client = _server.KeyClient(seller.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/order", Pm(market.YesToken, "SELL", 20_000_000, 14_000_000));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = await response.JsonAsync();
        var order = await client.GetOrderAsync(body.RootElement.Str("orderID"));
        Assert.Equal("0.7", order.Str("price"));
        Assert.Equal("20", order.Str("quantity"));
        Assert.Equal("SELL", order.Str("side"));
    }

    [Fact]
    public async Task A_Polymarket_FOK_BUY_spends_makerAmount_and_reports_making_and_taking_amounts()
    {
        var market = await _server.ListMarketAsync();
        var maker = await _server.TraderAsync();
        var taker = await _server.TraderAsync();
        using var makerClient = _server.KeyClient(maker.ApiKey);
        using var takerClient = _server.KeyClient(taker.ApiKey);
        await makerClient.PlaceAsync(new { token_id = market.NoToken, side = "BUY", quantity = "400", price = "0.66" });

        // The SDK's market BUY of $100 at 0.34: takerAmount = 100 / 0.34 rounded down, so the quotient is a hair above 0.34.
        var response = await takerClient.SendJsonAsync(HttpMethod.Post, "/v1/order", Pm(market.YesToken, "BUY", 100_000_000, 294_117_600, "FOK"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = await response.JsonAsync();
        var reply = body.RootElement;
        Assert.Equal("matched", reply.Str("status"));
        Assert.Equal("100", reply.Str("makingAmount"));
        Assert.Equal("294.117647", reply.Str("takingAmount"));
        Assert.Single(reply.GetProperty("tradeIDs").EnumerateArray());
        var order = await takerClient.GetOrderAsync(reply.Str("orderID"));
        Assert.Equal("market", order.Str("order_type"));
        Assert.Equal("100", order.Str("amount"));
        Assert.Equal("FILLED", order.Str("status"));
    }

    public static TheoryData<string> Malformed() => new()
    {
        """{"order": 5}""",
        """{"order": {"makerAmount": "1000000", "takerAmount": "2000000", "side": "BUY"}}""",
        """{"order": {"tokenId": "TOKEN", "makerAmount": "1000000", "takerAmount": "2000000", "side": "HOLD"}}""",
        """{"order": {"tokenId": "TOKEN", "makerAmount": "0", "takerAmount": "2000000", "side": "BUY"}}""",
        """{"order": {"tokenId": "TOKEN", "makerAmount": "1.5", "takerAmount": "2000000", "side": "BUY"}}""",
        """{"order": {"tokenId": "TOKEN", "takerAmount": "2000000", "side": "BUY"}}""",
        """{"order": {"tokenId": "TOKEN", "makerAmount": "3000000", "takerAmount": "2000000", "side": "BUY"}}""",
        """{"order": {"tokenId": "TOKEN", "makerAmount": "100000000000000", "takerAmount": "3", "side": "BUY"}}""",
        """{"order": {"tokenId": "TOKEN", "makerAmount": "1", "takerAmount": "100000000000000", "side": "BUY"}}""",
        """{"order": {"tokenId": "TOKEN", "makerAmount": "1000000", "takerAmount": "2000000", "side": 2}}""",
        """{"order": {"tokenId": "TOKEN", "makerAmount": "1000000", "takerAmount": "2000000", "side": "BUY"}, "orderType": "IOC"}""",
        """{"order": {"tokenId": "TOKEN", "makerAmount": "1000000", "takerAmount": "2000000", "side": "BUY"}, "postOnly": "yes"}""",
        """{"order": {"tokenId": "TOKEN", "makerAmount": "1000000", "takerAmount": "2000000", "side": "BUY", "expiration": "tomorrow"}}""",
        """{"order": """,
        """[1, 2]""",
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_Polymarket_body_answers_400_INVALID_ORDER_PAYLOAD(string template)
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/order", template.Replace("TOKEN", market.YesToken, StringComparison.Ordinal));

        var message = await response.AssertErrorAsync(400, "INVALID_ORDER_PAYLOAD");
        Assert.Equal("Invalid order payload", message);
    }

    [Fact]
    public async Task An_unknown_tokenId_answers_404_MARKET_NOT_FOUND()
    {
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/order", Pm("71321045679252212594626385532706912750332728571942532289631379312455583992563", "BUY", 1_000_000, 2_000_000));

        await response.AssertErrorAsync(404, "MARKET_NOT_FOUND");
    }

    [Fact]
    public async Task Rejections_of_the_Polymarket_body_carry_Polymarket_error_strings()
    {
        var market = await _server.ListMarketAsync(tick: 100, minimumShares: 5);
        var maker = await _server.TraderAsync();
        var poor = await _server.TraderAsync(balance: "1");
        var trader = await _server.TraderAsync();
        using var makerClient = _server.KeyClient(maker.ApiKey);
        using var poorClient = _server.KeyClient(poor.ApiKey);
        using var client = _server.KeyClient(trader.ApiKey);
        await makerClient.PlaceAsync(new { token_id = market.NoToken, side = "BUY", quantity = "5", price = "0.6" });

        async Task<string> Reject(HttpClient c, object body, int status, string code) =>
            await (await c.SendJsonAsync(HttpMethod.Post, "/v1/order", body)).AssertErrorAsync(status, code);

        Assert.Equal("not enough balance / allowance", await Reject(poorClient, Pm(market.YesToken, "BUY", 5_000_000, 10_000_000), 400, "INSUFFICIENT_BALANCE"));
        Assert.Equal("not enough balance / allowance", await Reject(client, Pm(market.YesToken, "SELL", 10_000_000, 5_000_000), 400, "INSUFFICIENT_POSITION"));
        Assert.Matches(@"^order 0x[0-9a-f]{64} is invalid\. Price \(0\.345\) breaks minimum tick size rule: 0\.01$",
            await Reject(client, Pm(market.YesToken, "BUY", 34_500_000, 100_000_000), 400, "INVALID_ORDER_MIN_TICK_SIZE"));
        Assert.Matches(@"^order 0x[0-9a-f]{64} is invalid\. Size \(1\.08\) lower than the minimum: 5$",
            await Reject(client, Pm(market.YesToken, "BUY", 324_000, 1_080_000), 400, "INVALID_ORDER_MIN_SIZE"));
        Assert.Equal("invalid amount for a marketable BUY order ($0.5), min size: $1",
            await Reject(client, Pm(market.YesToken, "BUY", 500_000, 1_250_000, "FOK"), 400, "INVALID_ORDER_MIN_SIZE"));
        Assert.Equal("order couldn't be fully filled. FOK orders are fully filled or killed.",
            await Reject(client, Pm(market.YesToken, "BUY", 4_000_000, 10_000_000, "FOK"), 400, "FOK_ORDER_NOT_FILLED_ERROR"));
        Assert.Equal("no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found.",
            await Reject(client, Pm(market.YesToken, "BUY", 3_000_000, 10_000_000, "FAK"), 400, "FOK_ORDER_NOT_FILLED_ERROR"));
        Assert.Equal("invalid post-only order: order crosses book",
            await Reject(client, Pm(market.YesToken, "BUY", 5_000_000, 10_000_000, postOnly: true), 400, "INVALID_POST_ONLY_ORDER"));
        Assert.Equal("invalid post-only order: only GTC and GTD order types are allowed",
            await Reject(client, Pm(market.YesToken, "BUY", 4_000_000, 10_000_000, "FOK", postOnly: true), 400, "INVALID_POST_ONLY_ORDER_TYPE"));
        Assert.Equal("invalid expiration",
            await Reject(client, Pm(market.YesToken, "BUY", 3_000_000, 10_000_000, "GTD", expiration: "0"), 400, "INVALID_ORDER_EXPIRATION"));
        await _server.CloseMarketAsync(market);
        Assert.Equal("the market is not yet ready to process new orders",
            await Reject(client, Pm(market.YesToken, "BUY", 3_000_000, 10_000_000), 400, "MARKET_CLOSED"));
    }

    [Fact]
    public async Task The_flat_native_body_is_also_accepted_on_v1_order()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/order", new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.45" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = await response.JsonAsync();
        Assert.Equal("OPEN", body.RootElement.Str("status"));
        Assert.Equal("0.45", body.RootElement.Str("price"));
    }

    [Fact]
    public async Task An_array_on_v1_orders_is_a_Polymarket_batch_with_failures_inline_and_200()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync(balance: "10");
        using var client = _server.KeyClient(trader.ApiKey);
        var batch = new object[]
        {
            Pm(market.YesToken, "BUY", 3_000_000, 10_000_000),
            Pm(market.YesToken, "BUY", 50_000_000, 100_000_000),
            new { order = new { side = "BUY" } },
            new { token_id = market.NoToken, side = "BUY", quantity = "10", price = "0.3" },
        };

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", batch);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = await response.JsonAsync();
        var replies = body.RootElement.EnumerateArray().ToArray();
        Assert.Equal(4, replies.Length);
        Assert.True(replies[0].GetProperty("success").GetBoolean());
        Assert.Equal("live", replies[0].Str("status"));
        Assert.False(replies[1].GetProperty("success").GetBoolean());
        Assert.Equal("not enough balance / allowance", replies[1].Str("errorMsg"));
        Assert.Equal(string.Empty, replies[1].Str("orderID"));
        Assert.False(replies[2].GetProperty("success").GetBoolean());
        Assert.Equal("Invalid order payload", replies[2].Str("errorMsg"));
        Assert.True(replies[3].GetProperty("success").GetBoolean());
        Assert.Equal("OPEN", (await client.GetOrderAsync(replies[3].Str("orderID"))).Str("status"));
    }

    [Fact]
    public async Task A_Polymarket_batch_of_more_than_15_answers_400_BATCH_LIMIT_EXCEEDED_and_an_empty_one_422()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);
        var sixteen = Enumerable.Range(0, 16).Select(_ => Pm(market.YesToken, "BUY", 3_000_000, 10_000_000)).ToArray();

        var tooMany = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", sixteen);
        var empty = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", "[]");

        Assert.Equal("Too many orders in payload: 16, max allowed: 15", await tooMany.AssertErrorAsync(400, "BATCH_LIMIT_EXCEEDED"));
        await empty.AssertErrorAsync(422, "VALIDATION_FAILED");
        using var list = await (await client.GetAsync("/v1/orders")).JsonAsync();
        Assert.Empty(list.RootElement.GetProperty("orders").EnumerateArray());
    }
}
