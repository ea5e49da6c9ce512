using Polysim.ClobApi.Api.Orders;
using Polysim.ClobApi.Hosting;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Projections;

/// <summary>Lifecycle status of an order, as the native /v1 surface reports it.</summary>
public enum OrderStatus
{
    /// <summary>Resting, nothing filled yet.</summary>
    Open,

    /// <summary>Resting with part of it filled.</summary>
    PartiallyFilled,

    /// <summary>Completely filled.</summary>
    Filled,

    /// <summary>Left the book with a remainder: cancelled by its owner, a FAK remainder, self-trade prevention, or resolution.</summary>
    Cancelled,

    /// <summary>A GTD order that reached its expiration.</summary>
    Expired,
}

/// <summary>One fill of one order.</summary>
/// <param name="TradeId">The engine's trade number.</param>
/// <param name="TimestampMs">When it happened, Unix ms.</param>
/// <param name="Price">This order's own-token trade price (1e-4).</param>
/// <param name="Size">Micro-shares filled.</param>
/// <param name="Fee">Taker fee: micro-shares when <paramref name="FeeInShares"/>, else micro-USDC; 0 for a maker.</param>
/// <param name="FeeInShares">Whether <paramref name="Fee"/> is in shares (a BUY taker).</param>
/// <param name="Cash">Micro-USDC this order paid (BUY) or received net of fee (SELL) on this fill.</param>
/// <param name="IsMaker">Whether this order was the resting side.</param>
/// <param name="MatchType">NORMAL, MINT or MERGE.</param>
public readonly record struct OrderFill(
    long TradeId, long TimestampMs, int Price, long Size, long Fee, bool FeeInShares, long Cash, bool IsMaker, Polysim.MatchingEngine.MatchType MatchType);

/// <summary>Everything known about one order: what was asked, where it stands, and its fills.</summary>
/// <remarks>A snapshot taken by <see cref="OrderHistory"/> when asked; the history keeps its orders as values, not as these
/// objects, and a snapshot does not follow later changes.</remarks>
public sealed class OrderRecord
{
    // A copy of the row: the history may change or reuse its own after this snapshot is taken.
    private readonly OrderRow _row;
    private readonly OrderFill[]? _moreFills;
    private string? _publicId;

    internal OrderRecord(in OrderRow row, string tokenId, string orderType, string? clientOrderId, OrderFill[]? moreFills)
    {
        _row = row;
        _moreFills = moreFills;
        TokenId = tokenId;
        OrderType = orderType;
        ClientOrderId = clientOrderId;
    }

    /// <summary>Engine order id.</summary>
    public long EngineId => _row.EngineId;

    /// <summary>Public id ("0x" + 64 lowercase hex).</summary>
    public string PublicId => _publicId ??= _row.Key.ToString();

    /// <summary>Owning account, or -1 when the order was placed without an <see cref="OrderSubmitted"/> record (system orders).</summary>
    public int AccountId => _row.AccountId;

    /// <summary>Wallet (engine account) it trades for.</summary>
    public int WalletId => _row.WalletId;

    /// <summary>Engine market id.</summary>
    public int Market => _row.Market;

    /// <summary>Token id the client named (uint256 decimal); empty for orders placed without metadata (look it up by market).</summary>
    public string TokenId { get; }

    /// <summary>Client order id, or null.</summary>
    public string? ClientOrderId { get; }

    /// <summary>"limit" or "market".</summary>
    public string OrderType { get; }

    /// <summary>YES or NO token.</summary>
    public Outcome Outcome => _row.Outcome;

    /// <summary>BUY or SELL.</summary>
    public Side Side => _row.Side;

    /// <summary>Own-token limit price (1e-4).</summary>
    public int Price => _row.Price;

    /// <summary>Size in micro-shares; for a budget BUY, what the budget buys at the limit until it finishes, then what it bought.</summary>
    public long Quantity => _row.Quantity;

    /// <summary>Micro-USDC budget of a BUY sized as an amount, else 0.</summary>
    public long Budget => _row.Budget;

    /// <summary>GTC, GTD, FOK or FAK.</summary>
    public TimeInForce TimeInForce => _row.TimeInForce;

    /// <summary>Whether it was post-only.</summary>
    public bool PostOnly => _row.PostOnly;

