using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Polysim.MatchingEngine;

/// <summary>Order placement, matching, settlement, cancels and expiry.</summary>
public sealed partial class Engine
{
    private const int Scale = Units.PriceScale;

    private static long CeilDiv(long value, long divisor) => (value + divisor - 1) / divisor;

    private RejectCode PlaceOrder(in Command c)
    {
        if (!CanTrade(c.Account))
        {
            return RejectCode.AccountNotFound;
        }

        var market = FindMarket(c.Market);
        if (market is null)
        {
            return RejectCode.MarketNotFound;
        }

        if (market.Status != MarketStatus.Active)
        {
            return RejectCode.MarketClosed;
        }

        if (_orderIndex.ContainsKey(c.OrderId))
        {
            return RejectCode.DuplicateOrderId;
        }

        if (c.Outcome is not (Outcome.Yes or Outcome.No))
        {
            return RejectCode.InvalidOutcome;
        }

        if (c.Side is not (Side.Buy or Side.Sell) || c.TimeInForce > TimeInForce.Fak)
        {
            return RejectCode.InvalidCommand;
        }

        if (c.Quantity <= 0 || c.Quantity > Units.MaxAmount)
        {
            return RejectCode.InvalidQuantity;
        }

        if (c.IsBudget && c.Side != Side.Buy)
        {
            return RejectCode.BudgetOnlyForBuy;
        }

        var price = c.Price;
        var tick = market.Tick;
        if (price <= 0 || price >= Scale)
        {
            return RejectCode.InvalidPrice;
        }

        if (price % tick != 0)
        {
            return RejectCode.InvalidTickSize;
        }

        if (price < tick || price > Scale - tick)
        {
            return RejectCode.InvalidPrice;
        }

        var immediate = c.TimeInForce is TimeInForce.Fok or TimeInForce.Fak;
        if (c.PostOnly && immediate)
        {
            return RejectCode.PostOnlyInvalidTimeInForce;
        }

        if (c.TimeInForce == TimeInForce.Gtd ? c.Expiration < _now + Units.MinGtdLifetimeMs : c.Expiration != 0)
        {
            return RejectCode.InvalidExpiration;
        }

        var shares = c.IsBudget ? c.Quantity * Scale / price : c.Quantity;
        if (shares == 0)
        {
            return RejectCode.InvalidQuantity;
        }

        if (!immediate && shares < market.Parameters.MinimumSize)
        {
            return RejectCode.BelowMinimumSize;
        }

        var isBid = (c.Side == Side.Buy) == (c.Outcome == Outcome.Yes);
        var bookLimit = c.Outcome == Outcome.Yes ? price : Scale - price;
        var crosses = isBid ? market.BestAsk <= bookLimit : market.BestBid >= bookLimit;
        long cost = 0;
        if (c.Side == Side.Buy)
        {
            cost = c.IsBudget ? c.Quantity : CeilDiv(c.Quantity * price, Scale);
            var notionalBelowMinimum = c.IsBudget
                ? c.Quantity < Units.MinMarketableBuyNotional
                : c.Quantity * price < Units.MinMarketableBuyNotional * Scale;
            if (crosses && notionalBelowMinimum)
            {
                return RejectCode.BelowMinimumNotional;
            }
        }

        if (c.PostOnly && crosses)
        {
            return RejectCode.PostOnlyWouldCross;
        }

        if (c.Side == Side.Buy)
        {
            if (_cashAvailable[c.Account] < cost)
            {
                return RejectCode.InsufficientBalance;
            }
        }
        else
        {
            var held = FindPosition(c.Account, c.Market, c.Outcome);
            if (held < 0 || _posAvailable[held] < c.Quantity)
            {
                return RejectCode.InsufficientPosition;
            }
        }

        if (immediate)
        {
            var (complete, fillable) = DryRun(market, c.Account, isBid, bookLimit, c.Outcome, c.IsBudget, c.Quantity);
            if (c.TimeInForce == TimeInForce.Fok && !complete)
            {
                return RejectCode.FokNotFilled;
            }

            if (c.TimeInForce == TimeInForce.Fak && fillable == 0)
            {
                return RejectCode.FakNoMatch;
            }
        }

        var position = GetOrCreatePosition(c.Account, c.Market, c.Outcome);
        var t = AllocateOrder();
        ref var taker = ref Slot(t);
        taker.Id = c.OrderId;
        taker.Account = c.Account;
        taker.Market = c.Market;
        taker.Position = position;
        taker.Outcome = c.Outcome;
        taker.Side = c.Side;
        taker.TimeInForce = c.TimeInForce;
        taker.PostOnly = c.PostOnly;
        taker.BookPrice = bookLimit;
        taker.Expiration = c.Expiration;
        taker.Original = shares;
        taker.Remaining = shares;
        taker.Budget = c.IsBudget ? c.Quantity : 0;
        taker.Next = taker.Prev = -1;
        if (c.Side == Side.Buy)
        {
            taker.Reserved = cost;
            _cashAvailable[c.Account] -= cost;
            _cashReserved[c.Account] += cost;
            TouchAccount(c.Account);
        }
        else
        {
            taker.Reserved = c.Quantity;
            _posAvailable[position] -= c.Quantity;
            _posReserved[position] += c.Quantity;
            TouchPosition(position);
        }

        _orderIndex.Add(c.OrderId, t);
        LinkToAccount(t);

        ref var accepted = ref NewOrderEvent(EventKind.OrderAccepted, ref taker);
        accepted.Size = shares;
        accepted.Remaining = shares;
        accepted.Amount = taker.Budget;
        accepted.TimeInForce = c.TimeInForce;

        var selfTradeStop = crosses && Match(market, t);
        FinishTaker(market, t, selfTradeStop);
        return RejectCode.None;
    }

