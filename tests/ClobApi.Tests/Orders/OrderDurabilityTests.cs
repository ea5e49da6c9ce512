using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Polysim.ClobApi.Api.Orders;

namespace Polysim.ClobApi.Tests.Orders;

public sealed class OrderDurabilityTests
{
    private static async Task<string> OrdersJsonAsync(HttpClient client)
    {
        var response = await client.GetAsync("/v1/orders?limit=200");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task A_restart_restores_every_order_its_status_fills_and_client_order_id()
    {
        await using var server = await OrdersKit.StartAsync();
        var market = await server.ListMarketAsync();
        var maker = await server.TraderAsync();
        var taker = await server.TraderAsync();
        using (var makerClient = server.KeyClient(maker.ApiKey))
        using (var takerClient = server.KeyClient(taker.ApiKey))
        {
            await makerClient.PlaceAsync(new { token_id = market.NoToken, side = "BUY", quantity = "10", price = "0.6", client_order_id = "m-filled" });
            await makerClient.PlaceAsync(new { token_id = market.NoToken, side = "BUY", quantity = "20", price = "0.55", client_order_id = "m-partial" });
            var doomed = await makerClient.PlaceAsync(new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.2" });
            await makerClient.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/v1/orders/{doomed.Str("order_id")}"));
            await makerClient.PlaceAsync(new
            {
                token_id = market.YesToken,
                side = "BUY",
                quantity = "10",
                price = "0.1",
                time_in_force = "GTD",
                expiration = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(),
            });
            await takerClient.PlaceAsync(new { token_id = market.YesToken, side = "BUY", quantity = "15", price = "0.45", client_order_id = "t-1" });
            await takerClient.PlaceAsync(new { token_id = market.YesToken, side = "BUY", order_type = "market", amount = "2", price = "0.45" });
        }

        string makerBefore, takerBefore;
        using (var makerClient = server.KeyClient(maker.ApiKey))
        using (var takerClient = server.KeyClient(taker.ApiKey))
        {
            makerBefore = await OrdersJsonAsync(makerClient);
            takerBefore = await OrdersJsonAsync(takerClient);
        }

        await server.RestartAsync();

        using var makerAfter = server.KeyClient(maker.ApiKey);
        using var takerAfter = server.KeyClient(taker.ApiKey);
        Assert.Equal(makerBefore, await OrdersJsonAsync(makerAfter));
        Assert.Equal(takerBefore, await OrdersJsonAsync(takerAfter));
        using var makerOrders = JsonDocument.Parse(makerBefore);
        Assert.Equal(
            ["OPEN", "CANCELLED", "PARTIALLY_FILLED", "FILLED"],
            makerOrders.RootElement.GetProperty("orders").EnumerateArray().Select(o => o.Str("status")));
        var duplicate = await takerAfter.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "5", price = "0.1", client_order_id = "t-1" });
        await duplicate.AssertErrorAsync(409, "DUPLICATE_CLIENT_ORDER_ID");
        var fresh = await takerAfter.PlaceAsync(new { token_id = market.YesToken, side = "BUY", quantity = "5", price = "0.1" });
        Assert.DoesNotContain(fresh.Str("order_id"), makerBefore + takerBefore, StringComparison.Ordinal);
        var cancelAll = await makerAfter.PostAsync("/v1/cancel-all?confirm=true", null);
        using var cancelled = await cancelAll.JsonAsync();
        Assert.Equal(2, cancelled.RootElement.GetProperty("canceled").GetArrayLength());
    }

    [Fact]
    public async Task A_failure_inside_the_engine_operation_answers_500_EXECUTION_ERROR_with_the_request_id()
    {
        await using var server = await OrdersKit.StartAsync();
        var market = await server.ListMarketAsync();
        var trader = await server.TraderAsync();
        using var client = server.KeyClient(trader.ApiKey);
        var faults = server.Services.GetRequiredService<OrderFaults>();
        var order = new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.3" };
        faults.FailBeforeApply = _ => true;

        var plain = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", order, new Dictionary<string, string> { ["X-Request-Id"] = "req-exec-1", ["Idempotency-Key"] = "exec-key" });
        var verbose = await client.SendJsonAsync(HttpMethod.Post, "/v1/clob/order", new { token_id = market.YesToken, side = "BUY", size = "10", price = "0.3" },
            new Dictionary<string, string> { ["X-Request-Id"] = "req-exec-2", ["X-Polysim-Verbose"] = "true" });
        var replay = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", order, new Dictionary<string, string> { ["Idempotency-Key"] = "exec-key" });
        faults.FailBeforeApply = null;

        var message = await plain.AssertErrorAsync(500, "EXECUTION_ERROR");
        Assert.Contains("req-exec-1", message, StringComparison.Ordinal);
        Assert.Equal("req-exec-1", plain.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal(HttpStatusCode.InternalServerError, verbose.StatusCode);
        using (var body = await verbose.JsonAsync())
        {
            Assert.Equal("EXECUTION_ERROR", body.RootElement.Str("error"));
            Assert.Equal("req-exec-2", body.RootElement.Str("request_id"));
        }

        await replay.AssertErrorAsync(500, "EXECUTION_ERROR");
        Assert.Equal("true", replay.Headers.GetValues("X-Idempotency-Replayed").Single());

        var placed = await client.PlaceAsync(order);
        await server.RestartAsync();
        using var after = server.KeyClient(trader.ApiKey);
        using var list = JsonDocument.Parse(await OrdersJsonAsync(after));
        var only = Assert.Single(list.RootElement.GetProperty("orders").EnumerateArray());
        Assert.Equal(placed.Str("order_id"), only.Str("order_id"));
        Assert.Equal("OPEN", only.Str("status"));
    }

    [Fact]
    public async Task A_failure_of_one_batch_entry_marks_it_ERROR_EXECUTION_ERROR_and_the_others_are_placed()
    {
        await using var server = await OrdersKit.StartAsync();
        var market = await server.ListMarketAsync();
        var trader = await server.TraderAsync();
        using var client = server.KeyClient(trader.ApiKey);
        server.Services.GetRequiredService<OrderFaults>().FailBeforeApply = command => command.Price == 3_100;

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders/batch", new
        {
            orders = new[]
            {
                new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.3" },
                new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.31" },
                new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.32" },
            },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = await response.JsonAsync();
        var results = body.RootElement.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(["OPEN", "ERROR", "OPEN"], results.Select(r => r.Str("status")));
        Assert.Equal("EXECUTION_ERROR", results[1].Str("error"));
        Assert.Equal(2, body.RootElement.GetProperty("succeeded").GetInt32());
    }
}
