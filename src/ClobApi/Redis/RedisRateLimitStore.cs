using System.Globalization;
using Polysim.ClobApi.Api.RateLimiting;
using StackExchange.Redis;

namespace Polysim.ClobApi.Redis;

/// <summary>Rate limits in Redis: a Lua GCRA script on Redis's own clock, so every server process sharing the Redis
/// enforces one limit; a busy key's calls take a few requests' worth of slots at once.</summary>
/// <remarks>
/// <para>The same algorithm as <see cref="InProcessRateLimitStore"/> (one theoretical arrival time per bucket and rule,
/// a request allowed when every rule's TAT pushed one interval on is at most one period ahead), but the script reads
/// <c>TIME</c> on the Redis server, in microseconds, so processes whose clocks disagree still share one schedule. All the
/// rules of a bucket are decided in the one script call, so a request is counted under every rule or under none. A TAT
/// is stored only when the request is allowed, with a TTL that ends when it falls into the past (an absent key and a
/// past TAT mean the same thing), so idle buckets cost no memory.</para>
/// <para>Leases: one script call may ask for several slots, and gets as many as every rule has room for right now (at
/// most what was asked); the slots past the first are spent by this process's next requests on the bucket, for at most
/// two lease windows (<see cref="RedisOptions.RateLimitLease"/>), then dropped. It asks for the bucket's arrivals of one
/// lease window at the rate it saw in the last 100 ms, and never for more than 0.5 % of a rule's limit, so a quiet or
/// modest key (under 400 requests per period of its tightest rule) makes exactly one call per request, and a busy one
/// makes about one call per lease window. The cost, bounded: a process may hold up to 0.5 % of a limit that
/// Redis already counted, so several processes can exceed one period's allowance by that much each, or leave it unused
/// when the key falls quiet; every grant itself still comes from the one schedule in Redis.</para>
/// <para>Outage: under <see cref="RedisOutagePolicy.FailOpen"/> every request falls back to this process's own limiter;
/// under <see cref="RedisOutagePolicy.FailClosed"/> the call throws 503 SERVICE_UNAVAILABLE carrying that fallback decision
/// (<see cref="FallbackDecisionKey"/>), which <see cref="RequestRateLimiter"/> uses for reads (GET, HEAD, OPTIONS), so they
/// keep working while writes are refused.</para>
/// </remarks>
public sealed class RedisRateLimitStore(RedisConnection redis, TimeProvider time) : IRateLimitStore
{
    /// <summary>Where a fail-closed outage's 503 carries this process's own decision (<see cref="RateLimitDecision"/>), for reads.</summary>
    public const string FallbackDecisionKey = "polysim.rate_limit_fallback";