    /// <summary>Walks the opposite side without changing anything: how much the order would fill, and whether completely.</summary>
    /// <remarks>Mirrors <see cref="Match"/> exactly (capacity, budget arithmetic, self-trade prevention), so that a FOK
    /// rejected here has no effect and a FOK accepted here fills completely.</remarks>
    private (bool Complete, long Filled) DryRun(MarketState market, int account, bool isBid, int bookLimit, Outcome outcome, bool budget, long quantity)
    {
        long filled = 0;
        var stp = _stp[account];
        var remaining = budget ? 0 : quantity;
        var left = budget ? quantity * Scale : 0;
        var limitOwn = outcome == Outcome.Yes ? bookLimit : Scale - bookLimit;
        var levels = isBid ? market.Asks : market.Bids;
        var price = isBid ? market.BestAsk : market.BestBid;
        while (isBid ? price <= bookLimit : price >= bookLimit && price > MarketState.NoBid)
        {
            var own = outcome == Outcome.Yes ? price : Scale - price;
            if (stp == SelfTradePrevention.Off)
            {
                // Without self-trade prevention a level's aggregate size is all that matters.
                if (Take(levels[price].Size, own))
                {
                    return (true, filled);
                }
            }
            else
            {
                for (var o = levels[price].Head; o >= 0; o = Slot(o).Next)
                {
                    // Complete before meeting an own order means self-trade prevention never comes into play.
                    if (Capacity(own) == 0)
                    {
                        return (true, filled);
                    }

                    if (Slot(o).Account == account)
                    {
                        if (stp == SelfTradePrevention.CancelResting)
                        {
                            continue;
                        }

                        // Cancel-incoming stops the walk here; a budget whose rest buys nothing at the limit is still complete.
                        return (budget && left / limitOwn == 0, filled);
                    }

                    if (Take(Slot(o).Remaining, own))
                    {
                        return (true, filled);
                    }
                }
            }

            price = isBid ? market.AskPrices.NextAtOrAbove(price + 1) : market.BidPrices.PrevAtOrBelow(price - 1);
            if (price < 0)
            {
                break;
            }
        }

        return (budget ? left / limitOwn == 0 : remaining == 0, filled);

        long Capacity(int own) => budget ? left / own : remaining;

        // Takes what the capacity allows of `available` shares; true when the capacity ran out first (the order is complete).
        bool Take(long available, int own)
        {
            var cap = Capacity(own);
            var take = Math.Min(cap, available);
            filled += take;
            if (budget)
            {
                left -= take * own;
            }
            else
            {
                remaining -= take;
            }

            return cap == 0 || take < available;
        }
    }

