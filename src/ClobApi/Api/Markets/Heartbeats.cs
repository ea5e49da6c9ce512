using Polysim.ClobApi.Hosting;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Api.Markets;

/// <summary>An account armed (or re-armed) its dead-man's switch.</summary>
/// <param name="AccountId">Account.</param>
/// <param name="HeartbeatId">Id returned to the caller.</param>
/// <param name="IntervalMs">Interval asked for.</param>
/// <param name="DeadlineMs">Simulation time after which its open orders are cancelled.</param>
public sealed record HeartbeatArmed(int AccountId, string HeartbeatId, long IntervalMs, long DeadlineMs) : HostRecord;

/// <summary>An account's dead-man's switch was stopped by its owner or lapsed (its orders were then cancelled).</summary>
/// <param name="AccountId">Account.</param>
/// <param name="Lapsed">True when it lapsed, false when stopped on request.</param>
public sealed record HeartbeatDisarmed(int AccountId, bool Lapsed) : HostRecord;

/// <summary>Armed heartbeats by account; changed only by journaled records, so they survive restarts.</summary>
/// <remarks>Written on the engine thread; <see cref="EarliestDeadlineMs"/> may be read from any thread.</remarks>
public sealed class HeartbeatRegistry
{
    private readonly Dictionary<int, HeartbeatArmed> _armed = [];
    private long _earliest = long.MaxValue;

    /// <summary>The soonest deadline of any armed heartbeat (Unix ms), or <see cref="long.MaxValue"/>.</summary>
    public long EarliestDeadlineMs => Volatile.Read(ref _earliest);

    /// <summary>How many accounts have an armed heartbeat.</summary>
    public int Count => _armed.Count;

    /// <summary>The account's armed heartbeat, if any.</summary>
    public HeartbeatArmed? Find(int accountId) => _armed.GetValueOrDefault(accountId);

    /// <summary>Heartbeats whose deadline is at or before <paramref name="nowMs"/>, by account id.</summary>
    public IReadOnlyList<HeartbeatArmed> DueAt(long nowMs) =>
        [.. _armed.Values.Where(h => h.DeadlineMs <= nowMs).OrderBy(h => h.AccountId)];

    internal void Apply(HeartbeatArmed armed)
    {
        _armed[armed.AccountId] = armed;
        Recompute();
    }

    internal void Apply(HeartbeatDisarmed disarmed)
    {
        _armed.Remove(disarmed.AccountId);
        Recompute();
    }

    private void Recompute()
    {
        var earliest = long.MaxValue;
        foreach (var h in _armed.Values)
        {
            earliest = Math.Min(earliest, h.DeadlineMs);
        }

        Volatile.Write(ref _earliest, earliest);
    }
}

/// <summary>The dead-man's switch rules and the sweep that enforces them.</summary>
public static class Heartbeats
{
    /// <summary>Shortest interval accepted.</summary>
    public const long MinIntervalMs = 1_000;

    /// <summary>Longest interval accepted.</summary>
    public const long MaxIntervalMs = 60_000;

    /// <summary>Interval when the body names none: Polymarket's 10 seconds.</summary>
    public const long DefaultIntervalMs = 10_000;

    /// <summary>Extra time after the interval before orders are cancelled: max(1 s, a quarter of the interval).</summary>
    public static long GraceMs(long intervalMs) => Math.Max(1_000, intervalMs / 4);

    /// <summary>Cancels the open orders of every account whose heartbeat is overdue and disarms it; on the engine thread.</summary>
    /// <returns>How many heartbeats lapsed.</returns>
    public static int Sweep(EngineHost.WriteContext ctx)
    {
        var due = ctx.State.Heartbeats.DueAt(ctx.Now);
        foreach (var heartbeat in due)
        {
            if (ctx.State.Accounts.FindAccount(heartbeat.AccountId) is { } account)
            {
                foreach (var wallet in account.Wallets)
                {
                    if (ctx.State.Engine.GetOpenOrders(wallet.Id).Count > 0)
                    {
                        ctx.ApplyForCode(Command.CancelAll(0, 0, wallet.Id));
                    }
                }
            }

            ctx.Record(new HeartbeatDisarmed(heartbeat.AccountId, Lapsed: true));
        }

        return due.Count;
    }
}

/// <summary>Watches armed heartbeats on the injected clock and runs the sweep on the engine thread when one is overdue.</summary>
internal sealed class HeartbeatMonitor(EngineHost host, HostState state, TimeProvider time, ILogger<HeartbeatMonitor> log) : IHostedService, IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(200);
    private ITimer? _timer;
    private int _sweeping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = time.CreateTimer(_ => Check(), null, Period, Period);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    private void Check()
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds() + state.ClockOffsetMs;
        if (!host.IsReady || state.Heartbeats.EarliestDeadlineMs > now || Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        try
        {
            host.WriteAsync(Heartbeats.Sweep).ContinueWith(
                t =>
                {
                    if (t.Exception is { } ex)
                    {
                        log.LogWarning(ex.GetBaseException(), "Heartbeat sweep failed; it is retried on the next tick.");
                    }

                    Volatile.Write(ref _sweeping, 0);
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
        catch (EngineUnavailableException)
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }
}
