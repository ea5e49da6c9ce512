using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Polysim.ClobApi.Api.Orders;

namespace Polysim.ClobApi.Tests.Orders;

public sealed class IdempotencyTests(OrdersServer fixture) : IClassFixture<OrdersServer>
{
    private readonly TestServer _server = fixture.Server;

    private static Dictionary<string, string> Key(string key) => new() { ["Idempotency-Key"] = key };

    private static async Task<int> CountOrdersAsync(HttpClient client)
    {
        using var list = await (await client.GetAsync("/v1/orders?limit=200")).JsonAsync();
        return list.RootElement.GetProperty("orders").GetArrayLength();
    }

    [Fact]
    public async Task An_identical_replay_returns_the_original_status_and_body_with_X_Idempotency_Replayed()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);
        var order = new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.3" };

        var first = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", order, Key("order-0001"));
        var second = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", order, Key("\"order-0001\""));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.False(first.Headers.Contains("X-Idempotency-Replayed"));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("true", second.Headers.GetValues("X-Idempotency-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(1, await CountOrdersAsync(client));
    }

    [Fact]
    public async Task The_same_key_with_a_different_body_or_route_answers_409_IDEMPOTENCY_KEY_REUSE()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);
        await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.3" }, Key("reused"));

        var otherBody = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "11", price = "0.3" }, Key("reused"));
        var otherRoute = await client.SendJsonAsync(HttpMethod.Post, "/v1/clob/order", new { token_id = market.YesToken, side = "BUY", size = "10", price = "0.3" }, Key("reused"));

        await otherBody.AssertErrorAsync(409, "IDEMPOTENCY_KEY_REUSE");
        await otherRoute.AssertErrorAsync(409, "IDEMPOTENCY_KEY_REUSE");
        Assert.Equal(1, await CountOrdersAsync(client));
    }

    [Fact]
    public async Task An_engine_rejection_is_stored_and_replayed_without_running_again()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync(balance: "1");
        using var client = _server.KeyClient(trader.ApiKey);
        using var admin = _server.AdminClient();
        var order = new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.3" };

        var first = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", order, Key("poor-order"));
        await first.AssertErrorAsync(400, "INSUFFICIENT_BALANCE");
        await admin.SendJsonAsync(HttpMethod.Post, $"/v1/admin/accounts/{trader.AccountId}/fund", new { amount = "100" });
        var replay = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", order, Key("poor-order"));

        await replay.AssertErrorAsync(400, "INSUFFICIENT_BALANCE");
        Assert.Equal("true", replay.Headers.GetValues("X-Idempotency-Replayed").Single());
        Assert.Equal(0, await CountOrdersAsync(client));
    }

    [Fact]
    public async Task A_request_refused_before_execution_releases_its_key_for_a_corrected_retry()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var invalid = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", price = "0.3" }, Key("fix-and-retry"));
        var corrected = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.3" }, Key("fix-and-retry"));

        await invalid.AssertErrorAsync(422, "VALIDATION_FAILED");
        Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);
        Assert.False(corrected.Headers.Contains("X-Idempotency-Replayed"));
    }

    [Fact]
    public async Task Keys_are_scoped_per_account()
    {
        var market = await _server.ListMarketAsync();
        var alice = await _server.TraderAsync();
        var bob = await _server.TraderAsync();
        using var aliceClient = _server.KeyClient(alice.ApiKey);
        using var bobClient = _server.KeyClient(bob.ApiKey);
        var order = new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.3" };

        var a = await aliceClient.SendJsonAsync(HttpMethod.Post, "/v1/orders", order, Key("shared-key"));
        var b = await bobClient.SendJsonAsync(HttpMethod.Post, "/v1/orders", order, Key("shared-key"));

        Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        Assert.Equal(HttpStatusCode.OK, b.StatusCode);
        Assert.False(b.Headers.Contains("X-Idempotency-Replayed"));
        Assert.NotEqual(await a.Content.ReadAsStringAsync(), await b.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("\"\"")]
    public async Task A_malformed_key_answers_422_VALIDATION_FAILED(string key)
    {
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = "1", side = "BUY", quantity = "10", price = "0.3" }, Key(key));

        await response.AssertErrorAsync(422, "VALIDATION_FAILED");
    }

    [Fact]
    public async Task A_key_longer_than_255_characters_answers_422_VALIDATION_FAILED()
    {
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);

        var response = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = "1", side = "BUY", quantity = "10", price = "0.3" }, Key(new string('k', 256)));

        await response.AssertErrorAsync(422, "VALIDATION_FAILED");
    }

    [Fact]
    public async Task Cancels_honour_the_key_too()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);
        var id = (await client.PlaceAsync(new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.3" })).Str("order_id");

        var first = await client.SendJsonAsync(HttpMethod.Post, "/v1/cancel-all?confirm=true", null, Key("sweep-1"));
        var replay = await client.SendJsonAsync(HttpMethod.Post, "/v1/cancel-all?confirm=true", null, Key("sweep-1"));
        var deleteOne = await client.SendJsonAsync(HttpMethod.Delete, $"/v1/orders/{id}", null, Key("delete-1"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("X-Idempotency-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
        await deleteOne.AssertErrorAsync(400, "ORDER_NOT_CANCELLABLE");
    }

    [Fact]
    public async Task Reusing_a_client_order_id_for_a_different_order_answers_409_DUPLICATE_CLIENT_ORDER_ID()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);
        var order = new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.3", client_order_id = "strategy-42" };
        var original = await client.PlaceAsync(order);

        var different = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", order with { price = "0.31" });
        var onAnotherRoute = await client.SendJsonAsync(HttpMethod.Post, "/v1/clob/order",
            new { token_id = market.YesToken, side = "SELL", size = "10", price = "0.9", client_order_id = "strategy-42" });
        var sameAgain = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", order);

        var message = await different.AssertErrorAsync(409, "DUPLICATE_CLIENT_ORDER_ID");
        Assert.Contains(original.Str("order_id"), message, StringComparison.Ordinal);
        await onAnotherRoute.AssertErrorAsync(409, "DUPLICATE_CLIENT_ORDER_ID");
        Assert.Equal(HttpStatusCode.OK, sameAgain.StatusCode);
        Assert.Equal("true", sameAgain.Headers.GetValues("X-Idempotency-Replayed").Single());
        using var again = await sameAgain.JsonAsync();
        Assert.Equal(original.Str("order_id"), again.RootElement.Str("order_id"));
        Assert.Equal(1, await CountOrdersAsync(client));
    }

    [Fact]
    public async Task A_client_order_id_of_a_rejected_order_stays_free_and_other_accounts_may_use_it()
    {
        var market = await _server.ListMarketAsync();
        var trader = await _server.TraderAsync(balance: "1");
        var other = await _server.TraderAsync();
        using var client = _server.KeyClient(trader.ApiKey);
        using var otherClient = _server.KeyClient(other.ApiKey);

        var rejected = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "100", price = "0.3", client_order_id = "c-1" });
        var placed = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "5", price = "0.2", client_order_id = "c-1" });
        var elsewhere = await otherClient.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "5", price = "0.2", client_order_id = "c-1" });

        await rejected.AssertErrorAsync(400, "INSUFFICIENT_BALANCE");
        Assert.Equal(HttpStatusCode.OK, placed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    [Fact]
    public async Task Fifty_concurrent_identical_requests_with_one_key_create_exactly_one_order()
    {
        await using var server = await OrdersKit.StartAsync();
        var market = await server.ListMarketAsync();
        var trader = await server.TraderAsync();
        using var client = server.KeyClient(trader.ApiKey);
        var body = new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.3" };

        var responses = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(_ => Task.Run(() => client.SendJsonAsync(HttpMethod.Post, "/v1/orders", body, Key("race-key-1")))));

        var fresh = responses.Where(r => r.StatusCode == HttpStatusCode.OK && !r.Headers.Contains("X-Idempotency-Replayed")).ToArray();
        var replays = responses.Where(r => r.StatusCode == HttpStatusCode.OK && r.Headers.Contains("X-Idempotency-Replayed")).ToArray();
        var pending = responses.Where(r => r.StatusCode == HttpStatusCode.Conflict).ToArray();
        Assert.Single(fresh);
        Assert.Equal(50, fresh.Length + replays.Length + pending.Length);
        var original = await fresh[0].Content.ReadAsStringAsync();
        foreach (var replay in replays)
        {
            Assert.Equal(original, await replay.Content.ReadAsStringAsync());
        }

        foreach (var conflict in pending)
        {
            await conflict.AssertErrorAsync(409, "IDEMPOTENCY_CONFLICT_PENDING");
            Assert.Equal("1", conflict.Headers.GetValues("Retry-After").Single());
        }

        Assert.Equal(1, await CountOrdersAsync(client));
    }

    [Fact]
    public async Task The_same_key_while_the_first_request_is_in_flight_answers_409_IDEMPOTENCY_CONFLICT_PENDING_with_Retry_After_1()
    {
        await using var server = await OrdersKit.StartAsync();
        var market = await server.ListMarketAsync();
        var trader = await server.TraderAsync();
        using var client = server.KeyClient(trader.ApiKey);
        var faults = server.Services.GetRequiredService<OrderFaults>();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        faults.FailBeforeApply = _ =>
        {
            entered.Set();
            release.Wait(TimeSpan.FromSeconds(30));
            return false;
        };
        var body = new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.3" };
        try
        {
            var first = client.SendJsonAsync(HttpMethod.Post, "/v1/orders", body, Key("slow-key"));
            Assert.True(entered.Wait(TimeSpan.FromSeconds(30)));

            var second = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", body, Key("slow-key"));

            await second.AssertErrorAsync(409, "IDEMPOTENCY_CONFLICT_PENDING");
            Assert.Equal("1", second.Headers.GetValues("Retry-After").Single());
            release.Set();
            Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        }
        finally
        {
            faults.FailBeforeApply = null;
            release.Set();
        }

        var third = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", body, Key("slow-key"));
        Assert.Equal("true", third.Headers.GetValues("X-Idempotency-Replayed").Single());
    }
}
