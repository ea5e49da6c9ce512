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
/// <remarks>Mutable, owned by <see cref="OrderHistory"/> on the engine thread; copy what you need before leaving it.</remarks>
public sealed class OrderRecord
{
    // Every object a kept order holds is copied into gen 2 by the GC and dies there: the first fill is kept inline (most
    // orders that fill at all fill once) and a list is made only for a second one.
    private OrderFill _firstFill;
    private List<OrderFill>? _moreFills;

    internal OrderRecord(long engineId, string publicId)
    {
        EngineId = engineId;
        PublicId = publicId;
    }

    /// <summary>Engine order id.</summary>
    public long EngineId { get; }

    /// <summary>Public id ("0x" + 64 hex).</summary>
    public string PublicId { get; }

    /// <summary>Owning account, or -1 when the order was placed without an <see cref="OrderSubmitted"/> record (system orders).</summary>
    public int AccountId { get; internal set; } = -1;

    /// <summary>Wallet (engine account) it trades for.</summary>
    public int WalletId { get; internal set; }

    /// <summary>Engine market id.</summary>
    public int Market { get; internal set; }

    /// <summary>Token id the client named (uint256 decimal); empty for orders placed without metadata (look it up by market).</summary>
    public string TokenId { get; internal set; } = string.Empty;

    /// <summary>Client order id, or null.</summary>
    public string? ClientOrderId { get; internal set; }

    /// <summary>"limit" or "market".</summary>
    public string OrderType { get; internal set; } = "limit";

    /// <summary>YES or NO token.</summary>
    public Outcome Outcome { get; internal set; }

    /// <summary>BUY or SELL.</summary>
    public Side Side { get; internal set; }

    /// <summary>Own-token limit price (1e-4).</summary>
    public int Price { get; internal set; }

    /// <summary>Size in micro-shares; for a budget BUY, what the budget buys at the limit until it finishes, then what it bought.</summary>
    public long Quantity { get; internal set; }

    /// <summary>Micro-USDC budget of a BUY sized as an amount, else 0.</summary>
    public long Budget { get; internal set; }

    /// <summary>GTC, GTD, FOK or FAK.</summary>
    public TimeInForce TimeInForce { get; internal set; }

    /// <summary>Whether it was post-only.</summary>
    public bool PostOnly { get; internal set; }

    /// <summary>GTD expiration, Unix ms; 0 for none.</summary>
    public long ExpirationMs { get; internal set; }

    /// <summary>Submission time, Unix ms.</summary>
    public long CreatedAtMs { get; internal set; }

    /// <summary>Time of the last change, Unix ms.</summary>
    public long UpdatedAtMs { get; internal set; }

    /// <summary>Where it stands.</summary>
    public OrderStatus Status { get; internal set; }

    /// <summary>Why it left the book, for <see cref="OrderStatus.Cancelled"/> and <see cref="OrderStatus.Expired"/>.</summary>
    public CancelReason? CancelReason { get; internal set; }

    /// <summary>Micro-shares filled.</summary>
    public long Filled { get; internal set; }

    /// <summary>Micro-shares still open (0 once finished).</summary>
    public long Remaining { get; internal set; }

    /// <summary>Σ fill size × own price, in 1e-10 USDC.</summary>
    public Int128 Notional { get; internal set; }

    /// <summary>Σ micro-USDC paid (BUY) or received net of fees (SELL).</summary>
    public long Cash { get; internal set; }

    /// <summary>Σ taker fees: micro-shares for a BUY, micro-USDC for a SELL.</summary>
    public long Fees { get; internal set; }

    /// <summary>How many fills the order has had (<see cref="Fills"/> keeps at most <see cref="OrderHistory.MaxFillsPerOrder"/>).</summary>
    public int FillCount { get; internal set; }

    /// <summary>The first fills, oldest first.</summary>
    public IReadOnlyList<OrderFill> Fills => FillCount switch
    {
        0 => [],
        _ when _moreFills is null => [_firstFill],
        _ => [_firstFill, .. _moreFills],
    };

    /// <summary>Whether the order can no longer trade.</summary>
    public bool IsFinished => Status is OrderStatus.Filled or OrderStatus.Cancelled or OrderStatus.Expired;