    /// <summary>GTD expiration, Unix ms; 0 for none.</summary>
    public long ExpirationMs => _row.ExpirationMs;

    /// <summary>Submission time, Unix ms.</summary>
    public long CreatedAtMs => _row.CreatedAtMs;

    /// <summary>Time of the last change, Unix ms.</summary>
    public long UpdatedAtMs => _row.UpdatedAtMs;

    /// <summary>Where it stands.</summary>
    public OrderStatus Status => _row.Status;

    /// <summary>Why it left the book, for <see cref="OrderStatus.Cancelled"/> and <see cref="OrderStatus.Expired"/>.</summary>
    public CancelReason? CancelReason => _row.HasCancelReason ? _row.CancelReason : null;

    /// <summary>Micro-shares filled.</summary>
    public long Filled => _row.Filled;

    /// <summary>Micro-shares still open (0 once finished).</summary>
    public long Remaining => _row.Remaining;

    /// <summary>Σ fill size × own price, in 1e-10 USDC.</summary>
    public Int128 Notional => _row.Notional;

    /// <summary>Σ micro-USDC paid (BUY) or received net of fees (SELL).</summary>
    public long Cash => _row.Cash;

    /// <summary>Σ taker fees: micro-shares for a BUY, micro-USDC for a SELL.</summary>
    public long Fees => _row.Fees;

    /// <summary>How many fills the order has had (<see cref="Fills"/> keeps at most <see cref="OrderHistory.MaxFillsPerOrder"/>).</summary>
    public int FillCount => _row.FillCount;

    /// <summary>The first fills, oldest first.</summary>
    public IReadOnlyList<OrderFill> Fills => FillCount switch
    {
        0 => [],
        _ when _moreFills is null => [_row.FirstFill],
        _ => [_row.FirstFill, .. _moreFills],
    };

    /// <summary>Whether the order can no longer trade.</summary>
    public bool IsFinished => OrderRow.Finished(Status);
}

/// <summary>Which of a wallet's orders <see cref="OrderHistory.ListWallet"/> yields; an unset field matches every order.</summary>
/// <param name="Status">Only orders in this status.</param>
/// <param name="Side">Only this side.</param>
/// <param name="Market">Only this engine market.</param>
/// <param name="OpenOnly">Only orders that can still trade.</param>
public readonly record struct OrderFilter(OrderStatus? Status = null, Side? Side = null, int? Market = null, bool OpenOnly = false);

/// <summary>How <see cref="OrderHistory"/> keeps one order: a value with no references, stored inline in a chunk.</summary>
/// <remarks>Strings live beside it (token and order type interned, client order ids in a map of their own, rare), so the
/// collector has no object per kept order to trace or to copy from generation to generation.</remarks>
internal struct OrderRow
{
    public OrderKey Key;
    public Int128 Notional;
    public OrderFill FirstFill;
    public long EngineId;
    public long Quantity;
    public long Budget;
    public long ExpirationMs;
    public long CreatedAtMs;
    public long UpdatedAtMs;
    public long Filled;
    public long Remaining;
    public long Cash;
    public long Fees;
    public int AccountId;
    public int WalletId;
    public int Market;
    public int Price;
    public int FillCount;
    public short Token;
    public short OrderType;
    public OrderStatus Status;
    public Outcome Outcome;
    public Side Side;
    public TimeInForce TimeInForce;
    public CancelReason CancelReason;
    public bool HasCancelReason;
    public bool PostOnly;
    public bool HasClientOrderId;

    public readonly bool IsFinished => Finished(Status);

    public static bool Finished(OrderStatus status) => status is OrderStatus.Filled or OrderStatus.Cancelled or OrderStatus.Expired;
}

