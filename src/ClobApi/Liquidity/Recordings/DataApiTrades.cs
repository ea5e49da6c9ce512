using System.Text.Json;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Liquidity.Recordings;

/// <summary>What parsing Data API trade pages found.</summary>
public sealed class DataApiTradeStats
{
    /// <summary>Rows read from the pages.</summary>
    public int Rows { get; internal set; }

    /// <summary>Trades emitted.</summary>
    public int Trades { get; internal set; }

    /// <summary>Rows of other markets skipped.</summary>
    public int OtherMarkets { get; internal set; }

    /// <summary>Rows seen on an earlier page too (offset paging shifts while trades arrive).</summary>
    public int Duplicates { get; internal set; }

    /// <summary>Rows whose price or size was float noise around a grid value (0.5799999944 → 0.58) and were snapped to it.</summary>
    public int Snapped { get; internal set; }

    /// <summary>Rows refused: missing fields, unknown outcome, or a price/size clearly off the grid.</summary>
    public int Rejected { get; internal set; }
}

/// <summary>
/// Reads pages of the Polymarket Data API <c>GET /trades</c> (a JSON array of rows, or a <c>{"data": [...]}</c> envelope)
/// into <see cref="ReplayEventKind.Trade"/> events in YES terms, oldest first.
/// </summary>
/// <remarks>
/// The Data API sends <c>price</c> and <c>size</c> as JSON floats computed from on-chain amounts (a 0.58 fill shows as
/// 0.5799999944021446), so a value within 1e-6 (price) or 1e-3 micro-share (size) of the grid is snapped and counted in
/// <see cref="DataApiTradeStats.Snapped"/>; anything further off is refused, never rounded. Timestamps are Unix seconds
/// (milliseconds when larger than 1e11), so prints of the same second cannot be ordered against book events: use them with
/// a conservative queue rule, or alone. A NO trade at q becomes a YES trade at 1 − q with the side mirrored.
/// </remarks>
public static class DataApiTrades
{
    /// <summary>Parses pages (as fetched, any order) of one market's trades; rows of other markets are skipped.</summary>
    /// <param name="pages">JSON texts of the pages.</param>
    /// <param name="conditionId">The market wanted.</param>
    /// <param name="yesTokenId">YES token id, when known (otherwise <c>outcomeIndex</c> 0 = YES, 1 = NO, then the outcome name).</param>
    /// <param name="stats">Receives the figures; may be null.</param>
    public static List<ReplayEvent> Parse(IEnumerable<string> pages, string conditionId, string? yesTokenId = null, DataApiTradeStats? stats = null)
    {
        ArgumentNullException.ThrowIfNull(pages);
        ArgumentException.ThrowIfNullOrEmpty(conditionId);
        stats ??= new DataApiTradeStats();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var found = new List<(long TsNs, int Arrival, ReplayEvent Event)>();
        var arrival = 0;
        foreach (var page in pages)
        {
            using var doc = JsonDocument.Parse(page);
            var root = doc.RootElement;
            var rows = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data) ? data : root;
            if (rows.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException("a Data API trades page is a JSON array (or an object with a 'data' array)");
            }

            foreach (var row in rows.EnumerateArray())
            {
                stats.Rows++;
                arrival++;
                var e = ParseRow(row, conditionId, yesTokenId, stats);
                if (e is null)
                {
                    continue;
                }

                var key = string.Join('|', e.TxHash, e.TokenId, e.Side, e.Price, e.Size, e.TsNs, Text(row, "proxyWallet", "wallet"));
                if (!seen.Add(key))
                {
                    stats.Duplicates++;
                    continue;
                }

                found.Add((e.TsNs, arrival, e));
            }
        }

        // Pages come newest first; within a second the later row of a page is the older trade.
        found.Sort((a, b) => a.TsNs != b.TsNs ? a.TsNs.CompareTo(b.TsNs) : b.Arrival.CompareTo(a.Arrival));
        var events = new List<ReplayEvent>(found.Count);
        for (var i = 0; i < found.Count; i++)
        {
            events.Add(found[i].Event with { Seq = i });
        }

