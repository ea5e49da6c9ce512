using System.Globalization;
using System.Numerics;

namespace Polysim.ClobApi.Polymarket.Crypto;

/// <summary>EIP-712 field encoders (each field becomes one 32-byte word) and the final <c>0x1901</c> digest.</summary>
public static class Eip712
{
    /// <summary>2^256, the first value a uint256 cannot hold.</summary>
    public static readonly BigInteger Uint256Limit = BigInteger.One << 256;

    /// <summary>
    /// Parses a uint256 sent as a decimal string (token ids have 78 digits, beyond any machine integer): ASCII digits
    /// only, no sign, no spaces, no exponent, below 2^256.
    /// </summary>
    public static bool TryParseUint256(string? text, out BigInteger value)
    {
        value = BigInteger.Zero;
        if (string.IsNullOrEmpty(text) || text.Length > 78)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        value = BigInteger.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return value < Uint256Limit;
    }

    /// <summary>Parses a decimal uint256 or throws <see cref="FormatException"/>.</summary>
    public static BigInteger ParseUint256(string text) =>
        TryParseUint256(text, out var value) ? value : throw new FormatException($"'{text}' is not a decimal uint256.");

    /// <summary>32-byte big-endian word of a uint256; negatives and values ≥ 2^256 are rejected.</summary>
    public static byte[] EncodeUint256(BigInteger value)
    {
        if (value.Sign < 0 || value >= Uint256Limit)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "A uint256 is in [0, 2^256).");
        }

        var word = new byte[32];
        var written = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(word.AsSpan(32 - written), out _, isUnsigned: true, isBigEndian: true);
        return word;
    }

    /// <summary>Word of an address: 12 zero bytes, then the 20 address bytes.</summary>
    public static byte[] EncodeAddress(ReadOnlySpan<byte> address)
    {
        if (address.Length != EthereumAddress.Size)
        {
            throw new ArgumentException("An address is 20 bytes.", nameof(address));
        }

        var word = new byte[32];
        address.CopyTo(word.AsSpan(12));
        return word;
    }

    /// <summary>Word of a textual <c>0x</c> address (case ignored, as the encoding is of the bytes).</summary>
    public static byte[] EncodeAddress(string address) => EncodeAddress(EthereumAddress.Parse(address));

    /// <summary>Dynamic <c>string</c> fields are encoded as the keccak256 of their UTF-8 bytes.</summary>
    public static byte[] EncodeString(string value) => Keccak256.Hash(value);

    /// <summary>Word of a <c>bytes32</c> given as <c>0x</c> + 64 hex digits.</summary>
    public static byte[] EncodeBytes32(string value) => Hex.Decode(value, 32);

    /// <summary>The type hash: keccak256 of the canonical type string.</summary>
    public static byte[] TypeHash(string typeString) => Keccak256.Hash(typeString);

    /// <summary>The digest that is signed: <c>keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ structHash)</c>.</summary>
    public static byte[] Digest(ReadOnlySpan<byte> domainSeparator, ReadOnlySpan<byte> structHash)
    {
        if (domainSeparator.Length != 32 || structHash.Length != 32)
        {
            throw new ArgumentException("Domain separator and struct hash are 32 bytes each.");
        }

        Span<byte> buffer = stackalloc byte[66];
        buffer[0] = 0x19;
        buffer[1] = 0x01;
        domainSeparator.CopyTo(buffer[2..]);
        structHash.CopyTo(buffer[34..]);
        return Keccak256.Hash(buffer);
    }
}

/// <summary>An EIP-712 domain with name, version, chainId and an optional verifyingContract.</summary>
/// <param name="Name">The domain name, e.g. "Polymarket CTF Exchange".</param>
/// <param name="Version">The domain version string ("1", "2", "3").</param>
/// <param name="ChainId">137 (Polygon) or 80002 (Amoy).</param>
/// <param name="VerifyingContract">Exchange address; null for ClobAuth, whose domain has no such field.</param>
public sealed record Eip712Domain(string Name, string Version, BigInteger ChainId, string? VerifyingContract)
{
    /// <summary>Domain type with a verifying contract (the exchange orders).</summary>
    public const string TypeWithContract = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";

    /// <summary>Domain type without one (ClobAuth: the clients pass no verifyingContract, so the type omits it).</summary>
    public const string TypeWithoutContract = "EIP712Domain(string name,string version,uint256 chainId)";

    /// <summary>The exchange domain name shared by V1, V2 and V3.</summary>
    public const string ExchangeName = "Polymarket CTF Exchange";

    /// <summary>The L1 auth domain: name "ClobAuthDomain", version "1", no verifying contract.</summary>
    public static Eip712Domain ClobAuth(BigInteger chainId) => new("ClobAuthDomain", "1", chainId, null);

    /// <summary>An exchange domain of the given version ("1" V1, "2" V2, "3" V3) at a verifying contract.</summary>
    public static Eip712Domain Exchange(string version, BigInteger chainId, string verifyingContract) =>
        new(ExchangeName, version, chainId, verifyingContract);

    /// <summary>keccak256(abi.encode(typeHash, keccak(name), keccak(version), chainId[, verifyingContract])).</summary>
    public byte[] Separator()
    {
        if (VerifyingContract is null)
        {
            return Keccak256.HashConcat(
                Eip712.TypeHash(TypeWithoutContract),
                Eip712.EncodeString(Name),
                Eip712.EncodeString(Version),
                Eip712.EncodeUint256(ChainId));
        }

        return Keccak256.HashConcat(
            Eip712.TypeHash(TypeWithContract),
            Eip712.EncodeString(Name),
            Eip712.EncodeString(Version),
            Eip712.EncodeUint256(ChainId),
            Eip712.EncodeAddress(VerifyingContract));
    }

    /// <summary>The signed digest of a struct hash under this domain.</summary>
    public byte[] Digest(ReadOnlySpan<byte> structHash) => Eip712.Digest(Separator(), structHash);
}