    /// <summary>Matches the taker against the opposite side; true when self-trade prevention stopped it.</summary>
    private bool Match(MarketState market, int t)
    {
        var isBid = Slot(t).IsBid;
        var limit = Slot(t).BookPrice;
        var account = Slot(t).Account;
        var stp = _stp[account];
        var levels = isBid ? market.Asks : market.Bids;
        var autoTick = false;
        var stopped = false;
        var selfTradeStop = false;
        while (!stopped)
        {
            var price = isBid ? market.BestAsk : market.BestBid;
            if (isBid ? price > limit : price < limit || price == MarketState.NoBid)
            {
                break;
            }

            var takerOwn = Slot(t).Outcome == Outcome.Yes ? price : Scale - price;
            var filledHere = false;
            var cursor = levels[price].Head;
            while (cursor >= 0)
            {
                var next = Slot(cursor).Next;

                // A filled taker stops here: own orders further on are neither matched nor cancelled.
                ref var taker = ref Slot(t);
                var cap = taker.Budget > 0 ? (taker.Budget * Scale - taker.Notional) / takerOwn : taker.Remaining;
                if (cap <= 0)
                {
                    stopped = true;
                    break;
                }

                if (Slot(cursor).Account == account && stp != SelfTradePrevention.Off)
                {
                    if (stp == SelfTradePrevention.CancelIncoming)
                    {
                        stopped = selfTradeStop = true;
                        break;
                    }

                    RemoveOrder(cursor, EventKind.OrderCancelled, CancelReason.SelfTrade);
                    cursor = next;
                    continue;
                }

                Fill(market, t, cursor, price, Math.Min(cap, Slot(cursor).Remaining));
                filledHere = true;
                autoTick |= price > 9_600 || price < 400;
                cursor = next;
            }

            // One level event per level the sweep touched, carrying its final size, rather than one per fill.
            if (filledHere)
            {
                EmitLevel(market, price, bid: !isBid);
            }
        }

        CheckAutoTick(market, autoTick);
        return selfTradeStop;
    }

    private void CheckAutoTick(MarketState market, bool tradedAtExtreme)
    {
        if (tradedAtExtreme && market.Parameters.AutoTickSize && market.Tick == 100)
        {
            ChangeTick(market, 10);
        }
    }

