using System.Buffers;
using System.Text;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Liquidity.Recordings;

/// <summary>The two layouts of the PMXT hourly order-book archive.</summary>
public enum PmxtFormat : byte
{
    /// <summary>Five columns; each row's event is a JSON string in <c>data</c> (<c>book_snapshot</c> | <c>price_change</c>).</summary>
    V1 = 1,

    /// <summary>Sixteen typed columns (<c>book</c> | <c>price_change</c> | <c>last_trade_price</c> | <c>tick_size_change</c>).</summary>
    V2 = 2,
}

/// <summary>What a raw archive row is, before normalisation.</summary>
internal enum PmxtRowKind : byte
{
    Book = 0,
    PriceChange = 1,
    Trade = 2,
    TickSize = 3,
}

/// <summary>One archive row of the wanted market, in the terms of the token it was reported on (not yet mirrored).</summary>
internal sealed class PmxtRow
{
    public long TsNs;
    public int Order;
    public PmxtRowKind Kind;
    public string TokenId = "";

    /// <summary>Outcome label carried by the row itself (v1 <c>side</c>); null in v2.</summary>
    public Outcome? Label;

    /// <summary>Snapshot levels, token terms, best first.</summary>
    public (int Price, long Size)[] Bids = [];
    public (int Price, long Size)[] Asks = [];
    public int Price;
    public long Size;
    public Side Side;
    public int? BestBid;
    public int? BestAsk;
    public string? TxHash;
    public int OldTick;
    public int NewTick;

    /// <summary>Why a value of the row was refused (malformed, or off the 1e-4 / 1e-6 grid); null when valid.</summary>
    public string? Invalid;
}

/// <summary>Reads one market's rows out of one PMXT hour file (either format), with the market filter applied per row group.</summary>
public static class PmxtFile
{
    /// <summary>Archive file name of an hour: <c>polymarket_orderbook_YYYY-MM-DDTHH.parquet</c> (UTC).</summary>
    public static string HourFileName(DateTimeOffset hour) =>
        "polymarket_orderbook_" + hour.UtcDateTime.ToString("yyyy-MM-dd'T'HH", System.Globalization.CultureInfo.InvariantCulture) + ".parquet";

    /// <summary>Parses an archive file name back into its hour; false for any other name.</summary>
    public static bool TryParseHourFileName(string fileName, out DateTimeOffset hour)
    {
        hour = default;
        const string prefix = "polymarket_orderbook_";
        var name = Path.GetFileName(fileName);
        if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(".parquet", StringComparison.Ordinal))
        {
            return false;
        }

        var stamp = name[prefix.Length..^".parquet".Length];
        if (!DateTime.TryParseExact(stamp, "yyyy-MM-dd'T'HH", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var t))
        {
            return false;
        }

