using System.Globalization;
using System.Security.Cryptography;
using System.Text;

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
    public static string Order(long engineOrderId) =>
        "0x" + Convert.ToHexStringLower(Digest("polysim/order/", engineOrderId));

    /// <summary>The public id of the engine's trade number <paramref name="engineTradeId"/> (a version-4-shaped UUID).</summary>
    public static string Trade(long engineTradeId)
    {
        var bytes = Digest("polysim/trade/", engineTradeId).AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(bytes);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    private static byte[] Digest(string label, long value) =>
        SHA256.HashData(Encoding.ASCII.GetBytes(label + value.ToString(CultureInfo.InvariantCulture)));
}
