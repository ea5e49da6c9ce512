using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Polysim.ClobApi.Api.Markets;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Polymarket.Public;
using Polysim.ClobApi.Projections;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Feeds;

/// <summary>The live-feed fan-out: captures committed engine work on the engine thread and publishes it on a thread of its own.</summary>
/// <remarks>
/// The engine thread only copies what a message needs (and only while someone listens) into a list that is handed to the
/// publisher after the batch is durable; it never serializes, never waits. The publisher turns each item into
/// Polymarket-shaped JSON once and puts the same bytes into every interested subscriber's bounded outbox, in engine order.
/// Subscriptions travel through the same stream (they are captured on the engine thread as reads), so a subscriber's book
/// dump and the events after it are exactly contiguous.
/// </remarks>
public sealed class FeedHub : IEngineFeed, IDisposable
{
    private readonly Channel<List<FeedItem>> _queue = Channel.CreateUnbounded<List<FeedItem>>(new UnboundedChannelOptions
    {
        SingleReader = true,
        SingleWriter = false,
    });

    private readonly ILogger<FeedHub> _log;
    private readonly Thread _thread;
    private readonly FeedWriter _writer = new();

    // Engine-thread state.
    private readonly Dictionary<int, string> _addresses = [];
    private readonly Dictionary<int, string> _owners = [];
    private readonly Dictionary<long, long> _filledThisCommand = [];
    private List<FeedItem> _pending = [];
    private int _marketWatchers;
    private int _userWatchers;

    // Publisher-thread state.
    private readonly Dictionary<string, TokenTopic> _tokens = new(StringComparer.Ordinal);
    private readonly HashSet<FeedConnection> _customMarket = [];
    private readonly Dictionary<int, List<FeedConnection>> _users = [];
    private readonly Dictionary<string, byte[]> _userFrames = new(StringComparer.Ordinal);
    private readonly HashSet<FeedConnection> _dead = [];
    private long _published;
    private long _slowDisconnects;

    /// <summary>Creates the hub and starts its publisher thread.</summary>
    public FeedHub(ILogger<FeedHub> log)
    {
        _log = log;
        _thread = new Thread(Run) { Name = "polysim-feed", IsBackground = true };
        _thread.Start();
    }

    /// <summary>Frames handed to outboxes so far (a frame enqueued to n subscribers counts n).</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Subscribers disconnected because their outbox overflowed.</summary>
    public long SlowConsumerDisconnects => Interlocked.Read(ref _slowDisconnects);

    /// <inheritdoc />
    public void CommandApplied(HostState state, in Command command, ReadOnlySpan<EngineEvent> events)
    {
        if (events.Length == 0)
        {
            return;
        }

        try
        {
            if (Volatile.Read(ref _marketWatchers) > 0)
            {
                CaptureMarket(state, command, events);
            }

            if (Volatile.Read(ref _userWatchers) > 0)
            {
                CaptureUser(state, command, events);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or KeyNotFoundException or IndexOutOfRangeException)
        {
            // The command is applied and journaled whatever the feed makes of it; a capture bug must not fail the caller.
            _log.LogError(ex, "The feed could not capture command {Sequence}; subscribers may miss its events.", command.Sequence);
        }
    }

    /// <inheritdoc />
    public void BatchCommitted()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        _queue.Writer.TryWrite(_pending);
        _pending = [];
    }

    /// <inheritdoc />
    public void BatchDiscarded()
    {
        // Subscribers have seen only committed work, which is exactly what the rebuilt state holds, so they stay in step.
        _pending = [];
    }

    /// <summary>On the engine thread: registers a market subscription at this point of the stream.</summary>
    internal void SubscribeMarketOnEngine(FeedConnection connection, IReadOnlyList<TokenSnapshot> tokens, bool dump)
    {
        if (Interlocked.Exchange(ref connection.CountedAsWatcher, 1) == 0)
        {
            Interlocked.Increment(ref _marketWatchers);
        }

        _pending.Add(new SubscribeMarket(connection, tokens, dump));
    }

    /// <summary>On the engine thread: registers a user subscription at this point of the stream.</summary>
    internal void SubscribeUserOnEngine(FeedConnection connection, IReadOnlyList<string> markets)
    {
        if (Interlocked.Exchange(ref connection.CountedAsWatcher, 1) == 0)
        {
            Interlocked.Increment(ref _userWatchers);
        }

        _pending.Add(new SubscribeUser(connection, markets, add: true));
    }

