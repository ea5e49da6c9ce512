namespace Polysim.ClobApi.Liquidity.Replay;

/// <summary>Where a <see cref="ReplaySource"/> hands the events that are due: the external-book participant of the market.</summary>
/// <remarks>Called on the engine thread, one event at a time, in delivery order; it acts through the venue it is given.</remarks>
public interface IReplaySink
{
    /// <summary>Whether the book the sink rebuilt can be traded against.</summary>
    BookFreshness Freshness { get; }

    /// <summary>Applies one event of the recording.</summary>
    void OnEvent(IMarketVenue venue, ReplayEvent e);

    /// <summary>Cancels every order the sink has resting.</summary>
    void Withdraw(IMarketVenue venue);
}

/// <summary>Lifecycle of a <see cref="ReplaySource"/>.</summary>
public enum ReplayState : byte
{
    /// <summary>Loaded, not started.</summary>
    Idle = 0,

    /// <summary>Delivering events as data time passes (or catching up with a step or a run-until).</summary>
    Running,

    /// <summary>Data time stands still: paused, stopped at a run-until time, or stepped mode between steps.</summary>
    Paused,

    /// <summary>Every event has been delivered.</summary>
    Finished,
}

/// <summary>How far a replay has got.</summary>
/// <param name="DataTimeNs">Data time reached (Unix ns): the clock's time, never before the last event delivered; 0 before the start.</param>
/// <param name="EventsConsumed">Events delivered to the sink.</param>
/// <param name="EventsRemaining">Events still to deliver, when the stream's length is known.</param>
/// <param name="LastEventTsNs">Data time of the last event delivered; 0 before the first.</param>
public readonly record struct ReplayPosition(long DataTimeNs, long EventsConsumed, long? EventsRemaining, long LastEventTsNs);

/// <summary>Settings of a <see cref="ReplaySource"/>.</summary>
public sealed record ReplaySourceOptions
{
    /// <summary>Most events one <see cref="ReplaySource.Advance"/> delivers, so that a fast replay never holds the engine thread long.</summary>
    public int MaxEventsPerAdvance { get; init; } = 4_096;
}

/// <summary>Replays a recorded event stream of one market on a <see cref="VirtualClock"/>, handing each due event to an <see cref="IReplaySink"/>.</summary>
/// <remarks>
/// <para>An event is due when its data time is at or before the clock's data time, or when a step of events grants it.
/// Events keep their source order, except at one timestamp: there trade prints go before the level and snapshot changes
/// around them (print-before-depth pairing, research §4.2), while gaps, tick changes and resolutions stay where they are
/// and nothing moves across them.</para>
/// <para>Runs on the engine thread and never reads the wall clock: host time arrives as <c>nowMs</c> and through the control
/// methods. The event stream is read lazily, one timestamp ahead of delivery.</para>
/// </remarks>
public sealed class ReplaySource : ILiquiditySource, IDisposable
{
    private readonly IEnumerator<ReplayEvent> _events;
    private readonly long? _total;
    private readonly int _maxPerAdvance;
    private readonly List<ReplayEvent> _group = [];
    private readonly List<ReplayEvent> _scratch = [];
    private ReplayEvent? _lookahead;
    private int _groupIndex;
    private bool _sourceDone;
    private bool _disposed;
    private long _stepBudget;
    private long _lastNowMs = long.MinValue;
    private long _consumed;
    private long _lastEventTsNs;
    private long _previousReadTsNs = long.MinValue;

