namespace Polysim.MatchingEngine;

/// <summary>The deterministic exchange core: every market's book, every open order and the ledger, driven by commands.</summary>
/// <remarks>
/// Single-threaded by design (one sequencer owns it). No I/O, no clock, no floating point; once its pools
/// are warm, applying a command allocates nothing. Rules and arithmetic: docs/ENGINE.md.
/// </remarks>
public sealed partial class Engine
{
    private readonly EngineOptions _options;

    // Accounts: dense arrays indexed by account id.
    private long[] _cashAvailable;
    private long[] _cashReserved;
    private bool[] _registered;
    private SelfTradePrevention[] _stp;
    private int[] _accountOrderHead;
    private int[] _accountTouched;

    // Positions: (account, token) → slot in the position arrays.
    private readonly Dictionary<long, int> _positionIndex;
    private long[] _posAvailable;
    private long[] _posReserved;
    private int[] _posAccount;
    private int[] _posMarket;
    private Outcome[] _posOutcome;
    private int[] _posTouched;
    private int _positionCount;

    // Markets: dense array indexed by market id.
    private MarketState?[] _markets;

    // Orders: pooled slots with a free list, and the id index.
    // The order pool in chunks of 512 slots (53 KB, under the large-object threshold): growing it adds a chunk, where
    // one array doubling copied every slot at once (13.6 MB on reaching 131,072 slots, a 25-40 ms stall under load).
    internal const int OrderChunkShift = 9;
    private const int OrderChunkMask = (1 << OrderChunkShift) - 1;
    private OrderSlot[][] _orderChunks;
    private int _orderChunkCount;
    private int _freeOrder;
    private int _orderHighWater;
    private readonly ShardedMap<long, int> _orderIndex;

    // GTD expiry: a binary min-heap of (expiration, order id), entries checked lazily when popped.
    private long[] _heapExpiration;
    private long[] _heapOrderId;
    private int _heapCount;

    // Output of the current command.
    private EngineEvent[] _events;
    private int _eventCount;
    private int[] _touchedAccounts;
    private int _touchedAccountCount;
    private int[] _touchedPositions;
    private int _touchedPositionCount;
    private int _touchStamp;

    private long _sequence;
    private long _now;
    private long _currentSequence;
    private long _tradeCount;
    private long _totalDeposited;
    private long _totalWithdrawn;

    /// <summary>Creates an engine with default options.</summary>
    public Engine()
        : this(new EngineOptions())
    {
    }

    /// <summary>Creates an engine; the fee account is registered at once.</summary>
    public Engine(EngineOptions options)
    {
        _options = options;
        var accounts = Math.Max(options.InitialAccountCapacity, options.FeeAccount + 1);
        _cashAvailable = new long[accounts];
        _cashReserved = new long[accounts];
        _registered = new bool[accounts];
        _stp = new SelfTradePrevention[accounts];
        _accountOrderHead = new int[accounts];
        _accountTouched = new int[accounts];
        Array.Fill(_accountOrderHead, -1);

        var positions = Math.Max(64, options.InitialAccountCapacity * 4);
        _positionIndex = new Dictionary<long, int>(positions, PositionKeyComparer.Instance);
        _posAvailable = new long[positions];
        _posReserved = new long[positions];
        _posAccount = new int[positions];
        _posMarket = new int[positions];
        _posOutcome = new Outcome[positions];
        _posTouched = new int[positions];

        _markets = new MarketState?[16];

        var orders = Math.Max(16, options.InitialOrderCapacity);
        _orderChunks = new OrderSlot[Math.Max(4, (orders + OrderChunkMask) >> OrderChunkShift)][];
        while (_orderChunkCount << OrderChunkShift < orders)
        {
            AddOrderChunk();
        }

        _orderIndex = new ShardedMap<long, int>(orders);
        _freeOrder = -1;

        // Entries of GTD orders that left the book early stay until their time comes, so size the heap like the pool.
        _heapExpiration = new long[orders];
        _heapOrderId = new long[orders];

        _events = new EngineEvent[256];
        _touchedAccounts = new int[64];
        _touchedPositions = new int[64];

        _registered[options.FeeAccount] = true;
    }

    /// <summary>The events produced by the last <see cref="Apply"/>, valid until the next call.</summary>
    public ReadOnlySpan<EngineEvent> Events => new(_events, 0, _eventCount);

    /// <summary>Sequence number of the last command applied (0 before any).</summary>
    public long LastSequence => _sequence;

    /// <summary>The engine clock: the largest command timestamp seen (Unix ms).</summary>
    public long Now => _now;

    /// <summary>The earliest GTD expiration the engine may still have to act on (Unix ms), or <see cref="long.MaxValue"/>.</summary>
    /// <remarks>May name an order that has since filled or been cancelled; an <see cref="CommandKind.AdvanceTime"/> then does nothing.</remarks>
    public long NextExpiration => _heapCount > 0 ? _heapExpiration[0] : long.MaxValue;