    /// <summary>From any thread: an item that needs no engine ordering (unsubscribe, detach).</summary>
    internal void Post(FeedItem item) => _queue.Writer.TryWrite([item]);

    /// <summary>From any thread: the connection ended; forget it.</summary>
    internal void Detach(FeedConnection connection)
    {
        if (Interlocked.Exchange(ref connection.CountedAsWatcher, 0) == 1)
        {
            Interlocked.Decrement(ref connection.Channel == FeedChannel.Market ? ref _marketWatchers : ref _userWatchers);
        }

        Post(new Detach(connection));
    }

    /// <summary>On the engine thread: a token's snapshot for a subscription, or null when the token is unknown.</summary>
    internal static TokenSnapshot? Snapshot(HostState state, string tokenId, long nowMs)
    {
        if (!state.Markets.TryGetToken(tokenId, out var listed, out var outcome) || state.Engine.GetMarket(listed.MarketId) is not { } info)
        {
            return null;
        }

        return new TokenSnapshot(listed, outcome, tokenId, MarketViews.Book(state, listed, outcome, nowMs), MarketViews.Best(info, outcome));
    }

    private void CaptureMarket(HostState state, in Command command, ReadOnlySpan<EngineEvent> events)
    {
        MarketChanges? current = null;
        var first = _pending.Count;
        foreach (ref readonly var e in events)
        {
            switch (e.Kind)
            {
                case EventKind.BookLevelChanged:
                    Changes(ref current, state, e.Market, command.Timestamp)?.Levels.Add(new LevelChange(e.Outcome, e.Side, e.Price, e.Size));
                    break;
                case EventKind.Trade:
                    var yesPrice = e.Outcome == Outcome.Yes ? e.Price : Units.PriceScale - e.Price;
                    var yesSide = e.Outcome == Outcome.Yes ? e.Side : Opposite(e.Side);
                    Changes(ref current, state, e.Market, command.Timestamp)?.Trades.Add(new TradePrint(yesPrice, yesSide, e.Size));
                    break;
                case EventKind.TickSizeChanged:
                    if (Changes(ref current, state, e.Market, command.Timestamp) is { } tick)
                    {
                        tick.Tick = (e.OtherPrice, e.Price);
                    }

                    break;
                case EventKind.MarketCreated:
                    if (Changes(ref current, state, e.Market, command.Timestamp) is { } created)
                    {
                        created.Created = true;
                    }

                    break;
                case EventKind.MarketResolved:
                    if (Changes(ref current, state, e.Market, command.Timestamp) is { } resolved)
                    {
                        resolved.Winner = e.Outcome;
                    }

                    break;
                default:
                    break;
            }
        }

        // Bests and post-trade books are as of the end of the command, which is what subscribers will hold after it.
        for (var i = first; i < _pending.Count; i++)
        {
            if (_pending[i] is not MarketChanges changes || state.Engine.GetMarket(changes.Listed.MarketId) is not { } info)
            {
                continue;
            }

            changes.YesBest = MarketViews.Best(info, Outcome.Yes);
            changes.NoBest = MarketViews.Best(info, Outcome.No);
            changes.FeeBps = PublicLookup.BaseFee(info);
            if (changes.Trades.Count > 0)
            {
                changes.YesBook = MarketViews.Book(state, changes.Listed, Outcome.Yes, changes.TimestampMs);
                changes.NoBook = MarketViews.Book(state, changes.Listed, Outcome.No, changes.TimestampMs);
            }
        }
    }

    private MarketChanges? Changes(ref MarketChanges? current, HostState state, int market, long timestampMs)
    {
        if (current is not null && current.Listed.MarketId == market)
        {
            return current;
        }

        if (state.Markets.ById(market) is not { } listed)
        {
            return null;
        }

        current = new MarketChanges(listed, timestampMs);
        _pending.Add(current);
        return current;
    }

