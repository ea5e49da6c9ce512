namespace Polysim.MatchingEngine;

/// <summary>Read-only views of the engine state and its stable hash; for the host's queries, tests and diagnostics.</summary>
public sealed partial class Engine
{
    /// <summary>Whether the account is registered.</summary>
    public bool HasAccount(int account) => IsAccount(account);

    /// <summary>An account's USDC; zero for an unknown account.</summary>
    public Balance GetBalance(int account) =>
        IsAccount(account) ? new Balance(_cashAvailable[account], _cashReserved[account]) : default;

    /// <summary>An account's self-trade prevention mode.</summary>
    public SelfTradePrevention GetSelfTradePrevention(int account) =>
        IsAccount(account) ? _stp[account] : SelfTradePrevention.Off;

    /// <summary>An account's shares of one token; zero when it never held any.</summary>
    public Balance GetPosition(int account, int market, Outcome outcome)
    {
        var p = FindPosition(account, market, outcome);
        return p < 0 ? default : new Balance(_posAvailable[p], _posReserved[p]);
    }

    /// <summary>Registered account ids, ascending.</summary>
    public IEnumerable<int> AccountIds()
    {
        for (var a = 0; a < _registered.Length; a++)
        {
            if (_registered[a])
            {
                yield return a;
            }
        }
    }

    /// <summary>Market ids, ascending.</summary>
    public IEnumerable<int> MarketIds()
    {
        for (var m = 0; m < _markets.Length; m++)
        {
            if (_markets[m] is not null)
            {
                yield return m;
            }
        }
    }

    /// <summary>A market's state, or null when unknown.</summary>
    public MarketInfo? GetMarket(int market)
    {
        var m = FindMarket(market);
        return m is null
            ? null
            : new MarketInfo(m.Id, m.Parameters, m.Tick, m.Status, m.Collateral, m.BestBid, m.BestAsk, m.LastTradePrice, m.OpenOrders);
    }

    /// <summary>Total micro-shares of one token held by all accounts (available + reserved).</summary>
    public long GetSupply(int market, Outcome outcome)
    {
        long supply = 0;
        for (var p = 0; p < _positionCount; p++)
        {
            if (_posMarket[p] == market && _posOutcome[p] == outcome)
            {
                supply += _posAvailable[p] + _posReserved[p];
            }
        }

        return supply;
    }

    /// <summary>An open order, if any has that id.</summary>
    public bool TryGetOrder(long orderId, out OrderInfo order)
    {
        if (_orderIndex.TryGetValue(orderId, out var s))
        {
            order = View(s);
            return true;
        }

        order = default;
        return false;
    }

    /// <summary>How many orders are open across all markets.</summary>
    public int OpenOrderCount => _orderIndex.Count;

    /// <summary>An account's open orders, newest first.</summary>
    public IReadOnlyList<OrderInfo> GetOpenOrders(int account)
    {
        var list = new List<OrderInfo>();
        if (!IsAccount(account))
        {
            return list;
        }

        for (var s = _accountOrderHead[account]; s >= 0; s = Slot(s).AccountNext)
        {
            list.Add(View(s));
        }

        return list;
    }

    /// <summary>The resting orders at one YES-book price, in time priority.</summary>
    public IReadOnlyList<OrderInfo> GetOrdersAt(int market, bool bid, int bookPrice)
    {
        var list = new List<OrderInfo>();
        var m = FindMarket(market);
        if (m is null || bookPrice <= 0 || bookPrice >= Scale)
        {
            return list;
        }

        for (var s = (bid ? m.Bids : m.Asks)[bookPrice].Head; s >= 0; s = Slot(s).Next)
        {
            list.Add(View(s));
        }

        return list;
    }

    /// <summary>Every resting order of a market: bids best first, then asks best first, each level in time priority.</summary>
    public IReadOnlyList<OrderInfo> GetMarketOrders(int market)
    {
        var list = new List<OrderInfo>();
        var m = FindMarket(market);
        if (m is null)
        {
            return list;
        }

        for (var p = m.BidPrices.PrevAtOrBelow(Scale - 1); p > 0; p = m.BidPrices.PrevAtOrBelow(p - 1))
        {
            list.AddRange(GetOrdersAt(market, true, p));
        }

        for (var p = m.AskPrices.NextAtOrAbove(1); p >= 0; p = m.AskPrices.NextAtOrAbove(p + 1))
        {
            list.AddRange(GetOrdersAt(market, false, p));
        }

        return list;
    }

