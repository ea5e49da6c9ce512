using System.Text;
using Microsoft.Extensions.Time.Testing;
using Polysim.ClobApi.Liquidity.Mirror;
using Xunit.Abstractions;

namespace Polysim.ClobApi.Tests.Liquidity.Mirror;

/// <summary>Research §5 test 18: the REST limiter against the loopback fake, on a fake clock (no timing flakiness).</summary>
[Trait("Mode", "Embedded")]
public sealed class RateLimiterTests(ITestOutputHelper output)
{
    /// <summary>Peak requests in any [t, t + 10 s) window.</summary>
    private static int PeakPerTenSeconds(IEnumerable<TimeSpan> times)
    {
        var sorted = times.OrderBy(t => t).ToList();
        var peak = 0;
        var start = 0;
        for (var end = 0; end < sorted.Count; end++)
        {
            while (sorted[end] - sorted[start] >= TimeSpan.FromSeconds(10))
            {
                start++;
            }

            peak = Math.Max(peak, end - start + 1);
        }

        return peak;
    }

    [Fact]
    public async Task Saturating_workers_never_exceed_half_the_published_limits_in_any_ten_second_window()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero));
        await using var fake = await FakePolymarket.StartAsync(clock);
        fake.AddMarket("0x" + new string('a', 64), "11", "12", "Rate test?");
        var limiter = new RequestRateLimiter(clock);
        limiter.Register(fake.GammaUrl, PolymarketApi.Gamma);
        limiter.Register(fake.ClobUrl, PolymarketApi.Clob);
        using var http = new HttpClient(new RateLimitedHandler(limiter, new SocketsHttpHandler())) { Timeout = Timeout.InfiniteTimeSpan };
        var clob = new ClobBookClient(http, fake.ClobUrl);
        var gamma = new GammaClient(http, fake.GammaUrl);

        // Each endpoint gets more requests than its 10 s budget, so at least one full window is saturated.
        var active = 0;
        var workers = new List<Task>();
        void Worker(int count, Func<Task> call)
        {
            Interlocked.Increment(ref active);
            workers.Add(Task.Run(async () =>
            {
                try
                {
                    for (var i = 0; i < count; i++)
                    {
                        await call();
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref active);
                }
            }));
        }

        for (var w = 0; w < 4; w++)
        {
            Worker(225, () => clob.GetBookAsync("11", CancellationToken.None));
        }

        for (var w = 0; w < 2; w++)
        {
            Worker(165, () => clob.GetBooksAsync(["11"], CancellationToken.None));
        }

        for (var w = 0; w < 2; w++)
        {
            Worker(100, () => gamma.MarketsByConditionIdsAsync(["0x" + new string('a', 64)], CancellationToken.None));
        }

        // Advance the fake clock only when every live worker waits on the limiter, straight to the next admission.
        var deadline = Environment.TickCount64 + 300_000;
        while (Volatile.Read(ref active) > 0)
        {
            Assert.True(Environment.TickCount64 < deadline, "the workers did not finish");
            var (waiting, due, now) = limiter.Pending();
            if (waiting > 0 && waiting == Volatile.Read(ref active) && due > now)
            {
                clock.Advance(due - now);
            }
            else
            {
                if (waiting > 0 && waiting == Volatile.Read(ref active))
                {
                    // A waiter that armed its timer just after an advance sleeps past its due time: nudge the clock (1 ms late at most).
                    clock.Advance(TimeSpan.FromMilliseconds(1));
                }

                await Task.Delay(1);
            }
        }

        await Task.WhenAll(workers);
        var requests = fake.Requests;
        var report = new StringBuilder();
        foreach (var (path, limit) in new[] { ("/clob/book", 1_500), ("/clob/books", 500), ("/gamma/markets", 300) })
        {
            var times = requests.Where(r => r.Path == path).Select(r => r.At).ToList();
            var peak = PeakPerTenSeconds(times);
            report.AppendLine($"{path}: {times.Count} requests over {times.Max() - times.Min()} fake time, peak {peak}/10 s = {100.0 * peak / limit:0.0} % of {limit}");
            Assert.True(peak <= limit / 2, $"{path}: peak {peak} per 10 s exceeds 50 % of {limit}");
            // And the limiter does not starve the mirror: a saturated window gets most of the budget.
            Assert.True(peak >= limit * 0.4, $"{path}: peak {peak} per 10 s is under 40 % of {limit}");
        }

        var clobAll = PeakPerTenSeconds(requests.Where(r => r.Path.StartsWith("/clob/", StringComparison.Ordinal)).Select(r => r.At));
        Assert.True(clobAll <= 9_000 / 2);
        output.WriteLine(report.ToString());
    }

    [Fact]
    public void Budgets_are_half_the_published_figures()
    {
        var limiter = new RequestRateLimiter(new FakeTimeProvider());

        Assert.Equal(750, limiter.Budget(PolymarketApi.Clob, "/book"));
        Assert.Equal(250, limiter.Budget(PolymarketApi.Clob, "/books"));
        Assert.Equal(4_500, limiter.Budget(PolymarketApi.Clob, ""));
        Assert.Equal(150, limiter.Budget(PolymarketApi.Gamma, "/markets"));
        Assert.Equal(2_000, limiter.Budget(PolymarketApi.Gamma, ""));
    }
}
