using System.Globalization;
using System.Text.Json;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Http;

/// <summary>Exact conversion between API decimals (strings or JSON numbers) and engine integer units; no floating point.</summary>
public static class Money
{
    /// <summary>Parses a USDC amount into micro-USDC; more than 6 decimals, negatives, or above the engine maximum are 422.</summary>
    public static long ParseUsdc(JsonElement value, string field, bool allowZero) =>
        ParseFixed(value, field, 6, allowZero);

    /// <summary>Parses a share quantity into micro-shares.</summary>
    public static long ParseShares(JsonElement value, string field, bool allowZero = false) =>
        ParseFixed(value, field, 6, allowZero);

    /// <summary>Parses a decimal text into an integer scaled by 10^<paramref name="decimals"/>, or returns false.</summary>
    public static bool TryParseScaled(string text, int decimals, out long scaled)
    {
        scaled = 0;
        var s = text.Trim();
        if (s.Length is 0 or > 40 || s[0] is '-' or '+')
        {
            return false;
        }

        var dot = s.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? s : s[..dot];
        var fraction = dot < 0 ? string.Empty : s[(dot + 1)..];
        if ((whole.Length == 0 && fraction.Length == 0) || !whole.All(char.IsAsciiDigit) || !fraction.All(char.IsAsciiDigit))
        {
            return false;
        }

        fraction = fraction.TrimEnd('0');
        if (fraction.Length > decimals)
        {
            return false;
        }

        whole = whole.TrimStart('0');
        if (whole.Length > 12)
        {
            return false;
        }

        var w = whole.Length == 0 ? 0 : long.Parse(whole, CultureInfo.InvariantCulture);
        var f = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(decimals, '0'), CultureInfo.InvariantCulture);
        var scale = 1L;
        for (var i = 0; i < decimals; i++)
        {
            scale *= 10;
        }

        scaled = (w * scale) + f;
        return true;
    }

    private static long ParseFixed(JsonElement value, string field, int decimals, bool allowZero)
    {
        var text = value.ValueKind switch
        {
            JsonValueKind.String => Text(value, field),
            JsonValueKind.Number => value.GetRawText(),
            _ => throw ApiException.Validation($"{field} must be a decimal number or string.", field),
        };
        if (text.Contains('e', StringComparison.OrdinalIgnoreCase) || !TryParseScaled(text, decimals, out var scaled))
        {
            throw ApiException.Validation($"{field} must be a non-negative decimal with at most {decimals} decimals; got '{text}'.", field);
        }

        if (scaled > Units.MaxAmount)
        {
            throw ApiException.Validation($"{field} is too large.", field);
        }

        if (scaled == 0 && !allowZero)
        {
            throw ApiException.Validation($"{field} must be greater than zero.", field);
        }

        return scaled;
    }

    private static string Text(JsonElement value, string field)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8 or a lone surrogate escape: JsonDocument accepts it, reading it as a string throws.
            throw ApiException.Validation($"{field} is not valid text.", field);
        }
    }

    /// <summary>Micro-units as a trimmed decimal string ("12.5", "0.000001", "0").</summary>
    public static string FormatUsdc(long micro) => BookFormatter.Amount(micro);

    /// <summary>A price in 1e-4 units as a trimmed decimal string ("0.34").</summary>
    public static string FormatPrice(int price) => BookFormatter.Price(price);
}
