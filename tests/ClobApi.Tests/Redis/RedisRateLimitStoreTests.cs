using Microsoft.Extensions.Logging.Abstractions;
using Polysim.ClobApi.Api.RateLimiting;
using Polysim.ClobApi.Redis;

namespace Polysim.ClobApi.Tests.Redis;

/// <summary>The Redis GCRA script against the real test Redis.</summary>
[Trait("Mode", "Both")]
public sealed class RedisRateLimitStoreTests : IDisposable
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly string _prefix = RedisKit.UniquePrefix();
    private readonly List<RedisConnection> _connections = [];

    private RedisRateLimitStore NewStore()
    {
        var connection = new RedisConnection(new RedisOptions { ConnectionString = RedisKit.ConnectionString, KeyPrefix = _prefix }, NullLogger<RedisConnection>.Instance);
        _connections.Add(connection);
        return new RedisRateLimitStore(connection, TimeProvider.System);
    }

    [Fact]
    public async Task A_burst_of_the_limit_is_allowed_and_the_next_request_waits_at_most_one_interval()
    {
        var store = NewStore();
        RateLimitRule[] rules = [new(10, Minute)];

        var decisions = new List<RateLimitDecision>();
        for (var i = 0; i < 11; i++)
        {
            decisions.Add(await store.AcquireAsync("burst", rules));
        }

        Assert.All(decisions.Take(10), d => Assert.True(d.Allowed));
        Assert.Equal(Enumerable.Range(0, 10).Reverse(), decisions.Take(10).Select(d => d.Windows[0].Remaining));
        var refused = decisions[10];
        Assert.False(refused.Allowed);
        Assert.Equal(0, refused.Windows[0].Remaining);
        Assert.InRange(refused.Windows[0].RetryAfter, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(6));
        Assert.InRange(refused.Windows[0].ResetAfter, TimeSpan.FromSeconds(59), Minute);
    }

    [Fact]
    public async Task A_request_refused_by_one_rule_is_counted_under_none()
    {
        var store = NewStore();
        RateLimitRule[] rules = [new(2, Minute), new(100, TimeSpan.FromHours(1))];

        for (var i = 0; i < 5; i++)
        {
            await store.AcquireAsync("atomic", rules);
        }

        var last = await store.AcquireAsync("atomic", rules);

        Assert.False(last.Allowed);
        Assert.Equal(98, last.Windows[1].Remaining);
    }

    [Fact]
    public async Task Two_processes_share_one_limit_on_Redis_clock()
    {
        var first = NewStore();
        var second = NewStore();
        RateLimitRule[] rules = [new(20, Minute)];

        var allowed = 0;
        for (var i = 0; i < 40; i++)
        {
            var decision = await (i % 2 == 0 ? first : second).AcquireAsync("shared", rules);
            allowed += decision.Allowed ? 1 : 0;
        }

        Assert.Equal(20, allowed);
    }

    [Fact]
    public async Task A_refused_request_is_allowed_once_its_retry_after_has_passed_and_only_one_more()
    {
        var store = NewStore();
        RateLimitRule[] rules = [new(3, TimeSpan.FromSeconds(3))];
        RateLimitDecision decision;
        var allowed = 0;
        while ((decision = await store.AcquireAsync("refill", rules)).Allowed)
        {
            allowed++;
        }

        await Task.Delay(decision.Windows[0].RetryAfter + TimeSpan.FromMilliseconds(100));
        var afterWait = await store.AcquireAsync("refill", rules);
        var right = await store.AcquireAsync("refill", rules);

        Assert.InRange(allowed, 3, 4);
        Assert.InRange(decision.Windows[0].RetryAfter, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(1));
        Assert.True(afterWait.Allowed);
        Assert.False(right.Allowed);
    }

    [Fact]
    public async Task A_bucket_key_expires_when_its_arrival_time_falls_into_the_past()
    {
        var store = NewStore();
        await store.AcquireAsync("idle", [new RateLimitRule(1, TimeSpan.FromSeconds(2))]);
        using var redis = RedisKit.Connect();
        var server = redis.GetServers()[0];
        var key = Assert.Single(server.Keys(pattern: _prefix + "rl:*"));

        var ttl = await redis.GetDatabase().KeyTimeToLiveAsync(key);
        await Task.Delay(ttl!.Value + TimeSpan.FromMilliseconds(100));

        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(2001));
        Assert.Empty(server.Keys(pattern: _prefix + "rl:*"));
    }

    public void Dispose()
    {
        using (var redis = RedisKit.Connect())
        {
            var server = redis.GetServers()[0];
            var db = redis.GetDatabase();
            foreach (var key in server.Keys(pattern: _prefix + "*"))
            {
                db.KeyDelete(key);
            }
        }

        foreach (var c in _connections)
        {
            c.Dispose();
        }
    }
}
