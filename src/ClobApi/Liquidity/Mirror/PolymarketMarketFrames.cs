using System.Text.Json;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Liquidity.Mirror;

/// <summary>A binary market's two tokens; the condition id may be empty when only the tokens are known (it is then taken from each frame's <c>market</c>).</summary>
/// <param name="ConditionId">Polymarket condition id (0x…), or "" when unknown.</param>
/// <param name="YesTokenId">Token of the first outcome (Gamma's <c>clobTokenIds[0]</c>), kept as YES.</param>
/// <param name="NoTokenId">Token of the second outcome, mirrored into YES terms.</param>
public sealed record MirrorTokenPair(string ConditionId, string YesTokenId, string NoTokenId);

/// <summary>Turns market-channel WebSocket frames (and REST book summaries) of Polymarket's protocol into canonical <see cref="ReplayEvent"/>s in YES terms.</summary>
/// <remarks>
/// A frame is one event object or an array of them. <c>book</c> → Snapshot; <c>price_change</c> (new <c>price_changes[]</c>
/// and old <c>changes[]</c> forms) → one Level per entry with the new aggregate size; <c>last_trade_price</c> → Trade;
/// <c>tick_size_change</c> → TickSize; <c>market_resolved</c> → Resolved. <c>best_bid_ask</c>, <c>new_market</c> and
/// unknown types carry nothing the book needs and are counted in <see cref="Ignored"/>. Events on NO tokens are mirrored:
/// a NO bid at q is a YES ask at 1 − q. Polymarket reports each change on both tokens; the two entries map to the same
/// YES level and size, so applying both is idempotent. Not thread-safe: one parser per ordered stream.
/// </remarks>
public sealed class PolymarketMarketFrames
{
    private readonly Dictionary<string, (MirrorTokenPair Pair, bool Yes)> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MirrorTokenPair> _conditions = new(StringComparer.Ordinal);

    /// <summary>A parser for the given markets.</summary>
    public PolymarketMarketFrames(IEnumerable<MirrorTokenPair> pairs)
    {
        foreach (var pair in pairs)
        {
            Add(pair);
        }
    }

    /// <summary>Sequence number given to the last event produced.</summary>
    public long LastSeq { get; private set; }

    /// <summary>Events skipped because their token is not one of the configured markets.</summary>
    public long UnknownToken { get; private set; }

    /// <summary>Events of types that carry no book information (best_bid_ask, new_market, unknown).</summary>
    public long Ignored { get; private set; }

    /// <summary>The markets known, in the order added.</summary>
    public IReadOnlyList<MirrorTokenPair> Pairs => [.. _pairs];

    private readonly List<MirrorTokenPair> _pairs = [];

    /// <summary>Adds a market (later frames on its tokens are parsed).</summary>
    public void Add(MirrorTokenPair pair)
    {
        if (_tokens.ContainsKey(pair.YesTokenId))
        {
            return;
        }

        _pairs.Add(pair);
        _tokens[pair.YesTokenId] = (pair, true);
        _tokens[pair.NoTokenId] = (pair, false);
        if (pair.ConditionId.Length > 0)
        {
            _conditions[pair.ConditionId] = pair;
        }
    }

    /// <summary>Whether the token belongs to a known market, and which side.</summary>
    public bool TryGetToken(string tokenId, out MirrorTokenPair pair, out bool yes)
    {
        if (_tokens.TryGetValue(tokenId, out var entry))
        {
            (pair, yes) = entry;
            return true;
        }

        pair = null!;
        yes = false;
        return false;
    }

    /// <summary>Parses one UTF-8 frame received at <paramref name="recvNs"/>.</summary>
    /// <exception cref="JsonException">The frame is not JSON.</exception>
    public List<ReplayEvent> Parse(ReadOnlySpan<byte> utf8Frame, long recvNs)
    {
        var reader = new Utf8JsonReader(utf8Frame);
        using var doc = JsonDocument.ParseValue(ref reader);
        var output = new List<ReplayEvent>();
        Parse(doc.RootElement, recvNs, output);
        return output;
    }

    /// <summary>Parses one frame (an event or an array of events), appending to <paramref name="output"/>; returns the count appended.</summary>
    public int Parse(JsonElement frame, long recvNs, List<ReplayEvent> output)
    {
        var before = output.Count;
        if (frame.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in frame.EnumerateArray())
            {
                ParseEvent(item, recvNs, output);
            }
        }
        else if (frame.ValueKind == JsonValueKind.Object)
        {
            ParseEvent(frame, recvNs, output);
        }

