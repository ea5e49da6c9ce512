using System.Text;
using Org.BouncyCastle.Crypto.Digests;

namespace Polysim.ClobApi.Polymarket.Crypto;

/// <summary>Ethereum's Keccak-256 (the original Keccak padding, not NIST SHA3-256).</summary>
public static class Keccak256
{
    /// <summary>Length of a Keccak-256 digest in bytes.</summary>
    public const int Size = 32;

    /// <summary>Hashes <paramref name="data"/> and returns the 32-byte digest.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        // .NET's SHA3_256 uses the FIPS-202 padding byte (0x06); Ethereum kept Keccak's 0x01, so BouncyCastle it is.
        var digest = new KeccakDigest(256);
        digest.BlockUpdate(data);
        var output = new byte[Size];
        digest.DoFinal(output);
        return output;
    }

    /// <summary>Hashes the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static byte[] Hash(string text) => Hash(Encoding.UTF8.GetBytes(text));

    /// <summary>Hashes the concatenation of several byte strings without building an intermediate buffer.</summary>
    public static byte[] HashConcat(params ReadOnlySpan<byte[]> parts)
    {
        var digest = new KeccakDigest(256);
        foreach (var part in parts)
        {
            digest.BlockUpdate(part);
        }

        var output = new byte[Size];
        digest.DoFinal(output);
        return output;
    }
}
