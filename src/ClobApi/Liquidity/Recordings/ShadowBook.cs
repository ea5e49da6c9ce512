using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Liquidity.Recordings;

/// <summary>One market's external book rebuilt from canonical <see cref="ReplayEvent"/>s, in YES terms, with its freshness and consistency counters.</summary>
/// <remarks>
/// Pure and single-threaded: no clock (time comes from the events), no I/O. Levels are kept in two arrays indexed by price
/// (1e-4 units), so an update is O(1) and only losing the best level scans. Level events are ignored while the book is
/// <see cref="BookFreshness.Empty"/> or <see cref="BookFreshness.Stale"/>: without a snapshot underneath they would build a
/// book that never existed.
/// </remarks>
public sealed class ShadowBook
{
    /// <summary>Prices are 1..9999 (1e-4 units); 0 and 10 000 mean "no bid" and "no ask".</summary>
    public const int PriceSlots = 10_000;

    private readonly long[] _bids = new long[PriceSlots];
    private readonly long[] _asks = new long[PriceSlots];
    private int _bestBid;
    private int _bestAsk = PriceSlots;
    private int _bidLevels;
    private int _askLevels;
    private long _staleSinceNs = -1;
    private long _lastTsNs = long.MinValue;

    /// <summary>Whether the book can be traded against.</summary>
    public BookFreshness Freshness { get; private set; } = BookFreshness.Empty;

    /// <summary>Why the book went stale last (null while fresh or empty).</summary>
    public string? StaleReason { get; private set; }

    /// <summary>Best YES bid, 1e-4 units; 0 when there is none.</summary>
    public int BestBid => _bestBid;

    /// <summary>Best YES ask, 1e-4 units; 10 000 when there is none.</summary>
    public int BestAsk => _bestAsk;

    /// <summary>Number of bid levels.</summary>
    public int BidLevelCount => _bidLevels;

    /// <summary>Number of ask levels.</summary>
    public int AskLevelCount => _askLevels;

    /// <summary>Time of the last event applied (Unix ns); <see cref="long.MinValue"/> before any.</summary>
    public long LastTsNs => _lastTsNs;

    /// <summary>Events applied, by kind, and the consistency figures.</summary>
    public ShadowBookCounters Counters { get; } = new();

    /// <summary>Whether the book is crossed (best bid ≥ best ask).</summary>
    public bool IsCrossed => _bidLevels > 0 && _askLevels > 0 && _bestBid >= _bestAsk;

    /// <summary>Displayed size (micro-shares) at a YES price on one side (Buy = bids).</summary>
    public long Displayed(Side side, int price) =>
        price is <= 0 or >= PriceSlots ? 0 : side == Side.Buy ? _bids[price] : _asks[price];

    /// <summary>Bid levels, best (highest) first.</summary>
    public IReadOnlyList<(int Price, long Size)> Bids()
    {
        var list = new List<(int, long)>(_bidLevels);
        for (var p = _bestBid; p > 0 && list.Count < _bidLevels; p--)
        {
            if (_bids[p] > 0)
            {
                list.Add((p, _bids[p]));
            }
        }

        return list;
    }

    /// <summary>Ask levels, best (lowest) first.</summary>
    public IReadOnlyList<(int Price, long Size)> Asks()
    {
        var list = new List<(int, long)>(_askLevels);
        for (var p = _bestAsk; p < PriceSlots && list.Count < _askLevels; p++)
        {
            if (_asks[p] > 0)
            {
                list.Add((p, _asks[p]));
            }
        }

        return list;
    }

    /// <summary>Applies one canonical event; returns false when a level event was ignored (no snapshot underneath, or a price off the book's range).</summary>
    public bool Apply(ReplayEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        Advance(e.TsNs);
        Counters.Events++;
        switch (e.Kind)
        {
            case ReplayEventKind.Snapshot:
                Counters.Snapshots++;
                LoadSnapshot(e.Bids, e.Asks);
                if (Freshness == BookFreshness.Stale)
                {
                    Counters.StaleNs += e.TsNs - _staleSinceNs;
                }

                _staleSinceNs = -1;
                StaleReason = null;
                Freshness = BookFreshness.Fresh;
                return true;

            case ReplayEventKind.Level:
                if (Freshness != BookFreshness.Fresh || e.Price is <= 0 or >= PriceSlots || e.Size < 0)
                {
                    Counters.IgnoredLevels++;
                    return false;
                }

                Counters.Levels++;
                SetLevel(e.Side, e.Price, e.Size);
                return true;

            case ReplayEventKind.Trade:
                Counters.Trades++;
                return true;

            case ReplayEventKind.Gap:
                MarkStale(e.TsNs, e.Reason ?? "gap");
                return true;

            default:
                return true;
        }
    }

