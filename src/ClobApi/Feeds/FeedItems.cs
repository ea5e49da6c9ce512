using Polysim.ClobApi.Api.Markets;
using Polysim.ClobApi.Hosting;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Feeds;

/// <summary>Something the engine thread (or a connection) hands to the publisher thread; immutable once handed over.</summary>
internal abstract class FeedItem;

/// <summary>A level of one token's book changed to a new aggregate size.</summary>
internal readonly record struct LevelChange(Outcome Outcome, Side Side, int Price, long Size);

/// <summary>A trade as the YES token saw it.</summary>
internal readonly record struct TradePrint(int YesPrice, Side YesSide, long Size);

/// <summary>What one command did to one market's public picture.</summary>
internal sealed class MarketChanges(MarketListed listed, long timestampMs) : FeedItem
{
    public MarketListed Listed { get; } = listed;

    public long TimestampMs { get; } = timestampMs;

    public List<LevelChange> Levels { get; } = [];

    public List<TradePrint> Trades { get; } = [];

    public (int Bid, int Ask) YesBest { get; set; }

    public (int Bid, int Ask) NoBest { get; set; }

    public OrderBookReply? YesBook { get; set; }

    public OrderBookReply? NoBook { get; set; }

    public (int Old, int New)? Tick { get; set; }

    public bool Created { get; set; }

    public Outcome? Winner { get; set; }

    public int FeeBps { get; set; }
}

/// <summary>An order as the user channel shows it, copied on the engine thread.</summary>
internal sealed record OrderView(
    string PublicId,
    int AccountId,
    int WalletId,
    string ConditionId,
    string TokenId,
    Outcome Outcome,
    Side Side,
    int Price,
    long OriginalSize,
    TimeInForce TimeInForce,
    long ExpirationMs,
    long CreatedAtMs,
    string MakerAddress,
    string OwnerId,
    string? PolyOwner,
    int FeeBps,
    IReadOnlyList<string> TradeIds);

/// <summary>One order event of the user channel: PLACEMENT, UPDATE or CANCELLATION.</summary>
internal sealed class OrderEventItem(string type, OrderView order, long sizeMatched, string status, long timestampMs) : FeedItem
{
    public string Type { get; } = type;

    public OrderView Order { get; } = order;

    public long SizeMatched { get; } = sizeMatched;

    public string Status { get; } = status;

    public long TimestampMs { get; } = timestampMs;
}

/// <summary>One side of a trade.</summary>
internal sealed record TradeParty(
    string OrderId, int AccountId, int WalletId, string TokenId, Outcome Outcome, Side Side, int Price, string MakerAddress, string OwnerId, string? PolyOwner);

/// <summary>One trade of the user channel (sent MATCHED, then CONFIRMED).</summary>
internal sealed class TradeEventItem(string tradeId, string conditionId, long timestampMs, long size, int feeBps, TradeParty taker, TradeParty maker) : FeedItem
{
    public string TradeId { get; } = tradeId;

    public string ConditionId { get; } = conditionId;

    public long TimestampMs { get; } = timestampMs;

    public long Size { get; } = size;

    public int FeeBps { get; } = feeBps;

    public TradeParty Taker { get; } = taker;

    public TradeParty Maker { get; } = maker;
}

/// <summary>A token a market subscriber asked for, with its book at the moment of subscribing.</summary>
internal sealed record TokenSnapshot(MarketListed Listed, Outcome Outcome, string TokenId, OrderBookReply Book, (int Bid, int Ask) Best);

/// <summary>Start sending these tokens to a connection (after an optional book dump), from this point of the stream.</summary>
internal sealed class SubscribeMarket(FeedConnection connection, IReadOnlyList<TokenSnapshot> tokens, bool dump) : FeedItem
{
    public FeedConnection Connection { get; } = connection;

    public IReadOnlyList<TokenSnapshot> Tokens { get; } = tokens;

    public bool Dump { get; } = dump;
}

/// <summary>Stop sending these tokens to a connection.</summary>
internal sealed class UnsubscribeMarket(FeedConnection connection, IReadOnlyList<string> tokens) : FeedItem
{
    public FeedConnection Connection { get; } = connection;

    public IReadOnlyList<string> Tokens { get; } = tokens;
}

/// <summary>Start (or change) a user-channel subscription.</summary>
internal sealed class SubscribeUser(FeedConnection connection, IReadOnlyList<string> markets, bool add) : FeedItem
{
    public FeedConnection Connection { get; } = connection;

    public IReadOnlyList<string> Markets { get; } = markets;

    /// <summary>True to add the markets, false to remove them.</summary>
    public bool Add { get; } = add;
}

/// <summary>A connection is gone: forget it everywhere.</summary>
internal sealed class Detach(FeedConnection connection) : FeedItem
{
    public FeedConnection Connection { get; } = connection;
}

/// <summary>Answer a PING, after everything published before it.</summary>
internal sealed class PongItem(FeedConnection connection) : FeedItem
{
    public FeedConnection Connection { get; } = connection;
}
