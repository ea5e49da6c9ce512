using System.Text;
using Parquet;
using Parquet.Schema;

namespace Polysim.ClobApi.Liquidity.Recordings;

/// <summary>One row of the PMXT v1 layout (the event itself is the JSON text in <see cref="Data"/>).</summary>
public sealed record PmxtV1Row(long ReceivedMs, long CreatedMs, string MarketId, string UpdateType, string Data);

/// <summary>One row of the PMXT v2 layout (16 typed columns; unused ones null).</summary>
public sealed record PmxtV2Row(long ReceivedMs, long TsMs, string Market, string EventType, string AssetId)
{
    /// <summary>JSON <c>[["p","s"],…]</c>, worst first (book rows).</summary>
    public string? Bids { get; init; }

    /// <summary>JSON <c>[["p","s"],…]</c>, worst first (book rows).</summary>
    public string? Asks { get; init; }

    /// <summary>Price (price_change, last_trade_price).</summary>
    public decimal? Price { get; init; }

    /// <summary>Size (price_change: the level's new aggregate; last_trade_price: traded).</summary>
    public decimal? Size { get; init; }

    /// <summary>BUY or SELL.</summary>
    public string? Side { get; init; }

    /// <summary>Best bid after the change (price_change).</summary>
    public decimal? BestBid { get; init; }

    /// <summary>Best ask after the change (price_change).</summary>
    public decimal? BestAsk { get; init; }

    /// <summary>Taker fee rate (last_trade_price).</summary>
    public ushort? FeeRateBps { get; init; }

    /// <summary>On-chain transaction hash (last_trade_price).</summary>
    public string? TransactionHash { get; init; }

    /// <summary>Previous tick (tick_size_change).</summary>
    public decimal? OldTickSize { get; init; }

    /// <summary>New tick (tick_size_change).</summary>
    public decimal? NewTickSize { get; init; }
}

