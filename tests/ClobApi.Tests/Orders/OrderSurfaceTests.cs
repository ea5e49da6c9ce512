using System.Net;
using System.Text;
using System.Text.Json;

namespace Polysim.ClobApi.Tests.Orders;

public sealed class OrderSurfaceTests(OrdersServer fixture) : IClassFixture<OrdersServer>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task The_OpenAPI_document_describes_every_order_route()
    {
        using var client = _server.Client();

        var response = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = await response.JsonAsync();
        var paths = document.RootElement.GetProperty("paths");
        (string Path, string Method)[] routes =
        [
            ("/v1/orders", "post"), ("/v1/orders", "get"), ("/v1/orders", "delete"), ("/v1/order", "post"), ("/v1/order", "delete"),
            ("/v1/clob/order", "post"), ("/v1/orders/batch", "post"), ("/v1/orders/{orderId}", "get"), ("/v1/orders/{orderId}", "delete"),
            ("/v1/cancel-all", "post"), ("/v1/cancel-market-orders", "delete"),
        ];
        foreach (var (path, method) in routes)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is missing");
            Assert.True(item.TryGetProperty(method, out var operation), $"{method} {path} is missing");
            Assert.False(string.IsNullOrEmpty(operation.GetProperty("summary").GetString()));
            Assert.Contains("Orders", operation.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        }
    }

    [Fact]
    public async Task A_body_over_one_mebibyte_answers_413_PAYLOAD_TOO_LARGE()
    {
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);
        var huge = "{\"client_order_id\":\"" + new string('x', (1 << 20) + 10) + "\"}";

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", huge, new Dictionary<string, string> { ["Idempotency-Key"] = "big-1" });

        await response.AssertErrorAsync(413, "PAYLOAD_TOO_LARGE");
    }

    [Fact]
    public async Task A_chunked_body_over_one_mebibyte_answers_413_PAYLOAD_TOO_LARGE()
    {
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/order")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(new string(' ', (1 << 20) + 10)))),
        };
        request.Headers.TransferEncodingChunked = true;

        var response = await client.SendAsync(request);

        await response.AssertErrorAsync(413, "PAYLOAD_TOO_LARGE");
    }

    [Fact]
    public async Task Wrong_methods_on_order_routes_answer_405_METHOD_NOT_ALLOWED()
    {
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Put, "/v1/orders", "{}");

        await response.AssertErrorAsync(405, "METHOD_NOT_ALLOWED");
    }

    [Fact]
    public async Task Every_decimal_in_an_order_is_a_string()
    {
        var market = await _server.ListMarketAsync();
        var maker = await _server.TraderAsync();
        var taker = await _server.TraderAsync();
        using var makerClient = _server.KeyClient(maker.ApiKey);
        using var takerClient = _server.KeyClient(taker.ApiKey);
        await makerClient.PlaceAsync(new { token_id = market.NoToken, side = "BUY", quantity = "10", price = "0.6" });

        var order = await takerClient.PlaceAsync(new { token_id = market.YesToken, side = "BUY", order_type = "market", amount = 2, price = 0.5 });

        foreach (var name in new[] { "price", "quantity", "amount", "filled_quantity", "remaining_quantity", "avg_fill_price" })
        {
            Assert.Equal(JsonValueKind.String, order.GetProperty(name).ValueKind);
        }

        foreach (var fill in order.GetProperty("fills").EnumerateArray())
        {
            Assert.All(new[] { "price", "size", "fee" }, name => Assert.Equal(JsonValueKind.String, fill.GetProperty(name).ValueKind));
        }
    }
}