    /// <summary>Creates a replay of <paramref name="events"/> (ordered by data time) into engine market <paramref name="marketId"/>.</summary>
    public ReplaySource(int marketId, IEnumerable<ReplayEvent> events, VirtualClock clock, IReplaySink sink, ReplaySourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(sink);
        options ??= new ReplaySourceOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxEventsPerAdvance, 1);
        MarketId = marketId;
        Clock = clock;
        Sink = sink;
        _maxPerAdvance = options.MaxEventsPerAdvance;
        _total = events.TryGetNonEnumeratedCount(out var count) ? count : null;
        _events = events.GetEnumerator();
    }

    /// <inheritdoc />
    public int MarketId { get; }

    /// <summary>The clock that decides which events are due.</summary>
    public VirtualClock Clock { get; }

    /// <summary>Where events go.</summary>
    public IReplaySink Sink { get; }

    /// <summary>Freshness of the sink's book.</summary>
    public BookFreshness Freshness => Sink.Freshness;

    /// <summary>Events whose data time was earlier than an event read before them (delivered at once, in source order).</summary>
    public long OutOfOrderEvents { get; private set; }

    /// <summary>Trade prints delivered ahead of a depth change of the same timestamp that preceded them in the source.</summary>
    public long TradesMovedAheadOfDepth { get; private set; }

    /// <summary>Where the replay stands.</summary>
    public ReplayState State
    {
        get
        {
            if (!Clock.IsStarted)
            {
                return ReplayState.Idle;
            }

            if (!HasNext)
            {
                return ReplayState.Finished;
            }

            return !Clock.IsPaused || _stepBudget > 0 || Next.TsNs <= Clock.DataNowNs(_lastNowMs)
                ? ReplayState.Running
                : ReplayState.Paused;
        }
    }

    /// <summary>How far the replay has got.</summary>
    public ReplayPosition Position => new(
        Clock.IsStarted ? Math.Max(Clock.PositionNs(_lastNowMs), _lastEventTsNs) : 0,
        _consumed,
        _total is { } total ? total - _consumed : null,
        _lastEventTsNs);

    /// <inheritdoc />
    public long NextWakeMs
    {
        get
        {
            if (!Clock.IsStarted || !HasNext)
            {
                return long.MaxValue;
            }

            if (_stepBudget > 0)
            {
                return _lastNowMs;
            }

            // Up to the next event, or to a run-until limit before it (where the clock must be stopped exactly).
            var target = Clock.LimitNs is { } limit && Next.TsNs > limit ? limit : Next.TsNs;
            var wake = Clock.WallMsAt(target);
            return wake == long.MaxValue ? long.MaxValue : Math.Max(wake, _lastNowMs);
        }
    }

    private bool HasNext => _groupIndex < _group.Count;

    private ReplayEvent Next => _group[_groupIndex];

    /// <summary>Starts the clock at host time <paramref name="wallMs"/>, at data time <paramref name="dataStartNs"/> or else the first event's.</summary>
    public void Start(long wallMs, long? dataStartNs = null)
    {
        if (Clock.IsStarted)
        {
            throw new InvalidOperationException("The replay has already started.");
        }

        Touch(wallMs);
        FillGroup();
        Clock.Start(dataStartNs ?? (HasNext ? Next.TsNs : 0), wallMs);
    }

    /// <summary>Stops delivery; data time stands still until <see cref="Resume"/>.</summary>
    public void Pause(long wallMs)
    {
        Touch(wallMs);
        _stepBudget = 0;
        Clock.Pause(wallMs);
    }

    /// <summary>Lets data time run again from where it stands.</summary>
    public void Resume(long wallMs)
    {
        Touch(wallMs);
        Clock.Resume(wallMs);
    }

    /// <summary>Changes mode and speed; data time stays continuous.</summary>
    public void SetRate(ReplayClockMode mode, double speed, long wallMs)
    {
        Touch(wallMs);
        Clock.SetRate(mode, speed, wallMs);
    }

    /// <summary>Pauses and delivers exactly the next <paramref name="count"/> events on the following advances, whatever their data times.</summary>
    public void StepEvents(int count, long wallMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Touch(wallMs);
        Clock.Pause(wallMs);
        _stepBudget = count;
    }

    /// <summary>Pauses and moves data time forward by <paramref name="deltaNs"/>: the events it passes become due.</summary>
    public void StepTime(long deltaNs, long wallMs)
    {
        Touch(wallMs);
        _stepBudget = 0;
        Clock.StepBy(deltaNs, wallMs);
    }

    /// <summary>Runs to data time <paramref name="dataNs"/> and stops there: events at or before it are delivered, none after.</summary>
    public void RunUntil(long dataNs, long wallMs)
    {
        Touch(wallMs);
        _stepBudget = 0;
        Clock.RunUntil(dataNs, wallMs);
    }

    /// <inheritdoc />
    public void Advance(IMarketVenue venue, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(venue);
        Touch(nowMs);
        if (!Clock.IsStarted)
        {
            return;
        }

        var horizon = Clock.DataNowNs(_lastNowMs);
        for (var delivered = 0; delivered < _maxPerAdvance && HasNext; delivered++)
        {
            var e = Next;
            if (_stepBudget > 0)
            {
                _stepBudget--;
            }
            else if (e.TsNs > horizon)
            {
                break;
            }

            Consume();
            _consumed++;
            _lastEventTsNs = e.TsNs;
            Clock.Reached(e.TsNs);
            Sink.OnEvent(venue, e);
        }

        // Stop exactly at a run-until time once nothing at or before it is left.
        if (Clock.LimitNs is { } limit && horizon >= limit && (!HasNext || Next.TsNs > limit))
        {
            Clock.StopAtLimit();
        }

        if (!HasNext)
        {
            _stepBudget = 0;
            if (!Clock.IsPaused)
            {
                Clock.Pause(_lastNowMs);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>Also pauses the replay: the sink's book goes stale, and nothing more is delivered until resumed.</remarks>
    public void Withdraw(IMarketVenue venue)
    {
        Sink.Withdraw(venue);
        _stepBudget = 0;
        if (Clock.IsStarted && HasNext)
        {
            Clock.Pause(_lastNowMs);
        }
    }

    /// <summary>Releases the event stream.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _events.Dispose();
        }
    }

    private void Touch(long nowMs) => _lastNowMs = Math.Max(_lastNowMs, nowMs);

    private void Consume()
    {
        _groupIndex++;
        if (_groupIndex == _group.Count)
        {
            FillGroup();
        }
    }

    /// <summary>Reads the next timestamp's events from the source and puts them in delivery order.</summary>
    private void FillGroup()
    {
        _group.Clear();
        _groupIndex = 0;
        if (_lookahead is null && !Read(out _lookahead))
        {
            return;
        }

        var ts = _lookahead!.TsNs;
        _group.Add(_lookahead);
        _lookahead = null;
        while (Read(out var e))
        {
            if (e!.TsNs != ts)
            {
                _lookahead = e;
                break;
            }

            _group.Add(e);
        }

        if (_group.Count > 1)
        {
            PutTradesFirst();
        }
    }

    private bool Read(out ReplayEvent? e)
    {
        e = null;
        if (_sourceDone)
        {
            return false;
        }

        if (!_events.MoveNext())
        {
            _sourceDone = true;
            Dispose();
            return false;
        }

        e = _events.Current ?? throw new InvalidOperationException("A replay stream yielded a null event.");
        if (e.TsNs < _previousReadTsNs)
        {
            OutOfOrderEvents++;
        }

        _previousReadTsNs = Math.Max(_previousReadTsNs, e.TsNs);
        return true;
    }

    /// <summary>Within each run of trades, levels and snapshots, trades go first; other kinds are fixed points.</summary>
    private void PutTradesFirst()
    {
        var start = 0;
        while (start < _group.Count)
        {
            var end = start;
            while (end < _group.Count && IsPairable(_group[end].Kind))
            {
                end++;
            }

            if (end - start > 1)
            {
                _scratch.Clear();
                var depthSeen = 0;
                for (var i = start; i < end; i++)
                {
                    if (_group[i].Kind == ReplayEventKind.Trade)
                    {
                        _scratch.Add(_group[i]);
                        TradesMovedAheadOfDepth += depthSeen > 0 ? 1 : 0;
                    }
                    else
                    {
                        depthSeen++;
                    }
                }

                for (var i = start; i < end; i++)
                {
                    if (_group[i].Kind != ReplayEventKind.Trade)
                    {
                        _scratch.Add(_group[i]);
                    }
                }

                for (var i = start; i < end; i++)
                {
                    _group[i] = _scratch[i - start];
                }
            }

            start = end == start ? end + 1 : end;
        }

        static bool IsPairable(ReplayEventKind kind) => kind is ReplayEventKind.Trade or ReplayEventKind.Level or ReplayEventKind.Snapshot;
    }
}
