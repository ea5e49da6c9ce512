using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Polysim.ClobApi.Hosting;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Api.Markets;

/// <summary>Builds the market data replies from host state; every method runs on the engine thread (inside a read).</summary>
internal static class MarketViews
{
    private const int Scale = Units.PriceScale;

    /// <summary>The simulation clock: the wall clock plus the operator's offset, Unix ms.</summary>
    public static long NowMs(TimeProvider time, HostState state) =>
        time.GetUtcNow().ToUnixTimeMilliseconds() + state.ClockOffsetMs;

    /// <summary>"Yes" or "No".</summary>
    public static string OutcomeName(Outcome outcome) => outcome == Outcome.Yes ? "Yes" : "No";

    /// <summary>"BUY" or "SELL".</summary>
    public static string SideName(Side side) => side == Side.Buy ? "BUY" : "SELL";

    /// <summary>Unix ms as ISO 8601 UTC with milliseconds.</summary>
    public static string Iso(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A price in 1e-4 units as an exact JSON number.</summary>
    public static decimal PriceNumber(int price) => decimal.Parse(BookFormatter.Price(price), CultureInfo.InvariantCulture);

    /// <summary>Micro-units as an exact JSON number.</summary>
    public static decimal AmountNumber(long amount) => decimal.Parse(BookFormatter.Amount(amount), CultureInfo.InvariantCulture);

    /// <summary>A non-negative integer scaled by 10^<paramref name="digits"/> as a trimmed decimal string.</summary>
    public static string Fixed(long value, int digits)
    {
        var scale = 1L;
        for (var i = 0; i < digits; i++)
        {
            scale *= 10;
        }

        var sign = value < 0 ? "-" : string.Empty;
        var magnitude = Math.Abs(value);
        var whole = (magnitude / scale).ToString(CultureInfo.InvariantCulture);
        var fraction = (magnitude % scale).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
        return fraction.Length == 0 ? sign + whole : $"{sign}{whole}.{fraction}";
    }

    /// <summary>The midpoint of two prices in 1e-4 units, exact (it may need a fifth decimal).</summary>
    public static string Mid(int bid, int ask) => Fixed((bid + ask) * 5L, 5);

    /// <summary>One token's best bid and best ask in its own price terms; 0 / 10000 when that side is empty.</summary>
    /// <remarks>The NO book mirrors the YES book: NO bids are YES asks at 1 − price, NO asks are YES bids.</remarks>
    public static (int Bid, int Ask) Best(MarketInfo info, Outcome outcome)
    {
        if (outcome == Outcome.Yes)
        {
            return (info.BestBid, info.BestAsk);
        }

        var bid = info.BestAsk >= Scale ? 0 : Scale - info.BestAsk;
        var ask = info.BestBid <= 0 ? Scale : Scale - info.BestBid;
        return (bid, ask);
    }

    /// <summary>A token's mark price in 1e-5 units: the midpoint when both sides quote, else its last trade price; null when neither.</summary>
    public static long? Mark(HostState state, MarketInfo info, Outcome outcome)
    {
        var (bid, ask) = Best(info, outcome);
        if (bid > 0 && ask < Scale)
        {
            return (bid + ask) * 5L;
        }

        if (state.Trades.LastTradeOf(info.Id) is { } last)
        {
            var own = outcome == Outcome.Yes ? last.YesPrice : Scale - last.YesPrice;
            return own * 10L;
        }

        return null;
    }

    /// <summary>The market object (Polymarket's fields plus the native ones).</summary>
    public static MarketReply Market(HostState state, MarketListed listed)
    {
        var info = state.Engine.GetMarket(listed.MarketId)
            ?? throw new InvalidOperationException($"Listed market {listed.MarketId} is not in the engine.");
        var parameters = info.Parameters;
        var winner = state.Trades.WinnerOf(listed.MarketId);
        var status = info.Status switch
        {
            MarketStatus.Active => "active",
            MarketStatus.Closed => "closed",
            _ => "resolved",
        };
        var created = Iso(listed.CreatedAtMs);
        var tokens = new[]
        {
            Token(state, info, listed, Outcome.Yes, winner),
            Token(state, info, listed, Outcome.No, winner),
        };
        var lastTrade = state.Trades.LastTradeOf(listed.MarketId);
        return new MarketReply(
            EnableOrderBook: true,
            Active: info.Status != MarketStatus.Resolved,
            Closed: info.Status != MarketStatus.Active,
            Archived: false,
            AcceptingOrders: info.Status == MarketStatus.Active,
            AcceptingOrderTimestamp: created,
            MinimumOrderSize: AmountNumber(parameters.MinimumSize),
            MinimumTickSize: PriceNumber(info.TickSize),
            ConditionId: listed.ConditionId,
            QuestionId: MarketIds.QuestionId(listed.ConditionId),
            Question: listed.Question,
            Description: string.Empty,
            MarketSlug: listed.Slug,
            EndDateIso: null,
            GameStartTime: null,
            SecondsDelay: 0,
            Fpmm: string.Empty,
            MakerBaseFee: 0,
            TakerBaseFee: parameters.TakerFeeRate,
            NotificationsEnabled: true,
            NegRisk: parameters.NegRisk,
            NegRiskMarketId: string.Empty,
            NegRiskRequestId: string.Empty,
            Icon: string.Empty,
            Image: string.Empty,
            Rewards: new RewardsReply(null, 0, 0),
            Is5050Outcome: false,
            Tokens: tokens,
            Tags: [],
            MarketId: listed.ConditionId,
            Status: status,
            TickSize: BookFormatter.Price(info.TickSize),
            MinOrderSize: BookFormatter.Amount(parameters.MinimumSize),
            TakerFeeRate: BookFormatter.Price(parameters.TakerFeeRate),
            FeeExponent: Fixed(parameters.TakerFeeExponentHalves * 5L, 1),
            AutoTick: parameters.AutoTickSize,
            BestBid: info.BestBid > 0 ? BookFormatter.Price(info.BestBid) : null,
            BestAsk: info.BestAsk < Scale ? BookFormatter.Price(info.BestAsk) : null,
            LastTradePrice: lastTrade is { } t ? BookFormatter.Price(t.YesPrice) : null,
            WinningOutcome: winner is { } w ? OutcomeName(w) : null,
            CreatedAt: created);
    }

    private static TokenReply Token(HostState state, MarketInfo info, MarketListed listed, Outcome outcome, Outcome? winner)
    {
        var tokenId = MarketDirectory.TokenId(listed, outcome);
        if (winner is { } w)
        {
            return new TokenReply(tokenId, OutcomeName(outcome), w == outcome ? 1m : 0m, w == outcome);
        }

        // Without a quote or a trade there is no price information: an even 0.5 each.
        var mark = Mark(state, info, outcome);
        var price = mark is { } m ? decimal.Parse(Fixed(m, 5), CultureInfo.InvariantCulture) : 0.5m;
        return new TokenReply(tokenId, OutcomeName(outcome), price, false);
    }

    /// <summary>Polymarket's book summary of one token, best level last on both sides, with its SHA-1 hash.</summary>
    public static OrderBookReply Book(HostState state, MarketListed listed, Outcome outcome, long nowMs)
    {
        var engine = state.Engine;
        var info = engine.GetMarket(listed.MarketId)
            ?? throw new InvalidOperationException($"Listed market {listed.MarketId} is not in the engine.");
        var buffer = ArrayPool<PriceLevel>.Shared.Rent(Scale);
        try
        {
            // CopyLevels gives best first; Polymarket's wire wants best last (bids ascending, asks descending).
            var bids = Levels(buffer, engine.CopyLevels(listed.MarketId, outcome, Side.Buy, buffer));
            var asks = Levels(buffer, engine.CopyLevels(listed.MarketId, outcome, Side.Sell, buffer));
            var last = state.Trades.LastTradeOf(listed.MarketId) is { } t
                ? BookFormatter.Price(outcome == Outcome.Yes ? t.YesPrice : Scale - t.YesPrice)
                : string.Empty;
            var unhashed = new OrderBookReply(
                listed.ConditionId,
                MarketDirectory.TokenId(listed, outcome),
                nowMs.ToString(CultureInfo.InvariantCulture),
                string.Empty,
                bids,
                asks,
                BookFormatter.Amount(info.Parameters.MinimumSize),
                BookFormatter.Price(info.TickSize),
                info.Parameters.NegRisk,
                last);
            return unhashed with { Hash = BookHash(unhashed) };
        }
        finally
        {
            ArrayPool<PriceLevel>.Shared.Return(buffer);
        }
    }

    /// <summary>SHA-1 of the summary's compact JSON with <c>hash</c> empty, in the wire's key order (py-clob-client's "server-compatible" hash).</summary>
    public static string BookHash(OrderBookReply book)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(book with { Hash = string.Empty }, MarketsJson.Default.OrderBookReply);
#pragma warning disable CA5350 // Polymarket defines the book hash as SHA-1; it identifies a snapshot, it protects nothing.
        return Convert.ToHexStringLower(SHA1.HashData(json));
#pragma warning restore CA5350
    }

    private static BookLevelReply[] Levels(PriceLevel[] buffer, int count)
    {
        var levels = new BookLevelReply[count];
        for (var i = 0; i < count; i++)
        {
            var level = buffer[count - 1 - i];
            levels[i] = new BookLevelReply(BookFormatter.Price(level.Price), BookFormatter.Amount(level.Size));
        }

        return levels;
    }
}
