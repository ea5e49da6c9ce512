using System.Collections.Concurrent;

namespace Polysim.ClobApi.Api.RateLimiting;

/// <summary>Rate-limit counters in this process: the generic cell rate algorithm (GCRA), one arrival time per bucket and rule.</summary>
/// <remarks>
/// A rule of <c>L</c> requests per period <c>P</c> spaces requests <c>T = P / L</c> apart and tolerates a burst of
/// <c>L</c>: a request is allowed when the bucket's theoretical arrival time, pushed one interval on, is no more than
/// <c>P</c> ahead of now. Unlike fixed windows there is no doubled burst at a window edge. Time comes from the injected
/// <see cref="TimeProvider"/>'s monotonic timestamp, so tests drive it with a fake clock.
/// </remarks>
public sealed class InProcessRateLimitStore : IRateLimitStore
{
    private const int SweepEvery = 4_096;

    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private int _sinceSweep;

    /// <summary>Creates an empty store reading <paramref name="time"/>.</summary>
    public InProcessRateLimitStore(TimeProvider time)
    {
        _time = time;
        _origin = time.GetTimestamp();
    }

    /// <summary>Buckets currently held (for tests and diagnostics).</summary>
    public int BucketCount => _buckets.Count;

    /// <inheritdoc />
    public ValueTask<RateLimitDecision> AcquireAsync(string bucket, IReadOnlyList<RateLimitRule> rules, CancellationToken cancellationToken = default)
    {
        if (rules.Count == 0)
        {
            return ValueTask.FromResult(new RateLimitDecision(true, []));
        }

        var now = _time.GetElapsedTime(_origin).Ticks;
        if (Interlocked.Increment(ref _sinceSweep) >= SweepEvery)
        {
            Interlocked.Exchange(ref _sinceSweep, 0);
            Sweep(now);
        }

        while (true)
        {
            var state = _buckets.GetOrAdd(bucket, static _ => new Bucket());
            lock (state)
            {
                // A sweep may have dropped this bucket between the lookup and the lock; start again on a live one.
                if (state.Removed)
                {
                    continue;
                }

                return ValueTask.FromResult(Decide(state, rules, now));
            }
        }
    }

    private static RateLimitDecision Decide(Bucket state, IReadOnlyList<RateLimitRule> rules, long now)
    {
        var allowed = true;
        Span<long> next = rules.Count <= 8 ? stackalloc long[rules.Count] : new long[rules.Count];
        for (var i = 0; i < rules.Count; i++)
        {
            var (period, interval) = Shape(rules[i]);
            var tat = Math.Max(state.ArrivalTime(period), now);
            next[i] = tat + interval;
            allowed &= next[i] - now <= period;
        }

        var windows = new RateLimitWindow[rules.Count];
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var (period, interval) = Shape(rule);
            long tat;
            if (allowed)
            {
                tat = next[i];
                state.Arrivals[period] = tat;
            }
            else
            {
                tat = Math.Max(state.ArrivalTime(period), now);
            }

            var remaining = (int)Math.Clamp((now + period - tat) / interval, 0, rule.Limit);
            var retry = allowed ? 0 : Math.Max(0, tat + interval - period - now);
            windows[i] = new RateLimitWindow(rule, remaining, TimeSpan.FromTicks(tat - now), TimeSpan.FromTicks(retry));
        }

        if (allowed)
        {
            state.LastArrival = Math.Max(state.LastArrival, MaxOf(next));
        }

        return new RateLimitDecision(allowed, windows);
    }

    private static (long Period, long Interval) Shape(RateLimitRule rule)
    {
        var period = Math.Max(1, rule.Period.Ticks);
        return (period, Math.Max(1, period / Math.Max(1, rule.Limit)));
    }

    private static long MaxOf(ReadOnlySpan<long> values)
    {
        var max = long.MinValue;
        foreach (var v in values)
        {
            max = Math.Max(max, v);
        }

        return max;
    }

    private void Sweep(long now)
    {
        foreach (var (key, state) in _buckets)
        {
            lock (state)
            {
                // Every arrival time in the past means the bucket is as good as new: forgetting it changes no answer.
                if (state.LastArrival <= now)
                {
                    state.Removed = true;
                    _buckets.TryRemove(new KeyValuePair<string, Bucket>(key, state));
                }
            }
        }
    }

    private sealed class Bucket
    {
        public Dictionary<long, long> Arrivals { get; } = [];

        public long LastArrival { get; set; }

        public bool Removed { get; set; }

        public long ArrivalTime(long period) => Arrivals.GetValueOrDefault(period, long.MinValue);
    }
}
