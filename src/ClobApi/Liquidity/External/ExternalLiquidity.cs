using Polysim.ClobApi.Api;
using Polysim.ClobApi.Liquidity.Replay;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Liquidity.External;

/// <summary>An external book (replay or live mirror) traded against as one engine participant, <see cref="SystemAccounts.External"/>.</summary>
/// <remarks>
/// <para>The external size of every level rests in the engine as real orders of the external account: asks as BUY NO at
/// 1 − p, bids as BUY YES at p (cash only). Internal takers therefore meet it with the engine's own price-time priority,
/// the book Polysim publishes is "external − consumed + internal", and every fill is a real trade.</para>
/// <para>At one price the engine's queue interleaves external orders with internal ones; the external size ahead of an
/// internal order is that order's queue estimate. Depth growth joins at the back; a decrease no print explains is split
/// between the external segments by the queue model (<see cref="QueueModel.Distribute"/>); a print takes the external size
/// at the front and its excess fills internal orders in FIFO with the external account as taker. The external account's
/// self-trade prevention is cancel-incoming, so its own orders never trade with each other.</para>
/// <para>Runs on the engine thread; never reads the wall clock (time is the events' <see cref="ReplayEvent.TsNs"/>).</para>
/// </remarks>
public sealed class ExternalLiquidity : IReplaySink
{
    private const int Scale = Units.PriceScale;
    private const int MaxRememberedPrints = 1 << 16;

    private readonly Level?[] _bids = new Level?[Scale];
    private readonly Level?[] _asks = new Level?[Scale];
    private readonly List<Level> _live = [];
    private readonly Dictionary<long, ExtOrder> _orders = [];
    private readonly HashSet<(string Tx, int Price, long Size)> _seenPrints = [];
    private readonly Queue<(string Tx, int Price, long Size)> _seenOrder = new();
    private readonly long _windowNs;
    private readonly long _ttlNs;
    private long _nowNs;
    private long _shadowFills, _shadowShares, _printFills, _printShares, _crossingFills, _crossingShares;
    private long _queueAdvances, _queueAdvanceShares, _duplicatePrints, _ignored, _gaps, _printSkipped;

    /// <summary>Creates the external participant of engine market <paramref name="marketId"/>.</summary>
    public ExternalLiquidity(int marketId, ExternalLiquidityOptions? options = null)
    {
        MarketId = marketId;
        Options = options ?? new ExternalLiquidityOptions();
        _windowNs = (long)(Options.PairingWindow.TotalMilliseconds * 1_000_000);
        _ttlNs = (long)(Options.ConsumptionTtl.TotalMilliseconds * 1_000_000);
    }

    /// <summary>The engine market the external book is merged into.</summary>
    public int MarketId { get; }

    /// <summary>The settings.</summary>
    public ExternalLiquidityOptions Options { get; }

    /// <summary>Whether the external book can be traded against.</summary>
    public BookFreshness Freshness { get; private set; }

    /// <summary>Counters of what the external participant did.</summary>
    public ExternalFillCounters Counters => new(
        _shadowFills, _shadowShares, _printFills, _printShares, _crossingFills, _crossingShares,
        _queueAdvances, _queueAdvanceShares, _duplicatePrints, _ignored, _gaps, _printSkipped);

    private QueueModel ShrinkModel => Options.Policy == ExternalFillPolicy.Estimated ? Options.QueueModel : QueueModel.RiskAdverse;

    /// <summary>Applies one canonical event of the external market (the replay source's and the mirror's sink).</summary>
    public void OnEvent(IMarketVenue venue, ReplayEvent e)
    {
        ArgumentNullException.ThrowIfNull(venue);
        ArgumentNullException.ThrowIfNull(e);
        _nowNs = Math.Max(_nowNs, e.TsNs);
        EnsureAccount(venue);
        Reconcile(venue);
        if (Freshness == BookFreshness.Fresh)
        {
            Expire(venue);
            if (Options.Policy == ExternalFillPolicy.InternalFirst)
            {
                Realign(venue);
            }
        }

        switch (e.Kind)
        {
            case ReplayEventKind.Snapshot:
                ApplySnapshot(venue, e);
                break;
            case ReplayEventKind.Level:
                ApplyLevel(venue, e.Side == Side.Buy, e.Price, e.Size);
                break;
            case ReplayEventKind.Trade:
                ApplyPrint(venue, e);
                break;
            case ReplayEventKind.Gap:
                GoStale(venue);
                break;
            case ReplayEventKind.TickSize:
                ApplyTick(venue, e.Price);
                break;
            case ReplayEventKind.Resolved:
                Withdraw(venue);
                break;
            default:
                break;
        }
    }