    /// <summary>The account collecting fees and rounding remainders.</summary>
    public int FeeAccount => _options.FeeAccount;

    /// <summary>Micro-USDC deposited over the engine's life.</summary>
    public long TotalDeposited => _totalDeposited;

    /// <summary>Micro-USDC withdrawn over the engine's life.</summary>
    public long TotalWithdrawn => _totalWithdrawn;

    /// <summary>Trades printed over the engine's life.</summary>
    public long TradeCount => _tradeCount;

    /// <summary>Applies one command; returns <see cref="RejectCode.None"/> when it was carried out.</summary>
    /// <remarks><see cref="Events"/> then holds everything it caused, a <see cref="EventKind.Rejected"/> event included.</remarks>
    public RejectCode Apply(in Command command)
    {
        _eventCount = 0;
        _touchedAccountCount = 0;
        _touchedPositionCount = 0;
        if (++_touchStamp == int.MaxValue)
        {
            // The stamp would wrap onto values still stored; start the marks afresh instead.
            Array.Clear(_accountTouched);
            Array.Clear(_posTouched);
            _touchStamp = 1;
        }

        if (command.Sequence <= _sequence)
        {
            _currentSequence = command.Sequence;
            return Reject(command, RejectCode.SequenceOutOfOrder);
        }

        _sequence = command.Sequence;
        _currentSequence = command.Sequence;
        if (command.Timestamp > _now)
        {
            _now = command.Timestamp;
        }

        ExpireDueOrders();
        var code = command.Kind switch
        {
            CommandKind.PlaceOrder => PlaceOrder(command),
            CommandKind.CancelOrder => CancelOrder(command),
            CommandKind.ReduceOrder => ReduceOrder(command),
            CommandKind.CancelAllOrders => CancelAccountOrders(command, -1, false),
            CommandKind.CancelMarketOrders => CancelAccountOrders(command, command.Market, true),
            CommandKind.AdvanceTime => RejectCode.None,
            CommandKind.RegisterAccount => RegisterAccount(command),
            CommandKind.Deposit => Deposit(command),
            CommandKind.Withdraw => Withdraw(command),
            CommandKind.SetSelfTradePrevention => SetSelfTradePrevention(command),
            CommandKind.CreateMarket => CreateMarket(command),
            CommandKind.SetMarketStatus => SetMarketStatus(command),
            CommandKind.SetTickSize => SetTickSize(command),
            CommandKind.ResolveMarket => ResolveMarket(command),
            _ => RejectCode.InvalidCommand,
        };
        if (code != RejectCode.None)
        {
            Reject(command, code);
        }

        FlushTouched();
        return code;
    }

    private RejectCode Reject(in Command command, RejectCode code)
    {
        ref var e = ref NewEvent(EventKind.Rejected);
        e.Code = code;
        e.OrderId = command.OrderId;
        e.Account = command.Account;
        e.Market = command.Market;
        return code;
    }

    private ref EngineEvent NewEvent(EventKind kind)
    {
        if (_eventCount == _events.Length)
        {
            Array.Resize(ref _events, _events.Length * 2);
        }

        ref var e = ref _events[_eventCount++];
        e = default;
        e.Kind = kind;
        e.Sequence = _currentSequence;
        e.Timestamp = _now;
        return ref e;
    }

    // ---- accounts -------------------------------------------------------------------------------

    private bool IsAccount(int account) => (uint)account < (uint)_registered.Length && _registered[account];

    private bool CanTrade(int account) => IsAccount(account) && account != _options.FeeAccount;

    private RejectCode RegisterAccount(in Command c)
    {
        if (c.Account < 0 || c.Account > _options.MaxId || !Enum.IsDefined(c.SelfTradePrevention))
        {
            return RejectCode.InvalidCommand;
        }

        if (IsAccount(c.Account))
        {
            return RejectCode.AccountExists;
        }

        EnsureAccountCapacity(c.Account);
        _registered[c.Account] = true;
        _stp[c.Account] = c.SelfTradePrevention;
        ref var e = ref NewEvent(EventKind.AccountRegistered);
        e.Account = c.Account;
        TouchAccount(c.Account);
        return RejectCode.None;
    }

    private void EnsureAccountCapacity(int account)
    {
        if (account < _registered.Length)
        {
            return;
        }

        var size = _registered.Length;
        while (size <= account)
        {
            size *= 2;
        }

        var old = _registered.Length;
        Array.Resize(ref _cashAvailable, size);
        Array.Resize(ref _cashReserved, size);
        Array.Resize(ref _registered, size);
        Array.Resize(ref _stp, size);
        Array.Resize(ref _accountOrderHead, size);
        Array.Resize(ref _accountTouched, size);
        Array.Fill(_accountOrderHead, -1, old, size - old);
    }