    internal void AddFill(in OrderFill fill)
    {
        if (FillCount == 0)
        {
            _firstFill = fill;
        }
        else if (FillCount < OrderHistory.MaxFillsPerOrder)
        {
            (_moreFills ??= []).Add(fill);
        }

        FillCount++;
    }
}

/// <summary>Every order the host has seen, open or finished, with its fills: the source of the order query routes.</summary>
/// <remarks>
/// Built on the engine thread from each command's events; rebuilt identically by journal replay. Metadata the engine
/// command does not carry arrives first as an <see cref="OrderSubmitted"/> record. Rejected orders are not kept (their
/// client order id stays free). Memory: open orders are always kept; each wallet keeps its newest
/// <see cref="MaxFinishedPerWallet"/> finished orders (a system wallet <see cref="MaxFinishedPerSystemWallet"/>; the oldest-finished are forgotten first, which frees their client order
/// ids), and each order keeps its first <see cref="MaxFillsPerOrder"/> fills while its totals count every fill. Eviction
/// depends only on the event stream, so replay forgets exactly the same orders.
/// </remarks>
public sealed class OrderHistory
{
    /// <summary>Finished orders kept per wallet.</summary>
    public const int MaxFinishedPerWallet = 10_000;

    /// <summary>Finished orders kept per system wallet (house market makers and synthetic agents, which place orders without end).</summary>
    public const int MaxFinishedPerSystemWallet = 1_000;

    /// <summary>Fills kept per order.</summary>
    public const int MaxFillsPerOrder = 500;

    // Sharded: these reach hundreds of thousands of orders, and a plain dictionary's doubling stalls the engine thread.
    private readonly ShardedMap<long, OrderRecord> _byEngineId = new();
    private readonly ShardedMap<string, OrderRecord> _byPublicId = new(StringComparer.OrdinalIgnoreCase);
    private readonly ShardedMap<(int Account, string ClientOrderId), OrderRecord> _byClientId = new();
    private readonly Dictionary<int, OrderIdList> _byWallet = [];
    private readonly Dictionary<string, string> _tokenIds = [];
    private readonly Dictionary<int, Queue<long>> _finishedByWallet = [];
    private OrderSubmitted? _pending;

    /// <summary>How many orders are kept.</summary>
    public int Count => _byEngineId.Count;

    /// <summary>Takes the metadata of the order the next <c>PlaceOrder</c> command places.</summary>
    public void Submit(OrderSubmitted submitted) => _pending = submitted;

    /// <summary>An order by engine id.</summary>
    public OrderRecord? Find(long engineId) => _byEngineId.GetValueOrDefault(engineId);

    /// <summary>An order by public id (case-insensitive hex).</summary>
    public OrderRecord? FindByPublicId(string publicId) => _byPublicId.GetValueOrDefault(publicId);

    /// <summary>The order an account bound a client order id to, if still kept.</summary>
    public OrderRecord? FindByClientOrderId(int accountId, string clientOrderId) =>
        _byClientId.GetValueOrDefault((accountId, clientOrderId));

