using System.Text.Json;

namespace Polysim.ClobApi.Liquidity.Mirror;

/// <summary>Exact conversion of Polymarket's decimal strings ("0.48", ".48", "219.217767", "25.0") to scaled integers.</summary>
/// <remarks>No floating point: a price with more than four decimals, or a size with more than six, is refused rather than
/// rounded, because a silent rounding would rebuild a different book than the one reported.</remarks>
public static class DecimalText
{
    /// <summary>Parses a decimal string into an integer scaled by 10^<paramref name="decimals"/>; false when malformed, negative or finer than that.</summary>
    public static bool TryParseScaled(ReadOnlySpan<char> text, int decimals, out long value) =>
        Recordings.DecimalUnits.TryParse(text, decimals, out value);

    /// <summary>A price string as 1e-4 units.</summary>
    /// <exception cref="FormatException">Malformed, or finer than 0.0001.</exception>
    public static int Price(string? text) =>
        TryParseScaled(text, 4, out var v) && v <= 10_000 ? (int)v : throw new FormatException($"not a price: '{text}'");

    /// <summary>A size string as micro-shares.</summary>
    /// <exception cref="FormatException">Malformed, or finer than 1e-6.</exception>
    public static long Size(string? text) =>
        TryParseScaled(text, 6, out var v) ? v : throw new FormatException($"not a size: '{text}'");

    /// <summary>A price held as a JSON string or a JSON number (Gamma sends numbers, the CLOB strings), as 1e-4 units.</summary>
    public static int Price(JsonElement e) => Price(Text(e));

    /// <summary>A size held as a JSON string or number, as micro-shares.</summary>
    public static long Size(JsonElement e) => Size(Text(e));

    /// <summary>The literal text of a string or number element (numbers keep their exact digits; exponents are scaled exactly by the parser).</summary>
    public static string Text(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString()!,
        JsonValueKind.Number => e.GetRawText(),
        _ => throw new FormatException($"expected a decimal, got {e.ValueKind}"),
    };

    private static bool TryParseScaled(string? text, int decimals, out long value)
    {
        value = 0;
        return text is not null && TryParseScaled(text.AsSpan(), decimals, out value);
    }
}