/// <summary>Every order the host has seen, open or finished, with its fills: the source of the order query routes.</summary>
/// <remarks>
/// Built on the engine thread from each command's events; rebuilt identically by journal replay. Metadata the engine
/// command does not carry arrives first as an <see cref="OrderSubmitted"/> record. Rejected orders are not kept (their
/// client order id stays free). Memory: open orders are always kept; each wallet keeps its newest
/// <see cref="MaxFinishedPerWallet"/> finished orders (a system wallet <see cref="MaxFinishedPerSystemWallet"/>; the oldest-finished are forgotten first, which frees their client order
/// ids), and each order keeps its first <see cref="MaxFillsPerOrder"/> fills while its totals count every fill. Eviction
/// depends only on the event stream, so replay forgets exactly the same orders.
/// <para>Orders are kept as <see cref="OrderRow"/> values in chunks under the large-object threshold, indexed by slot: measured
/// under load, an object per order (and its 66-character id string) made up nearly all of what each young collection
/// copied, and so most of its pause. Readers get <see cref="OrderRecord"/> snapshots.</para>
/// </remarks>
public sealed class OrderHistory
{
    /// <summary>Finished orders kept per wallet.</summary>
    public const int MaxFinishedPerWallet = 10_000;

    /// <summary>Finished orders kept per system wallet (house market makers and synthetic agents, which place orders without end).</summary>
    public const int MaxFinishedPerSystemWallet = 1_000;

    /// <summary>Fills kept per order.</summary>
    public const int MaxFillsPerOrder = 500;

    // Declared before RowsPerChunk, which reads it: static fields initialize in declaration order.
    private static readonly int ChunkShift = System.Numerics.BitOperations.Log2((uint)(80_000 / System.Runtime.CompilerServices.Unsafe.SizeOf<OrderRow>()));

    /// <summary>Rows per chunk: a power of two keeping a chunk under the 85,000-byte large-object threshold.</summary>
    internal static readonly int RowsPerChunk = 1 << ChunkShift;

    private readonly List<OrderRow[]> _chunks = [];
    private readonly Stack<int> _freeSlots = new();
    private int _freshSlot;

    // Sharded: these reach hundreds of thousands of orders, and a plain dictionary's doubling stalls the engine thread.
    private readonly ShardedMap<long, int> _slotByEngineId = new();
    private readonly ShardedMap<OrderKey, int> _slotByKey = new();
    private readonly ShardedMap<(int Account, string ClientOrderId), long> _byClientId = new();
    private readonly ShardedMap<long, string> _clientOrderIds = new();
    private readonly ShardedMap<long, List<OrderFill>> _moreFills = new();
    private readonly Dictionary<int, OrderIdList> _byWallet = [];
    private readonly Dictionary<int, Queue<long>> _finishedByWallet = [];
    private readonly Dictionary<string, short> _internIndex = new(StringComparer.Ordinal);
    private readonly List<string> _interned = [];
    private OrderSubmitted? _pending;

    /// <summary>How many orders are kept.</summary>
    public int Count => _slotByEngineId.Count;

    /// <summary>Takes the metadata of the order the next <c>PlaceOrder</c> command places.</summary>
    public void Submit(OrderSubmitted submitted) => _pending = submitted;

    /// <summary>An order by engine id.</summary>
    public OrderRecord? Find(long engineId) =>
        _slotByEngineId.TryGetValue(engineId, out var slot) ? Snapshot(in Row(slot)) : null;

    /// <summary>An order by public id (hex of either case).</summary>
    public OrderRecord? FindByPublicId(string publicId) =>
        OrderKey.TryParse(publicId, out var key) && _slotByKey.TryGetValue(key, out var slot) ? Snapshot(in Row(slot)) : null;

    /// <summary>Whether an order with this public id is kept.</summary>
    public bool ContainsPublicId(string publicId) => OrderKey.TryParse(publicId, out var key) && _slotByKey.ContainsKey(key);

    /// <summary>The order an account bound a client order id to, if still kept.</summary>
    public OrderRecord? FindByClientOrderId(int accountId, string clientOrderId) =>
        _byClientId.TryGetValue((accountId, clientOrderId), out var engineId) ? Find(engineId) : null;

    /// <summary>A wallet's orders, newest first, starting below engine id <paramref name="before"/>; only those the filter
    /// lets through are snapshot.</summary>
    public IEnumerable<OrderRecord> ListWallet(int walletId, long before = long.MaxValue, OrderFilter filter = default)
    {
        if (!_byWallet.TryGetValue(walletId, out var ids))
        {
            yield break;
        }

        foreach (var id in ids.Below(before))
        {
            if (!_slotByEngineId.TryGetValue(id, out var slot))
            {
                throw new InvalidOperationException($"Order {id} is listed for wallet {walletId} but not kept.");
            }

            if (Matches(in Row(slot), filter))
            {
                yield return Snapshot(in Row(slot));
            }
        }
    }

