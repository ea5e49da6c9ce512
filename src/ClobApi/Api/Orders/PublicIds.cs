using System.Globalization;
using System.Security.Cryptography;

namespace Polysim.ClobApi.Api.Orders;

/// <summary>Public ids of orders and trades, derived deterministically from the engine's numbers so replay rebuilds them.</summary>
/// <remarks>
/// An order id looks like Polymarket's (an order hash: "0x" + 64 lowercase hex) and a trade id like Polymarket's trade UUIDs.
/// Both are SHA-256 digests of the engine number under a domain label, so they never collide in practice and are the same
/// on every replay of the journal. The engine order id is the sequence number of the command that placed the order, unique
/// for the life of the data directory.
/// </remarks>
public static class PublicIds
{
    /// <summary>The public id of the order with engine id <paramref name="engineOrderId"/>.</summary>
    public static string Order(long engineOrderId) => OrderKey(engineOrderId).ToString();

    /// <summary>The 32 bytes of <see cref="Order"/>'s id, for keeping without a string.</summary>
    public static Projections.OrderKey OrderKey(long engineOrderId)
    {
        Span<byte> digest = stackalloc byte[32];
        Digest("polysim/order/"u8, engineOrderId, digest);
        return Projections.OrderKey.FromBytes(digest);
    }

    /// <summary>The public id of the engine's trade number <paramref name="engineTradeId"/> (a version-4-shaped UUID).</summary>
    public static string Trade(long engineTradeId) =>
        string.Create(36, engineTradeId, static (chars, id) =>
        {
            Span<byte> digest = stackalloc byte[32];
            Digest("polysim/trade/"u8, id, digest);
            digest[6] = (byte)((digest[6] & 0x0F) | 0x40);
            digest[8] = (byte)((digest[8] & 0x3F) | 0x80);
            Span<char> hex = stackalloc char[32];
            Convert.TryToHexStringLower(digest[..16], hex, out _);
            hex[..8].CopyTo(chars);
            chars[8] = '-';
            hex[8..12].CopyTo(chars[9..]);
            chars[13] = '-';
            hex[12..16].CopyTo(chars[14..]);
            chars[18] = '-';
            hex[16..20].CopyTo(chars[19..]);
            chars[23] = '-';
            hex[20..].CopyTo(chars[24..]);
        });

    /// <summary>SHA-256 of the ASCII label followed by the decimal number.</summary>
    private static void Digest(ReadOnlySpan<byte> label, long value, Span<byte> digest)
    {
        Span<byte> input = stackalloc byte[64];
        label.CopyTo(input);
        value.TryFormat(input[label.Length..], out var written, default, CultureInfo.InvariantCulture);
        SHA256.HashData(input[..(label.Length + written)], digest);
    }
}
