using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Polysim.ClobApi.Api.Markets;
using Polysim.ClobApi.Hosting;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Feeds;

/// <summary>Writes feed events as Polymarket sends them (compact UTF-8 JSON), plus the extra <c>seq</c> field on market events.</summary>
/// <remarks>One instance per thread: it reuses one buffer and one writer.</remarks>
internal sealed class FeedWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;

    public FeedWriter() => _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });

    private static string Price(int price) => BookFormatter.Price(price);

    private static string Amount(long amount) => BookFormatter.Amount(amount);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string SideName(Side side) => side == Side.Buy ? "BUY" : "SELL";

    private static string Seconds(long ms) => Text(ms / 1000);

    private byte[] Finish()
    {
        _json.Flush();
        var bytes = _buffer.WrittenSpan.ToArray();
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        return bytes;
    }

    /// <summary>Events joined into one JSON array.</summary>
    public static byte[] Array(List<byte[]> events)
    {
        var length = 2 + Math.Max(0, events.Count - 1);
        foreach (var e in events)
        {
            length += e.Length;
        }

        var bytes = new byte[length];
        var at = 0;
        bytes[at++] = (byte)'[';
        for (var i = 0; i < events.Count; i++)
        {
            if (i > 0)
            {
                bytes[at++] = (byte)',';
            }

            events[i].CopyTo(bytes, at);
            at += events[i].Length;
        }

        bytes[at] = (byte)']';
        return bytes;
    }

    /// <summary>A <c>book</c> event: the REST summary's fields and hash (best last), plus event_type and seq.</summary>
    public byte[] Book(OrderBookReply book, long sequence)
    {
        var w = _json;
        w.WriteStartObject();
        w.WriteString("event_type", "book");
        w.WriteString("market", book.Market);
        w.WriteString("asset_id", book.AssetId);
        w.WriteString("timestamp", book.Timestamp);
        w.WriteString("hash", book.Hash);
        Levels(w, "bids", book.Bids);
        Levels(w, "asks", book.Asks);
        w.WriteString("min_order_size", book.MinOrderSize);
        w.WriteString("tick_size", book.TickSize);
        w.WriteBoolean("neg_risk", book.NegRisk);
        w.WriteString("last_trade_price", book.LastTradePrice);
        w.WriteNumber("seq", sequence);
        w.WriteEndObject();
        return Finish();
    }

    private static void Levels(Utf8JsonWriter w, string name, IReadOnlyList<BookLevelReply> levels)
    {
        w.WriteStartArray(name);
        foreach (var level in levels)
        {
            w.WriteStartObject();
            w.WriteString("price", level.Price);
            w.WriteString("size", level.Size);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>A <c>price_change</c> event: one entry per level changed by the command (YES and NO views), each with its token's seq.</summary>
    public byte[] PriceChange(MarketChanges changes, long[] sequences)
    {
        var listed = changes.Listed;
        var w = _json;
        w.WriteStartObject();
        w.WriteString("market", listed.ConditionId);
        w.WriteStartArray("price_changes");
        Span<byte> digestInput = stackalloc byte[40];
        for (var i = 0; i < changes.Levels.Count; i++)
        {
            var level = changes.Levels[i];
            var token = MarketDirectory.TokenId(listed, level.Outcome);
            var (bid, ask) = level.Outcome == Outcome.Yes ? changes.YesBest : changes.NoBest;
            w.WriteStartObject();
            w.WriteString("asset_id", token);
            w.WriteString("price", Price(level.Price));
            w.WriteString("size", Amount(level.Size));
            w.WriteString("side", SideName(level.Side));
            w.WriteString("hash", EntryHash(digestInput, listed.MarketId, level, sequences[i]));
            w.WriteString("best_bid", Price(bid));
            w.WriteString("best_ask", Price(ask));
            w.WriteNumber("seq", sequences[i]);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("timestamp", Text(changes.TimestampMs));
        w.WriteString("event_type", "price_change");
        w.WriteEndObject();
        return Finish();
    }

    private static string EntryHash(Span<byte> input, int market, LevelChange level, long sequence)
    {
        // Identifies the change (market, token, side, price, size, position); clients treat it as opaque.
        BitConverter.TryWriteBytes(input, market);
        input[4] = (byte)level.Outcome;
        input[5] = (byte)level.Side;
        BitConverter.TryWriteBytes(input[8..], level.Price);
        BitConverter.TryWriteBytes(input[16..], level.Size);
        BitConverter.TryWriteBytes(input[24..], sequence);
        Span<byte> digest = stackalloc byte[20];
#pragma warning disable CA5350 // An identifier in Polymarket's 40-hex shape, not a protection.
        SHA1.HashData(input, digest);
#pragma warning restore CA5350
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>A <c>last_trade_price</c> event for one token.</summary>
    public byte[] LastTradePrice(MarketListed listed, string token, int price, Side side, long size, int feeBps, long timestampMs, long sequence)
    {
        var w = _json;
        w.WriteStartObject();
        w.WriteString("asset_id", token);
        w.WriteString("market", listed.ConditionId);
        w.WriteString("price", Price(price));
        w.WriteString("side", SideName(side));
        w.WriteString("size", Amount(size));
        w.WriteString("fee_rate_bps", Text(feeBps));
        w.WriteString("timestamp", Text(timestampMs));
        w.WriteString("event_type", "last_trade_price");
        w.WriteNumber("seq", sequence);
        w.WriteEndObject();
        return Finish();
    }

    /// <summary>A <c>tick_size_change</c> event for one token.</summary>
    public byte[] TickSizeChange(MarketListed listed, string token, int oldTick, int newTick, long timestampMs, long sequence)
    {
        var w = _json;
        w.WriteStartObject();
        w.WriteString("event_type", "tick_size_change");
        w.WriteString("asset_id", token);
        w.WriteString("market", listed.ConditionId);
        w.WriteString("old_tick_size", Price(oldTick));
        w.WriteString("new_tick_size", Price(newTick));
        w.WriteString("timestamp", Text(timestampMs));
        w.WriteNumber("seq", sequence);
        w.WriteEndObject();
        return Finish();
    }

    /// <summary>A <c>best_bid_ask</c> event (custom feature); seq is the token's current one (it is not counted).</summary>
    public byte[] BestBidAsk(MarketListed listed, string token, (int Bid, int Ask) best, long timestampMs, long sequence)
    {
        var w = _json;
        w.WriteStartObject();
        w.WriteString("event_type", "best_bid_ask");
        w.WriteString("market", listed.ConditionId);
        w.WriteString("asset_id", token);
        w.WriteString("best_bid", Price(best.Bid));
        w.WriteString("best_ask", Price(best.Ask));
        w.WriteString("spread", Price(best.Ask - best.Bid));
        w.WriteString("timestamp", Text(timestampMs));
        w.WriteNumber("seq", sequence);
        w.WriteEndObject();
        return Finish();
    }

    /// <summary>A <c>new_market</c> event (custom feature).</summary>
    public byte[] NewMarket(MarketListed listed, long timestampMs)
    {
        var w = _json;
        w.WriteStartObject();
        MarketFields(w, listed);
        w.WriteString("timestamp", Text(timestampMs));
        w.WriteString("event_type", "new_market");
        w.WriteEndObject();
        return Finish();
    }

    /// <summary>A <c>market_resolved</c> event (custom feature).</summary>
    public byte[] MarketResolved(MarketListed listed, Outcome winner, long timestampMs)
    {
        var w = _json;
        w.WriteStartObject();
        MarketFields(w, listed);
        w.WriteString("winning_asset_id", MarketDirectory.TokenId(listed, winner));
        w.WriteString("winning_outcome", MarketViews.OutcomeName(winner));
        w.WriteString("timestamp", Text(timestampMs));
        w.WriteString("event_type", "market_resolved");
        w.WriteEndObject();
        return Finish();
    }

    private static void MarketFields(Utf8JsonWriter w, MarketListed listed)
    {
        w.WriteString("id", Text(listed.MarketId));
        w.WriteString("question", listed.Question);
        w.WriteString("market", listed.ConditionId);
        w.WriteString("slug", listed.Slug);
        w.WriteString("description", string.Empty);
        w.WriteStartArray("assets_ids");
        w.WriteStringValue(listed.YesTokenId);
        w.WriteStringValue(listed.NoTokenId);
        w.WriteEndArray();
        w.WriteStartArray("outcomes");
        w.WriteStringValue("Yes");
        w.WriteStringValue("No");
        w.WriteEndArray();
    }

    /// <summary>An <c>order</c> event of the user channel, with <paramref name="ownerKey"/> as owner.</summary>
    public byte[] Order(OrderEventItem item, string ownerKey)
    {
        var o = item.Order;
        var w = _json;
        w.WriteStartObject();
        w.WriteString("event_type", "order");
        w.WriteString("type", item.Type);
        w.WriteString("id", o.PublicId);
        // The Polymarket key that placed it; an order placed with a native key shows the subscriber's own key.
        var owner = o.PolyOwner ?? ownerKey;
        w.WriteString("owner", owner);
        w.WriteString("order_owner", owner);
        w.WriteString("market", o.ConditionId);
        w.WriteString("asset_id", o.TokenId);
        w.WriteString("side", SideName(o.Side));
        w.WriteString("original_size", Amount(o.OriginalSize));
        w.WriteString("size_matched", Amount(item.SizeMatched));
        w.WriteString("price", Price(o.Price));
        if (o.TradeIds.Count == 0)
        {
            w.WriteNull("associate_trades");
        }
        else
        {
            w.WriteStartArray("associate_trades");
            foreach (var id in o.TradeIds)
            {
                w.WriteStringValue(id);
            }

            w.WriteEndArray();
        }

        w.WriteString("outcome", MarketViews.OutcomeName(o.Outcome));
        w.WriteString("created_at", Seconds(o.CreatedAtMs));
        w.WriteString("expiration", Seconds(o.ExpirationMs));
        w.WriteString("order_type", o.TimeInForce.ToString().ToUpperInvariant());
        w.WriteString("status", item.Status);
        w.WriteString("maker_address", o.MakerAddress);
        w.WriteString("fee_rate_bps", Text(o.FeeBps));
        w.WriteString("timestamp", Seconds(item.TimestampMs));
        w.WriteEndObject();
        return Finish();
    }

    /// <summary>A <c>trade</c> event of the user channel as <paramref name="traderSide"/> sees it.</summary>
    public byte[] Trade(TradeEventItem trade, string traderSide, string status, FeedPrincipal recipient)
    {
        var taker = trade.Taker;
        var maker = trade.Maker;
        var w = _json;
        var seconds = Seconds(trade.TimestampMs);
        w.WriteStartObject();
        w.WriteString("event_type", "trade");
        w.WriteString("type", "TRADE");
        w.WriteString("id", trade.TradeId);
        w.WriteString("taker_order_id", taker.OrderId);
        w.WriteString("market", trade.ConditionId);
        w.WriteString("asset_id", taker.TokenId);
        w.WriteString("side", SideName(taker.Side));
        w.WriteString("size", Amount(trade.Size));
        w.WriteString("price", Price(taker.Price));
        w.WriteString("fee_rate_bps", Text(trade.FeeBps));
        w.WriteString("status", status);
        w.WriteString("match_time", seconds);
        w.WriteString("matchtime", seconds);
        w.WriteString("last_update", seconds);
        w.WriteString("outcome", MarketViews.OutcomeName(taker.Outcome));
        var takerOwner = Owner(taker, recipient);
        w.WriteString("owner", takerOwner);
        w.WriteString("trade_owner", traderSide == "TAKER" ? takerOwner : Owner(maker, recipient));
        w.WriteString("maker_address", taker.MakerAddress);
        w.WriteString("trader_side", traderSide);
        w.WriteNumber("bucket_index", 0);
        w.WriteString("transaction_hash", "0x" + new string('0', 64));
        w.WriteString("timestamp", seconds);
        w.WriteStartArray("maker_orders");
        w.WriteStartObject();
        w.WriteString("asset_id", maker.TokenId);
        w.WriteString("matched_amount", Amount(trade.Size));
        w.WriteString("order_id", maker.OrderId);
        w.WriteString("outcome", MarketViews.OutcomeName(maker.Outcome));
        w.WriteString("owner", Owner(maker, recipient));
        w.WriteString("maker_address", maker.MakerAddress);
        w.WriteString("fee_rate_bps", Text(trade.FeeBps));
        w.WriteString("price", Price(maker.Price));
        w.WriteString("side", SideName(maker.Side));
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        return Finish();
    }

    private static string Owner(TradeParty party, FeedPrincipal recipient) =>
        party.AccountId == recipient.AccountId ? party.PolyOwner ?? recipient.OwnerKey : party.OwnerId;

    /// <summary>An error reply that keeps the connection open.</summary>
    public byte[] Error(string message, IReadOnlyList<string>? assets = null)
    {
        var w = _json;
        w.WriteStartObject();
        w.WriteString("event_type", "error");
        w.WriteString("message", message);
        if (assets is not null)
        {
            w.WriteStartArray("assets_ids");
            foreach (var asset in assets)
            {
                w.WriteStringValue(asset);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        return Finish();
    }
}