        return output.Count - before;
    }

    /// <summary>A book summary (WebSocket <c>book</c> or REST <c>/book</c>: levels best-last) as a YES Snapshot; null for an unknown token.</summary>
    public ReplayEvent? ParseBook(JsonElement book, long recvNs)
    {
        var asset = Str(book, "asset_id");
        if (asset is null || !_tokens.TryGetValue(asset, out var token))
        {
            UnknownToken++;
            return null;
        }

        var bids = Levels(book, "bids", "buys");
        var asks = Levels(book, "asks", "sells");
        List<(int Price, long Size)> yesBids, yesAsks;
        if (token.Yes)
        {
            (yesBids, yesAsks) = (bids, asks);
        }
        else
        {
            yesBids = [.. asks.Select(l => (Units.PriceScale - l.Price, l.Size))];
            yesAsks = [.. bids.Select(l => (Units.PriceScale - l.Price, l.Size))];
        }

        // Best first whatever order the source used (REST and WS send best-last).
        yesBids.Sort((a, b) => b.Price.CompareTo(a.Price));
        yesAsks.Sort((a, b) => a.Price.CompareTo(b.Price));
        return new ReplayEvent
        {
            TsNs = Timestamp(book, recvNs),
            Seq = ++LastSeq,
            ConditionId = Condition(book, token.Pair),
            TokenId = asset,
            Kind = ReplayEventKind.Snapshot,
            Bids = yesBids,
            Asks = yesAsks,
        };
    }

    /// <summary>A Gap event for a market (reconnect, disconnect, stall).</summary>
    public ReplayEvent Gap(string conditionId, long tsNs, string reason) => new()
    {
        TsNs = tsNs,
        Seq = ++LastSeq,
        ConditionId = conditionId,
        Kind = ReplayEventKind.Gap,
        Reason = reason,
    };

    private void ParseEvent(JsonElement e, long recvNs, List<ReplayEvent> output)
    {
        switch (Str(e, "event_type"))
        {
            case "book":
                if (ParseBook(e, recvNs) is { } snapshot)
                {
                    output.Add(snapshot);
                }

                break;
            case "price_change":
                ParsePriceChange(e, recvNs, output);
                break;
            case "last_trade_price":
                ParseTrade(e, recvNs, output);
                break;
            case "tick_size_change":
                ParseTick(e, recvNs, output);
                break;
            case "market_resolved":
                ParseResolved(e, recvNs, output);
                break;
            default:
                Ignored++;
                break;
        }
    }

    private void ParsePriceChange(JsonElement e, long recvNs, List<ReplayEvent> output)
    {
        var ts = Timestamp(e, recvNs);
        if (e.TryGetProperty("price_changes", out var changes) && changes.ValueKind == JsonValueKind.Array)
        {
            foreach (var change in changes.EnumerateArray())
            {
                AddLevel(e, Str(change, "asset_id"), change, ts, output);
            }
        }
        else if (e.TryGetProperty("changes", out var old) && old.ValueKind == JsonValueKind.Array)
        {
            // Format before 2025-09-15: the asset is on the root, the entries carry only price, side and size.
            var asset = Str(e, "asset_id");
            foreach (var change in old.EnumerateArray())
            {
                AddLevel(e, asset, change, ts, output);
            }
        }
    }

    private void AddLevel(JsonElement root, string? asset, JsonElement change, long ts, List<ReplayEvent> output)
    {
        if (asset is null || !_tokens.TryGetValue(asset, out var token))
        {
            UnknownToken++;
            return;
        }

        var price = DecimalText.Price(Str(change, "price"));
        var buy = IsBuy(Str(change, "side"));
        output.Add(new ReplayEvent
        {
            TsNs = ts,
            Seq = ++LastSeq,
            ConditionId = Condition(root, token.Pair),
            TokenId = asset,
            Kind = ReplayEventKind.Level,
            Side = buy == token.Yes ? Side.Buy : Side.Sell,
            Price = token.Yes ? price : Units.PriceScale - price,
            Size = DecimalText.Size(Str(change, "size")),
        });
    }

    private void ParseTrade(JsonElement e, long recvNs, List<ReplayEvent> output)
    {
        var asset = Str(e, "asset_id");
        if (asset is null || !_tokens.TryGetValue(asset, out var token))
        {
            UnknownToken++;
            return;
        }

        var price = DecimalText.Price(Str(e, "price"));
        var buy = IsBuy(Str(e, "side"));
        var hash = Str(e, "transaction_hash");
        output.Add(new ReplayEvent
        {
            TsNs = Timestamp(e, recvNs),
            Seq = ++LastSeq,
            ConditionId = Condition(e, token.Pair),
            TokenId = asset,
            Kind = ReplayEventKind.Trade,
            // A NO buyer is, in YES terms, a seller at 1 − q.
            Side = buy == token.Yes ? Side.Buy : Side.Sell,
            Price = token.Yes ? price : Units.PriceScale - price,
            Size = DecimalText.Size(Str(e, "size")),
            TxHash = string.IsNullOrEmpty(hash) ? null : hash,
        });
    }

    private void ParseTick(JsonElement e, long recvNs, List<ReplayEvent> output)
    {
        var asset = Str(e, "asset_id");
        if (asset is null || !_tokens.TryGetValue(asset, out var token))
        {
            UnknownToken++;
            return;
        }

        output.Add(new ReplayEvent
        {
            TsNs = Timestamp(e, recvNs),
            Seq = ++LastSeq,
            ConditionId = Condition(e, token.Pair),
            TokenId = asset,
            Kind = ReplayEventKind.TickSize,
            Price = DecimalText.Price(Str(e, "new_tick_size")),
            Size = DecimalText.Price(Str(e, "old_tick_size")),
        });
    }

    private void ParseResolved(JsonElement e, long recvNs, List<ReplayEvent> output)
    {
        var winner = Str(e, "winning_asset_id");
        MirrorTokenPair? pair = null;
        bool? yes = null;
        if (winner is not null && _tokens.TryGetValue(winner, out var token))
        {
            (pair, yes) = (token.Pair, token.Yes);
        }
        else if (Str(e, "market") is { } market && _conditions.TryGetValue(market, out var byCondition))
        {
            pair = byCondition;
        }
        else if (e.TryGetProperty("assets_ids", out var assets) && assets.ValueKind == JsonValueKind.Array)
        {
            foreach (var a in assets.EnumerateArray())
            {
                if (a.GetString() is { } id && _tokens.TryGetValue(id, out var t))
                {
                    pair = t.Pair;
                    break;
                }
            }
        }

        if (pair is null)
        {
            UnknownToken++;
            return;
        }

        // The winning asset decides; the outcome label only when the asset is missing ("Yes"/"No" markets).
        yes ??= string.Equals(Str(e, "winning_outcome"), "Yes", StringComparison.OrdinalIgnoreCase);
        output.Add(new ReplayEvent
        {
            TsNs = Timestamp(e, recvNs),
            Seq = ++LastSeq,
            ConditionId = Condition(e, pair),
            TokenId = winner ?? string.Empty,
            Kind = ReplayEventKind.Resolved,
            Outcome = yes.Value ? Outcome.Yes : Outcome.No,
        });
    }

    private static List<(int Price, long Size)> Levels(JsonElement book, string name, string oldName)
    {
        var levels = new List<(int, long)>();
        if ((book.TryGetProperty(name, out var array) || book.TryGetProperty(oldName, out array)) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var level in array.EnumerateArray())
            {
                levels.Add((DecimalText.Price(level.GetProperty("price")), DecimalText.Size(level.GetProperty("size"))));
            }
        }

        return levels;
    }

    private static bool IsBuy(string? side) => side?.ToUpperInvariant() switch
    {
        "BUY" or "BID" => true,
        "SELL" or "ASK" => false,
        _ => throw new FormatException($"not a side: '{side}'"),
    };

    private static string Condition(JsonElement e, MirrorTokenPair pair) =>
        pair.ConditionId.Length > 0 ? pair.ConditionId : Str(e, "market") ?? string.Empty;

    private static long Timestamp(JsonElement e, long recvNs)
    {
        // Polymarket's timestamps are Unix milliseconds, as strings (numbers accepted too).
        if (e.TryGetProperty("timestamp", out var t))
        {
            if (t.ValueKind == JsonValueKind.String && long.TryParse(t.GetString(), out var ms))
            {
                return ms * 1_000_000;
            }

            if (t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out ms))
            {
                return ms * 1_000_000;
            }
        }

        return recvNs;
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;
}