    /// <summary>Settles one fill between the taker and one maker at the maker's book price.</summary>
    private void Fill(MarketState market, int t, int m, int bookPrice, long size)
    {
        ref var taker = ref Slot(t);
        ref var maker = ref Slot(m);
        var takerOwn = taker.Outcome == Outcome.Yes ? bookPrice : Scale - bookPrice;
        var makerOwn = maker.Outcome == Outcome.Yes ? bookPrice : Scale - bookPrice;
        var matchType = taker.Side == maker.Side
            ? (taker.Side == Side.Buy ? MatchType.Mint : MatchType.Merge)
            : MatchType.Normal;
        var fee = 0L;
        var feeAccount = _options.FeeAccount;

        // Taker side.
        var takerCash = SettleCash(ref taker, size, takerOwn);
        long paid = 0, received = 0;
        if (taker.Side == Side.Buy)
        {
            paid += takerCash;
            fee = market.Parameters.TakerFeeRate == 0 ? 0 : Math.Min(size, TakerFee(market.Parameters, size, takerOwn, inShares: true));
            _posAvailable[taker.Position] += size - fee;
            if (fee > 0)
            {
                var feePosition = GetOrCreatePosition(feeAccount, taker.Market, taker.Outcome);
                _posAvailable[feePosition] += fee;
                TouchPosition(feePosition);
            }
        }
        else
        {
            received += takerCash;
            fee = market.Parameters.TakerFeeRate == 0 ? 0 : Math.Min(takerCash, TakerFee(market.Parameters, size, takerOwn, inShares: false));
            takerCash -= fee;
            _cashAvailable[taker.Account] += takerCash;
            _cashAvailable[feeAccount] += fee;
            taker.Reserved -= size;
            _posReserved[taker.Position] -= size;
        }

        // Maker side: always at its own limit, never a fee.
        var makerCash = SettleCash(ref maker, size, makerOwn);
        if (maker.Side == Side.Buy)
        {
            paid += makerCash;
            _posAvailable[maker.Position] += size;
        }
        else
        {
            received += makerCash;
            _cashAvailable[maker.Account] += makerCash;
            maker.Reserved -= size;
            _posReserved[maker.Position] -= size;
        }

        var collateralChange = matchType switch
        {
            MatchType.Mint => size,
            MatchType.Merge => -size,
            _ => 0,
        };
        market.Collateral += collateralChange;

        // What payers paid beyond what receivers and collateral took: cumulative rounding, never negative in total.
        var remainder = paid - received - collateralChange;
        _cashAvailable[feeAccount] += remainder;
        if (remainder != 0 || fee != 0)
        {
            TouchAccount(feeAccount);
        }

        taker.Filled += size;
        maker.Filled += size;
        maker.Remaining -= size;
        taker.Remaining = taker.Budget > 0
            ? (taker.Budget * Scale - taker.Notional) / (taker.Outcome == Outcome.Yes ? taker.BookPrice : Scale - taker.BookPrice)
            : taker.Remaining - size;
        if (maker.Side == Side.Buy)
        {
            ReleaseExcess(ref maker);
        }

        TouchAccount(taker.Account);
        TouchAccount(maker.Account);
        TouchPosition(taker.Position);
        TouchPosition(maker.Position);
        market.LastTradePrice = bookPrice;

        ref var e = ref NewEvent(EventKind.Trade);
        e.TradeId = ++_tradeCount;
        e.Market = market.Id;
        e.OrderId = taker.Id;
        e.OtherOrderId = maker.Id;
        e.Account = taker.Account;
        e.OtherAccount = maker.Account;
        e.Outcome = taker.Outcome;
        e.OtherOutcome = maker.Outcome;
        e.Side = taker.Side;
        e.OtherSide = maker.Side;
        e.Price = takerOwn;
        e.OtherPrice = makerOwn;
        e.Size = size;
        e.Fee = fee;
        e.FeeInShares = taker.Side == Side.Buy;
        e.Amount = takerCash;
        e.OtherAmount = makerCash;
        e.MatchType = matchType;
        e.Remaining = taker.Remaining;
        e.OtherRemaining = maker.Remaining;

        EmitFilled(ref maker, size);
        EmitFilled(ref taker, size);

        ref var level = ref (maker.IsBid ? market.Bids : market.Asks)[bookPrice];
        level.Size -= size;
        if (maker.Remaining == 0)
        {
            UnlinkFromLevel(market, m);
            UnlinkFromAccount(m);
            _orderIndex.Remove(maker.Id);
            FreeOrder(m);
        }
    }

    /// <summary>Adds a fill to the order's notional and returns the cash it pays (BUY) or receives (SELL) on it.</summary>
    private long SettleCash(ref OrderSlot order, long size, int ownPrice)
    {
        var before = order.Notional;
        var after = before + (size * ownPrice);
        order.Notional = after;
        if (order.Side == Side.Sell)
        {
            return (after / Scale) - (before / Scale);
        }

        var pay = CeilDiv(after, Scale) - CeilDiv(before, Scale);
        order.Reserved -= pay;
        _cashReserved[order.Account] -= pay;
        return pay;
    }

    /// <summary>Releases the part of a BUY's reservation its remainder can no longer need (price improvement, dust).</summary>
    private void ReleaseExcess(ref OrderSlot order)
    {
        var ownLimit = order.Outcome == Outcome.Yes ? order.BookPrice : Scale - order.BookPrice;
        var required = order.Remaining == 0
            ? 0
            : CeilDiv(order.Notional + (order.Remaining * ownLimit), Scale) - CeilDiv(order.Notional, Scale);
        var excess = order.Reserved - required;
        Debug.Assert(excess >= 0, "a BUY's reservation always covers its remainder");
        if (excess != 0)
        {
            order.Reserved = required;
            _cashReserved[order.Account] -= excess;
            _cashAvailable[order.Account] += excess;
            TouchAccount(order.Account);
        }
    }