    /// <summary>Cancels every external order of the market; the book is stale until the next snapshot.</summary>
    public void Withdraw(IMarketVenue venue)
    {
        ArgumentNullException.ThrowIfNull(venue);
        Reconcile(venue);
        if (venue.Engine.HasAccount(SystemAccounts.External))
        {
            venue.Apply(Command.CancelMarket(0, 0, SystemAccounts.External, MarketId));
        }

        _orders.Clear();
        foreach (var level in _live)
        {
            level.Ext.Clear();
            level.ExtTotal = 0;
            level.Pending = 0;
            level.Ledger.Reset(0);
        }

        if (Freshness == BookFreshness.Fresh)
        {
            Freshness = BookFreshness.Stale;
        }
    }

    /// <summary>The external size resting ahead of an internal order in its level's queue (its queue estimate), micro-shares; −1 when the order is not resting in this market.</summary>
    public long QueueAhead(Engine engine, long orderId)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (!engine.TryGetOrder(orderId, out var order) || order.Market != MarketId)
        {
            return -1;
        }

        var bid = (order.Side == Side.Buy) == (order.Outcome == Outcome.Yes);
        long ahead = 0;
        foreach (var o in engine.GetOrdersAt(MarketId, bid, order.BookPrice))
        {
            if (o.Id == orderId)
            {
                return ahead;
            }

            if (o.Account == SystemAccounts.External)
            {
                ahead += o.Remaining;
            }
        }