    private void CaptureUser(HostState state, in Command command, ReadOnlySpan<EngineEvent> events)
    {
        _filledThisCommand.Clear();
        foreach (ref readonly var e in events)
        {
            if (e.Kind == EventKind.OrderFilled)
            {
                _filledThisCommand[e.OrderId] = _filledThisCommand.GetValueOrDefault(e.OrderId) + e.Size;
            }
        }

        foreach (ref readonly var e in events)
        {
            switch (e.Kind)
            {
                case EventKind.OrderAccepted:
                    if (View(state, e.OrderId) is { } placed)
                    {
                        _pending.Add(new OrderEventItem("PLACEMENT", placed, 0, "LIVE", command.Timestamp));
                    }

                    break;
                case EventKind.OrderFilled:
                    if (View(state, e.OrderId) is { } filled)
                    {
                        var matched = filled.OriginalSize - e.Remaining;
                        _pending.Add(new OrderEventItem("UPDATE", filled, matched, e.Remaining > 0 ? "LIVE" : "MATCHED", command.Timestamp));
                    }

                    break;
                case EventKind.OrderReduced:
                    if (View(state, e.OrderId) is { } reduced)
                    {
                        // Not a Polymarket event (it has no amend): an UPDATE carrying the smaller original_size.
                        _pending.Add(new OrderEventItem("UPDATE", reduced, reduced.OriginalSize - e.Remaining, "LIVE", command.Timestamp));
                    }

                    break;
                case EventKind.OrderCancelled:
                case EventKind.OrderExpired:
                    if (View(state, e.OrderId) is { } cancelled)
                    {
                        var status = e.Kind == EventKind.OrderCancelled && e.Reason == CancelReason.MarketResolved
                            ? "CANCELED_MARKET_RESOLVED"
                            : "CANCELED";
                        _pending.Add(new OrderEventItem("CANCELLATION", cancelled, cancelled.OriginalSize - e.Remaining, status, command.Timestamp));
                    }

                    break;
                case EventKind.Trade:
                    CaptureTrade(state, e, command.Timestamp);
                    break;
                default:
                    break;
            }
        }
    }

    private void CaptureTrade(HostState state, in EngineEvent e, long timestampMs)
    {
        var taker = state.Orders.Find(e.TakerOrderId);
        var maker = state.Orders.Find(e.MakerOrderId);
        if ((taker is null || taker.AccountId < 0) && (maker is null || maker.AccountId < 0))
        {
            return;
        }

        if (state.Markets.ById(e.Market) is not { } listed || state.Engine.GetMarket(e.Market) is not { } info)
        {
            return;
        }

        var takerParty = Party(state, listed, taker, e.TakerOrderId, e.TakerAccount, e.Outcome, e.Side, e.TakerPrice);
        var makerParty = Party(state, listed, maker, e.MakerOrderId, e.MakerAccount, e.OtherOutcome, e.OtherSide, e.MakerPrice);
        _pending.Add(new TradeEventItem(
            Api.Orders.PublicIds.Trade(e.TradeId), listed.ConditionId, timestampMs, e.Size, PublicLookup.BaseFee(info), takerParty, makerParty));
    }

    private TradeParty Party(HostState state, MarketListed listed, OrderRecord? order, long orderId, int wallet, Outcome outcome, Side side, int price) =>
        new(
            order?.PublicId ?? Api.Orders.PublicIds.Order(orderId),
            order?.AccountId ?? -1,
            wallet,
            MarketDirectory.TokenId(listed, outcome),
            outcome,
            side,
            price,
            AddressOf(state, wallet),
            OwnerOf(wallet),
            PolyOwnerOf(state, orderId, order?.AccountId ?? -1));

    private OrderView? View(HostState state, long orderId)
    {
        var order = state.Orders.Find(orderId);
        if (order is null || order.AccountId < 0 || state.Markets.ById(order.Market) is not { } listed || state.Engine.GetMarket(order.Market) is not { } info)
        {
            return null;
        }

        var trades = new string[order.Fills.Count];
        for (var i = 0; i < trades.Length; i++)
        {
            trades[i] = Api.Orders.PublicIds.Trade(order.Fills[i].TradeId);
        }

        return new OrderView(
            order.PublicId,
            order.AccountId,
            order.WalletId,
            listed.ConditionId,
            MarketDirectory.TokenId(listed, order.Outcome),
            order.Outcome,
            order.Side,
            order.Price,
            order.Quantity,
            order.TimeInForce,
            order.ExpirationMs,
            order.CreatedAtMs,
            AddressOf(state, order.WalletId),
            OwnerOf(order.WalletId),
            PolyOwnerOf(state, orderId, order.AccountId),
            PublicLookup.BaseFee(info),
            trades);
    }

