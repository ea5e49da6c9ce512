using System.Security.Cryptography;
using System.Text;

namespace Polysim.ClobApi.Polymarket.Crypto;

/// <summary>
/// The L2 <c>POLY_SIGNATURE</c>: base64url(HMAC-SHA256(base64url-decoded secret, timestamp + METHOD + path + body)),
/// with '=' padding kept, as clob-client, py-clob-client and rs-clob-client build it.
/// </summary>
public static class PolyHmac
{
    /// <summary>
    /// Decodes an API secret: base64url or standard base64, padding optional (the TS client accepts both alphabets,
    /// so a secret handed out in one must verify when a client re-encodes it in the other).
    /// </summary>
    public static bool TryDecodeBase64Any(string? text, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var standard = text.Replace('-', '+').Replace('_', '/').TrimEnd('=');
        if (standard.Length % 4 == 1)
        {
            return false;
        }

        standard = standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '=');
        var buffer = new byte[standard.Length * 3 / 4];
        if (!Convert.TryFromBase64String(standard, buffer, out var written))
        {
            return false;
        }

        bytes = buffer[..written];
        return true;
    }

    /// <summary>base64url with '=' padding kept — the clients' output form.</summary>
    public static string ToBase64UrlPadded(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// The request path as signed: the clients sign the endpoint path only, never the query string
    /// (GET /data/trades?next_cursor=MA== is signed as /data/trades).
    /// </summary>
    public static string SignedPath(string pathAndQuery)
    {
        var query = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? pathAndQuery : pathAndQuery[..query];
    }

    /// <summary>The raw 32-byte MAC over timestamp + method + path, then the body bytes verbatim.</summary>
    public static byte[] ComputeMac(
        ReadOnlySpan<byte> key, string timestamp, string method, string requestPath, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes(timestamp + method + requestPath));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }

    /// <summary>The header value a client sends for this request (body null or empty: nothing appended).</summary>
    public static string Sign(string secret, string timestamp, string method, string requestPath, string? body)
    {
        if (!TryDecodeBase64Any(secret, out var key))
        {
            throw new FormatException("The API secret is not base64.");
        }

        return ToBase64UrlPadded(ComputeMac(key, timestamp, method, requestPath, Encoding.UTF8.GetBytes(body ?? string.Empty)));
    }

    /// <summary>
    /// Verifies <paramref name="signatureHeader"/> against the raw request body bytes, in constant time. If the body
    /// holds a single quote, the variant with every <c>'</c> replaced by <c>"</c> is also accepted, because
    /// py-clob-client and rs-clob-client sign that replaced text while sending the original bytes.
    /// </summary>
    public static bool Verify(
        string? secret, string timestamp, string method, string requestPath, ReadOnlySpan<byte> rawBody, string? signatureHeader)
    {
        if (!TryDecodeBase64Any(secret, out var key) || !TryDecodeBase64Any(signatureHeader, out var presented))
        {
            return false;
        }

        // Comparing decoded MAC bytes (not text) makes padding and alphabet differences irrelevant; FixedTimeEquals
        // returns false for a length mismatch without leaking where the MACs differ.
        var path = SignedPath(requestPath);
        var ok = CryptographicOperations.FixedTimeEquals(ComputeMac(key, timestamp, method, path, rawBody), presented);
        if (rawBody.IndexOf((byte)'\'') >= 0)
        {
            var replaced = rawBody.ToArray();
            replaced.AsSpan().Replace((byte)'\'', (byte)'"');
            ok |= CryptographicOperations.FixedTimeEquals(ComputeMac(key, timestamp, method, path, replaced), presented);
        }

        return ok;
    }
}
