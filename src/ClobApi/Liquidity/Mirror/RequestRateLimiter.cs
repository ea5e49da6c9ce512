namespace Polysim.ClobApi.Liquidity.Mirror;

/// <summary>Which public Polymarket API a base URL serves (the limits differ).</summary>
public enum PolymarketApi : byte
{
    /// <summary>Gamma (discovery).</summary>
    Gamma = 1,

    /// <summary>CLOB REST (books).</summary>
    Clob,

    /// <summary>Data API (trades).</summary>
    Data,
}

/// <summary>A published limit: requests per 10 s on one API, for a path (or the whole API when <see cref="Path"/> is empty).</summary>
/// <param name="Api">The API.</param>
/// <param name="Path">Exact path ("/book"), or "" for the API's general limit.</param>
/// <param name="PerTenSeconds">Published requests per 10 s.</param>
public sealed record RateRule(PolymarketApi Api, string Path, int PerTenSeconds);

/// <summary>Token buckets per API host and endpoint that keep the mirror at a fraction (default 50 %) of Polymarket's published limits.</summary>
/// <remarks>
/// Polymarket throttles through Cloudflare (requests are delayed, not refused), so overload shows up as latency; the mirror
/// stays well under instead. Each request takes one token from its API's general bucket and one from its endpoint's bucket
/// (GCRA, reserved in arrival order). A bucket of budget B (= fraction × limit) allows a burst of B/10 and refills the
/// rest over 11 s, so any 10 s window — even with timers firing up to a second late — holds at most B requests.
/// Time comes from a <see cref="TimeProvider"/>, so tests run it on a fake clock.
/// </remarks>
public sealed class RequestRateLimiter
{
    /// <summary>Published limits per 10 s (docs.polymarket.com/api-reference/rate-limits; research §3.3).</summary>
    public static readonly IReadOnlyList<RateRule> PolymarketLimits =
    [
        new(PolymarketApi.Gamma, "", 4_000),
        new(PolymarketApi.Gamma, "/events", 500),
        new(PolymarketApi.Gamma, "/markets", 300),
        // Not in the §3.3 table: budgeted like the tightest Gamma listing.
        new(PolymarketApi.Gamma, "/public-search", 300),
        new(PolymarketApi.Clob, "", 9_000),
        new(PolymarketApi.Clob, "/book", 1_500),
        new(PolymarketApi.Clob, "/books", 500),
        new(PolymarketApi.Clob, "/price", 1_500),
        new(PolymarketApi.Clob, "/midpoint", 1_500),
        new(PolymarketApi.Clob, "/prices-history", 1_000),
        new(PolymarketApi.Clob, "/tick-size", 200),
        new(PolymarketApi.Data, "", 1_000),
        new(PolymarketApi.Data, "/trades", 200),
    ];

    private static readonly TimeSpan Refill = TimeSpan.FromSeconds(11);

    private readonly TimeProvider _time;
    private readonly long _start;
    private readonly Lock _lock = new();
    private readonly List<(string Prefix, PolymarketApi Api)> _bases = [];
    private readonly Dictionary<(PolymarketApi, string), Bucket> _buckets = [];
    private readonly List<long> _waiters = [];
    private long _admitted;

    /// <summary>A limiter at <paramref name="fraction"/> of <paramref name="rules"/> (default: Polymarket's published limits).</summary>
    public RequestRateLimiter(TimeProvider? time = null, double fraction = 0.5, IReadOnlyList<RateRule>? rules = null)
    {
        _time = time ?? TimeProvider.System;
        _start = _time.GetTimestamp();
        foreach (var rule in rules ?? PolymarketLimits)
        {
            var budget = Math.Max(2, (int)Math.Floor(rule.PerTenSeconds * fraction));
            var burst = Math.Max(1, budget / 10);
            var interval = Refill.Ticks / Math.Max(1, budget - burst);
            _buckets[(rule.Api, rule.Path)] = new Bucket(budget, interval, interval * (burst - 1));
        }
    }

    /// <summary>Requests let through so far.</summary>
    public long Admitted => Interlocked.Read(ref _admitted);

    /// <summary>The budget (requests per 10 s) of an API's endpoint, or of the API when <paramref name="path"/> is "".</summary>
    public int Budget(PolymarketApi api, string path) => _buckets.TryGetValue((api, path), out var b) ? b.Budget : 0;

