namespace Polysim.ClobApi.Polymarket.Crypto;

/// <summary>20-byte Ethereum addresses: parsing, EIP-55 checksums and case-insensitive comparison.</summary>
public static class EthereumAddress
{
    /// <summary>Length of an address in bytes.</summary>
    public const int Size = 20;

    /// <summary>The zero address (V1 public orders use it as <c>taker</c>).</summary>
    public const string Zero = "0x0000000000000000000000000000000000000000";

    /// <summary>
    /// Parses <c>0x</c> + 40 hex digits in any case. The checksum is not enforced here because clients send
    /// lower-case addresses too; use <see cref="HasValidChecksum"/> where mixed case must be honest.
    /// </summary>
    public static bool TryParse(string? text, out byte[] address) => Hex.TryDecode(text, out address, Size);

    /// <summary>Parses an address or throws <see cref="FormatException"/>.</summary>
    public static byte[] Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not a 20-byte 0x address.");

    /// <summary>EIP-55 mixed-case form of a 20-byte address.</summary>
    public static string ToChecksum(ReadOnlySpan<byte> address)
    {
        if (address.Length != Size)
        {
            throw new ArgumentException("An address is 20 bytes.", nameof(address));
        }

        var lower = Convert.ToHexStringLower(address);
        // EIP-55: the hash is over the lower-case hex *text*, and nibble ≥ 8 upper-cases the letter at that position.
        var hash = Keccak256.Hash(lower);
        var chars = new char[2 + lower.Length];
        chars[0] = '0';
        chars[1] = 'x';
        for (var i = 0; i < lower.Length; i++)
        {
            var nibble = (i % 2 == 0) ? hash[i / 2] >> 4 : hash[i / 2] & 0x0f;
            chars[i + 2] = nibble >= 8 ? char.ToUpperInvariant(lower[i]) : lower[i];
        }

        return new string(chars);
    }

    /// <summary>EIP-55 form of a textual address of any case.</summary>
    public static string ToChecksum(string text) => ToChecksum(Parse(text));

    /// <summary>
    /// True when the text is an address whose casing is acceptable under EIP-55: all lower, all upper (no checksum
    /// claimed), or mixed case that matches the checksum exactly.
    /// </summary>
    public static bool HasValidChecksum(string? text)
    {
        if (!TryParse(text, out var address))
        {
            return false;
        }

        var digits = text!.AsSpan(2);
        var hasLower = digits.IndexOfAnyInRange('a', 'f') >= 0;
        var hasUpper = digits.IndexOfAnyInRange('A', 'F') >= 0;
        return !(hasLower && hasUpper) || string.Equals(ToChecksum(address), "0x" + digits.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Same address regardless of letter case; false if either side is not an address.</summary>
    public static bool AreEqual(string? left, string? right) =>
        TryParse(left, out var a) && TryParse(right, out var b) && a.AsSpan().SequenceEqual(b);

    /// <summary>Address of an uncompressed secp256k1 public key (64 bytes X‖Y, or 65 with the 0x04 prefix).</summary>
    public static byte[] FromPublicKey(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length == 65 && publicKey[0] == 0x04)
        {
            publicKey = publicKey[1..];
        }

        if (publicKey.Length != 64)
        {
            throw new ArgumentException("Expected an uncompressed public key (64 bytes, or 65 with 0x04).", nameof(publicKey));
        }

        return Keccak256.Hash(publicKey)[12..];
    }
}