/// <summary>Writes Parquet files in the PMXT archive layouts: per-market extracts of raw hours, and test fixtures.</summary>
/// <remarks>
/// Column types follow the published schema (timestamps in ms UTC, decimals (9,4) and (18,6), <c>market</c> as binary
/// ASCII of the condition id); Parquet.Net cannot write fixed-size binary, so <c>market</c> is variable-length binary,
/// which <see cref="PmxtFile"/> reads the same way.
/// </remarks>
public static class PmxtWriter
{
    /// <summary>Writes v1 rows (row groups of <paramref name="rowGroupSize"/>).</summary>
    public static async Task WriteV1Async(string path, IReadOnlyList<PmxtV1Row> rows, int rowGroupSize = 1 << 20, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var received = new DateTimeDataField("timestamp_received", DateTimeFormat.Timestamp, true, DateTimeTimeUnit.Millis);
        var created = new DateTimeDataField("timestamp_created_at", DateTimeFormat.Timestamp, true, DateTimeTimeUnit.Millis);
        var market = new DataField<string>("market_id");
        var type = new DataField<string>("update_type");
        var data = new DataField<string>("data");
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(received, created, market, type, data), stream, null, false, ct).ConfigureAwait(false);
        for (var start = 0; start < rows.Count; start += rowGroupSize)
        {
            var part = rows.Skip(start).Take(rowGroupSize).ToList();
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<DateTime>(received, part.Select(r => Time(r.ReceivedMs)).ToArray(), null, null, ct).ConfigureAwait(false);
            await group.WriteAsync<DateTime>(created, part.Select(r => Time(r.CreatedMs)).ToArray(), null, null, ct).ConfigureAwait(false);
            await group.WriteAsync(market, part.Select(r => r.MarketId).ToArray()).ConfigureAwait(false);
            await group.WriteAsync(type, part.Select(r => r.UpdateType).ToArray()).ConfigureAwait(false);
            await group.WriteAsync(data, part.Select(r => r.Data).ToArray()).ConfigureAwait(false);
        }
    }

    /// <summary>Writes v2 rows (row groups of <paramref name="rowGroupSize"/>; sort by market first for the readers' row-group skipping).</summary>
    public static async Task WriteV2Async(string path, IReadOnlyList<PmxtV2Row> rows, int rowGroupSize = 1 << 20, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var received = new DateTimeDataField("timestamp_received", DateTimeFormat.Timestamp, true, DateTimeTimeUnit.Millis);
        var timestamp = new DateTimeDataField("timestamp", DateTimeFormat.Timestamp, true, DateTimeTimeUnit.Millis);
        var market = new DataField<byte[]>("market");
        var eventType = new DataField<string>("event_type");
        var asset = new DataField<string>("asset_id");
        var bids = new DataField<string>("bids");
        var asks = new DataField<string>("asks");
        var price = new DecimalDataField("price", 9, 4, isNullable: true);
        var size = new DecimalDataField("size", 18, 6, isNullable: true);
        var side = new DataField<string>("side");
        var bestBid = new DecimalDataField("best_bid", 9, 4, isNullable: true);
        var bestAsk = new DecimalDataField("best_ask", 9, 4, isNullable: true);
        var fee = new DataField<ushort?>("fee_rate_bps");
        var tx = new DataField<string>("transaction_hash");
        var oldTick = new DecimalDataField("old_tick_size", 9, 4, isNullable: true);
        var newTick = new DecimalDataField("new_tick_size", 9, 4, isNullable: true);
        var schema = new ParquetSchema(received, timestamp, market, eventType, asset, bids, asks, price, size, side, bestBid, bestAsk, fee, tx, oldTick, newTick);
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, stream, null, false, ct).ConfigureAwait(false);
        for (var start = 0; start < rows.Count; start += rowGroupSize)
        {
            var part = rows.Skip(start).Take(rowGroupSize).ToList();
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<DateTime>(received, part.Select(r => Time(r.ReceivedMs)).ToArray(), null, null, ct).ConfigureAwait(false);
            await group.WriteAsync<DateTime>(timestamp, part.Select(r => Time(r.TsMs)).ToArray(), null, null, ct).ConfigureAwait(false);
            await group.WriteAsync(market, part.Select(r => Encoding.ASCII.GetBytes(r.Market)).ToArray()).ConfigureAwait(false);
            await group.WriteAsync(eventType, part.Select(r => r.EventType).ToArray()).ConfigureAwait(false);
            await group.WriteAsync(asset, part.Select(r => r.AssetId).ToArray()).ConfigureAwait(false);
            await group.WriteAsync(bids, part.Select(r => r.Bids!).ToArray()).ConfigureAwait(false);
            await group.WriteAsync(asks, part.Select(r => r.Asks!).ToArray()).ConfigureAwait(false);
            await group.WriteAsync<decimal>(price, part.Select(r => r.Price).ToArray(), null, null, ct).ConfigureAwait(false);
            await group.WriteAsync<decimal>(size, part.Select(r => r.Size).ToArray(), null, null, ct).ConfigureAwait(false);
            await group.WriteAsync(side, part.Select(r => r.Side!).ToArray()).ConfigureAwait(false);
            await group.WriteAsync<decimal>(bestBid, part.Select(r => r.BestBid).ToArray(), null, null, ct).ConfigureAwait(false);
            await group.WriteAsync<decimal>(bestAsk, part.Select(r => r.BestAsk).ToArray(), null, null, ct).ConfigureAwait(false);
            await group.WriteAsync<ushort>(fee, part.Select(r => r.FeeRateBps).ToArray(), null, null, ct).ConfigureAwait(false);
            await group.WriteAsync(tx, part.Select(r => r.TransactionHash!).ToArray()).ConfigureAwait(false);
            await group.WriteAsync<decimal>(oldTick, part.Select(r => r.OldTickSize).ToArray(), null, null, ct).ConfigureAwait(false);
            await group.WriteAsync<decimal>(newTick, part.Select(r => r.NewTickSize).ToArray(), null, null, ct).ConfigureAwait(false);
        }
    }

    private static DateTime Time(long ms) => DateTime.UnixEpoch.AddMilliseconds(ms);
}
