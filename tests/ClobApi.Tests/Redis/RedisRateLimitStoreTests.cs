using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
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

    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private RedisRateLimitStore NewStore(TimeSpan? lease = null, TimeProvider? time = null)
    {
        var options = new RedisOptions { ConnectionString = RedisKit.ConnectionString, KeyPrefix = _prefix };
        if (lease is { } l)
        {
            options = options with { RateLimitLease = l };
        }

        var connection = new RedisConnection(options, NullLogger<RedisConnection>.Instance);
        _connections.Add(connection);
        return new RedisRateLimitStore(connection, time ?? TimeProvider.System);
    }

    // Connected and the script loaded, so timed loops measure requests, not the connect.
    private async Task<RedisRateLimitStore> NewWarmStoreAsync(TimeSpan? lease = null, TimeProvider? time = null)
    {
        var store = NewStore(lease, time);
        await store.AcquireAsync("warm-up", [new RateLimitRule(1, Second)]);
        return store;
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

    [Fact]
    public async Task A_key_under_400_requests_per_period_makes_one_Redis_call_per_request_however_busy()
    {
        var store = await NewWarmStoreAsync();
        RateLimitRule[] rules = [new(399, Second), new(1_000_000, Minute)];

        var before = store.RedisCalls;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var requests = 0;
        while (sw.Elapsed < TimeSpan.FromMilliseconds(300))
        {
            await store.AcquireAsync("modest", rules);
            requests++;
        }

        Assert.Equal(requests, store.RedisCalls - before);
    }

    // The lease's clock is the process's (the limit itself runs on Redis's): on a fake one these tests see exactly the request
    // rate they make, however slowly a busy machine runs them. Each request advances it by 0.1 ms, 10,000 requests a second.
    private static readonly TimeSpan Step = TimeSpan.FromTicks(TimeSpan.TicksPerMillisecond / 10);

    [Fact]
    public async Task A_busy_key_takes_slots_ahead_in_one_call_and_spends_them_before_calling_again()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = await NewWarmStoreAsync(time: time);
        RateLimitRule[] rules = [new(1_000_000, Second), new(60_000_000, Minute)];

        var before = store.RedisCalls;
        const int requests = 3_000;
        for (var i = 0; i < requests; i++)
        {
            Assert.True((await store.AcquireAsync("busy", rules)).Allowed);
            time.Advance(Step);
        }

        var calls = store.RedisCalls - before;
        Assert.True(calls * 2 < requests, $"{calls} Redis calls for {requests} requests");
    }

    [Fact]
    public async Task Slots_a_process_took_ahead_lapse_after_two_lease_windows_unused()
    {
        var lease = TimeSpan.FromMilliseconds(10);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = await NewWarmStoreAsync(lease, time);
        RateLimitRule[] rules = [new(1_000_000, Second), new(60_000_000, Minute)];
        for (var i = 0; i < 2_500; i++)
        {
            await store.AcquireAsync("lapse", rules);
            time.Advance(Step);
        }

        // Up to the next call that takes slots ahead; the request after it spends one of them without a call.
        var calls = store.RedisCalls;
        while (store.RedisCalls == calls)
        {
            await store.AcquireAsync("lapse", rules);
            time.Advance(Step);
        }

        calls = store.RedisCalls;
        await store.AcquireAsync("lapse", rules);
        Assert.Equal(calls, store.RedisCalls);

        time.Advance((2 * lease) + Step);
        await store.AcquireAsync("lapse", rules);

        Assert.Equal(calls + 1, store.RedisCalls);
    }

    [Fact]
    public async Task Two_processes_taking_slots_ahead_never_admit_more_than_one_limit_between_them()
    {
        const int limit = 2_000;
        var first = await NewWarmStoreAsync();
        var second = await NewWarmStoreAsync();
        RateLimitRule[] rules = [new(limit, Second), new(60_000_000, Minute)];

        var sw = System.Diagnostics.Stopwatch.StartNew();
        async Task<int> OfferAsync(RedisRateLimitStore store)
        {
            var admitted = 0;
            while (sw.Elapsed < TimeSpan.FromMilliseconds(1500))
            {
                admitted += (await store.AcquireAsync("two", rules)).Allowed ? 1 : 0;
            }

            return admitted;
        }

        var counts = await Task.WhenAll(Task.Run(() => OfferAsync(first)), Task.Run(() => OfferAsync(second)));
        var elapsed = sw.Elapsed.TotalSeconds;
        var total = counts.Sum();

        // One GCRA limit admits its burst (one period's worth) plus one request per interval after; the calls all fell
        // inside the measured time, so Redis's own span was no longer.
        var bound = limit * (1 + elapsed);
        Assert.True(total <= bound + 1, $"admitted {total} in {elapsed:F3} s; one limit admits at most {bound:F0}");
        Assert.True(total >= limit * 1.5, $"admitted only {total} in {elapsed:F3} s");
        Assert.All(counts, c => Assert.True(c > 0));
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