    private RejectCode Deposit(in Command c)
    {
        if (!IsAccount(c.Account))
        {
            return RejectCode.AccountNotFound;
        }

        if (c.Amount <= 0 || c.Amount > Units.MaxAmount)
        {
            return RejectCode.InvalidQuantity;
        }

        _cashAvailable[c.Account] += c.Amount;
        _totalDeposited += c.Amount;
        TouchAccount(c.Account);
        return RejectCode.None;
    }

    private RejectCode Withdraw(in Command c)
    {
        if (!IsAccount(c.Account))
        {
            return RejectCode.AccountNotFound;
        }

        if (c.Amount <= 0 || c.Amount > Units.MaxAmount)
        {
            return RejectCode.InvalidQuantity;
        }

        if (_cashAvailable[c.Account] < c.Amount)
        {
            return RejectCode.InsufficientBalance;
        }

        _cashAvailable[c.Account] -= c.Amount;
        _totalWithdrawn += c.Amount;
        TouchAccount(c.Account);
        return RejectCode.None;
    }

    private RejectCode SetSelfTradePrevention(in Command c)
    {
        if (!IsAccount(c.Account))
        {
            return RejectCode.AccountNotFound;
        }

        if (!Enum.IsDefined(c.SelfTradePrevention))
        {
            return RejectCode.InvalidCommand;
        }

        _stp[c.Account] = c.SelfTradePrevention;
        return RejectCode.None;
    }

    private void TouchAccount(int account)
    {
        if (_accountTouched[account] == _touchStamp)
        {
            return;
        }

        _accountTouched[account] = _touchStamp;
        if (_touchedAccountCount == _touchedAccounts.Length)
        {
            Array.Resize(ref _touchedAccounts, _touchedAccounts.Length * 2);
        }

        _touchedAccounts[_touchedAccountCount++] = account;
    }

    private void TouchPosition(int position)
    {
        if (_posTouched[position] == _touchStamp)
        {
            return;
        }

        _posTouched[position] = _touchStamp;
        if (_touchedPositionCount == _touchedPositions.Length)
        {
            Array.Resize(ref _touchedPositions, _touchedPositions.Length * 2);
        }

        _touchedPositions[_touchedPositionCount++] = position;
    }

    /// <summary>One balance or position event per account or position the command changed, in first-touch order.</summary>
    private void FlushTouched()
    {
        for (var i = 0; i < _touchedAccountCount; i++)
        {
            var a = _touchedAccounts[i];
            ref var e = ref NewEvent(EventKind.BalanceChanged);
            e.Account = a;
            e.Amount = _cashAvailable[a];
            e.OtherAmount = _cashReserved[a];
        }

        for (var i = 0; i < _touchedPositionCount; i++)
        {
            var p = _touchedPositions[i];
            ref var e = ref NewEvent(EventKind.PositionChanged);
            e.Account = _posAccount[p];
            e.Market = _posMarket[p];
            e.Outcome = _posOutcome[p];
            e.Amount = _posAvailable[p];
            e.OtherAmount = _posReserved[p];
        }
    }

    /// <summary>Hashes (account, market, outcome) keys with a multiplicative mix.</summary>
    /// <remarks><see cref="long.GetHashCode"/> folds the halves with XOR, so account ^ (2 × market + outcome) collides
    /// across accounts and markets; the mix spreads them.</remarks>
    private sealed class PositionKeyComparer : IEqualityComparer<long>
    {
        public static readonly PositionKeyComparer Instance = new();

        public bool Equals(long x, long y) => x == y;

        public int GetHashCode(long obj) => (int)(((ulong)obj * 0x9E3779B97F4A7C15UL) >> 32);
    }

    private static long PositionKey(int account, int market, Outcome outcome) =>
        ((long)account << 32) | ((long)market << 1) | (long)outcome;

    private int FindPosition(int account, int market, Outcome outcome) =>
        _positionIndex.TryGetValue(PositionKey(account, market, outcome), out var p) ? p : -1;

    private int GetOrCreatePosition(int account, int market, Outcome outcome)
    {
        var key = PositionKey(account, market, outcome);
        if (_positionIndex.TryGetValue(key, out var p))
        {
            return p;
        }

        if (_positionCount == _posAvailable.Length)
        {
            var size = _posAvailable.Length * 2;
            Array.Resize(ref _posAvailable, size);
            Array.Resize(ref _posReserved, size);
            Array.Resize(ref _posAccount, size);
            Array.Resize(ref _posMarket, size);
            Array.Resize(ref _posOutcome, size);
            Array.Resize(ref _posTouched, size);
        }

        p = _positionCount++;
        _posAccount[p] = account;
        _posMarket[p] = market;
        _posOutcome[p] = outcome;
        _positionIndex.Add(key, p);
        return p;
    }

