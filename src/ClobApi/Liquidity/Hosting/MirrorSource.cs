using System.Threading.Channels;
using Polysim.ClobApi.Liquidity.External;

namespace Polysim.ClobApi.Liquidity.Hosting;

/// <summary>Routes the live mirror's one event channel to the mirrored markets' queues; engine thread only, never waits.</summary>
/// <param name="reader">The mirror's canonical events (every market, arrival order).</param>
public sealed class MirrorFeed(ChannelReader<ReplayEvent> reader)
{
    private readonly Dictionary<string, Queue<ReplayEvent>> _queues = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Events of a condition id no market registered for (dropped).</summary>
    public long Unrouted { get; private set; }

    /// <summary>The queue of one mirrored market (created on first use; kept when its source is re-created).</summary>
    public Queue<ReplayEvent> QueueOf(string conditionId)
    {
        if (!_queues.TryGetValue(conditionId, out var queue))
        {
            queue = new Queue<ReplayEvent>();
            _queues[conditionId] = queue;
        }

        return queue;
    }

    /// <summary>Moves at most <paramref name="max"/> waiting events from the channel to their markets' queues; returns how many.</summary>
    public int Pump(int max)
    {
        var moved = 0;
        while (moved < max && reader.TryRead(out var e))
        {
            moved++;
            if (_queues.TryGetValue(e.ConditionId, out var queue))
            {
                queue.Enqueue(e);
            }
            else
            {
                Unrouted++;
            }
        }

        return moved;
    }
}

/// <summary>One mirrored market's liquidity source: hands the mirror's events, as they arrive, to the market's external-book participant.</summary>
/// <remarks>Runs on the engine thread like every source: it only takes what is already in the channel (at most
/// <see cref="MaxEventsPerAdvance"/> per call) and asks to be woken again at once while events wait, else after
/// <see cref="PollMs"/>.</remarks>
/// <param name="marketId">Engine market id.</param>
/// <param name="conditionId">The Polymarket condition id (the events' <see cref="ReplayEvent.ConditionId"/>).</param>
/// <param name="feed">The mirror's event router.</param>
/// <param name="external">The market's external-book participant.</param>
public sealed class MirrorSource(int marketId, string conditionId, MirrorFeed feed, ExternalLiquidity external) : ILiquiditySource
{
    /// <summary>Most events one <see cref="Advance"/> applies (and moves out of the channel).</summary>
    public const int MaxEventsPerAdvance = 4_096;

    /// <summary>How long an idle mirror source sleeps before looking at the channel again.</summary>
    public const long PollMs = 50;

    private readonly Queue<ReplayEvent> _queue = feed.QueueOf(conditionId);
    private bool _stopped;

    /// <inheritdoc />
    public int MarketId { get; } = marketId;

    /// <inheritdoc />
    public long NextWakeMs { get; private set; }

    /// <summary>The external participant's book state.</summary>
    public BookFreshness Freshness => external.Freshness;

    /// <summary>The external participant's fill counters.</summary>
    public ExternalFillCounters Counters => external.Counters;

    /// <summary>Mirror events applied to the market.</summary>
    public long EventsApplied { get; private set; }

    /// <summary>When the last event was applied (host ms), or 0.</summary>
    public long LastEventMs { get; private set; }

    /// <inheritdoc />
    public void Advance(IMarketVenue venue, long nowMs)
    {
        if (_stopped)
        {
            return;
        }

        var pumped = feed.Pump(MaxEventsPerAdvance);
        var applied = 0;
        while (applied < MaxEventsPerAdvance && _queue.TryDequeue(out var e))
        {
            external.OnEvent(venue, e);
            applied++;
        }

        if (applied > 0)
        {
            EventsApplied += applied;
            LastEventMs = nowMs;
        }

        NextWakeMs = _queue.Count > 0 || pumped == MaxEventsPerAdvance ? nowMs : nowMs + PollMs;
    }

    /// <inheritdoc />
    public void Withdraw(IMarketVenue venue)
    {
        external.Withdraw(venue);
        _queue.Clear();
        _stopped = true;
        NextWakeMs = long.MaxValue;
    }
}
