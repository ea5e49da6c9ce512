using System.Globalization;
using System.Text;
using Polysim.ClobApi.Http;

namespace Polysim.ClobApi.Api.Markets;

/// <summary>Reads query-string parameters, turning a missing or malformed value into 422 VALIDATION_FAILED.</summary>
internal static class QueryParams
{
    /// <summary>Polymarket's cursor after the last page (base64 of "-1").</summary>
    public const string EndCursor = "LTE=";

    /// <summary>The value of a query parameter, or null when absent or empty.</summary>
    public static string? Optional(HttpContext http, string name)
    {
        var value = http.Request.Query[name].ToString();
        return value.Length == 0 ? null : value;
    }

    /// <summary>A token id (uint256 in decimal): required, digits only.</summary>
    public static string TokenId(HttpContext http, string name) =>
        CheckTokenId(Optional(http, name) ?? throw ApiException.Validation($"{name} is required (a token id).", name), name);

    /// <summary>Checks the shape of a token id (digits, at most 78 of them: a uint256).</summary>
    public static string CheckTokenId(string value, string name) =>
        value.Length is > 0 and <= 78 && value.All(char.IsAsciiDigit)
            ? value
            : throw ApiException.Validation($"{name} must be a token id (a decimal uint256); got '{Truncate(value)}'.", name);

    /// <summary>An optional integer within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static long? Integer(HttpContext http, string name, long min, long max)
    {
        var text = Optional(http, name);
        if (text is null)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw ApiException.Validation($"{name} must be an integer between {min} and {max}; got '{Truncate(text)}'.", name);
    }

    /// <summary>An offset cursor in Polymarket's form (base64 of the decimal offset); null or empty is the first page.</summary>
    public static long OffsetCursor(string? cursor, string name)
    {
        if (cursor is null or "" or "MA==")
        {
            return 0;
        }

        if (cursor == EndCursor)
        {
            return long.MaxValue;
        }

        try
        {
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(cursor));
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return offset;
            }
        }
        catch (FormatException)
        {
        }

        throw ApiException.Validation($"{name} is not a cursor this server issued.", name);
    }

    /// <summary>The cursor of the page starting at <paramref name="offset"/>.</summary>
    public static string EncodeOffset(long offset) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(offset.ToString(CultureInfo.InvariantCulture)));

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