    // KEYS[i]: the TAT of rule i (µs since the Unix epoch; doubles hold such integers exactly until 2255).
    // ARGV[1]: slots wanted; ARGV[2i], ARGV[2i+1]: period and emission interval of rule i in µs.
    // Returns {granted, now, tat_1, ..., tat_n}: granted is 0 when some rule has no room (nothing is counted then).
    private const string GcraScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local n = #KEYS
        local grant = tonumber(ARGV[1])
        local tats = {}
        for i = 1, n do
          local period = tonumber(ARGV[2 * i])
          local interval = tonumber(ARGV[2 * i + 1])
          local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
          if tat < now then tat = now end
          tats[i] = tat
          local room = math.floor((now + period - tat) / interval)
          if room < grant then grant = room end
        end
        if grant < 0 then grant = 0 end
        local reply = {grant, now}
        for i = 1, n do
          local tat = tats[i]
          if grant > 0 then
            tat = tat + grant * tonumber(ARGV[2 * i + 1])
            redis.call('SET', KEYS[i], string.format('%.0f', tat), 'PX', math.floor((tat - now) / 1000) + 1)
          end
          reply[i + 2] = tat
        end
        return reply
        """;

    private const int MaxPrepared = 100_000;

    // A lease never takes more than this share of a rule's limit (1 / 200 = 0.5 %).
    private const int LeaseShareDivisor = 200;

    private readonly InProcessRateLimitStore _fallback = new(time);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Prepared> _prepared = new(StringComparer.Ordinal);
    private readonly long _leaseTicks = (long)(redis.Options.RateLimitLease.TotalSeconds * time.TimestampFrequency);
    private readonly long _rateTicks = time.TimestampFrequency / 10;
    private long _calls;

    /// <summary>Script calls made to Redis so far (diagnostics and tests).</summary>
    public long RedisCalls => Interlocked.Read(ref _calls);

    /// <inheritdoc />
    public async ValueTask<RateLimitDecision> AcquireAsync(string bucket, IReadOnlyList<RateLimitRule> rules, CancellationToken cancellationToken = default)
    {
        if (rules.Count == 0)
        {
            return new RateLimitDecision(true, []);
        }

        var prepared = Prepare(bucket, rules);
        int want;
        lock (prepared)
        {
            var now = time.GetTimestamp();
            if (prepared.TakeLeased(now, _rateTicks) is { } leased)
            {
                return leased;
            }

            want = Want(prepared, rules);
        }

        RedisResult result;
        try
        {
            Interlocked.Increment(ref _calls);
            result = await redis.Database.ScriptEvaluateAsync(GcraScript, prepared.Keys, want == 1 ? prepared.Args : prepared.ArgsWanting(want));
        }
        catch (Exception ex) when (RedisConnection.IsOutage(ex))
        {
            redis.ReportOutage(ex, "rate limit");
            var fallback = await _fallback.AcquireAsync(bucket, rules, cancellationToken);
            if (redis.Options.OnOutage == RedisOutagePolicy.FailClosed)
            {
                // The caller decides: RequestRateLimiter lets a read go on with the fallback decision; anything else
                // renders the 503.
                var unavailable = RedisConnection.Unavailable();
                unavailable.Data[FallbackDecisionKey] = fallback;
                throw unavailable;
            }

            return fallback;
        }

        var granted = (int)(long)result[0];
        var allowed = granted > 0;
        var redisNow = (long)result[1];
        var windows = new RateLimitWindow[rules.Count];
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var (period, interval) = Shape(rule);
            var tat = (long)result[i + 2];
            var remaining = (int)Math.Clamp((redisNow + period - tat) / interval, 0, rule.Limit);
            var retry = allowed ? 0 : Math.Max(0, tat + interval - period - redisNow);
            windows[i] = new RateLimitWindow(rule, remaining, Micros(tat - redisNow), Micros(retry));
        }

        if (granted > 1)
        {
            lock (prepared)
            {
                prepared.Lease(windows, granted - 1, time.GetTimestamp() + (2 * _leaseTicks));
            }

            // This request's own view: the slots this process holds are still free for the key.
            return new RateLimitDecision(true, Prepared.WithExtra(windows, granted - 1));
        }

        return new RateLimitDecision(allowed, windows);
    }

    // The bucket's arrivals in one lease window at the rate of the last 100 ms, within 1 and 0.5 % of every rule's limit.
    private int Want(Prepared prepared, IReadOnlyList<RateLimitRule> rules)
    {
        if (_leaseTicks <= 0)
        {
            return 1;
        }

        var cap = int.MaxValue;
        foreach (var rule in rules)
        {
            cap = Math.Min(cap, rule.Limit / LeaseShareDivisor);
        }

        if (cap <= 1)
        {
            return 1;
        }

        var expected = (prepared.RecentArrivals * _leaseTicks + _rateTicks - 1) / _rateTicks;
        return (int)Math.Clamp(expected, 1, cap);
    }

    // The script's keys and arguments depend only on the bucket and the rules, which repeat request after request (the
    // limiter passes one rule array per tier): built once per bucket and reused, since the client only reads them.
    private Prepared Prepare(string bucket, IReadOnlyList<RateLimitRule> rules)
    {
        if (_prepared.TryGetValue(bucket, out var cached) && ReferenceEquals(cached.Rules, rules))
        {
            return cached;
        }

        var keys = new RedisKey[rules.Count];
        var args = new RedisValue[(rules.Count * 2) + 1];
        args[0] = 1;
        for (var i = 0; i < rules.Count; i++)
        {
            var (period, interval) = Shape(rules[i]);
            keys[i] = redis.Options.KeyPrefix + "rl:{" + bucket + "}:" + period.ToString(CultureInfo.InvariantCulture);
            args[(2 * i) + 1] = period;
            args[(2 * i) + 2] = interval;
        }

        if (_prepared.Count >= MaxPrepared)
        {
            _prepared.Clear();
        }

        var prepared = new Prepared(rules, keys, args);
        _prepared[bucket] = prepared;
        return prepared;
    }

    // Microseconds, the resolution of Redis TIME.
    private static (long Period, long Interval) Shape(RateLimitRule rule)
    {
        var period = Math.Max(1, rule.Period.Ticks / TimeSpan.TicksPerMicrosecond);
        return (period, Math.Max(1, period / Math.Max(1, rule.Limit)));
    }

    private static TimeSpan Micros(long value) => TimeSpan.FromTicks(value * TimeSpan.TicksPerMicrosecond);
}

/// <summary>One bucket's script keys and arguments for the rules they were built from, its arrival count and the slots
/// this process holds on it; guarded by locking the instance.</summary>
internal sealed class Prepared(IReadOnlyList<RateLimitRule> rules, RedisKey[] keys, RedisValue[] args)
{
    private RateLimitWindow[]? _leasedWindows;
    private int _leasedSlots;
    private long _leaseEnds;
    private long _countStart;
    private int _count;
    private int _previousCount;

    public IReadOnlyList<RateLimitRule> Rules => rules;

    public RedisKey[] Keys => keys;

    /// <summary>The arguments asking for one slot.</summary>
    public RedisValue[] Args => args;

    /// <summary>Arrivals counted in the last whole 100 ms.</summary>
    public int RecentArrivals => _previousCount;

    /// <summary>The arguments asking for <paramref name="want"/> slots.</summary>
    public RedisValue[] ArgsWanting(int want)
    {
        var copy = (RedisValue[])args.Clone();
        copy[0] = want;
        return copy;
    }

    /// <summary>Counts an arrival; spends one held slot if a live one is left, returning the decision.</summary>
    public RateLimitDecision? TakeLeased(long now, long rateTicks)
    {
        var elapsed = now - _countStart;
        if (elapsed >= rateTicks)
        {
            _previousCount = elapsed < 2 * rateTicks ? _count : 0;
            _count = 0;
            _countStart = now;
        }

        _count++;
        if (_leasedSlots <= 0 || now >= _leaseEnds || _leasedWindows is null)
        {
            _leasedSlots = 0;
            return null;
        }

        _leasedSlots--;
        return new RateLimitDecision(true, WithExtra(_leasedWindows, _leasedSlots));
    }

    /// <summary>Holds <paramref name="slots"/> more slots (Redis's view after granting them is <paramref name="windows"/>) until <paramref name="ends"/>.</summary>
    public void Lease(RateLimitWindow[] windows, int slots, long ends)
    {
        _leasedWindows = windows;
        _leasedSlots = Math.Max(0, _leasedSlots) + slots;
        _leaseEnds = ends;
    }

    /// <summary>The windows as a caller sees them while this process still holds <paramref name="held"/> slots: those are free for the key.</summary>
    public static RateLimitWindow[] WithExtra(RateLimitWindow[] windows, int held)
    {
        var copy = new RateLimitWindow[windows.Length];
        for (var i = 0; i < windows.Length; i++)
        {
            var w = windows[i];
            copy[i] = w with { Remaining = Math.Min(w.Rule.Limit, w.Remaining + held) };
        }

        return copy;
    }
}
