using System.Net;
using Microsoft.Extensions.Logging;
using Polysim.ClobApi.Tests.Orders;

namespace Polysim.ClobApi.Tests.Redis;

/// <summary>A real server in Redis mode: idempotency records and rate limits live in the test Redis.</summary>
[Trait("Mode", "Both")]
public sealed class RedisServerTests
{
    private static Dictionary<string, string> Key(string key) => new() { ["Idempotency-Key"] = key };

    [Fact]
    public async Task An_idempotent_order_is_replayed_after_a_server_restart_because_its_record_lives_in_Redis()
    {
        await using var server = await TestServer.StartAsync(RedisKit.Settings(RedisKit.UniquePrefix()));
        var market = await server.ListMarketAsync();
        var trader = await server.TraderAsync();
        var order = new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.3" };
        string firstBody;
        using (var client = server.KeyClient(trader.ApiKey))
        {
            var first = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", order, Key("restart-1"));
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            firstBody = await first.Content.ReadAsStringAsync();
        }

        await server.RestartAsync();
        using var again = server.KeyClient(trader.ApiKey);
        var replay = await again.SendJsonAsync(HttpMethod.Post, "/v1/orders", order, Key("restart-1"));
        using var list = await (await again.GetAsync("/v1/orders?limit=200")).JsonAsync();

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("X-Idempotency-Replayed").Single());
        Assert.Equal(firstBody, await replay.Content.ReadAsStringAsync());
        Assert.Equal(1, list.RootElement.GetProperty("orders").GetArrayLength());
    }

    [Fact]
    public async Task The_request_rate_limit_is_counted_in_Redis_and_refuses_with_429_over_it()
    {
        var prefix = RedisKit.UniquePrefix();
        await using var server = await TestServer.StartAsync(RedisKit.Settings(prefix, extra: new()
        {
            ["Polysim:Tiers:free:RequestsPerSecond"] = "5",
        }));
        var account = await server.CreateAccountAsync("free");
        using var client = server.KeyClient(account.ApiKey);
        using var redis = RedisKit.Connect();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await client.GetAsync("/v1/account/balance")).StatusCode);
        }

        var keys = redis.GetServers()[0].Keys(pattern: prefix + "rl:*").ToList();

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.NotEmpty(keys);
    }
}

/// <summary>Redis stopped under a serving server: the outage policy decides what writes do; reads keep working.</summary>
[Trait("Mode", "Both")]
public sealed class RedisOutageTests
{
    private static Dictionary<string, string?> Settings(ThrowawayRedis redis, string policy) =>
        RedisKit.Settings(RedisKit.UniquePrefix(), redis.ConnectionString, new()
        {
            ["Polysim:Redis:OnOutage"] = policy,
            ["Polysim:Redis:TimeoutMs"] = "500",
        });

    private static async Task<int> CountOrdersAsync(HttpClient client)
    {
        using var list = await (await client.GetAsync("/v1/orders?limit=200")).JsonAsync();
        return list.RootElement.GetProperty("orders").GetArrayLength();
    }

    [Fact]
    public async Task A_Redis_unreachable_at_start_is_logged_as_a_warning_and_the_server_starts_with_trade_writes_failing_closed()
    {
        var logs = new CapturedWarnings();
        await using var server = await TestServer.StartAsync(
            RedisKit.Settings(RedisKit.UniquePrefix(), $"127.0.0.1:{RedisKit.FreePort()}", new()
            {
                ["Polysim:Redis:OnOutage"] = "FailClosed",
                ["Polysim:Redis:TimeoutMs"] = "500",
            }),
            configureServices: builder => builder.Logging.AddProvider(logs));
        var market = await server.ListMarketAsync();
        var trader = await server.TraderAsync();
        using var client = server.KeyClient(trader.ApiKey);

        var place = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.3" });

        Assert.Contains(logs.Messages, m => m.Contains("not reachable at start", StringComparison.Ordinal) && m.Contains("FailClosed", StringComparison.Ordinal));
        await place.AssertErrorAsync(503, "SERVICE_UNAVAILABLE");
    }

    [Fact]
    public async Task With_Redis_stopped_trade_writes_fail_closed_with_503_reads_keep_working_and_writes_recover_when_it_is_back()
    {
        await using var redis = await ThrowawayRedis.StartAsync();
        await using var server = await TestServer.StartAsync(Settings(redis, "FailClosed"));
        var market = await server.ListMarketAsync();
        var trader = await server.TraderAsync();
        using var client = server.KeyClient(trader.ApiKey);
        var placed = await client.PlaceAsync(new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.3" });
        var orderId = placed.Str("order_id");

        await redis.StopAsync();
        var place = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "11", price = "0.3" });
        var placeWithKey = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "12", price = "0.3" }, new Dictionary<string, string> { ["Idempotency-Key"] = "outage-1" });
        var cancel = await client.DeleteAsync("/v1/orders/" + orderId);
        var balance = await client.GetAsync("/v1/account/balance");
        var book = await client.GetAsync("/v1/book?token_id=" + market.YesToken);
        var ordersWhileDown = await CountOrdersAsync(client);

        await place.AssertErrorAsync(503, "SERVICE_UNAVAILABLE");
        await placeWithKey.AssertErrorAsync(503, "SERVICE_UNAVAILABLE");
        await cancel.AssertErrorAsync(503, "SERVICE_UNAVAILABLE");
        Assert.Equal("1", place.Headers.GetValues("Retry-After").Single());
        Assert.Equal(HttpStatusCode.OK, balance.StatusCode);
        Assert.Equal(HttpStatusCode.OK, book.StatusCode);
        Assert.Equal(1, ordersWhileDown);

        await redis.StartAgainAsync();
        HttpResponseMessage? recovered = null;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            recovered = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "13", price = "0.3" });
            if (recovered.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.Equal(HttpStatusCode.OK, recovered!.StatusCode);
        Assert.Equal(2, await CountOrdersAsync(client));
    }

    [Fact]
    public async Task With_the_fail_open_setting_trade_writes_go_on_while_Redis_is_stopped()
    {
        await using var redis = await ThrowawayRedis.StartAsync();
        await using var server = await TestServer.StartAsync(Settings(redis, "FailOpen"));
        var market = await server.ListMarketAsync();
        var trader = await server.TraderAsync();
        using var client = server.KeyClient(trader.ApiKey);
        await client.PlaceAsync(new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.3" });

        await redis.StopAsync();
        var place = await client.SendJsonAsync(HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = "11", price = "0.3" }, new Dictionary<string, string> { ["Idempotency-Key"] = "open-1" });

        Assert.Equal(HttpStatusCode.OK, place.StatusCode);
        Assert.Equal(2, await CountOrdersAsync(client));
    }
}

/// <summary>Keeps the text of every warning or worse logged by the server under test.</summary>
internal sealed class CapturedWarnings : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _messages = new();

    public IReadOnlyCollection<string> Messages => _messages;

    public ILogger CreateLogger(string categoryName) => new Logger(_messages);

    public void Dispose()
    {
    }

    private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<string> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                messages.Enqueue(formatter(state, exception));
            }
        }
    }
}