    // ---- markets --------------------------------------------------------------------------------

    private MarketState? FindMarket(int market) =>
        (uint)market < (uint)_markets.Length ? _markets[market] : null;

    private RejectCode CreateMarket(in Command c)
    {
        var p = c.MarketParameters;
        if (c.Market < 0 || c.Market > _options.MaxId)
        {
            return RejectCode.InvalidCommand;
        }

        if (FindMarket(c.Market) is not null)
        {
            return RejectCode.MarketExists;
        }

        if (!Units.IsValidTick(p.TickSize) || p.MinimumSize < 0 || p.MinimumSize > Units.MaxAmount ||
            p.TakerFeeRate < 0 || p.TakerFeeRate > Units.PriceScale || p.TakerFeeExponentHalves is not (0 or 1 or 2 or 4))
        {
            return RejectCode.InvalidMarketParameters;
        }

        if (c.Market >= _markets.Length)
        {
            var size = _markets.Length;
            while (size <= c.Market)
            {
                size *= 2;
            }

            Array.Resize(ref _markets, size);
        }

        _markets[c.Market] = new MarketState(c.Market, p);
        ref var e = ref NewEvent(EventKind.MarketCreated);
        e.Market = c.Market;
        e.Price = p.TickSize;
        e.Size = p.MinimumSize;
        return RejectCode.None;
    }

    private RejectCode SetMarketStatus(in Command c)
    {
        var market = FindMarket(c.Market);
        if (market is null)
        {
            return RejectCode.MarketNotFound;
        }

        if (market.Status == MarketStatus.Resolved)
        {
            return RejectCode.MarketResolved;
        }

        if (c.Status is not (MarketStatus.Active or MarketStatus.Closed))
        {
            return RejectCode.InvalidCommand;
        }

        market.Status = c.Status;
        ref var e = ref NewEvent(EventKind.MarketStatusChanged);
        e.Market = c.Market;
        e.Status = c.Status;
        return RejectCode.None;
    }

    private RejectCode SetTickSize(in Command c)
    {
        var market = FindMarket(c.Market);
        if (market is null)
        {
            return RejectCode.MarketNotFound;
        }

        if (market.Status == MarketStatus.Resolved)
        {
            return RejectCode.MarketResolved;
        }

        if (!Units.IsValidTick(c.Price))
        {
            return RejectCode.InvalidMarketParameters;
        }

        ChangeTick(market, c.Price);
        return RejectCode.None;
    }

    private void ChangeTick(MarketState market, int tick)
    {
        var old = market.Tick;
        market.Tick = tick;
        ref var e = ref NewEvent(EventKind.TickSizeChanged);
        e.Market = market.Id;
        e.Price = tick;
        e.OtherPrice = old;
    }

    private RejectCode ResolveMarket(in Command c)
    {
        var market = FindMarket(c.Market);
        if (market is null)
        {
            return RejectCode.MarketNotFound;
        }

        if (market.Status == MarketStatus.Resolved)
        {
            return RejectCode.MarketResolved;
        }

        if (c.Outcome is not (Outcome.Yes or Outcome.No))
        {
            return RejectCode.InvalidOutcome;
        }

        CancelWholeSide(market, bids: true);
        CancelWholeSide(market, bids: false);

        // Every winning share is redeemed for $1 out of the collateral; losing shares expire worthless.
        long paid = 0;
        for (var p = 0; p < _positionCount; p++)
        {
            if (_posMarket[p] != market.Id)
            {
                continue;
            }

            var shares = _posAvailable[p] + _posReserved[p];
            if (shares == 0)
            {
                continue;
            }

            if (_posOutcome[p] == c.Outcome)
            {
                _cashAvailable[_posAccount[p]] += shares;
                paid += shares;
                TouchAccount(_posAccount[p]);
            }

            _posAvailable[p] = 0;
            _posReserved[p] = 0;
            TouchPosition(p);
        }

        market.Collateral -= paid;
        market.Status = MarketStatus.Resolved;
        ref var e = ref NewEvent(EventKind.MarketResolved);
        e.Market = market.Id;
        e.Outcome = c.Outcome;
        e.Amount = paid;
        return RejectCode.None;
    }

    private void CancelWholeSide(MarketState market, bool bids)
    {
        var levels = bids ? market.Bids : market.Asks;
        var price = bids ? market.BestBid : market.BestAsk;
        while (price is > MarketState.NoBid and < MarketState.NoAsk)
        {
            while (levels[price].Head >= 0)
            {
                RemoveOrder(levels[price].Head, EventKind.OrderCancelled, CancelReason.MarketResolved);
            }

            price = bids ? market.BestBid : market.BestAsk;
        }
    }
}