    /// <summary>Copies one token's book side into <paramref name="destination"/>, best price first; returns how many levels.</summary>
    /// <remarks>The NO book is the mirror of the YES book: NO bids are YES asks at 1 − price, and NO asks YES bids.</remarks>
    public int CopyLevels(int market, Outcome outcome, Side side, Span<PriceLevel> destination)
    {
        var m = FindMarket(market);
        if (m is null)
        {
            return 0;
        }

        var bookBids = (side == Side.Buy) == (outcome == Outcome.Yes);
        var levels = bookBids ? m.Bids : m.Asks;
        var count = 0;
        var p = bookBids ? m.BidPrices.PrevAtOrBelow(Scale - 1) : m.AskPrices.NextAtOrAbove(1);
        while (p > 0 && count < destination.Length)
        {
            var ownPrice = outcome == Outcome.Yes ? p : Scale - p;
            destination[count++] = new PriceLevel(ownPrice, levels[p].Size, levels[p].Count);
            p = bookBids ? m.BidPrices.PrevAtOrBelow(p - 1) : m.AskPrices.NextAtOrAbove(p + 1);
        }

        return count;
    }

    /// <summary>One token's book side as a list, best price first.</summary>
    public IReadOnlyList<PriceLevel> GetLevels(int market, Outcome outcome, Side side)
    {
        var m = FindMarket(market);
        if (m is null)
        {
            return [];
        }

        var bookBids = (side == Side.Buy) == (outcome == Outcome.Yes);
        var count = 0;
        for (var p = 1; p < Scale; p++)
        {
            count += (bookBids ? m.Bids : m.Asks)[p].Count > 0 ? 1 : 0;
        }

        var buffer = new PriceLevel[count];
        CopyLevels(market, outcome, side, buffer);
        return buffer;
    }

    private OrderInfo View(int s)
    {
        ref var o = ref Slot(s);
        return new OrderInfo(
            o.Id, o.Account, o.Market, o.Outcome, o.Side, o.OwnPrice, o.BookPrice, o.Original, o.Remaining, o.Filled,
            o.Reserved, o.Notional, o.TimeInForce, o.Expiration, o.PostOnly);
    }

    /// <summary>A stable 64-bit hash of everything that matters: clock, markets, books in priority order, orders, balances, positions.</summary>
    /// <remarks>Independent of pool slot numbers and of the order positions were first created in, so a state rebuilt
    /// from a snapshot hashes the same as the state that produced it.</remarks>
    public ulong ComputeStateHash()
    {
        var h = new StableHash();
        h.Add(_sequence);
        h.Add(_now);
        h.Add(_tradeCount);
        h.Add(_totalDeposited);
        h.Add(_totalWithdrawn);
        foreach (var id in MarketIds())
        {
            var m = _markets[id]!;
            h.Add(id);
            h.Add(m.Parameters.TickSize);
            h.Add(m.Parameters.MinimumSize);
            h.Add(m.Parameters.NegRisk ? 1 : 0);
            h.Add(m.Parameters.TakerFeeRate);
            h.Add(m.Parameters.TakerFeeExponentHalves);
            h.Add(m.Parameters.AutoTickSize ? 1 : 0);
            h.Add(m.Tick);
            h.Add((int)m.Status);
            h.Add(m.Collateral);
            h.Add(m.LastTradePrice);
            foreach (var o in GetMarketOrders(id))
            {
                h.Add(o.Id);
                h.Add(o.Account);
                h.Add((int)o.Outcome);
                h.Add((int)o.Side);
                h.Add(o.BookPrice);
                h.Add(o.Original);
                h.Add(o.Remaining);
                h.Add(o.Filled);
                h.Add(o.Reserved);
                h.Add(o.Notional);
                h.Add((int)o.TimeInForce);
                h.Add(o.Expiration);
                h.Add(o.PostOnly ? 1 : 0);
            }
        }

        foreach (var a in AccountIds())
        {
            h.Add(a);
            h.Add(_cashAvailable[a]);
            h.Add(_cashReserved[a]);
            h.Add((int)_stp[a]);
        }

        var keys = new List<long>(_positionCount);
        foreach (var (key, p) in _positionIndex)
        {
            if (_posAvailable[p] != 0 || _posReserved[p] != 0)
            {
                keys.Add(key);
            }
        }

        keys.Sort();
        foreach (var key in keys)
        {
            var p = _positionIndex[key];
            h.Add(key);
            h.Add(_posAvailable[p]);
            h.Add(_posReserved[p]);
        }

        return h.Value;
    }

    /// <summary>FNV-1a over 64-bit words with a final avalanche; stable across runs, processes and machines.</summary>
    private struct StableHash
    {
        private ulong _state;
        private bool _started;

        public void Add(long value)
        {
            if (!_started)
            {
                _state = 14695981039346656037UL;
                _started = true;
            }

            var v = (ulong)value;
            for (var i = 0; i < 8; i++)
            {
                _state ^= (byte)(v >> (8 * i));
                _state *= 1099511628211UL;
            }
        }

        public readonly ulong Value
        {
            get
            {
                var x = _state;
                x ^= x >> 33;
                x *= 0xff51afd7ed558ccdUL;
                x ^= x >> 33;
                x *= 0xc4ceb34fe63ad53bUL;
                x ^= x >> 33;
                return x;
            }
        }
    }
}