        hour = new DateTimeOffset(t, TimeSpan.Zero);
        return true;
    }

    /// <summary>Which layout a schema is: v1 has a <c>data</c> column, v2 an <c>event_type</c> column.</summary>
    public static PmxtFormat DetectFormat(ParquetSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var names = schema.GetDataFields().Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        if (names.Contains("event_type") && names.Contains("market"))
        {
            return PmxtFormat.V2;
        }

        if (names.Contains("data") && names.Contains("market_id"))
        {
            return PmxtFormat.V1;
        }

        throw new InvalidDataException("not a PMXT order-book file: neither the v1 columns (market_id, update_type, data) nor the v2 columns (market, event_type, …) are present");
    }

    /// <summary>Rows of <paramref name="conditionId"/> in the file, in file order, plus how many rows the file holds.</summary>
    internal static async Task<(List<PmxtRow> Rows, long RowsInFile, PmxtFormat Format)> ReadMarketAsync(string path, string conditionId, CancellationToken ct = default)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using var reader = await ParquetReader.CreateAsync(stream, null, false, ct).ConfigureAwait(false);
        var format = DetectFormat(reader.Schema);
        var rows = new List<PmxtRow>();
        long total = 0;
        var order = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var n = checked((int)group.RowCount);
            total += n;
            order += format == PmxtFormat.V1
                ? await ReadV1GroupAsync(reader.Schema, group, n, conditionId, order, rows, ct).ConfigureAwait(false)
                : await ReadV2GroupAsync(reader.Schema, group, n, conditionId, order, rows, ct).ConfigureAwait(false);
        }

        return (rows, total, format);
    }

    private static bool GroupMayContain(ParquetRowGroupReader group, DataField field, string conditionId)
    {
        // The archive is sorted by market, so min/max statistics let whole row groups be skipped unread.
        var stats = group.GetStatistics(field);
        var min = StatText(stats?.MinValue);
        var max = StatText(stats?.MaxValue);
        return min is null || max is null
            || (string.CompareOrdinal(conditionId, min) >= 0 && string.CompareOrdinal(conditionId, max) <= 0);
    }

    private static string? StatText(object? value) => value switch
    {
        string s => s,
        byte[] b => Encoding.ASCII.GetString(b),
        ReadOnlyMemory<char> m => m.ToString(),
        _ => null,
    };

    private static async Task<List<int>?> MatchMarketAsync(ParquetRowGroupReader group, DataField field, int n, string conditionId, CancellationToken ct)
    {
        if (!GroupMayContain(group, field, conditionId))
        {
            return null;
        }

        var matches = new List<int>();
        if (IsBinary(field))
        {
            var wanted = Encoding.ASCII.GetBytes(conditionId);
            var values = new byte[]?[n];
            await group.ReadAsync(field, values.AsMemory(), null, ct).ConfigureAwait(false);
            for (var i = 0; i < n; i++)
            {
                if (values[i] is { } v && v.AsSpan().SequenceEqual(wanted))
                {
                    matches.Add(i);
                }
            }
        }
        else
        {
            var values = new string?[n];
            await group.ReadAsync(field, values.AsMemory()!, null, ct).ConfigureAwait(false);
            for (var i = 0; i < n; i++)
            {
                if (string.Equals(values[i], conditionId, StringComparison.Ordinal))
                {
                    matches.Add(i);
                }
            }
        }

        return matches.Count == 0 ? null : matches;
    }

    private static bool IsBinary(DataField field) => field.ClrType == typeof(byte[]) || field.ClrType == typeof(ReadOnlyMemory<byte>);

    private static DataField Field(ParquetSchema schema, string name) =>
        schema.GetDataFields().FirstOrDefault(f => f.Name == name)
        ?? throw new InvalidDataException($"PMXT file lacks the column '{name}'");

    private static DataField? OptionalField(ParquetSchema schema, string name) => schema.GetDataFields().FirstOrDefault(f => f.Name == name);

    private static async Task<string?[]> ReadStringsAsync(ParquetRowGroupReader group, DataField? field, int n, CancellationToken ct)
    {
        var values = new string?[n];
        if (field is null)
        {
            return values;
        }

        if (IsBinary(field))
        {
            var raw = new byte[]?[n];
            await group.ReadAsync(field, raw.AsMemory(), null, ct).ConfigureAwait(false);
            for (var i = 0; i < n; i++)
            {
                values[i] = raw[i] is { } b ? Encoding.UTF8.GetString(b) : null;
            }
        }
        else
        {
            await group.ReadAsync(field, values.AsMemory()!, null, ct).ConfigureAwait(false);
        }

        return values;
    }

    private static async Task<long?[]> ReadTimesMsAsync(ParquetRowGroupReader group, DataField? field, int n, CancellationToken ct)
    {
        var ms = new long?[n];
        if (field is null)
        {
            return ms;
        }

        if (field.ClrType == typeof(DateTime))
        {
            var values = await ReadStructsAsync<DateTime>(group, field, n, ct).ConfigureAwait(false);
            for (var i = 0; i < n; i++)
            {
                ms[i] = values[i] is { } t ? (t.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond : null;
            }
        }
        else if (field.ClrType == typeof(DateTimeOffset))
        {
            var values = await ReadStructsAsync<DateTimeOffset>(group, field, n, ct).ConfigureAwait(false);
            for (var i = 0; i < n; i++)
            {
                ms[i] = values[i]?.ToUnixTimeMilliseconds();
            }
        }
        else if (field.ClrType == typeof(long))
        {
            var values = await ReadStructsAsync<long>(group, field, n, ct).ConfigureAwait(false);
            values.CopyTo(ms, 0);
        }
        else
        {
            throw new InvalidDataException($"column '{field.Name}' is {field.ClrType.Name}, expected a timestamp");
        }

        return ms;
    }

    private static async Task<T?[]> ReadStructsAsync<T>(ParquetRowGroupReader group, DataField? field, int n, CancellationToken ct)
        where T : struct
    {
        var values = new T?[n];
        if (field is null)
        {
            return values;
        }

        if (field.IsNullable)
        {
            await group.ReadAsync(field, values.AsMemory(), null, ct).ConfigureAwait(false);
        }
        else
        {
            var dense = new T[n];
            await group.ReadAsync(field, dense.AsMemory(), null, ct).ConfigureAwait(false);
            for (var i = 0; i < n; i++)
            {
                values[i] = dense[i];
            }
        }

        return values;
    }

    private static async Task<decimal?[]> ReadDecimalsAsync(ParquetRowGroupReader group, DataField? field, int n, CancellationToken ct)
    {
        if (field is not null && field.ClrType != typeof(decimal))
        {
            throw new InvalidDataException($"column '{field.Name}' is {field.ClrType.Name}, expected decimal");
        }

        return await ReadStructsAsync<decimal>(group, field, n, ct).ConfigureAwait(false);
    }

    private static async Task<int> ReadV1GroupAsync(ParquetSchema schema, ParquetRowGroupReader group, int n, string conditionId, int order, List<PmxtRow> rows, CancellationToken ct)
    {
        var matches = await MatchMarketAsync(group, Field(schema, "market_id"), n, conditionId, ct).ConfigureAwait(false);
        if (matches is null)
        {
            return n;
        }

        var types = await ReadStringsAsync(group, Field(schema, "update_type"), n, ct).ConfigureAwait(false);
        var data = await ReadStringsAsync(group, Field(schema, "data"), n, ct).ConfigureAwait(false);
        var created = await ReadTimesMsAsync(group, OptionalField(schema, "timestamp_created_at"), n, ct).ConfigureAwait(false);
        foreach (var i in matches)
        {
            var kind = types[i] switch
            {
                "book_snapshot" => PmxtRowKind.Book,
                "price_change" => PmxtRowKind.PriceChange,
                _ => (PmxtRowKind?)null,
            };
            if (kind is null || data[i] is not { } json)
            {
                continue;
            }

            var row = new PmxtRow { Kind = kind.Value, Order = order + i, TsNs = (created[i] ?? 0) * 1_000_000 };
            ParseV1Payload(json, row);
            rows.Add(row);
        }

        return n;
    }

    private static async Task<int> ReadV2GroupAsync(ParquetSchema schema, ParquetRowGroupReader group, int n, string conditionId, int order, List<PmxtRow> rows, CancellationToken ct)
    {
        var matches = await MatchMarketAsync(group, Field(schema, "market"), n, conditionId, ct).ConfigureAwait(false);
        if (matches is null)
        {
            return n;
        }

        var ts = await ReadTimesMsAsync(group, Field(schema, "timestamp"), n, ct).ConfigureAwait(false);
        var types = await ReadStringsAsync(group, Field(schema, "event_type"), n, ct).ConfigureAwait(false);
        var assets = await ReadStringsAsync(group, Field(schema, "asset_id"), n, ct).ConfigureAwait(false);
        var bids = await ReadStringsAsync(group, OptionalField(schema, "bids"), n, ct).ConfigureAwait(false);
        var asks = await ReadStringsAsync(group, OptionalField(schema, "asks"), n, ct).ConfigureAwait(false);
        var price = await ReadDecimalsAsync(group, OptionalField(schema, "price"), n, ct).ConfigureAwait(false);
        var size = await ReadDecimalsAsync(group, OptionalField(schema, "size"), n, ct).ConfigureAwait(false);
        var side = await ReadStringsAsync(group, OptionalField(schema, "side"), n, ct).ConfigureAwait(false);
        var bestBid = await ReadDecimalsAsync(group, OptionalField(schema, "best_bid"), n, ct).ConfigureAwait(false);
        var bestAsk = await ReadDecimalsAsync(group, OptionalField(schema, "best_ask"), n, ct).ConfigureAwait(false);
        var tx = await ReadStringsAsync(group, OptionalField(schema, "transaction_hash"), n, ct).ConfigureAwait(false);
        var oldTick = await ReadDecimalsAsync(group, OptionalField(schema, "old_tick_size"), n, ct).ConfigureAwait(false);
        var newTick = await ReadDecimalsAsync(group, OptionalField(schema, "new_tick_size"), n, ct).ConfigureAwait(false);
        foreach (var i in matches)
        {
            var kind = types[i] switch
            {
                "book" => PmxtRowKind.Book,
                "price_change" => PmxtRowKind.PriceChange,
                "last_trade_price" => PmxtRowKind.Trade,
                "tick_size_change" => PmxtRowKind.TickSize,
                _ => (PmxtRowKind?)null,
            };
            if (kind is null)
            {
                continue;
            }

            var row = new PmxtRow { Kind = kind.Value, Order = order + i, TsNs = (ts[i] ?? 0) * 1_000_000, TokenId = assets[i] ?? "" };
            switch (row.Kind)
            {
                case PmxtRowKind.Book:
                    row.Bids = ParseLevels(bids[i], bid: true, row);
                    row.Asks = ParseLevels(asks[i], bid: false, row);
                    break;
                case PmxtRowKind.PriceChange:
                case PmxtRowKind.Trade:
                    row.Price = Price(price[i], row, "price");
                    row.Size = Size(size[i], row);
                    row.Side = ParseSide(side[i], row);
                    row.BestBid = bestBid[i] is { } bb ? Price(bb, row, "best_bid") : null;
                    row.BestAsk = bestAsk[i] is { } ba ? Price(ba, row, "best_ask") : null;
                    row.TxHash = string.IsNullOrEmpty(tx[i]) ? null : tx[i];
                    break;
                case PmxtRowKind.TickSize:
                    row.OldTick = Price(oldTick[i], row, "old_tick_size");
                    row.NewTick = Price(newTick[i], row, "new_tick_size");
                    break;
            }

            rows.Add(row);
        }

        return n;
    }

    private static int Price(decimal? value, PmxtRow row, string column)
    {
        if (value is not { } v || !DecimalUnits.TryConvert(v, DecimalUnits.PriceDecimals, out var units) || units > 10_000)
        {
            row.Invalid ??= $"{column} {value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"} is not a price on the 1e-4 grid";
            return 0;
        }

        return (int)units;
    }

    private static long Size(decimal? value, PmxtRow row)
    {
        if (value is not { } v || !DecimalUnits.TryConvert(v, DecimalUnits.SizeDecimals, out var units))
        {
            row.Invalid ??= $"size {value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"} is not on the 1e-6 grid";
            return 0;
        }

        return units;
    }

    private static Side ParseSide(string? text, PmxtRow row)
    {
        if (string.Equals(text, "BUY", StringComparison.OrdinalIgnoreCase))
        {
            return Side.Buy;
        }

        if (string.Equals(text, "SELL", StringComparison.OrdinalIgnoreCase))
        {
            return Side.Sell;
        }

        if (row.Kind == PmxtRowKind.PriceChange)
        {
            row.Invalid ??= $"side '{text}' is neither BUY nor SELL";
        }

        return Side.Buy;
    }

    /// <summary>Parses a <c>[["p","s"],…]</c> JSON level list (the archive writes it worst first) into best-first integer levels.</summary>
    internal static (int Price, long Size)[] ParseLevels(string? json, bool bid, PmxtRow row)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            var count = Encoding.UTF8.GetBytes(json, bytes);
            var reader = new Utf8JsonReader(bytes.AsSpan(0, count));
            reader.Read();
            return ReadLevels(ref reader, bid, row);
        }
        catch (JsonException e)
        {
            row.Invalid ??= "malformed level list: " + e.Message;
            return [];
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static (int Price, long Size)[] ReadLevels(ref Utf8JsonReader reader, bool bid, PmxtRow row)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return [];
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("level list is not an array");
        }

        var levels = new List<(int, long)>();
        var text = new char[64];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new JsonException("level is not a [price, size] pair");
            }

            reader.Read();
            var priceText = ScalarText(ref reader, text);
            var okPrice = DecimalUnits.TryParsePrice(priceText, out var price) && price is > 0 and < 10_000;
            if (!okPrice)
            {
                row.Invalid ??= $"level price {priceText.ToString()} is not a price on the 1e-4 grid";
            }

            reader.Read();
            var sizeText = ScalarText(ref reader, text);
            if (!DecimalUnits.TryParseSize(sizeText, out var size))
            {
                row.Invalid ??= $"level size {sizeText.ToString()} is not on the 1e-6 grid";
            }

            reader.Read();
            if (reader.TokenType != JsonTokenType.EndArray)
            {
                throw new JsonException("level has more than two values");
            }

            if (okPrice)
            {
                levels.Add((price, size));
            }
        }

        // Best first whatever order the file used: bids high to low, asks low to high.
        levels.Sort((a, b) => bid ? b.Item1.CompareTo(a.Item1) : a.Item1.CompareTo(b.Item1));
        return [.. levels];
    }

    /// <summary>The text of a JSON string or number token (numbers keep their exact digits).</summary>
    private static ReadOnlySpan<char> ScalarText(ref Utf8JsonReader reader, char[] buffer)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number))
        {
            throw new JsonException($"expected a string or number, found {reader.TokenType}");
        }

        ReadOnlySpan<byte> raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        if (reader.ValueIsEscaped || raw.Length > buffer.Length)
        {
            return reader.GetString().AsSpan();
        }

        var written = Encoding.UTF8.GetChars(raw, buffer);
        return buffer.AsSpan(0, written);
    }

    /// <summary>Parses a v1 <c>data</c> payload into <paramref name="row"/>.</summary>
    internal static void ParseV1Payload(string json, PmxtRow row)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            var count = Encoding.UTF8.GetBytes(json, bytes);
            var reader = new Utf8JsonReader(bytes.AsSpan(0, count));
            var text = new char[64];
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("payload is not an object");
            }

            string? changeSide = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "token_id":
                        row.TokenId = reader.GetString() ?? "";
                        break;
                    case "side":
                        var label = reader.GetString();
                        row.Label = string.Equals(label, "YES", StringComparison.OrdinalIgnoreCase) ? Outcome.Yes
                            : string.Equals(label, "NO", StringComparison.OrdinalIgnoreCase) ? Outcome.No
                            : null;
                        break;
                    case "best_bid":
                        row.BestBid = OptionalPrice(ref reader, text, row, name);
                        break;
                    case "best_ask":
                        row.BestAsk = OptionalPrice(ref reader, text, row, name);
                        break;
                    case "timestamp":
                        if (reader.TokenType != JsonTokenType.Null)
                        {
                            var t = ScalarText(ref reader, text);
                            if (DecimalUnits.TryParseSecondsToNs(t, out var ns))
                            {
                                row.TsNs = ns;
                            }
                            else if (double.TryParse(t, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
                            {
                                row.TsNs = (long)Math.Round(seconds * 1e9);
                            }
                        }

                        break;
                    case "bids":
                        row.Bids = ReadLevels(ref reader, bid: true, row);
                        break;
                    case "asks":
                        row.Asks = ReadLevels(ref reader, bid: false, row);
                        break;
                    case "change_price":
                        var p = ScalarText(ref reader, text);
                        if (!DecimalUnits.TryParsePrice(p, out row.Price) || row.Price is <= 0 or >= 10_000)
                        {
                            row.Invalid ??= $"change_price {p.ToString()} is not a price on the 1e-4 grid";
                        }

                        break;
                    case "change_size":
                        var s = ScalarText(ref reader, text);
                        if (!DecimalUnits.TryParseSize(s, out row.Size))
                        {
                            row.Invalid ??= $"change_size {s.ToString()} is not on the 1e-6 grid";
                        }

                        break;
                    case "change_side":
                        changeSide = reader.GetString();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (row.Kind == PmxtRowKind.PriceChange)
            {
                row.Side = ParseSide(changeSide, row);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            row.Invalid ??= "malformed payload: " + e.Message;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static int? OptionalPrice(ref Utf8JsonReader reader, char[] buffer, PmxtRow row, string? name)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        var text = ScalarText(ref reader, buffer);
        if (text.IsEmpty)
        {
            return null;
        }

        if (!DecimalUnits.TryParsePrice(text, out var price))
        {
            row.Invalid ??= $"{name} {text.ToString()} is not a price on the 1e-4 grid";
            return null;
        }

        return price;
    }
}