        stats.Trades = events.Count;
        return events;
    }

    /// <summary>Reads every <c>*.json</c> file of a directory as a page (see <see cref="Parse"/>).</summary>
    public static List<ReplayEvent> ReadDirectory(string directory, string conditionId, string? yesTokenId = null, DataApiTradeStats? stats = null) =>
        Parse(Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllText), conditionId, yesTokenId, stats);

    private static ReplayEvent? ParseRow(JsonElement row, string conditionId, string? yesTokenId, DataApiTradeStats stats)
    {
        if (row.ValueKind != JsonValueKind.Object)
        {
            stats.Rejected++;
            return null;
        }

        var market = Text(row, "conditionId", "condition_id");
        if (!string.Equals(market, conditionId, StringComparison.OrdinalIgnoreCase))
        {
            stats.OtherMarkets++;
            return null;
        }

        var asset = Text(row, "asset", "assetId") ?? "";
        var sideText = Text(row, "side");
        Side? side = string.Equals(sideText, "BUY", StringComparison.OrdinalIgnoreCase) ? Side.Buy
            : string.Equals(sideText, "SELL", StringComparison.OrdinalIgnoreCase) ? Side.Sell : null;
        var outcome = OutcomeOf(row, asset, yesTokenId);
        var priceText = Raw(row, "price");
        var sizeText = Raw(row, "size");
        var tsText = Raw(row, "timestamp");
        if (side is null || outcome is null || priceText is null || sizeText is null || tsText is null
            || !long.TryParse(tsText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ts))
        {
            stats.Rejected++;
            return null;
        }

        if (!Snap(priceText, DecimalUnits.PriceDecimals, 0.01m, out var price, out var snappedPrice) || price is <= 0 or >= 10_000
            || !Snap(sizeText, DecimalUnits.SizeDecimals, 0.001m, out var size, out var snappedSize) || size <= 0)
        {
            stats.Rejected++;
            return null;
        }

        if (snappedPrice || snappedSize)
        {
            stats.Snapped++;
        }

        var mirror = outcome == Outcome.No;
        var tsNs = ts > 100_000_000_000 ? ts * 1_000_000 : ts * 1_000_000_000;
        return new ReplayEvent
        {
            TsNs = tsNs,
            ConditionId = market!,
            TokenId = asset,
            Kind = ReplayEventKind.Trade,
            Side = mirror ? (side == Side.Buy ? Side.Sell : Side.Buy) : side.Value,
            Price = mirror ? 10_000 - (int)price : (int)price,
            Size = size,
            Outcome = outcome.Value,
            TxHash = Text(row, "transactionHash", "transaction_hash"),
        };
    }

    private static Outcome? OutcomeOf(JsonElement row, string asset, string? yesTokenId)
    {
        if (yesTokenId is not null && asset.Length > 0)
        {
            return asset == yesTokenId ? Outcome.Yes : Outcome.No;
        }

        // 999 is a "not applicable" sentinel seen on some rows: fall through to the name.
        if (row.TryGetProperty("outcomeIndex", out var index) && index.ValueKind == JsonValueKind.Number && index.TryGetInt32(out var i) && i is 0 or 1)
        {
            return i == 0 ? Outcome.Yes : Outcome.No;
        }

        var name = Text(row, "outcome");
        return string.Equals(name, "Yes", StringComparison.OrdinalIgnoreCase) ? Outcome.Yes
            : string.Equals(name, "No", StringComparison.OrdinalIgnoreCase) ? Outcome.No : null;
    }

    /// <summary>Exact when on the grid; snapped when within <paramref name="toleranceUnits"/> of it (float noise); false otherwise.</summary>
    private static bool Snap(string text, int decimals, decimal toleranceUnits, out long units, out bool snapped)
    {
        snapped = false;
        if (DecimalUnits.TryParse(text, decimals, out units))
        {
            return true;
        }

        if (!decimal.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            return false;
        }

        var scaled = value;
        for (var k = 0; k < decimals; k++)
        {
            scaled *= 10;
        }

        var nearest = decimal.Round(scaled, MidpointRounding.ToEven);
        if (Math.Abs(scaled - nearest) > toleranceUnits || nearest > long.MaxValue)
        {
            return false;
        }

        units = (long)nearest;
        snapped = true;
        return true;
    }

    private static string? Text(JsonElement row, params string[] names)
    {
        foreach (var name in names)
        {
            if (row.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String)
            {
                return v.GetString();
            }
        }

        return null;
    }

    /// <summary>The exact text of a number or string value (numbers are not routed through double).</summary>
    private static string? Raw(JsonElement row, string name) =>
        !row.TryGetProperty(name, out var v) ? null
        : v.ValueKind == JsonValueKind.Number ? v.GetRawText()
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : null;
}