    /// <summary>Declares the book stale from <paramref name="tsNs"/> (counted once per stale period).</summary>
    public void MarkStale(long tsNs, string reason)
    {
        Advance(tsNs);
        Counters.Gaps++;
        if (Freshness != BookFreshness.Stale)
        {
            _staleSinceNs = tsNs;
        }

        Freshness = BookFreshness.Stale;
        StaleReason = reason;
    }

    /// <summary>
    /// Compares the book with best prices the source reported after an update (null = not reported; a bid of 0 and an ask of
    /// 10 000 mean an empty side). Counts a mismatch and returns the reason when they disagree or the book is crossed.
    /// </summary>
    public string? Check(int? reportedBestBid, int? reportedBestAsk)
    {
        if (Freshness != BookFreshness.Fresh)
        {
            return null;
        }

        Counters.Checks++;
        string? reason = null;
        if (reportedBestBid is { } bid && bid != _bestBid)
        {
            reason = $"reported best bid {bid} but the rebuilt book has {_bestBid}";
        }
        else if (reportedBestAsk is { } ask && ask != _bestAsk)
        {
            reason = $"reported best ask {ask} but the rebuilt book has {_bestAsk}";
        }
        else if (IsCrossed)
        {
            reason = $"crossed book: best bid {_bestBid} ≥ best ask {_bestAsk}";
        }

        if (reason is not null)
        {
            Counters.Mismatches++;
        }

        return reason;
    }

    private void Advance(long tsNs)
    {
        if (tsNs > _lastTsNs)
        {
            _lastTsNs = tsNs;
        }
    }

    /// <summary>Seconds spent stale so far, including an open stale period up to the last event seen.</summary>
    public double StaleSeconds =>
        (Counters.StaleNs + (Freshness == BookFreshness.Stale ? Math.Max(0, _lastTsNs - _staleSinceNs) : 0)) / 1e9;

    private void LoadSnapshot(IReadOnlyList<(int Price, long Size)> bids, IReadOnlyList<(int Price, long Size)> asks)
    {
        Array.Clear(_bids);
        Array.Clear(_asks);
        _bestBid = 0;
        _bestAsk = PriceSlots;
        _bidLevels = 0;
        _askLevels = 0;
        foreach (var (price, size) in bids)
        {
            if (price is > 0 and < PriceSlots && size > 0)
            {
                SetLevel(Side.Buy, price, size);
            }
        }

        foreach (var (price, size) in asks)
        {
            if (price is > 0 and < PriceSlots && size > 0)
            {
                SetLevel(Side.Sell, price, size);
            }
        }
    }

    private void SetLevel(Side side, int price, long size)
    {
        if (side == Side.Buy)
        {
            var old = _bids[price];
            _bids[price] = size;
            if (old == 0 && size > 0)
            {
                _bidLevels++;
                _bestBid = Math.Max(_bestBid, price);
            }
            else if (old > 0 && size == 0)
            {
                _bidLevels--;
                if (price == _bestBid)
                {
                    var p = price - 1;
                    while (p > 0 && _bids[p] == 0)
                    {
                        p--;
                    }

                    _bestBid = _bidLevels == 0 ? 0 : p;
                }
            }
        }
        else
        {
            var old = _asks[price];
            _asks[price] = size;
            if (old == 0 && size > 0)
            {
                _askLevels++;
                _bestAsk = Math.Min(_bestAsk, price);
            }
            else if (old > 0 && size == 0)
            {
                _askLevels--;
                if (price == _bestAsk)
                {
                    var p = price + 1;
                    while (p < PriceSlots && _asks[p] == 0)
                    {
                        p++;
                    }

                    _bestAsk = _askLevels == 0 ? PriceSlots : p;
                }
            }
        }
    }
}

/// <summary>What a <see cref="ShadowBook"/> has seen: events by kind, consistency checks and their failures, gaps, stale time.</summary>
public sealed class ShadowBookCounters
{
    /// <summary>Events applied (all kinds).</summary>
    public long Events { get; internal set; }

    /// <summary>Snapshots applied.</summary>
    public long Snapshots { get; internal set; }

    /// <summary>Level updates applied.</summary>
    public long Levels { get; internal set; }

    /// <summary>Level updates ignored because no snapshot was underneath (empty or stale book).</summary>
    public long IgnoredLevels { get; internal set; }

    /// <summary>Trade prints seen.</summary>
    public long Trades { get; internal set; }

    /// <summary>Best-price checks made against reported best bid/ask.</summary>
    public long Checks { get; internal set; }

    /// <summary>Checks that failed: reported best prices disagreeing with the rebuilt book, or a crossed book.</summary>
    public long Mismatches { get; internal set; }

    /// <summary>Gaps declared (missing data or failed checks).</summary>
    public long Gaps { get; internal set; }

    /// <summary>Closed stale time, ns (see <see cref="ShadowBook.StaleSeconds"/> for the running total).</summary>
    public long StaleNs { get; internal set; }
}
