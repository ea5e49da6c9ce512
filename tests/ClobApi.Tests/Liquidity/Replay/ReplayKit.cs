using Microsoft.Extensions.Time.Testing;
using Polysim.ClobApi.Liquidity;
using Polysim.ClobApi.Liquidity.Replay;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.Liquidity.Replay;

/// <summary>A sink that records what it was handed, and the data time the clock showed at that moment.</summary>
public sealed class RecordingSink : IReplaySink
{
    public List<ReplayEvent> Events { get; } = [];

    /// <summary>Data time at each delivery (when a clock reader is set).</summary>
    public List<long> DataTimes { get; } = [];

    public Func<long>? DataNow { get; set; }

    public int Withdrawals { get; private set; }

    public BookFreshness Freshness { get; set; } = BookFreshness.Fresh;

    public void OnEvent(IMarketVenue venue, ReplayEvent e)
    {
        Events.Add(e);
        if (DataNow is { } now)
        {
            DataTimes.Add(now());
        }
    }

    public void Withdraw(IMarketVenue venue) => Withdrawals++;
}

/// <summary>Builders and drivers of the replay tests.</summary>
public static class ReplayKit
{
    /// <summary>2026-01-01T00:00:00Z in Unix ms: the host time every test starts at.</summary>
    public const long WallStartMs = 1_767_225_600_000;

    /// <summary>Data time of the first event (a day before the host start, so the two clocks never coincide).</summary>
    public const long DataStartNs = (WallStartMs - 86_400_000) * 1_000_000;

    public const long Ms = 1_000_000;
    public const long Second = 1_000 * Ms;

    public static FakeTimeProvider NewTime() => new(DateTimeOffset.FromUnixTimeMilliseconds(WallStartMs));

    public static EngineVenue NewVenue() => new(new Engine());

    public static ReplayEvent Event(long tsNs, ReplayEventKind kind = ReplayEventKind.Level, long seq = 0, int price = 5_000) => new()
    {
        TsNs = tsNs,
        Seq = seq,
        ConditionId = "0x01",
        Kind = kind,
        Price = price,
        Size = 10_000_000,
    };

    /// <summary>One level event every <paramref name="stepNs"/> from <see cref="DataStartNs"/> for <paramref name="count"/> events; Seq numbers them.</summary>
    public static List<ReplayEvent> Every(long stepNs, int count) =>
        [.. Enumerable.Range(0, count).Select(i => Event(DataStartNs + (i * stepNs), seq: i))];

    public static long Now(this FakeTimeProvider time) => VirtualClock.WallMs(time);

    /// <summary>Drives the source as a host would: moves host time to its next wake-up and advances it, while it is running.</summary>
    /// <returns>How many advances it took.</returns>
    public static int RunWhileRunning(this ReplaySource source, FakeTimeProvider time, IMarketVenue venue, int maxAdvances = 1_000_000)
    {
        var advances = 0;
        while (source.State == ReplayState.Running)
        {
            var wake = source.NextWakeMs;
            Assert.True(wake != long.MaxValue, "a running replay must name its next wake-up");
            if (wake > time.Now())
            {
                time.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(wake));
            }

            source.Advance(venue, time.Now());
            Assert.True(++advances <= maxAdvances, $"still running after {maxAdvances} advances");
        }

        return advances;
    }
}