    private string AddressOf(HostState state, int wallet)
    {
        if (!_addresses.TryGetValue(wallet, out var address))
        {
            // Wallets without an L1 signer still need a stable address-shaped value on the wire.
            address = state.Accounts.FindWallet(wallet)?.Address
                ?? "0x" + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes("polysim/wallet/" + wallet.ToString(CultureInfo.InvariantCulture))))[..40];
            _addresses[wallet] = address;
        }

        return address;
    }

    private string OwnerOf(int wallet)
    {
        if (!_owners.TryGetValue(wallet, out var owner))
        {
            // Another party's API key is never shown; a stable key-shaped id stands for it.
            var bytes = SHA256.HashData(Encoding.ASCII.GetBytes("polysim/owner/" + wallet.ToString(CultureInfo.InvariantCulture)));
            var hex = Convert.ToHexStringLower(bytes.AsSpan(0, 16));
            owner = $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
            _owners[wallet] = owner;
        }

        return owner;
    }

    private static string? PolyOwnerOf(HostState state, long orderId, int accountId) =>
        accountId < 0 ? null : state.PolyKeys.OwnerOf(orderId, accountId) is { Length: > 0 } key ? key : null;

    private static Side Opposite(Side side) => side == Side.Buy ? Side.Sell : Side.Buy;

    private void Run()
    {
        var reader = _queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var batch))
            {
                foreach (var item in batch)
                {
                    try
                    {
                        Publish(item);
                        ForgetDead();
                    }
                    catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
                    {
                        _log.LogError(ex, "The feed could not publish a {Item}; subscribers of it may see a sequence gap.", item.GetType().Name);
                    }
                }
            }
        }
    }

    private void ForgetDead()
    {
        if (_dead.Count == 0)
        {
            return;
        }

        // Forgotten right away (not when its handler exits) so that a dead subscriber is not offered more frames.
        foreach (var connection in _dead)
        {
            Interlocked.Increment(ref _slowDisconnects);
            Forget(connection);
        }

        _dead.Clear();
    }

    private void Publish(FeedItem item)
    {
        switch (item)
        {
            case MarketChanges changes:
                PublishMarket(changes);
                break;
            case OrderEventItem order:
                PublishOrder(order);
                break;
            case TradeEventItem trade:
                PublishTrade(trade);
                break;
            case SubscribeMarket subscribe:
                AddMarketSubscription(subscribe);
                break;
            case UnsubscribeMarket unsubscribe:
                foreach (var token in unsubscribe.Tokens)
                {
                    if (unsubscribe.Connection.Tokens.Remove(token) && _tokens.TryGetValue(token, out var topic))
                    {
                        topic.Subscribers.Remove(unsubscribe.Connection);
                    }
                }

                break;
            case SubscribeUser user:
                AddUserSubscription(user);
                break;
            case Detach detach:
                Forget(detach.Connection);
                break;
            case PongItem pong:
                Deliver(pong.Connection, new Outgoing(FeedConnection.Pong, FrameKind.Raw));
                break;
            default:
                throw new InvalidOperationException($"Unknown feed item {item.GetType().Name}.");
        }
    }

    private TokenTopic Topic(MarketListed listed, Outcome outcome)
    {
        var token = MarketDirectory.TokenId(listed, outcome);
        if (!_tokens.TryGetValue(token, out var topic))
        {
            topic = new TokenTopic(token);
            _tokens[token] = topic;
        }

        return topic;
    }

    private void AddMarketSubscription(SubscribeMarket subscribe)
    {
        var connection = subscribe.Connection;
        if (connection.IsClosing)
        {
            return;
        }

        if (connection.CustomFeatures)
        {
            _customMarket.Add(connection);
        }

        var dump = new List<byte[]>();
        foreach (var token in subscribe.Tokens)
        {
            var topic = Topic(token.Listed, token.Outcome);
            if (connection.Tokens.Add(token.TokenId))
            {
                topic.Subscribers.Add(connection);
            }

            if (topic.Subscribers.Count == 1)
            {
                // Nobody listened before, so the topic's best was not tracked: start from the snapshot.
                topic.Best = token.Best;
            }

            if (subscribe.Dump)
            {
                dump.Add(_writer.Book(token.Book, topic.Sequence));
            }
        }

        if (dump.Count > 0)
        {
            Deliver(connection, new Outgoing(FeedWriter.Array(dump), FrameKind.Array));
        }
    }

    private void PublishMarket(MarketChanges changes)
    {
        var listed = changes.Listed;
        var yes = Topic(listed, Outcome.Yes);
        var no = Topic(listed, Outcome.No);
        var anyone = yes.Subscribers.Count + no.Subscribers.Count > 0;

        if (changes.Levels.Count > 0)
        {
            var sequences = new long[changes.Levels.Count];
            for (var i = 0; i < sequences.Length; i++)
            {
                sequences[i] = ++(changes.Levels[i].Outcome == Outcome.Yes ? yes : no).Sequence;
            }

            if (anyone)
            {
                var frame = _writer.PriceChange(changes, sequences);
                DeliverBoth(yes, no, new Outgoing(frame, FrameKind.Event), customOnly: false);
            }
        }

        foreach (var trade in changes.Trades)
        {
            foreach (var topic in (ReadOnlySpan<TokenTopic>)[yes, no])
            {
                var isYes = ReferenceEquals(topic, yes);
                var price = isYes ? trade.YesPrice : Units.PriceScale - trade.YesPrice;
                var side = isYes ? trade.YesSide : Opposite(trade.YesSide);
                var sequence = ++topic.Sequence;
                if (topic.Subscribers.Count > 0)
                {
                    DeliverTo(topic, _writer.LastTradePrice(listed, topic.TokenId, price, side, trade.Size, changes.FeeBps, changes.TimestampMs, sequence), customOnly: false);
                }
            }
        }

        if (changes.YesBook is { } yesBook && changes.NoBook is { } noBook)
        {
            var yesSequence = ++yes.Sequence;
            var noSequence = ++no.Sequence;
            if (yes.Subscribers.Count > 0)
            {
                DeliverTo(yes, _writer.Book(yesBook, yesSequence), customOnly: false);
            }

            if (no.Subscribers.Count > 0)
            {
                DeliverTo(no, _writer.Book(noBook, noSequence), customOnly: false);
            }
        }

        if (changes.Tick is { } tick)
        {
            foreach (var topic in (ReadOnlySpan<TokenTopic>)[yes, no])
            {
                var sequence = ++topic.Sequence;
                if (topic.Subscribers.Count > 0)
                {
                    DeliverTo(topic, _writer.TickSizeChange(listed, topic.TokenId, tick.Old, tick.New, changes.TimestampMs, sequence), customOnly: false);
                }
            }
        }

        if (changes.Levels.Count > 0 || changes.Trades.Count > 0)
        {
            foreach (var (topic, best) in (ReadOnlySpan<(TokenTopic, (int, int))>)[(yes, changes.YesBest), (no, changes.NoBest)])
            {
                if (topic.Best == best)
                {
                    continue;
                }

                topic.Best = best;
                if (topic.Subscribers.Count > 0)
                {
                    DeliverTo(topic, _writer.BestBidAsk(listed, topic.TokenId, best, changes.TimestampMs, topic.Sequence), customOnly: true);
                }
            }
        }

        if (changes.Created && _customMarket.Count > 0)
        {
            var frame = new Outgoing(_writer.NewMarket(listed, changes.TimestampMs), FrameKind.Event);
            foreach (var connection in _customMarket)
            {
                if (connection.CustomFeatures)
                {
                    Deliver(connection, frame);
                }
            }
        }

        if (changes.Winner is { } winner && anyone)
        {
            DeliverBoth(yes, no, new Outgoing(_writer.MarketResolved(listed, winner, changes.TimestampMs), FrameKind.Event), customOnly: true);
        }
    }

    private void DeliverTo(TokenTopic topic, byte[] bytes, bool customOnly)
    {
        var frame = new Outgoing(bytes, FrameKind.Event);
        foreach (var connection in topic.Subscribers)
        {
            if (!customOnly || connection.CustomFeatures)
            {
                Deliver(connection, frame);
            }
        }
    }

    private void DeliverBoth(TokenTopic yes, TokenTopic no, Outgoing frame, bool customOnly)
    {
        foreach (var connection in yes.Subscribers)
        {
            if (!customOnly || connection.CustomFeatures)
            {
                Deliver(connection, frame);
            }
        }

        foreach (var connection in no.Subscribers)
        {
            // A subscriber of both tokens takes a market-wide event once.
            if ((!customOnly || connection.CustomFeatures) && !connection.Tokens.Contains(yes.TokenId))
            {
                Deliver(connection, frame);
            }
        }
    }

    private void Deliver(FeedConnection connection, Outgoing frame)
    {
        if (connection.Enqueue(frame))
        {
            _published++;
        }
        else if (connection.CloseStatus == (System.Net.WebSockets.WebSocketCloseStatus)FeedConnection.SlowConsumerCloseCode)
        {
            _dead.Add(connection);
        }
    }

    private void AddUserSubscription(SubscribeUser user)
    {
        var connection = user.Connection;
        if (connection.IsClosing || connection.Principal is not { } principal)
        {
            return;
        }

        foreach (var market in user.Markets)
        {
            if (user.Add)
            {
                connection.Markets.Add(market);
            }
            else
            {
                connection.Markets.Remove(market);
            }
        }

        if (!_users.TryGetValue(principal.AccountId, out var list))
        {
            list = [];
            _users[principal.AccountId] = list;
        }

        if (!list.Contains(connection))
        {
            list.Add(connection);
        }
    }

    private void Forget(FeedConnection connection)
    {
        foreach (var token in connection.Tokens)
        {
            if (_tokens.TryGetValue(token, out var topic))
            {
                topic.Subscribers.Remove(connection);
            }
        }

        connection.Tokens.Clear();
        _customMarket.Remove(connection);
        if (connection.Principal is { } principal && _users.TryGetValue(principal.AccountId, out var list))
        {
            list.Remove(connection);
        }
    }

    private void PublishOrder(OrderEventItem item)
    {
        var order = item.Order;
        if (!_users.TryGetValue(order.AccountId, out var list) || list.Count == 0)
        {
            return;
        }

        _userFrames.Clear();
        foreach (var connection in list)
        {
            if (!Wants(connection, order.WalletId, order.ConditionId))
            {
                continue;
            }

            var key = connection.Principal!.OwnerKey;
            if (!_userFrames.TryGetValue(key, out var bytes))
            {
                bytes = _writer.Order(item, key);
                _userFrames[key] = bytes;
            }

            Deliver(connection, new Outgoing(bytes, FrameKind.Event));
        }
    }

    private void PublishTrade(TradeEventItem trade)
    {
        var selfTrade = trade.Taker.AccountId == trade.Maker.AccountId;
        foreach (var (party, side) in (ReadOnlySpan<(TradeParty, string)>)[(trade.Taker, "TAKER"), (trade.Maker, "MAKER")])
        {
            // An account on both sides hears the trade once, as the taker, on a connection watching either wallet.
            if (party.AccountId < 0 || (selfTrade && side == "MAKER") || !_users.TryGetValue(party.AccountId, out var list))
            {
                continue;
            }

            _userFrames.Clear();
            foreach (var connection in list)
            {
                if (!Wants(connection, party.WalletId, trade.ConditionId) && !(selfTrade && Wants(connection, trade.Maker.WalletId, trade.ConditionId)))
                {
                    continue;
                }

                var principal = connection.Principal!;
                if (!_userFrames.TryGetValue(principal.OwnerKey, out var matched))
                {
                    matched = _writer.Trade(trade, side, "MATCHED", principal);
                    _userFrames[principal.OwnerKey] = matched;
                    _userFrames["\u0000" + principal.OwnerKey] = _writer.Trade(trade, side, "CONFIRMED", principal);
                }

                Deliver(connection, new Outgoing(matched, FrameKind.Event));
                Deliver(connection, new Outgoing(_userFrames["\u0000" + principal.OwnerKey], FrameKind.Event));
            }
        }
    }

    private static bool Wants(FeedConnection connection, int walletId, string conditionId) =>
        connection.Principal is { } principal &&
        (principal.WalletId is null || principal.WalletId == walletId) &&
        (connection.Markets.Count == 0 || connection.Markets.Contains(conditionId));

    /// <inheritdoc />
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _thread.Join(TimeSpan.FromSeconds(5));
    }

    /// <summary>Subscribers and stream position of one token; publisher-thread only.</summary>
    private sealed class TokenTopic(string tokenId)
    {
        public string TokenId { get; } = tokenId;

        public long Sequence { get; set; }

        public (int Bid, int Ask) Best { get; set; } = (0, Units.PriceScale);

        public HashSet<FeedConnection> Subscribers { get; } = [];
    }
}