    /// <summary>After matching: rest the remainder, cancel it, or retire the filled order.</summary>
    private void FinishTaker(MarketState market, int t, bool selfTradeStop)
    {
        ref var taker = ref Slot(t);
        if (taker.Budget > 0)
        {
            // The unspent budget becomes shares at the limit; from here on the order is sized in shares.
            var ownLimit = taker.Outcome == Outcome.Yes ? taker.BookPrice : Scale - taker.BookPrice;
            taker.Remaining = ((taker.Budget * Scale) - taker.Notional) / ownLimit;
            taker.Original = taker.Filled + taker.Remaining;
            taker.Budget = 0;
        }

        if (taker.Side == Side.Buy)
        {
            ReleaseExcess(ref taker);
        }

        if (taker.Remaining == 0)
        {
            UnlinkFromAccount(t);
            _orderIndex.Remove(taker.Id);
            FreeOrder(t);
            return;
        }

        if (selfTradeStop)
        {
            RemoveOrder(t, EventKind.OrderCancelled, CancelReason.SelfTrade);
            return;
        }

        switch (taker.TimeInForce)
        {
            case TimeInForce.Fak:
                RemoveOrder(t, EventKind.OrderCancelled, CancelReason.FakRemainder);
                return;
            case TimeInForce.Fok:
                Debug.Fail("a FOK that passed its dry run fills completely");
                RemoveOrder(t, EventKind.OrderCancelled, CancelReason.FakRemainder);
                return;
            default:
                Rest(market, t);
                return;
        }
    }

    private void Rest(MarketState market, int s)
    {
        ref var order = ref Slot(s);
        var bid = order.IsBid;
        var price = order.BookPrice;
        ref var level = ref (bid ? market.Bids : market.Asks)[price];
        order.Prev = level.Tail;
        order.Next = -1;
        if (level.Tail >= 0)
        {
            Slot(level.Tail).Next = s;
        }
        else
        {
            level.Head = s;
            (bid ? market.BidPrices : market.AskPrices).Set(price);
            if (bid && price > market.BestBid)
            {
                market.BestBid = price;
            }
            else if (!bid && price < market.BestAsk)
            {
                market.BestAsk = price;
            }
        }

        level.Tail = s;
        level.Size += order.Remaining;
        level.Count++;
        order.Resting = true;
        market.OpenOrders++;
        if (order.TimeInForce == TimeInForce.Gtd)
        {
            HeapPush(order.Expiration, order.Id);
        }

        ref var e = ref NewOrderEvent(EventKind.OrderRested, ref order);
        e.Size = order.Original;
        e.Remaining = order.Remaining;
        e.TimeInForce = order.TimeInForce;
        EmitLevel(market, price, bid);
    }

    private void UnlinkFromLevel(MarketState market, int s)
    {
        ref var order = ref Slot(s);
        var bid = order.IsBid;
        var price = order.BookPrice;
        ref var level = ref (bid ? market.Bids : market.Asks)[price];
        if (order.Prev >= 0)
        {
            Slot(order.Prev).Next = order.Next;
        }
        else
        {
            level.Head = order.Next;
        }

        if (order.Next >= 0)
        {
            Slot(order.Next).Prev = order.Prev;
        }
        else
        {
            level.Tail = order.Prev;
        }

        level.Count--;
        order.Resting = false;
        market.OpenOrders--;
        if (level.Count == 0)
        {
            level.Size = 0;
            if (bid)
            {
                market.BidPrices.Clear(price);
                if (price == market.BestBid)
                {
                    var next = market.BidPrices.PrevAtOrBelow(price - 1);
                    market.BestBid = next < 0 ? MarketState.NoBid : next;
                }
            }
            else
            {
                market.AskPrices.Clear(price);
                if (price == market.BestAsk)
                {
                    var next = market.AskPrices.NextAtOrAbove(price + 1);
                    market.BestAsk = next < 0 ? MarketState.NoAsk : next;
                }
            }
        }
    }

