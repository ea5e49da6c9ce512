using Polysim.ClobApi.Api;
using Polysim.ClobApi.Api.Markets;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Liquidity.Hosting;

/// <summary>Runs each market's liquidity source on the engine thread, so agents' commands are journaled, published and projected like users'.</summary>
/// <remarks>
/// A timer (on the injected <see cref="TimeProvider"/>) posts one write operation whenever a source is due; that operation
/// advances every due source through a <see cref="HostVenue"/> and works out when the next one is due, so an idle server
/// posts nothing. Sources live here, not in <see cref="HostState"/>: their configuration is journaled
/// (<see cref="LiquidityConfigured"/>) and at every start, and after the state was rebuilt from a database journal, they are
/// re-created: the system agents' resting orders in those markets are cancelled first, and each new source gets a seed
/// derived from its configured seed and the engine's sequence number, so a restart is as deterministic as the journal.
/// Every member that touches sources runs on the engine thread.
/// </remarks>
public sealed class LiquidityService(
    EngineHost host,
    ILiquiditySourceFactory factory,
    LiquidityOptions options,
    Seeding.DataDirectory dataDirectory,
    TimeProvider time,
    ILogger<LiquidityService> log) : IHostedLifecycleService, IDisposable
{
    /// <summary>System accounts whose orders a source may own (the house market makers, the agents, the external book).</summary>
    public static IReadOnlyList<int> AgentAccounts { get; } =
    [
        SystemAccounts.HouseMarketMaker, SystemAccounts.SecondHouseMarketMaker, SystemAccounts.NoiseTakers,
        SystemAccounts.InformedTakers, SystemAccounts.BackgroundLiquidity, SystemAccounts.External,
    ];

    private readonly SortedDictionary<int, Slot> _slots = [];
    private readonly Dictionary<int, IReadOnlyList<ReplayEvent>> _recordings = [];
    private readonly Dictionary<int, Func<ILiquiditySource>> _mirrors = [];
    private Engine? _engineSeen;
    private ITimer? _timer;
    private int _inFlight;
    private long _nextDueWallMs = long.MaxValue;

    /// <summary>The settings the service runs with.</summary>
    public LiquidityOptions Options => options;

    /// <inheritdoc />
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        // After the demo seeder (registered before this service), so a fresh directory's demo markets start at once.
        if (!options.Enabled)
        {
            return;
        }

        // Recordings are read here, off the engine thread; a market whose recording is gone shows the error in its status.
        var replays = await host.ReadAsync(s => s.Liquidity.All.Where(c => c.Kind == LiquidityKind.Replay).ToList());
        var loaded = new Dictionary<int, IReadOnlyList<ReplayEvent>>();
        foreach (var config in replays)
        {
            try
            {
                loaded[config.MarketId] = await Task.Run(() => factory.LoadRecording(config, dataDirectory.Path), cancellationToken);
            }
            catch (ApiException ex)
            {
                log.LogWarning("Liquidity: the recording of market {Market} cannot be read: {Reason}", config.MarketId, ex.Message);
            }
        }

        var started = await host.WriteAsync(ctx =>
        {
            foreach (var (market, events) in loaded)
            {
                _recordings[market] = events;
            }

            Restore(ctx);
            return _slots.Count;
        });
        if (started > 0)
        {
            log.LogInformation("Liquidity: {Count} market(s) run a source.", started);
        }

        _timer = time.CreateTimer(_ => OnTimer(), null, options.TickInterval, options.TickInterval);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        // Agents' resting orders stay in the journal as they are; the next start cancels them before re-creating the sources.
        _timer?.Dispose();
        _timer = null;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose() => _timer?.Dispose();

    /// <summary>Sets what drives a market (engine thread): validates, withdraws the old source and the agents' orders, journals, starts the new one.</summary>
    /// <exception cref="ApiException">Unknown or resolved market, or a configuration this build cannot run; nothing changed.</exception>
    /// <param name="ctx">The engine thread's write context.</param>
    /// <param name="config">The new configuration.</param>
    /// <param name="recording">A replay's events, read beforehand off the engine thread.</param>
    public LiquidityStatus Configure(EngineHost.WriteContext ctx, LiquidityConfigured config, IReadOnlyList<ReplayEvent>? recording = null)
    {
        var market = ctx.State.Markets.ById(config.MarketId)
            ?? throw new ApiException(404, "MARKET_NOT_FOUND", $"No market with engine id {config.MarketId}.");
        if (config.Kind != LiquidityKind.None && ctx.State.Engine.GetMarket(config.MarketId) is { Status: MarketStatus.Resolved })
        {
            throw new ApiException(400, "MARKET_CLOSED", "The market is resolved; no liquidity source can run on it.");
        }

        factory.Validate(config, market, ctx.State);
        CheckEngine(ctx);
        var venue = new HostVenue(ctx);
        if (_slots.Remove(config.MarketId, out var old) && old.Source is not null)
        {
            old.Source.Withdraw(venue);
        }

        if (old?.Source is IDisposable disposable)
        {
            disposable.Dispose();
        }

        CancelAgentOrders(ctx, config.MarketId);
        ctx.Record(config);
        _recordings.Remove(config.MarketId);
        if (recording is not null)
        {
            _recordings[config.MarketId] = recording;
        }

        if (config.Kind != LiquidityKind.None && options.Enabled)
        {
            Install(ctx, config, market);
        }

        WakeIfAnySource();
        return Describe(ctx.State, market);
    }

    /// <summary>Every listed market's source and how it is doing (engine thread, e.g. inside <see cref="EngineHost.ReadAsync{T}"/>).</summary>
    public IReadOnlyList<LiquidityStatus> DescribeAll(HostState state)
    {
        var list = new List<LiquidityStatus>(state.Markets.All.Count);
        foreach (var market in state.Markets.All)
        {
            list.Add(Describe(state, market));
        }

        return list;
    }

    /// <summary>One market's source and how it is doing (engine thread).</summary>
    public LiquidityStatus Describe(HostState state, MarketListed market)
    {
        var config = state.Liquidity.Of(market.MarketId);
        _slots.TryGetValue(market.MarketId, out var slot);
        var kind = config?.Kind ?? LiquidityKind.None;
        var engineMarket = state.Engine.GetMarket(market.MarketId);
        string run;
        if (kind == LiquidityKind.None)
        {
            run = "off";
        }
        else if (!options.Enabled)
        {
            run = "disabled";
        }
        else if (slot is null)
        {
            run = "stopped";
        }
        else if (slot.Error is not null)
        {
            run = "failed";
        }
        else if (engineMarket is { Status: MarketStatus.Resolved })
        {
            run = "market_resolved";
        }
        else
        {
            run = engineMarket is { Status: MarketStatus.Active } ? "running" : "market_closed";
        }

        var wake = slot?.Source?.NextWakeMs ?? long.MaxValue;
        return new LiquidityStatus(
            market.ConditionId,
            market.MarketId,
            market.Question,
            Name(kind),
            kind == LiquidityKind.Synthetic ? config!.Preset : null,
            kind == LiquidityKind.Synthetic ? config!.Fair : null,
            kind == LiquidityKind.None ? null : config!.HouseMarketMakers,
            config?.Seed,
            slot?.Seed,
            run,
            slot?.Error,
            slot?.Commands ?? 0,
            slot?.Rejects ?? 0,
            slot?.Trades ?? 0,
            slot is null ? null : MarketViews.Iso(slot.VirtualNowMs),
            slot is null || wake == long.MaxValue ? null : MarketViews.Iso(wake),
            kind == LiquidityKind.Synthetic ? options.TimeScale : null,
            config?.RecordingPath,
            config?.RecordingFormat,
            slot?.Source switch { Replay.ReplaySource r => Lower(r.Freshness.ToString()), MirrorSource m => Lower(m.Freshness.ToString()), _ => null } ?? (kind is LiquidityKind.Replay or LiquidityKind.Mirror ? "empty" : null),
            config is null ? null : MarketViews.Iso(config.ChangedAtMs),
            slot?.Source is Synthetic.SyntheticMarket { OriginMs: > 0 } synthetic ? Math.Round(synthetic.FairProbability, 4) : null,
            slot?.Source is Replay.ReplaySource replay ? ReplayView(replay) : null,
            slot?.Source is MirrorSource mirror ? MirrorView(mirror) : null);
    }

    private static MirrorSourceStatus MirrorView(MirrorSource mirror)
    {
        var c = mirror.Counters;
        return new MirrorSourceStatus(
            mirror.EventsApplied,
            mirror.LastEventMs > 0 ? MarketViews.Iso(mirror.LastEventMs) : null,
            c.ShadowFills,
            c.PrintFills,
            c.CrossingFills,
            c.QueueAdvances,
            c.Gaps,
            c.IgnoredWhileStale);
    }

    private static ReplayStatus ReplayView(Replay.ReplaySource replay)
    {
        var position = replay.Position;
        return new ReplayStatus(
            Lower(replay.State.ToString()),
            Lower(replay.Clock.Mode.ToString()),
            double.IsFinite(replay.Clock.Speed) ? replay.Clock.Speed : null,
            position.DataTimeNs > 0 ? MarketViews.Iso(position.DataTimeNs / 1_000_000) : null,
            position.EventsConsumed,
            position.EventsRemaining);
    }

    private static string Lower(string name) => name.ToLowerInvariant();

    /// <summary>Applies an operator's replay control to a market's replay (engine thread); 409 when the market runs none.</summary>
    public LiquidityStatus ControlReplay(EngineHost.WriteContext ctx, MarketListed market, Action<Replay.ReplaySource, long> control)
    {
        if (!_slots.TryGetValue(market.MarketId, out var slot) || slot.Source is not Replay.ReplaySource replay)
        {
            throw new ApiException(409, "REPLAY_NOT_LOADED", "No replay runs on this market: load a recording first (POST /v1/admin/markets/{id}/replay).");
        }

        control(replay, ctx.Now);
        WakeIfAnySource();
        return Describe(ctx.State, market);
    }

    /// <summary>Puts a market under the live mirror (engine thread): withdraws what ran there, cancels the agents' orders,
    /// journals the market's kind as Mirror (once) and starts a source made by <paramref name="create"/>.</summary>
    /// <remarks>The mirror itself is not journaled: it is started from the settings at every start, so after a restart a
    /// Mirror market runs nothing until the mirror is up again. <paramref name="create"/> is kept, so a state rebuilt from the
    /// database journal gets a fresh source (which shows the book again from the mirror's next snapshot).</remarks>
    public LiquidityStatus AttachMirror(EngineHost.WriteContext ctx, MarketListed market, Func<ILiquiditySource> create)
    {
        CheckEngine(ctx);
        _mirrors[market.MarketId] = create;
        if (_slots.Remove(market.MarketId, out var old) && old.Source is not null)
        {
            old.Source.Withdraw(new HostVenue(ctx));
            (old.Source as IDisposable)?.Dispose();
        }

        CancelAgentOrders(ctx, market.MarketId);
        var config = ctx.State.Liquidity.Of(market.MarketId);
        if (config is not { Kind: LiquidityKind.Mirror })
        {
            config = new LiquidityConfigured(
                market.MarketId, LiquidityKind.Mirror, options.Preset, options.Fair, options.Seed, false, config?.QueueModel, config?.Policy,
                null, null, ctx.Now, SourceConditionId: market.ConditionId, SourceYesTokenId: market.YesTokenId, SourceNoTokenId: market.NoTokenId);
            ctx.Record(config);
        }

        if (options.Enabled && ctx.State.Engine.GetMarket(market.MarketId) is not { Status: MarketStatus.Resolved })
        {
            InstallMirror(ctx, config, create);
        }

        WakeIfAnySource();
        return Describe(ctx.State, market);
    }

    private void InstallMirror(EngineHost.WriteContext ctx, LiquidityConfigured config, Func<ILiquiditySource> create)
    {
        try
        {
            _slots[config.MarketId] = new Slot(config, create(), 0, ctx.Now);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            _slots[config.MarketId] = new Slot(config, null, 0, ctx.Now) { Error = ex.Message };
            log.LogError(ex, "Liquidity: the mirror source of market {Market} could not be created.", config.MarketId);
        }
    }

    /// <summary>The source running on a market, if any (engine thread).</summary>
    public ILiquiditySource? SourceOf(int marketId) => _slots.TryGetValue(marketId, out var slot) ? slot.Source : null;

    /// <summary>Advances every due source once, now (engine thread); what the timer does, callable by tests and operator steps.</summary>
    public void Tick(EngineHost.WriteContext ctx)
    {
        CheckEngine(ctx);
        var hostNow = ctx.Now;
        var maxStep = (long)options.MaxStep.TotalMilliseconds;
        var scale = options.TimeScale;
        var venue = new CountingVenue(new HostVenue(ctx));
        var nextDue = long.MaxValue;
        foreach (var slot in _slots.Values)
        {
            if (slot.Source is not { } source)
            {
                continue;
            }

            var elapsed = Math.Clamp(hostNow - slot.LastHostMs, 0, maxStep);
            slot.LastHostMs = hostNow;
            if (ctx.State.Engine.GetMarket(source.MarketId) is not { Status: MarketStatus.Active })
            {
                // Closed or resolved: the source's time stands still rather than racing ahead of a market that cannot trade;
                // looked at again a step later, so a reopened market picks up its flow.
                nextDue = Math.Min(nextDue, maxStep);
                continue;
            }

            slot.HostElapsedMs += elapsed;
            // Synthetic flow runs on its own scaled clock; a replay keeps its own VirtualClock over host time.
            var synthetic = slot.Config.Kind == LiquidityKind.Synthetic;
            slot.VirtualNowMs = synthetic ? slot.VirtualOriginMs + (long)(slot.HostElapsedMs * scale) : hostNow;
            if (source.NextWakeMs <= slot.VirtualNowMs)
            {
                venue.Slot = slot;
                try
                {
                    source.Advance(venue, slot.VirtualNowMs);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A source's bug must not take the engine thread down: that market stops, the others go on.
                    slot.Error = ex.Message;
                    slot.Source = null;
                    CancelAgentOrders(ctx, source.MarketId);
                    log.LogError(ex, "Liquidity source of market {Market} failed and was stopped.", source.MarketId);
                    continue;
                }
            }

            var wake = source.NextWakeMs;
            if (wake != long.MaxValue)
            {
                var hostDelta = (long)Math.Ceiling(Math.Max(0, wake - slot.VirtualNowMs) / (synthetic ? scale : 1));
                nextDue = Math.Min(nextDue, hostDelta);
            }
        }

        _nextDueWallMs = nextDue == long.MaxValue ? long.MaxValue : WallMs() + nextDue;
    }

    // Engine thread. With no source at all the timer stays quiet: an idle server (or one with a one-slot engine queue)
    // must not see writes it never asked for.
    private void WakeIfAnySource() =>
        Volatile.Write(ref _nextDueWallMs, _slots.Values.Any(s => s.Source is not null) ? long.MinValue : long.MaxValue);

    private void OnTimer()
    {
        if (!host.IsReady || WallMs() < Volatile.Read(ref _nextDueWallMs) || Interlocked.Exchange(ref _inFlight, 1) == 1)
        {
            return;
        }

        try
        {
            host.WriteAsync(ctx =>
            {
                Tick(ctx);
                return true;
            }).ContinueWith(
                t =>
                {
                    if (t.Exception is { } error && error.InnerException is not EngineUnavailableException)
                    {
                        log.LogError(error.InnerException, "Liquidity tick failed.");
                    }

                    Volatile.Write(ref _inFlight, 0);
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
        catch (EngineUnavailableException)
        {
            Volatile.Write(ref _inFlight, 0);
        }
    }

    private long WallMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>After a database journal lost a batch the state is replayed and swapped in whole: sources built on the old
    /// state would remember orders that never became durable, so they are rebuilt like at a start.</summary>
    private void CheckEngine(EngineHost.WriteContext ctx)
    {
        if (_engineSeen is not null && !ReferenceEquals(_engineSeen, ctx.State.Engine))
        {
            log.LogWarning("Liquidity: the state was rebuilt from the journal; re-creating the sources.");
            Restore(ctx);
        }

        _engineSeen = ctx.State.Engine;
    }

    private void Restore(EngineHost.WriteContext ctx)
    {
        foreach (var slot in _slots.Values)
        {
            (slot.Source as IDisposable)?.Dispose();
        }

        _slots.Clear();
        _engineSeen = ctx.State.Engine;
        foreach (var config in ctx.State.Liquidity.All.ToList())
        {
            if (config.Kind == LiquidityKind.None || ctx.State.Markets.ById(config.MarketId) is not { } market)
            {
                continue;
            }

            CancelAgentOrders(ctx, config.MarketId);
            if (ctx.State.Engine.GetMarket(config.MarketId) is { Status: MarketStatus.Resolved })
            {
                continue;
            }

            if (config.Kind == LiquidityKind.Mirror)
            {
                // The mirror attaches its markets itself once it is up; until then the market runs nothing.
                if (_mirrors.TryGetValue(config.MarketId, out var create))
                {
                    InstallMirror(ctx, config, create);
                }

                continue;
            }

            try
            {
                factory.Validate(config, market, ctx.State);
            }
            catch (ApiException ex)
            {
                _slots[config.MarketId] = new Slot(config, null, 0, ctx.Now) { Error = ex.Message };
                log.LogWarning("Liquidity: market {Market} is configured for {Kind} but cannot run it: {Reason}", config.MarketId, config.Kind, ex.Message);
                continue;
            }

            Install(ctx, config, market);
        }

        WakeIfAnySource();
    }

    private void Install(EngineHost.WriteContext ctx, LiquidityConfigured config, MarketListed market)
    {
        var seed = DeriveSeed(config.Seed, ctx.State.Engine.LastSequence);
        var now = ctx.Now;
        try
        {
            var source = factory.Create(config, seed, market, new HostVenue(ctx), _recordings.GetValueOrDefault(config.MarketId));
            _slots[config.MarketId] = new Slot(config, source, seed, now);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or NotSupportedException or IOException)
        {
            _slots[config.MarketId] = new Slot(config, null, seed, now) { Error = ex.Message };
            log.LogError(ex, "Liquidity: the source of market {Market} could not be created.", config.MarketId);
        }
    }

    /// <summary>The run's seed: a SplitMix64 finalisation of the configured seed and the engine sequence, so two starts on
    /// the same journal draw the same agents and a restart later in the journal draws fresh ones.</summary>
    public static long DeriveSeed(long configured, long lastSequence)
    {
        var z = unchecked(((ulong)configured * 0x9E3779B97F4A7C15UL) ^ (ulong)lastSequence);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (long)(z & long.MaxValue);
    }

    /// <summary>Cancels every resting order of the system agent accounts in one market (one command per account that has any).</summary>
    public static int CancelAgentOrders(EngineHost.WriteContext ctx, int marketId)
    {
        var cancelled = 0;
        var engine = ctx.State.Engine;
        foreach (var account in AgentAccounts)
        {
            if (!engine.HasAccount(account) || !HasOrdersIn(engine, account, marketId))
            {
                continue;
            }

            ctx.Apply(Command.CancelMarket(0, 0, account, marketId));
            cancelled++;
        }

        return cancelled;
    }

    private static bool HasOrdersIn(Engine engine, int account, int marketId)
    {
        foreach (var order in engine.GetOpenOrders(account))
        {
            if (order.Market == marketId)
            {
                return true;
            }
        }

        return false;
    }

    private static string Name(LiquidityKind kind) => kind switch
    {
        LiquidityKind.Synthetic => "synthetic",
        LiquidityKind.Replay => "replay",
        LiquidityKind.Mirror => "mirror",
        _ => "none",
    };

    /// <summary>One market's running source and its counters.</summary>
    private sealed class Slot(LiquidityConfigured config, ILiquiditySource? source, long seed, long hostNow)
    {
        public LiquidityConfigured Config { get; } = config;

        public ILiquiditySource? Source { get; set; } = source;

        public long Seed { get; } = seed;

        public string? Error { get; set; }

        public long LastHostMs { get; set; } = hostNow;

        public long HostElapsedMs { get; set; }

        public long VirtualOriginMs { get; } = hostNow;

        public long VirtualNowMs { get; set; } = hostNow;

        public long Commands { get; set; }

        public long Rejects { get; set; }

        public long Trades { get; set; }
    }

    /// <summary>The host venue, counting what the current source does.</summary>
    private sealed class CountingVenue(HostVenue inner) : IMarketVenue
    {
        public Slot? Slot { get; set; }

        public Engine Engine => inner.Engine;

        public long NowMs => inner.NowMs;

        public long NextOrderId => inner.NextOrderId;

        public RejectCode Apply(Command command)
        {
            var code = inner.Apply(command);
            if (Slot is { } slot)
            {
                slot.Commands++;
                if (code != RejectCode.None)
                {
                    slot.Rejects++;
                }

                foreach (ref readonly var e in inner.Engine.Events)
                {
                    if (e.Kind == EventKind.Trade)
                    {
                        slot.Trades++;
                    }
                }
            }

            return code;
        }
    }
}

/// <summary>One market's liquidity source as the operator API reports it.</summary>
/// <param name="ConditionId">The market's condition id.</param>
/// <param name="EngineMarketId">Engine market id.</param>
/// <param name="Question">The question.</param>
/// <param name="Kind">none, synthetic, replay or mirror.</param>
/// <param name="Preset">Synthetic preset.</param>
/// <param name="Fair">Synthetic fair-value process.</param>
/// <param name="HouseMarketMakers">Whether the house market makers quote.</param>
/// <param name="Seed">Configured seed.</param>
/// <param name="RunSeed">Seed of the running source (derived from the configured seed and the engine sequence at its creation).</param>
/// <param name="State">off, running, market_closed, market_resolved, stopped, failed or disabled.</param>
/// <param name="Error">Why the source is not running, when it failed.</param>
/// <param name="Commands">Commands the source sent since it was created.</param>
/// <param name="Rejects">Of those, refused by the engine.</param>
/// <param name="Trades">Trades its commands caused (as taker or by resting orders being hit when it acted).</param>
/// <param name="VirtualTime">The source's clock, ISO 8601.</param>
/// <param name="NextWake">When the source next wants to act on its clock, ISO 8601.</param>
/// <param name="TimeScale">Virtual seconds per host second (synthetic).</param>
/// <param name="RecordingPath">Replay: the recording.</param>
/// <param name="RecordingFormat">Replay: its format.</param>
/// <param name="Freshness">Replay and mirror: empty, fresh or stale.</param>
/// <param name="ChangedAt">When the configuration was last set, ISO 8601.</param>
/// <param name="FairProbability">Synthetic: the hidden fair YES probability now (an operator's view; agents never show it).</param>
/// <param name="Replay">Replay: state, clock and position.</param>
/// <param name="Mirror">Mirror: events applied and the external book's counters.</param>
public sealed record LiquidityStatus(
    string ConditionId,
    int EngineMarketId,
    string Question,
    string Kind,
    string? Preset,
    string? Fair,
    bool? HouseMarketMakers,
    long? Seed,
    long? RunSeed,
    string State,
    string? Error,
    long Commands,
    long Rejects,
    long Trades,
    string? VirtualTime,
    string? NextWake,
    double? TimeScale,
    string? RecordingPath,
    string? RecordingFormat,
    string? Freshness,
    string? ChangedAt,
    double? FairProbability,
    ReplayStatus? Replay,
    MirrorSourceStatus? Mirror = null);

/// <summary>Where a replay stands.</summary>
/// <param name="State">loaded, running, paused or finished.</param>
/// <param name="Mode">Clock mode: realtime, scaled, stepped or max.</param>
/// <param name="Speed">Data seconds per host second (0 when stepped, null at max).</param>
/// <param name="DataTime">Data time reached, ISO 8601 (null before the start).</param>
/// <param name="EventsConsumed">Events delivered to the external book.</param>
/// <param name="EventsRemaining">Events still to deliver.</param>
public sealed record ReplayStatus(string State, string Mode, double? Speed, string? DataTime, long EventsConsumed, long? EventsRemaining);

/// <summary>What a mirrored market's source has done.</summary>
/// <param name="Events">Mirror events applied to the market's external book.</param>
/// <param name="LastEvent">When the last one was applied (host clock), ISO 8601.</param>
/// <param name="ShadowFills">Internal takers' fills against external orders.</param>
/// <param name="PrintFills">Internal orders filled by Polymarket trade prints.</param>
/// <param name="CrossingFills">Internal orders filled by the external book moving through them.</param>
/// <param name="QueueAdvances">Times external size in front of internal orders was removed.</param>
/// <param name="Gaps">Times the external book became stale.</param>
/// <param name="IgnoredWhileStale">Events dropped while the book was stale or empty.</param>
public sealed record MirrorSourceStatus(long Events, string? LastEvent, long ShadowFills, long PrintFills, long CrossingFills, long QueueAdvances, long Gaps, long IgnoredWhileStale);