    /// <summary>A wallet's orders, newest first, starting below engine id <paramref name="before"/>.</summary>
    public IEnumerable<OrderRecord> ListWallet(int walletId, long before = long.MaxValue)
    {
        if (!_byWallet.TryGetValue(walletId, out var ids))
        {
            yield break;
        }

        foreach (var id in ids.Below(before))
        {
            yield return _byEngineId.TryGetValue(id, out var order)
                ? order
                : throw new InvalidOperationException($"Order {id} is listed for wallet {walletId} but not kept.");
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
                    if (Find(e.OrderId) is { } rested && rested.Budget > 0)
                    {
                        rested.Quantity = e.Size;
                    }

                    break;
                case EventKind.Trade:
                    OnTrade(e);
                    break;
                case EventKind.OrderFilled:
                    if (Find(e.OrderId) is { } filled)
                    {
                        filled.Remaining = e.Remaining;
                        filled.UpdatedAtMs = e.Timestamp;
                        if (e.Remaining == 0)
                        {
                            Finish(filled, OrderStatus.Filled, null, e.Timestamp);
                        }
                        else
                        {
                            filled.Status = OrderStatus.PartiallyFilled;
                        }
                    }

                    break;
                case EventKind.OrderReduced:
                    if (Find(e.OrderId) is { } reduced)
                    {
                        // The engine's size shrinks with the remainder, so size = filled + remaining still holds.
                        reduced.Quantity -= e.Size;
                        reduced.Remaining = e.Remaining;
                        reduced.UpdatedAtMs = e.Timestamp;
                    }

                    break;
                case EventKind.OrderCancelled:
                    if (Find(e.OrderId) is { } cancelled)
                    {
                        Finish(cancelled, OrderStatus.Cancelled, e.Reason, e.Timestamp);
                    }

                    break;
                case EventKind.OrderExpired:
                    if (Find(e.OrderId) is { } expired)
                    {
                        Finish(expired, OrderStatus.Expired, CancelReason.Expired, e.Timestamp);
                    }

                    break;
                default:
                    break;
            }
        }
    }

    private void Accept(in Command command, in EngineEvent e, OrderSubmitted? meta)
    {
        var publicId = meta?.PublicId ?? PublicIds.Order(e.OrderId);
        var order = new OrderRecord(e.OrderId, publicId)
        {
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
            TokenId = meta?.TokenId is { } token ? Intern(token) : string.Empty,
            ClientOrderId = meta?.ClientOrderId,
            OrderType = meta?.OrderType ?? "limit",
            CreatedAtMs = meta?.CreatedAtMs ?? e.Timestamp,
            UpdatedAtMs = e.Timestamp,
            Status = OrderStatus.Open,
        };
        _byEngineId[order.EngineId] = order;
        _byPublicId[order.PublicId] = order;
        if (order.ClientOrderId is { } clientId && order.AccountId >= 0)
        {
            _byClientId[(order.AccountId, clientId)] = order;
        }

        if (!_byWallet.TryGetValue(order.WalletId, out var ids))
        {
            ids = new OrderIdList();
            _byWallet[order.WalletId] = ids;
        }

        ids.Add(order.EngineId);
    }

    /// <summary>One string per token id for all the orders naming it, instead of each request's own copy kept with its order.</summary>
    private string Intern(string tokenId)
    {
        if (_tokenIds.TryGetValue(tokenId, out var kept))
        {
            return kept;
        }

        // Orders are accepted only for listed tokens, so this holds two strings per market.
        _tokenIds[tokenId] = tokenId;
        return tokenId;
    }

    private void OnTrade(in EngineEvent e)
    {
        if (Find(e.TakerOrderId) is { } taker)
        {
            taker.Filled += e.Size;
            taker.Notional += (Int128)e.Size * e.TakerPrice;
            taker.Cash += e.Amount;
            taker.Fees += e.Fee;
            taker.AddFill(new OrderFill(e.TradeId, e.Timestamp, e.TakerPrice, e.Size, e.Fee, e.FeeInShares, e.Amount, IsMaker: false, e.MatchType));
        }

        if (Find(e.MakerOrderId) is { } maker)
        {
            maker.Filled += e.Size;
            maker.Notional += (Int128)e.Size * e.MakerPrice;
            maker.Cash += e.OtherAmount;
            maker.AddFill(new OrderFill(e.TradeId, e.Timestamp, e.MakerPrice, e.Size, 0, false, e.OtherAmount, IsMaker: true, e.MatchType));
        }
    }

    private void Finish(OrderRecord order, OrderStatus status, CancelReason? reason, long timestamp)
    {
        if (order.IsFinished)
        {
            return;
        }

        order.Status = status;
        order.CancelReason = reason;
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
            Forget(finished.Dequeue());
        }
    }

    /// <summary>Drops <paramref name="engineId"/> if it has finished: for a state that keeps no history, such as the
    /// projection writer's shadow once the order's last row is written (a finished order never changes again).</summary>
    public void ForgetIfFinished(long engineId)
    {
        if (_byEngineId.TryGetValue(engineId, out var order) && order.IsFinished)
        {
            Forget(engineId);
        }
    }

    private void Forget(long engineId)
    {
        if (!_byEngineId.Remove(engineId, out var order))
        {
            return;
        }

        _byPublicId.Remove(order.PublicId);
        if (order.ClientOrderId is { } clientId
            && _byClientId.TryGetValue((order.AccountId, clientId), out var bound)
            && ReferenceEquals(bound, order))
        {
            _byClientId.Remove((order.AccountId, clientId));
        }

        if (_byWallet.TryGetValue(order.WalletId, out var ids))
        {
            ids.Remove(engineId);
        }
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