    /// <summary>Takes an order out (cancel, expiry, self-trade, resolution) and releases what it still reserves.</summary>
    private void RemoveOrder(int s, EventKind kind, CancelReason reason)
    {
        ref var order = ref Slot(s);
        var market = _markets[order.Market]!;
        var wasResting = order.Resting;
        if (order.Resting)
        {
            level(market, ref order).Size -= order.Remaining;
            UnlinkFromLevel(market, s);
        }

        UnlinkFromAccount(s);
        _orderIndex.Remove(order.Id);
        if (order.Side == Side.Buy)
        {
            _cashReserved[order.Account] -= order.Reserved;
            _cashAvailable[order.Account] += order.Reserved;
            TouchAccount(order.Account);
        }
        else
        {
            _posReserved[order.Position] -= order.Reserved;
            _posAvailable[order.Position] += order.Reserved;
            TouchPosition(order.Position);
        }

        order.Reserved = 0;
        ref var e = ref NewOrderEvent(kind, ref order);
        e.Size = order.Original;
        e.Remaining = order.Remaining;
        e.Reason = reason;
        var bid = order.IsBid;
        var price = order.BookPrice;
        FreeOrder(s);
        if (wasResting)
        {
            EmitLevel(market, price, bid);
        }

        static ref Level level(MarketState m, ref OrderSlot o) => ref (o.IsBid ? m.Bids : m.Asks)[o.BookPrice];
    }

    private void EmitFilled(ref OrderSlot order, long size)
    {
        ref var e = ref NewOrderEvent(EventKind.OrderFilled, ref order);
        e.Size = size;
        e.Remaining = order.Remaining;
    }

    /// <summary>A new event naming an order: its id, owner, market, token, side and own-token price.</summary>
    private ref EngineEvent NewOrderEvent(EventKind kind, ref OrderSlot order)
    {
        ref var e = ref NewEvent(kind);
        e.OrderId = order.Id;
        e.Account = order.Account;
        e.Market = order.Market;
        e.Outcome = order.Outcome;
        e.Side = order.Side;
        e.Price = order.OwnPrice;
        return ref e;
    }

    /// <summary>Reports a YES-book level's new size twice: as the YES level and as its mirror in the NO book.</summary>
    private void EmitLevel(MarketState market, int bookPrice, bool bid)
    {
        var size = (bid ? market.Bids : market.Asks)[bookPrice].Size;
        ref var yes = ref NewEvent(EventKind.BookLevelChanged);
        yes.Market = market.Id;
        yes.Outcome = Outcome.Yes;
        yes.Side = bid ? Side.Buy : Side.Sell;
        yes.Price = bookPrice;
        yes.Size = size;
        ref var no = ref NewEvent(EventKind.BookLevelChanged);
        no.Market = market.Id;
        no.Outcome = Outcome.No;
        no.Side = bid ? Side.Sell : Side.Buy;
        no.Price = Scale - bookPrice;
        no.Size = size;
    }

    private RejectCode CancelOrder(in Command c)
    {
        if (!_orderIndex.TryGetValue(c.OrderId, out var s))
        {
            return RejectCode.OrderNotFound;
        }

        if (Slot(s).Account != c.Account)
        {
            return RejectCode.NotOrderOwner;
        }

        RemoveOrder(s, EventKind.OrderCancelled, CancelReason.UserRequest);
        return RejectCode.None;
    }