        return -1;
    }

    /// <summary>The external level as the feed shows it and as the external participant may display it (YES terms, micro-shares).</summary>
    public (long Displayed, long Available) ExternalLevel(bool bid, int price) =>
        price is > 0 and < Scale && (bid ? _bids : _asks)[price] is { } level
            ? (level.Ledger.Displayed, Freshness == BookFreshness.Fresh ? level.Ledger.Available : 0)
            : (0, 0);

    /// <summary>Every external level the feed shows or the participant displays, bids best first then asks best first: (bid, YES price, displayed, available) in micro-shares.</summary>
    public IReadOnlyList<(bool Bid, int Price, long Displayed, long Available)> ExternalLevels() =>
        _live.Where(l => l.Ledger.Displayed > 0 || (Freshness == BookFreshness.Fresh && l.Ledger.Available > 0))
            .OrderBy(l => l.Bid ? 0 : 1)
            .ThenBy(l => l.Bid ? -l.Price : l.Price)
            .Select(l => (l.Bid, l.Price, l.Ledger.Displayed, Freshness == BookFreshness.Fresh ? l.Ledger.Available : 0))
            .ToList();

    // ---- events ---------------------------------------------------------------------------------

    private void ApplySnapshot(IMarketVenue venue, ReplayEvent e)
    {
        var bestBid = e.Bids.Where(l => l.Size > 0).Select(l => l.Price).DefaultIfEmpty(0).Max();
        var bestAsk = e.Asks.Where(l => l.Size > 0).Select(l => l.Price).DefaultIfEmpty(Scale).Min();
        if (bestBid >= bestAsk)
        {
            GoStale(venue);
            return;
        }

        var sizes = new Dictionary<(bool Bid, int Price), long>();
        foreach (var (price, size) in e.Bids)
        {
            if (price is > 0 and < Scale)
            {
                sizes[(true, price)] = Math.Max(0, size);
            }
        }

        foreach (var (price, size) in e.Asks)
        {
            if (price is > 0 and < Scale)
            {
                sizes[(false, price)] = Math.Max(0, size);
            }
        }

        Freshness = BookFreshness.Fresh;
        foreach (var level in _live)
        {
            level.Ledger.Reset(sizes.GetValueOrDefault((level.Bid, level.Price)));
        }

        // Levels the book left long ago would otherwise be walked at every event.
        _live.RemoveAll(l =>
        {
            var dead = l.Ledger.Displayed == 0 && l.Ext.Count == 0 && l.Pending == 0;
            if (dead)
            {
                (l.Bid ? _bids : _asks)[l.Price] = null;
            }

            return dead;
        });

        foreach (var (price, _) in e.Bids.Where(l => l.Price is > 0 and < Scale))
        {
            Get(true, price).Ledger.Reset(sizes[(true, price)]);
        }

        foreach (var (price, _) in e.Asks.Where(l => l.Price is > 0 and < Scale))
        {
            Get(false, price).Ledger.Reset(sizes[(false, price)]);
        }

        // Shrinks before growth, so that no new external order can meet an old one on the other side; growth best
        // first on each side (bids, then asks), so a level that crosses internal orders meets them in price order.
        var ordered = _live.OrderBy(l => l.Bid ? 0 : 1).ThenBy(l => l.Bid ? -l.Price : l.Price).ToList();
        foreach (var level in ordered)
        {
            if (level.ExtTotal + level.Pending > level.Ledger.Available)
            {
                Sync(venue, level, front: false);
            }
        }

        foreach (var level in ordered)
        {
            Sync(venue, level, front: false);
        }
    }

    private void ApplyLevel(IMarketVenue venue, bool bid, int price, long size)
    {
        if (Freshness != BookFreshness.Fresh)
        {
            _ignored++;
            return;
        }

        if (price is <= 0 or >= Scale)
        {
            return;
        }

        size = Math.Max(0, size);
        if (size > 0 && (bid ? price >= BestEffective(bid: false) : price <= BestEffective(bid: true)))
        {
            GoStale(venue);
            return;
        }

        var level = Get(bid, price);
        level.Ledger.OnUpdate(size, _nowNs, Options.Ledger);
        Sync(venue, level, front: false);
    }

    private void ApplyPrint(IMarketVenue venue, ReplayEvent e)
    {
        if (Freshness != BookFreshness.Fresh)
        {
            _ignored++;
            return;
        }

        var price = e.Price;
        var size = e.Size;
        if (price is <= 0 or >= Scale || size <= 0)
        {
            return;
        }

        if (!string.IsNullOrEmpty(e.TxHash) && !Remember((e.TxHash, price, size)))
        {
            _duplicatePrints++;
            return;
        }

        // The aggressor from the pre-print book: at or above the best ask a buyer lifted the asks, at or below the best
        // bid a seller hit the bids; inside the spread (or both, which an uncrossed book rules out) the reported side decides.
        var bestAsk = BestEffective(bid: false);
        var bestBid = BestEffective(bid: true);
        var buyer = bestAsk < Scale && price >= bestAsk;
        var seller = bestBid > 0 && price <= bestBid;
        if (buyer == seller)
        {
            buyer = e.Side == Side.Buy;
        }

        var passiveBid = !buyer;
        var engine = venue.Engine;
        var level = Get(passiveBid, price);
        var budget = level.Ledger.OnPrint(size, _nowNs, _windowNs);

        // Plan the internal fills on the book before it changes: internal orders at strictly better prices first (the
        // print went through them), then the FIFO at the print's price, where external size ahead uses up the budget.
        var remaining = budget;
        long fill = 0;
        var info = engine.GetMarket(MarketId);
        var tick = info?.TickSize ?? 1;
        var start = info is { } m ? (passiveBid ? m.BestBid : m.BestAsk) : price;
        for (var p = start; remaining > 0 && (passiveBid ? p > price : p < price); p += passiveBid ? -tick : tick)
        {
            foreach (var o in engine.GetOrdersAt(MarketId, passiveBid, p))
            {
                if (o.Account != SystemAccounts.External)
                {
                    var take = Math.Min(remaining, o.Remaining);
                    fill += take;
                    remaining -= take;
                }
            }
        }

        foreach (var o in engine.GetOrdersAt(MarketId, passiveBid, price))
        {
            if (remaining == 0)
            {
                break;
            }

            var take = Math.Min(remaining, o.Remaining);
            remaining -= take;
            if (o.Account != SystemAccounts.External)
            {
                fill += take;
            }
        }

        // A print at a worse price proves the better external levels were swept.
        foreach (var better in _live)
        {
            if (better.Bid == passiveBid && (passiveBid ? better.Price > price : better.Price < price) && better.ExtTotal + better.Pending + better.Ledger.Available > 0)
            {
                better.Ledger.Sweep(_nowNs);
                Sync(venue, better, front: true);
            }
        }

        Sync(venue, level, front: true);
        if (fill > 0)
        {
            TakeInternal(venue, buyer, price, fill);
        }
    }

    /// <summary>The external account takes <paramref name="size"/> from internal makers up to <paramref name="price"/> with a FAK.</summary>
    private void TakeInternal(IMarketVenue venue, bool buyer, int price, long size)
    {
        var outcome = buyer ? Outcome.Yes : Outcome.No;
        var own = buyer ? price : Scale - price;
        if (size * own < Units.MinMarketableBuyNotional * Scale)
        {
            _printSkipped++;
            return;
        }

        TopUp(venue, size * own / Scale + 1);
        var code = venue.Apply(Command.Place(0, 0, SystemAccounts.External, MarketId, venue.NextOrderId, outcome, Side.Buy, own, size, TimeInForce.Fak));
        if (code != RejectCode.None)
        {
            _printSkipped++;
            return;
        }

        foreach (ref readonly var ev in venue.Engine.Events)
        {
            if (ev.Kind == EventKind.Trade)
            {
                _printFills++;
                _printShares += ev.Size;
            }
        }
    }

    private void ApplyTick(IMarketVenue venue, int tick)
    {
        var info = venue.Engine.GetMarket(MarketId);
        if (info is { } m && Units.IsValidTick(tick) && m.TickSize != tick)
        {
            venue.Apply(Command.SetTickSize(0, 0, MarketId, tick));
        }

        if (Freshness == BookFreshness.Fresh)
        {
            foreach (var level in _live)
            {
                Flush(venue, level);
            }
        }
    }

    private void GoStale(IMarketVenue venue)
    {
        _gaps++;
        Withdraw(venue);
        Freshness = BookFreshness.Stale;
    }

    // ---- keeping the engine orders equal to the ledger -------------------------------------------

    /// <summary>Takes what internal takers consumed since the last event into the ledger.</summary>
    private void Reconcile(IMarketVenue venue)
    {
        var engine = venue.Engine;
        foreach (var level in _live)
        {
            long consumed = 0;
            for (var i = level.Ext.Count - 1; i >= 0; i--)
            {
                var id = level.Ext[i];
                var tracked = _orders[id];
                var now = engine.TryGetOrder(id, out var o) ? o.Remaining : 0;
                if (now < tracked.Remaining)
                {
                    _shadowFills++;
                    consumed += tracked.Remaining - now;
                    tracked.Remaining = now;
                }

                if (now == 0)
                {
                    level.Ext.RemoveAt(i);
                    _orders.Remove(id);
                }
            }

            if (consumed > 0)
            {
                _shadowShares += consumed;
                level.ExtTotal -= consumed;
                level.Ledger.OnConsumed(consumed, _nowNs);
            }
        }
    }

    private void Expire(IMarketVenue venue)
    {
        foreach (var level in _live)
        {
            var before = level.Ledger.Available;
            level.Ledger.Expire(_nowNs, _windowNs, _ttlNs);
            if (level.Ledger.Available != before)
            {
                Sync(venue, level, front: false);
            }
        }
    }

    /// <summary>Brings the level's external orders (plus the part too small to place) to the ledger's available size.</summary>
    /// <param name="venue">The venue.</param>
    /// <param name="level">The level.</param>
    /// <param name="front">Remove from the front of the queue (a print) rather than by the queue model (a depth decrease).</param>
    private void Sync(IMarketVenue venue, Level level, bool front)
    {
        var target = Freshness == BookFreshness.Fresh ? level.Ledger.Available : 0;
        var current = level.ExtTotal + level.Pending;
        if (target < current)
        {
            var cut = current - target;
            if (front)
            {
                RemoveFromFront(venue, level, cut);
            }
            else
            {
                // Pending size is the very back of the queue.
                var fromPending = Math.Min(level.Pending, cut);
                level.Pending -= fromPending;
                RemoveByModel(venue, level, cut - fromPending);
            }
        }
        else if (target > current)
        {
            level.Pending += target - current;
        }

        Flush(venue, level);
    }

    private void RemoveFromFront(IMarketVenue venue, Level level, long cut)
    {
        var queue = venue.Engine.GetOrdersAt(MarketId, level.Bid, level.Price);
        var lastInternal = -1;
        for (var i = 0; i < queue.Count; i++)
        {
            if (queue[i].Account != SystemAccounts.External)
            {
                lastInternal = i;
            }
        }

        long advanced = 0;
        for (var i = 0; i < queue.Count && cut > 0; i++)
        {
            var o = queue[i];
            if (o.Account != SystemAccounts.External || !_orders.ContainsKey(o.Id))
            {
                continue;
            }

            var take = Math.Min(cut, o.Remaining);
            Shrink(venue, level, o.Id, take);
            cut -= take;
            if (i < lastInternal)
            {
                advanced += take;
            }
        }

        level.Pending -= Math.Min(level.Pending, cut);
        if (advanced > 0)
        {
            _queueAdvances++;
            _queueAdvanceShares += advanced;
        }
    }

    private void RemoveByModel(IMarketVenue venue, Level level, long cut)
    {
        if (cut <= 0)
        {
            return;
        }

        // Segments: external orders before the first internal order, between each pair, and after the last.
        var queue = venue.Engine.GetOrdersAt(MarketId, level.Bid, level.Price);
        var segments = new List<List<OrderInfo>> { new() };
        foreach (var o in queue)
        {
            if (o.Account == SystemAccounts.External && _orders.ContainsKey(o.Id))
            {
                segments[^1].Add(o);
            }
            else if (o.Account != SystemAccounts.External)
            {
                segments.Add([]);
            }
        }

        Span<long> sizes = segments.Count <= 64 ? stackalloc long[segments.Count] : new long[segments.Count];
        Span<long> cuts = segments.Count <= 64 ? stackalloc long[segments.Count] : new long[segments.Count];
        for (var j = 0; j < segments.Count; j++)
        {
            sizes[j] = segments[j].Sum(o => o.Remaining);
        }

        ShrinkModel.Distribute(sizes, cut, cuts);
        long advanced = 0;
        for (var j = 0; j < segments.Count; j++)
        {
            var left = cuts[j];
            if (j < segments.Count - 1)
            {
                advanced += left;
            }

            // Within a segment the newest external orders go first; the queue estimates are the same either way.
            for (var i = segments[j].Count - 1; i >= 0 && left > 0; i--)
            {
                var take = Math.Min(left, segments[j][i].Remaining);
                Shrink(venue, level, segments[j][i].Id, take);
                left -= take;
            }
        }

        if (advanced > 0)
        {
            _queueAdvances++;
            _queueAdvanceShares += advanced;
        }
    }

    /// <summary>Places the level's pending size: merged into the last order of the queue when that is external (same
    /// place in the queue), else as a new order at the back once it reaches the market's minimum size.</summary>
    private void Flush(IMarketVenue venue, Level level)
    {
        if (level.Pending <= 0 || Freshness != BookFreshness.Fresh)
        {
            return;
        }

        var engine = venue.Engine;
        if (engine.GetMarket(MarketId) is not { } market || market.Status != MarketStatus.Active || level.Price % market.TickSize != 0)
        {
            return;
        }

        var minimum = market.Parameters.MinimumSize;
        var queue = engine.GetOrdersAt(MarketId, level.Bid, level.Price);
        if (queue.Count > 0 && queue[^1] is { Account: SystemAccounts.External } tail && _orders.ContainsKey(tail.Id))
        {
            if (tail.Remaining + level.Pending < minimum)
            {
                return;
            }

            Shrink(venue, level, tail.Id, tail.Remaining);
            level.Pending += tail.Remaining;
        }
        else if (level.Pending < minimum)
        {
            return;
        }

        var size = level.Pending;
        var outcome = level.Bid ? Outcome.Yes : Outcome.No;
        var own = level.Bid ? level.Price : Scale - level.Price;
        TopUp(venue, (size * own / Scale) + 1);
        var id = venue.NextOrderId;
        var code = venue.Apply(Command.Place(0, 0, SystemAccounts.External, MarketId, id, outcome, Side.Buy, own, size));
        if (code != RejectCode.None)
        {
            return;
        }

        // The external book moved through internal orders: they fill as makers at their own limits (research §4.4).
        long crossed = 0;
        foreach (ref readonly var ev in engine.Events)
        {
            if (ev.Kind == EventKind.Trade)
            {
                _crossingFills++;
                crossed += ev.Size;
            }
        }

        _crossingShares += crossed;
        level.Pending = 0;
        if (crossed > 0)
        {
            level.Ledger.OnConsumed(crossed, _nowNs);
        }

        if (engine.TryGetOrder(id, out var rested))
        {
            level.Ext.Add(id);
            level.ExtTotal += rested.Remaining;
            _orders[id] = new ExtOrder { Remaining = rested.Remaining };
        }
    }

    /// <summary>Takes <paramref name="take"/> off one external order: a reduce that keeps its place, or a cancel.</summary>
    private void Shrink(IMarketVenue venue, Level level, long id, long take)
    {
        var tracked = _orders[id];
        if (take <= 0)
        {
            return;
        }

        if (take >= tracked.Remaining)
        {
            venue.Apply(Command.Cancel(0, 0, SystemAccounts.External, id));
            level.ExtTotal -= tracked.Remaining;
            level.Ext.Remove(id);
            _orders.Remove(id);
            return;
        }

        venue.Apply(Command.Reduce(0, 0, SystemAccounts.External, id, tracked.Remaining - take));
        tracked.Remaining -= take;
        level.ExtTotal -= take;
    }

    /// <summary>Internal-first policy: external orders in front of an internal order move behind the last one.</summary>
    private void Realign(IMarketVenue venue)
    {
        foreach (var level in _live)
        {
            if (level.ExtTotal == 0)
            {
                continue;
            }

            var queue = venue.Engine.GetOrdersAt(MarketId, level.Bid, level.Price);
            var lastInternal = -1;
            for (var i = 0; i < queue.Count; i++)
            {
                if (queue[i].Account != SystemAccounts.External)
                {
                    lastInternal = i;
                }
            }

            long moved = 0;
            for (var i = 0; i < lastInternal; i++)
            {
                if (queue[i].Account == SystemAccounts.External && _orders.ContainsKey(queue[i].Id))
                {
                    moved += queue[i].Remaining;
                    Shrink(venue, level, queue[i].Id, queue[i].Remaining);
                }
            }

            if (moved > 0)
            {
                level.Pending += moved;
                Flush(venue, level);
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private void EnsureAccount(IMarketVenue venue)
    {
        var engine = venue.Engine;
        if (!engine.HasAccount(SystemAccounts.External))
        {
            venue.Apply(Command.RegisterAccount(0, 0, SystemAccounts.External, SelfTradePrevention.CancelIncoming));
        }
        else if (engine.GetSelfTradePrevention(SystemAccounts.External) != SelfTradePrevention.CancelIncoming)
        {
            venue.Apply(Command.SetStp(0, 0, SystemAccounts.External, SelfTradePrevention.CancelIncoming));
        }

        TopUp(venue, 0);
    }

    /// <summary>Keeps the external account's available cash at <see cref="ExternalLiquidityOptions.Funding"/> (never past the engine's limit).</summary>
    private void TopUp(IMarketVenue venue, long needed)
    {
        var balance = venue.Engine.GetBalance(SystemAccounts.External);
        var funding = Math.Max(Options.Funding, needed);
        if (balance.Available >= Math.Max(needed, Options.Funding / 2))
        {
            return;
        }

        var amount = Math.Min(funding - balance.Available, Units.MaxAmount - balance.Total);
        if (amount > 0)
        {
            venue.Apply(Command.Deposit(0, 0, SystemAccounts.External, amount));
        }
    }

    private bool Remember((string Tx, int Price, long Size) key)
    {
        if (!_seenPrints.Add(key))
        {
            return false;
        }

        _seenOrder.Enqueue(key);
        if (_seenOrder.Count > MaxRememberedPrints)
        {
            _seenPrints.Remove(_seenOrder.Dequeue());
        }

        return true;
    }

    /// <summary>Best external price on one side after the prints seen (0 = no bid, <see cref="Units.PriceScale"/> = no ask).</summary>
    private int BestEffective(bool bid)
    {
        var best = bid ? 0 : Scale;
        foreach (var level in _live)
        {
            if (level.Bid == bid && level.Ledger.Effective > 0)
            {
                best = bid ? Math.Max(best, level.Price) : Math.Min(best, level.Price);
            }
        }

        return best;
    }

    private Level Get(bool bid, int price)
    {
        var levels = bid ? _bids : _asks;
        if (levels[price] is { } level)
        {
            return level;
        }

        level = new Level(bid, price);
        levels[price] = level;
        _live.Add(level);
        return level;
    }

    /// <summary>One external price level: its ledger and the external orders resting at it, oldest first.</summary>
    private sealed class Level(bool bid, int price)
    {
        public bool Bid { get; } = bid;

        public int Price { get; } = price;

        public LevelLedger Ledger;

        public List<long> Ext { get; } = [];

        public long ExtTotal { get; set; }

        /// <summary>Available size not (yet) resting: below the market's minimum size, or off the tick grid.</summary>
        public long Pending { get; set; }
    }

    private sealed class ExtOrder
    {
        public long Remaining { get; set; }
    }
}
