using System.Numerics;

namespace Polysim.ClobApi.Polymarket.Crypto;

/// <summary>The L1 <c>ClobAuth</c> typed-data message signed for <c>/auth/api-key</c> and <c>/auth/derive-api-key</c>.</summary>
/// <param name="Address">POLY_ADDRESS, the signing EOA.</param>
/// <param name="Timestamp">POLY_TIMESTAMP exactly as sent: a <c>string</c> field in the type, so it is hashed as text.</param>
/// <param name="Nonce">POLY_NONCE (default 0); keys belong to (address, nonce).</param>
public sealed record ClobAuthMessage(string Address, string Timestamp, BigInteger Nonce)
{
    /// <summary>The type string; the clients' unused legacy constant lacks <c>nonce</c>, the signed type has it.</summary>
    public const string TypeString = "ClobAuth(address address,string timestamp,uint256 nonce,string message)";

    /// <summary>The fixed attestation text every client signs.</summary>
    public const string AttestationText = "This message attests that I control the given wallet";

    /// <summary>keccak256(abi.encode(typeHash, address, keccak(timestamp), nonce, keccak(message))).</summary>
    public byte[] StructHash() =>
        Keccak256.HashConcat(
            Eip712.TypeHash(TypeString),
            Eip712.EncodeAddress(Address),
            Eip712.EncodeString(Timestamp),
            Eip712.EncodeUint256(Nonce),
            Eip712.EncodeString(AttestationText));

    /// <summary>The digest the wallet signed, under the ClobAuth domain of <paramref name="chainId"/>.</summary>
    public byte[] Digest(BigInteger chainId) => Eip712Domain.ClobAuth(chainId).Digest(StructHash());
}