    /// <summary>Lowers a resting order's remaining size in place and releases exactly what the removed part reserved.</summary>
    /// <remarks>The order stays where it is in its level's queue; only the level's aggregate size changes.</remarks>
    private RejectCode ReduceOrder(in Command c)
    {
        if (!_orderIndex.TryGetValue(c.OrderId, out var s))
        {
            return RejectCode.OrderNotFound;
        }

        ref var order = ref Slot(s);
        if (order.Account != c.Account)
        {
            return RejectCode.NotOrderOwner;
        }

        // The new size is in shares; a resting budget BUY has already been converted to shares at its limit.
        if (c.IsBudget || order.Budget != 0 || !order.Resting)
        {
            return RejectCode.InvalidCommand;
        }

        if (c.Quantity <= 0 || c.Quantity >= order.Remaining)
        {
            return RejectCode.InvalidQuantity;
        }

        var market = _markets[order.Market]!;
        var removed = order.Remaining - c.Quantity;
        var bid = order.IsBid;
        (bid ? market.Bids : market.Asks)[order.BookPrice].Size -= removed;
        order.Remaining = c.Quantity;
        order.Original -= removed;
        if (order.Side == Side.Buy)
        {
            // What the smaller remainder still needs, by the same cumulative ceiling as every BUY reservation.
            var ownLimit = order.OwnPrice;
            var required = CeilDiv(order.Notional + (order.Remaining * ownLimit), Scale) - CeilDiv(order.Notional, Scale);
            var release = order.Reserved - required;
            Debug.Assert(release >= 0, "a BUY's reservation always covers its remainder");
            order.Reserved = required;
            _cashReserved[order.Account] -= release;
            _cashAvailable[order.Account] += release;
            TouchAccount(order.Account);
        }
        else
        {
            order.Reserved -= removed;
            _posReserved[order.Position] -= removed;
            _posAvailable[order.Position] += removed;
            TouchPosition(order.Position);
        }

        ref var e = ref NewOrderEvent(EventKind.OrderReduced, ref order);
        e.Size = removed;
        e.Remaining = order.Remaining;
        e.TimeInForce = order.TimeInForce;
        EmitLevel(market, order.BookPrice, bid);
        return RejectCode.None;
    }

    private RejectCode CancelAccountOrders(in Command c, int market, bool filterMarket)
    {
        if (!IsAccount(c.Account))
        {
            return RejectCode.AccountNotFound;
        }

        if (filterMarket && FindMarket(market) is null)
        {
            return RejectCode.MarketNotFound;
        }

        var s = _accountOrderHead[c.Account];
        while (s >= 0)
        {
            var next = Slot(s).AccountNext;
            if (!filterMarket || (Slot(s).Market == market && (!c.HasOutcome || Slot(s).Outcome == c.Outcome)))
            {
                RemoveOrder(s, EventKind.OrderCancelled, CancelReason.UserRequest);
            }

            s = next;
        }

        return RejectCode.None;
    }

    private void ExpireDueOrders()
    {
        while (_heapCount > 0 && _heapExpiration[0] <= _now)
        {
            var expiration = _heapExpiration[0];
            var id = _heapOrderId[0];
            HeapPop();
            if (_orderIndex.TryGetValue(id, out var s) && Slot(s).Resting &&
                Slot(s).TimeInForce == TimeInForce.Gtd && Slot(s).Expiration == expiration)
            {
                RemoveOrder(s, EventKind.OrderExpired, CancelReason.Expired);
            }
        }
    }

    // ---- order pool and lists -------------------------------------------------------------------

    // Every chunk is exactly OrderChunkMask + 1 long, so the masked index needs no second bounds check.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref OrderSlot Slot(int s) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_orderChunks[s >> OrderChunkShift]), s & OrderChunkMask);

    private int AllocateOrder()
    {
        if (_freeOrder >= 0)
        {
            var s = _freeOrder;
            _freeOrder = Slot(s).Next;
            Slot(s) = default;
            return s;
        }

        if (_orderHighWater >> OrderChunkShift == _orderChunkCount)
        {
            AddOrderChunk();
        }

        return _orderHighWater++;
    }

    private void AddOrderChunk()
    {
        if (_orderChunkCount == _orderChunks.Length)
        {
            // The directory holds one reference per 512 slots: 16 KB at a million orders.
            Array.Resize(ref _orderChunks, _orderChunks.Length * 2);
        }

        _orderChunks[_orderChunkCount++] = new OrderSlot[1 << OrderChunkShift];
    }