    /// <summary>Declares that URLs under <paramref name="baseUrl"/> belong to <paramref name="api"/> (the fake in tests, the real host otherwise).</summary>
    public void Register(Uri baseUrl, PolymarketApi api)
    {
        lock (_lock)
        {
            _bases.Add((baseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/'), api));
            _bases.Sort((a, b) => b.Prefix.Length.CompareTo(a.Prefix.Length));
        }
    }

    /// <summary>Waits until a request to <paramref name="uri"/> fits the budgets, then counts it.</summary>
    public async ValueTask AcquireAsync(Uri uri, CancellationToken ct)
    {
        long admitAt;
        long wait;
        lock (_lock)
        {
            var now = Now();
            var buckets = BucketsFor(uri);
            admitAt = now;
            foreach (var b in buckets)
            {
                admitAt = Math.Max(admitAt, Math.Max(b.Tat, now) - b.Tolerance);
            }

            foreach (var b in buckets)
            {
                b.Tat = Math.Max(b.Tat, admitAt) + b.Interval;
            }

            wait = admitAt - now;
            if (wait > 0)
            {
                _waiters.Add(admitAt);
            }
        }

        if (wait > 0)
        {
            try
            {
                // Re-read the clock each time: it may have moved between the reservation and the timer's creation.
                while (admitAt - Now() is var remaining && remaining > 0)
                {
                    // Whole milliseconds, rounded up: timers truncate below 1 ms, and a zero delay would spin.
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(remaining / (double)TimeSpan.TicksPerMillisecond)), _time, ct);
                }
            }
            finally
            {
                lock (_lock)
                {
                    _waiters.Remove(admitAt);
                }
            }
        }

        Interlocked.Increment(ref _admitted);
    }

    /// <summary>Callers waiting, and the earliest time one is due (ticks since the limiter started; long.MaxValue when none).</summary>
    /// <remarks>For tests on a fake clock: advance to <c>Due</c> once every worker waits.</remarks>
    public (int Waiting, TimeSpan Due, TimeSpan Now) Pending()
    {
        lock (_lock)
        {
            var due = _waiters.Count == 0 ? TimeSpan.MaxValue : TimeSpan.FromTicks(_waiters.Min());
            return (_waiters.Count, due, TimeSpan.FromTicks(Now()));
        }
    }

    private long Now() => _time.GetElapsedTime(_start).Ticks;

    private List<Bucket> BucketsFor(Uri uri)
    {
        var url = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        var result = new List<Bucket>(2);
        foreach (var (prefix, api) in _bases)
        {
            if (url.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && (url.Length == prefix.Length || url[prefix.Length] == '/'))
            {
                var path = url.Length == prefix.Length ? "/" : url[prefix.Length..];
                if (_buckets.TryGetValue((api, ""), out var general))
                {
                    result.Add(general);
                }

                if (_buckets.TryGetValue((api, path), out var endpoint))
                {
                    result.Add(endpoint);
                }

                return result;
            }
        }

        // An unregistered host still gets a budget: the tightest general one, per host.
        var key = (PolymarketApi.Data, "host:" + uri.GetLeftPart(UriPartial.Authority));
        if (!_buckets.TryGetValue(key, out var other))
        {
            var template = _buckets[(PolymarketApi.Data, "")];
            other = new Bucket(template.Budget, template.Interval, template.Tolerance);
            _buckets[key] = other;
        }

        result.Add(other);
        return result;
    }

    private sealed class Bucket(int budget, long interval, long tolerance)
    {
        public int Budget { get; } = budget;

        public long Interval { get; } = interval;

        public long Tolerance { get; } = tolerance;

        /// <summary>Theoretical arrival time of the next request (GCRA), ticks since start.</summary>
        public long Tat { get; set; }
    }
}

/// <summary>Puts every request of an <see cref="HttpClient"/> through a <see cref="RequestRateLimiter"/>.</summary>
/// <param name="limiter">The shared limiter.</param>
/// <param name="inner">The transport.</param>
/// <param name="networkTimeout">Timeout of the request once admitted (the wait for the budget is not counted; default 30 s).</param>
/// <remarks>Give the <see cref="HttpClient"/> an infinite timeout: its own timeout would also count the time queued for the budget.</remarks>
public sealed class RateLimitedHandler(RequestRateLimiter limiter, HttpMessageHandler inner, TimeSpan? networkTimeout = null) : DelegatingHandler(inner)
{
    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await limiter.AcquireAsync(request.RequestUri!, cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(networkTimeout ?? TimeSpan.FromSeconds(30));
        return await base.SendAsync(request, timeout.Token);
    }
}
