using System.Net;
using System.Text.Json;

namespace Polysim.ClobApi.Tests.Orders;

public sealed class ClobAndBatchOrderTests(OrdersServer fixture) : IClassFixture<OrdersServer>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task The_flat_clob_order_rests_and_answers_the_native_order()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/clob/order",
            new { token_id = market.YesToken, side = "BUY", size = "10", price = 0.42, order_type = "GTC", client_order_id = "clob-1" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = await response.JsonAsync();
        Assert.Equal("OPEN", body.RootElement.Str("status"));
        Assert.Equal("0.42", body.RootElement.Str("price"));
        Assert.Equal("10", body.RootElement.Str("quantity"));
        Assert.Equal("clob-1", body.RootElement.Str("client_order_id"));
    }

    [Fact]
    public async Task A_clob_order_of_type_IOC_answers_400_UNSUPPORTED_ORDER_TYPE()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/clob/order",
            new { token_id = market.YesToken, side = "BUY", size = "10", price = "0.42", order_type = "IOC" });

        var message = await response.AssertErrorAsync(400, "UNSUPPORTED_ORDER_TYPE");
        Assert.Contains("IOC", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_clob_FOK_without_price_answers_PRICE_REQUIRED_and_missing_fields_VALIDATION_FAILED()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var noPrice = await client.SendJsonAsync(HttpMethod.Post, "/v1/clob/order", new { token_id = market.YesToken, side = "BUY", size = "10", order_type = "FOK" });
        var noSize = await client.SendJsonAsync(HttpMethod.Post, "/v1/clob/order", new { token_id = market.YesToken, side = "BUY", price = "0.4" });
        var noToken = await client.SendJsonAsync(HttpMethod.Post, "/v1/clob/order", new { side = "BUY", size = "10", price = "0.4" });
        var badType = await client.SendJsonAsync(HttpMethod.Post, "/v1/clob/order", new { token_id = market.YesToken, side = "BUY", size = "10", price = "0.4", order_type = "DAY" });

        await noPrice.AssertErrorAsync(400, "PRICE_REQUIRED");
        await noSize.AssertErrorAsync(422, "VALIDATION_FAILED");
        await noToken.AssertErrorAsync(422, "VALIDATION_FAILED");
        await badType.AssertErrorAsync(422, "VALIDATION_FAILED");
    }

    [Fact]
    public async Task A_native_batch_answers_200_with_per_entry_results_even_when_some_fail()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders/batch", new
        {
            orders = new object[]
            {
                new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.4", client_order_id = "ladder-1" },
                new { token_id = market.YesToken, side = "SELL", quantity = "10", price = "0.6", client_order_id = "naked-short" },
                new { token_id = market.YesToken, side = "BUY", quantity = "10" },
                new { token_id = "999", side = "BUY", quantity = "10", price = "0.4" },
                new { market_id = market.ConditionId, outcome = "Yes", side = "BUY", quantity = "10", price = "0.39", client_order_id = "ladder-2" },
            },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = await response.JsonAsync();
        var root = body.RootElement;
        Assert.Equal(2, root.GetProperty("succeeded").GetInt32());
        Assert.Equal(3, root.GetProperty("failed").GetInt32());
        var results = root.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal("OPEN", results[0].Str("status"));
        Assert.Equal("ladder-1", results[0].Str("client_order_id"));
        Assert.Equal("REJECTED", results[1].Str("status"));
        Assert.Equal("INSUFFICIENT_POSITION", results[1].Str("error"));
        Assert.False(string.IsNullOrEmpty(results[1].Str("error_message")));
        Assert.Equal("naked-short", results[1].Str("client_order_id"));
        Assert.Equal(JsonValueKind.Null, results[1].GetProperty("order_id").ValueKind);
        Assert.Equal("VALIDATION_FAILED", results[2].Str("error"));
        Assert.Equal("MARKET_NOT_FOUND", results[3].Str("error"));
        Assert.Equal("OPEN", results[4].Str("status"));
        Assert.Equal("0.39", results[4].Str("price"));
    }

    [Theory]
    [InlineData("free", 1)]
    [InlineData("pro", 5)]
    [InlineData("pro_plus", 10)]
    [InlineData("enterprise", 25)]
    public async Task A_native_batch_over_the_tier_cap_answers_400_BATCH_LIMIT_EXCEEDED_and_at_the_cap_200(string tier, int cap)
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync(tier: tier);
        using var client = _server.KeyClient(trader.ApiKey);
        object Order() => new { token_id = market.YesToken, side = "BUY", quantity = "5", price = "0.1" };

        var over = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders/batch", new { orders = Enumerable.Range(0, cap + 1).Select(_ => Order()).ToArray() });
        var at = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders/batch", new { orders = Enumerable.Range(0, cap).Select(_ => Order()).ToArray() });

        var message = await over.AssertErrorAsync(400, "BATCH_LIMIT_EXCEEDED");
        Assert.Contains(cap.ToString(System.Globalization.CultureInfo.InvariantCulture), message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, at.StatusCode);
        using var body = await at.JsonAsync();
        Assert.Equal(cap, body.RootElement.GetProperty("succeeded").GetInt32());
    }

    [Theory]
    [InlineData("""[{"token_id":"1"}]""")]
    [InlineData("""{"orders":{}}""")]
    [InlineData("""{"orders":[]}""")]
    [InlineData("""{}""")]
    public async Task A_batch_body_that_is_not_an_orders_list_answers_422_VALIDATION_FAILED(string body)
    {
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders/batch", body);

        await response.AssertErrorAsync(422, "VALIDATION_FAILED");
    }
}