    private void FreeOrder(int s)
    {
        Slot(s).Id = 0;
        Slot(s).Next = _freeOrder;
        _freeOrder = s;
    }

    private void LinkToAccount(int s)
    {
        var account = Slot(s).Account;
        var head = _accountOrderHead[account];
        Slot(s).AccountPrev = -1;
        Slot(s).AccountNext = head;
        if (head >= 0)
        {
            Slot(head).AccountPrev = s;
        }

        _accountOrderHead[account] = s;
    }

    private void UnlinkFromAccount(int s)
    {
        ref var order = ref Slot(s);
        if (order.AccountPrev >= 0)
        {
            Slot(order.AccountPrev).AccountNext = order.AccountNext;
        }
        else
        {
            _accountOrderHead[order.Account] = order.AccountNext;
        }

        if (order.AccountNext >= 0)
        {
            Slot(order.AccountNext).AccountPrev = order.AccountPrev;
        }
    }

    // ---- expiry heap ----------------------------------------------------------------------------

    private void HeapPush(long expiration, long id)
    {
        if (_heapCount == _heapExpiration.Length)
        {
            Array.Resize(ref _heapExpiration, _heapCount * 2);
            Array.Resize(ref _heapOrderId, _heapCount * 2);
        }

        var i = _heapCount++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (_heapExpiration[parent] <= expiration)
            {
                break;
            }

            _heapExpiration[i] = _heapExpiration[parent];
            _heapOrderId[i] = _heapOrderId[parent];
            i = parent;
        }

        _heapExpiration[i] = expiration;
        _heapOrderId[i] = id;
    }

    private void HeapPop()
    {
        var last = --_heapCount;
        var expiration = _heapExpiration[last];
        var id = _heapOrderId[last];
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= last)
            {
                break;
            }

            if (child + 1 < last && _heapExpiration[child + 1] < _heapExpiration[child])
            {
                child++;
            }

            if (_heapExpiration[child] >= expiration)
            {
                break;
            }

            _heapExpiration[i] = _heapExpiration[child];
            _heapOrderId[i] = _heapOrderId[child];
            i = child;
        }

        if (last > 0)
        {
            _heapExpiration[i] = expiration;
            _heapOrderId[i] = id;
        }
    }

    // ---- fees -----------------------------------------------------------------------------------

    /// <summary>Polymarket's taker fee <c>C × p × rate × (p(1−p))^e</c>, in micro-USDC, or divided by p in micro-shares; rounded up.</summary>
    internal static long TakerFee(MarketParameters parameters, long size, int ownPrice, bool inShares)
    {
        UInt128 numerator = (UInt128)(ulong)size * (ulong)parameters.TakerFeeRate;
        UInt128 denominator = Scale;
        if (!inShares)
        {
            numerator *= (ulong)ownPrice;
            denominator *= Scale;
        }

        var q = (ulong)ownPrice * (ulong)(Scale - ownPrice); // p(1−p) × 1e8
        switch (parameters.TakerFeeExponentHalves)
        {
            case 1:
                numerator *= CeilSqrt((UInt128)q * 10_000_000_000_000_000UL); // √(p(1−p)) × 1e12, rounded up
                denominator *= 1_000_000_000_000UL;
                break;
            case 2:
                numerator *= q;
                denominator *= 100_000_000UL;
                break;
            case 4:
                numerator *= (UInt128)q * q;
                denominator *= 10_000_000_000_000_000UL;
                break;
            default:
                break;
        }

        return (long)((numerator + denominator - 1) / denominator);
    }

    private static UInt128 CeilSqrt(UInt128 n)
    {
        if (n < 2)
        {
            return n;
        }

        // Newton's iteration from a power of two above the root converges down to floor(√n).
        var bits = 128 - (int)UInt128.LeadingZeroCount(n);
        var x = (UInt128)1 << ((bits + 1) / 2);
        while (true)
        {
            var y = (x + (n / x)) >> 1;
            if (y >= x)
            {
                break;
            }

            x = y;
        }

        return x * x == n ? x : x + 1;
    }
}