    /// <summary>How many orders of a wallet are kept.</summary>
    public int CountWallet(int walletId) => _byWallet.TryGetValue(walletId, out var ids) ? ids.Count : 0;

    /// <summary>Observes one applied command and its events.</summary>
    public void Observe(in Command command, ReadOnlySpan<EngineEvent> events)
    {
        OrderSubmitted? meta = null;
        if (command.Kind == CommandKind.PlaceOrder)
        {
            // Metadata belongs to exactly the next placement; anything left over from an aborted operation is dropped here.
            meta = _pending is { } p && p.OrderId == command.OrderId ? p : null;
            _pending = null;
        }

        foreach (ref readonly var e in events)
        {
            switch (e.Kind)
            {
                case EventKind.OrderAccepted:
                    Accept(command, e, meta);
                    break;
                case EventKind.OrderRested:
                    if (_slotByEngineId.TryGetValue(e.OrderId, out var rested) && Row(rested).Budget > 0)
                    {
                        Row(rested).Quantity = e.Size;
                    }

                    break;
                case EventKind.Trade:
                    OnTrade(e);
                    break;
                case EventKind.OrderFilled:
                    if (_slotByEngineId.TryGetValue(e.OrderId, out var filledSlot))
                    {
                        ref var filled = ref Row(filledSlot);
                        filled.Remaining = e.Remaining;
                        filled.UpdatedAtMs = e.Timestamp;
                        if (e.Remaining == 0)
                        {
                            Finish(ref filled, OrderStatus.Filled, null, e.Timestamp);
                        }
                        else
                        {
                            filled.Status = OrderStatus.PartiallyFilled;
                        }
                    }

                    break;
                case EventKind.OrderReduced:
                    if (_slotByEngineId.TryGetValue(e.OrderId, out var reducedSlot))
                    {
                        // The engine's size shrinks with the remainder, so size = filled + remaining still holds.
                        ref var reduced = ref Row(reducedSlot);
                        reduced.Quantity -= e.Size;
                        reduced.Remaining = e.Remaining;
                        reduced.UpdatedAtMs = e.Timestamp;
                    }

                    break;
                case EventKind.OrderCancelled:
                    if (_slotByEngineId.TryGetValue(e.OrderId, out var cancelled))
                    {
                        Finish(ref Row(cancelled), OrderStatus.Cancelled, e.Reason, e.Timestamp);
                    }

                    break;
                case EventKind.OrderExpired:
                    if (_slotByEngineId.TryGetValue(e.OrderId, out var expired))
                    {
                        Finish(ref Row(expired), OrderStatus.Expired, CancelReason.Expired, e.Timestamp);
                    }

                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Drops <paramref name="engineId"/> if it has finished: for a state that keeps no history, such as the
    /// projection writer's shadow once the order's last row is written (a finished order never changes again).</summary>
    public void ForgetIfFinished(long engineId)
    {
        if (_slotByEngineId.TryGetValue(engineId, out var slot) && Row(slot).IsFinished)
        {
            Forget(engineId);
        }
    }

    private ref OrderRow Row(int slot) => ref _chunks[slot >> ChunkShift][slot & (RowsPerChunk - 1)];

    private OrderRecord Snapshot(in OrderRow row)
    {
        OrderFill[]? more = null;
        if (row.FillCount > 1 && _moreFills.TryGetValue(row.EngineId, out var list))
        {
            more = [.. list];
        }

        var clientOrderId = row.HasClientOrderId ? _clientOrderIds.GetValueOrDefault(row.EngineId) : null;
        return new OrderRecord(in row, row.Token < 0 ? string.Empty : _interned[row.Token], _interned[row.OrderType], clientOrderId, more);
    }

    private static bool Matches(in OrderRow row, OrderFilter filter) =>
        (filter.Status is not { } status || row.Status == status)
        && (filter.Side is not { } side || row.Side == side)
        && (filter.Market is not { } market || row.Market == market)
        && (!filter.OpenOnly || !row.IsFinished);

    private void Accept(in Command command, in EngineEvent e, OrderSubmitted? meta)
    {
        var key = meta?.PublicId is { } given
            ? OrderKey.TryParse(given, out var parsed) ? parsed : throw new InvalidOperationException($"Order {e.OrderId}'s public id '{given}' is not 0x + 64 hex digits.")
            : PublicIds.OrderKey(e.OrderId);
        var slot = _freeSlots.Count > 0 ? _freeSlots.Pop() : NewSlot();
        ref var row = ref Row(slot);
        row = new OrderRow
        {
            Key = key,
            EngineId = e.OrderId,
            AccountId = meta?.AccountId ?? -1,
            WalletId = e.Account,
            Market = e.Market,
            Outcome = e.Outcome,
            Side = e.Side,
            Price = e.Price,
            Quantity = e.Size,
            Remaining = e.Size,
            Budget = e.Amount,
            TimeInForce = e.TimeInForce,
            PostOnly = command.PostOnly,
            ExpirationMs = command.Expiration,
            Token = meta?.TokenId is { } token ? Intern(token) : (short)-1,
            OrderType = Intern(meta?.OrderType ?? "limit"),
            CreatedAtMs = meta?.CreatedAtMs ?? e.Timestamp,
            UpdatedAtMs = e.Timestamp,
            Status = OrderStatus.Open,
        };
        _slotByEngineId[e.OrderId] = slot;
        _slotByKey[key] = slot;
        if (meta?.ClientOrderId is { } clientId)
        {
            row.HasClientOrderId = true;
            _clientOrderIds[e.OrderId] = clientId;
            if (row.AccountId >= 0)
            {
                _byClientId[(row.AccountId, clientId)] = e.OrderId;
            }
        }

        if (!_byWallet.TryGetValue(row.WalletId, out var ids))
        {
            ids = new OrderIdList();
            _byWallet[row.WalletId] = ids;
        }

        ids.Add(e.OrderId);
    }

    private int NewSlot()
    {
        if (_freshSlot == _chunks.Count * RowsPerChunk)
        {
            _chunks.Add(new OrderRow[RowsPerChunk]);
        }

        return _freshSlot++;
    }

    /// <summary>One string per token id and order type for all the orders naming it, as a small index in the row.</summary>
    private short Intern(string text)
    {
        if (_internIndex.TryGetValue(text, out var index))
        {
            return index;
        }

        // Orders are accepted only for listed tokens: two strings per market, and two order types.
        if (_interned.Count == short.MaxValue)
        {
            throw new InvalidOperationException("More distinct token ids than the order history can index.");
        }

        index = (short)_interned.Count;
        _interned.Add(text);
        _internIndex[text] = index;
        return index;
    }

    private void OnTrade(in EngineEvent e)
    {
        if (_slotByEngineId.TryGetValue(e.TakerOrderId, out var takerSlot))
        {
            ref var taker = ref Row(takerSlot);
            taker.Filled += e.Size;
            taker.Notional += (Int128)e.Size * e.TakerPrice;
            taker.Cash += e.Amount;
            taker.Fees += e.Fee;
            AddFill(ref taker, new OrderFill(e.TradeId, e.Timestamp, e.TakerPrice, e.Size, e.Fee, e.FeeInShares, e.Amount, IsMaker: false, e.MatchType));
        }

        if (_slotByEngineId.TryGetValue(e.MakerOrderId, out var makerSlot))
        {
            ref var maker = ref Row(makerSlot);
            maker.Filled += e.Size;
            maker.Notional += (Int128)e.Size * e.MakerPrice;
            maker.Cash += e.OtherAmount;
            AddFill(ref maker, new OrderFill(e.TradeId, e.Timestamp, e.MakerPrice, e.Size, 0, false, e.OtherAmount, IsMaker: true, e.MatchType));
        }
    }

    // Most orders that fill at all fill once: the first fill is kept in the row and a list is made only for a second one.
    private void AddFill(ref OrderRow row, in OrderFill fill)
    {
        if (row.FillCount == 0)
        {
            row.FirstFill = fill;
        }
        else if (row.FillCount < MaxFillsPerOrder)
        {
            if (!_moreFills.TryGetValue(row.EngineId, out var more))
            {
                more = [];
                _moreFills[row.EngineId] = more;
            }

            more.Add(fill);
        }

        row.FillCount++;
    }

    private void Finish(ref OrderRow order, OrderStatus status, CancelReason? reason, long timestamp)
    {
        if (order.IsFinished)
        {
            return;
        }

        order.Status = status;
        order.HasCancelReason = reason.HasValue;
        order.CancelReason = reason.GetValueOrDefault();
        order.UpdatedAtMs = timestamp;
        order.Remaining = 0;
        if (order.Budget > 0)
        {
            // A budget BUY ends having bought what it bought; that is its size from now on.
            order.Quantity = order.Filled;
        }

        if (!_finishedByWallet.TryGetValue(order.WalletId, out var finished))
        {
            finished = new Queue<long>();
            _finishedByWallet[order.WalletId] = finished;
        }

        finished.Enqueue(order.EngineId);
        var cap = order.WalletId < Api.SystemAccounts.FirstUserWallet ? MaxFinishedPerSystemWallet : MaxFinishedPerWallet;
        while (finished.Count > cap)
        {
            // May reuse no slot that `order` refers to: the order just finished is the newest in the queue, never dequeued here.
            Forget(finished.Dequeue());
        }
    }

    private void Forget(long engineId)
    {
        if (!_slotByEngineId.Remove(engineId, out var slot))
        {
            return;
        }

        ref var row = ref Row(slot);
        _slotByKey.Remove(row.Key);
        if (row.HasClientOrderId && _clientOrderIds.Remove(engineId, out var clientId)
            && row.AccountId >= 0
            && _byClientId.TryGetValue((row.AccountId, clientId), out var bound)
            && bound == engineId)
        {
            _byClientId.Remove((row.AccountId, clientId));
        }

        if (row.FillCount > 1)
        {
            _moreFills.Remove(engineId);
        }

        if (_byWallet.TryGetValue(row.WalletId, out var ids))
        {
            ids.Remove(engineId);
        }

        row = default;
        _freeSlots.Push(slot);
    }
}

/// <summary>One wallet's kept engine order ids in ascending order: an array with removed entries marked in place and squeezed
/// out when they outnumber the kept ones.</summary>
/// <remarks>Replaces a <c>SortedSet&lt;long&gt;</c>, whose node per order was one more object for the GC to copy into gen 2
/// and whose rebalancing wrote new nodes into old ones (cards the next young collection has to scan). Ids arrive ascending
/// (the engine numbers orders in order), so adding is an append.</remarks>
internal sealed class OrderIdList
{
    // A removed id is stored as its complement (negative), which keeps the array ordered by |id| for binary search.
    private long[] _ids = new long[16];
    private int _length;
    private int _removed;

    /// <summary>Ids kept.</summary>
    public int Count => _length - _removed;

    /// <summary>The kept ids below <paramref name="before"/>, newest first.</summary>
    /// <remarks>Enumerated on the engine thread between commands, like every reader of the order history.</remarks>
    public IEnumerable<long> Below(long before)
    {
        for (var i = IndexBelow(before); i >= 0; i--)
        {
            if (_ids[i] is var id and >= 0)
            {
                yield return id;
            }
        }
    }

    /// <summary>The last position whose id is below <paramref name="before"/>, or -1.</summary>
    private int IndexBelow(long before)
    {
        var (lo, hi) = (0, _length);
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Id(_ids[mid]) < before)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo - 1;
    }

    public void Add(long id)
    {
        if (_length == _ids.Length)
        {
            Array.Resize(ref _ids, _length * 2);
        }

        var at = _length;
        if (_length > 0 && Id(_ids[_length - 1]) >= id)
        {
            // Not expected (ids ascend); kept correct anyway.
            at = IndexBelow(id) + 1;
            if (at < _length && _ids[at] == id)
            {
                return;
            }

            Array.Copy(_ids, at, _ids, at + 1, _length - at);
        }

        _ids[at] = id;
        _length++;
    }

    public void Remove(long id)
    {
        var at = IndexBelow(id) + 1;
        if (at >= _length || _ids[at] != id)
        {
            return;
        }

        _ids[at] = ~id;
        _removed++;
        if (_removed > 64 && _removed > _length / 2)
        {
            Compact();
        }
    }

    private void Compact()
    {
        var kept = 0;
        for (var i = 0; i < _length; i++)
        {
            if (_ids[i] >= 0)
            {
                _ids[kept++] = _ids[i];
            }
        }

        _length = kept;
        _removed = 0;
    }

    private static long Id(long stored) => stored >= 0 ? stored : ~stored;
}
