using System.Globalization;
using Polysim.ClobApi.Api.RateLimiting;
using StackExchange.Redis;

namespace Polysim.ClobApi.Redis;

/// <summary>Rate limits in Redis: one Lua GCRA script per request, on Redis's own clock, so every server process sharing
/// the Redis enforces one limit.</summary>
/// <remarks>
/// <para>The same algorithm as <see cref="InProcessRateLimitStore"/> (one theoretical arrival time per bucket and rule,
/// a request allowed when every rule's TAT pushed one interval on is at most one period ahead), but the script reads
/// <c>TIME</c> on the Redis server, in microseconds, so processes whose clocks disagree still share one schedule. All the
/// rules of a bucket are decided in the one script call, so a request is counted under every rule or under none. A TAT
/// is stored only when the request is allowed, with a TTL that ends when it falls into the past (an absent key and a
/// past TAT mean the same thing), so idle buckets cost no memory.</para>
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
    // ARGV[2i-1], ARGV[2i]: period and emission interval of rule i in µs. Returns {allowed, now, tat_1, ..., tat_n}.
    private const string GcraScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local n = #KEYS
        local tats = {}
        local allowed = 1
        for i = 1, n do
          local period = tonumber(ARGV[2 * i - 1])
          local interval = tonumber(ARGV[2 * i])
          local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
          if tat < now then tat = now end
          tats[i] = tat
          if tat + interval - now > period then allowed = 0 end
        end
        local reply = {allowed, now}
        for i = 1, n do
          local tat = tats[i]
          if allowed == 1 then
            tat = tat + tonumber(ARGV[2 * i])
            redis.call('SET', KEYS[i], string.format('%.0f', tat), 'PX', math.floor((tat - now) / 1000) + 1)
          end
          reply[i + 2] = tat
        end
        return reply
        """;

    private const int MaxPrepared = 100_000;

    private readonly InProcessRateLimitStore _fallback = new(time);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Prepared> _prepared = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public async ValueTask<RateLimitDecision> AcquireAsync(string bucket, IReadOnlyList<RateLimitRule> rules, CancellationToken cancellationToken = default)
    {
        if (rules.Count == 0)
        {
            return new RateLimitDecision(true, []);
        }

        var (keys, args) = Prepare(bucket, rules);
        RedisResult result;
        try
        {
            result = await redis.Database.ScriptEvaluateAsync(GcraScript, keys, args);
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

        var allowed = (long)result[0] == 1;
        var now = (long)result[1];
        var windows = new RateLimitWindow[rules.Count];
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var (period, interval) = Shape(rule);
            var tat = (long)result[i + 2];
            var remaining = (int)Math.Clamp((now + period - tat) / interval, 0, rule.Limit);
            var retry = allowed ? 0 : Math.Max(0, tat + interval - period - now);
            windows[i] = new RateLimitWindow(rule, remaining, Micros(tat - now), Micros(retry));
        }

        return new RateLimitDecision(allowed, windows);
    }

    // The script's keys and arguments depend only on the bucket and the rules, which repeat request after request (the
    // limiter passes one rule array per tier): built once per bucket and reused, since the client only reads them.
    private (RedisKey[] Keys, RedisValue[] Args) Prepare(string bucket, IReadOnlyList<RateLimitRule> rules)
    {
        if (_prepared.TryGetValue(bucket, out var cached) && ReferenceEquals(cached.Rules, rules))
        {
            return (cached.Keys, cached.Args);
        }

        var keys = new RedisKey[rules.Count];
        var args = new RedisValue[rules.Count * 2];
        for (var i = 0; i < rules.Count; i++)
        {
            var (period, interval) = Shape(rules[i]);
            keys[i] = redis.Options.KeyPrefix + "rl:{" + bucket + "}:" + period.ToString(CultureInfo.InvariantCulture);
            args[2 * i] = period;
            args[(2 * i) + 1] = interval;
        }

        if (_prepared.Count >= MaxPrepared)
        {
            _prepared.Clear();
        }

        _prepared[bucket] = new Prepared(rules, keys, args);
        return (keys, args);
    }

    // Microseconds, the resolution of Redis TIME.
    private static (long Period, long Interval) Shape(RateLimitRule rule)
    {
        var period = Math.Max(1, rule.Period.Ticks / TimeSpan.TicksPerMicrosecond);
        return (period, Math.Max(1, period / Math.Max(1, rule.Limit)));
    }

    private static TimeSpan Micros(long value) => TimeSpan.FromTicks(value * TimeSpan.TicksPerMicrosecond);
}

/// <summary>The keys and arguments of one bucket's script call, for the rules they were built from.</summary>
internal sealed record Prepared(IReadOnlyList<RateLimitRule> Rules, RedisKey[] Keys, RedisValue[] Args);
