using System.Numerics;

namespace Polysim.ClobApi.Polymarket.Crypto;

/// <summary>Order side as hashed (<c>uint8</c>); the wire says "BUY"/"SELL".</summary>
public enum PolyOrderSide : byte
{
    /// <summary>Buy outcome tokens with collateral.</summary>
    Buy = 0,

    /// <summary>Sell outcome tokens for collateral.</summary>
    Sell = 1,
}

/// <summary>Signature type as hashed (<c>uint8</c>).</summary>
public enum PolySignatureType : byte
{
    /// <summary>Plain EOA: signer == maker.</summary>
    Eoa = 0,

    /// <summary>Polymarket proxy wallet owned by the signer.</summary>
    PolyProxy = 1,

    /// <summary>Gnosis safe owned by the signer.</summary>
    PolyGnosisSafe = 2,

    /// <summary>V2 only: ERC-1271 deposit wallet (ERC-7739 nested signature).</summary>
    Poly1271 = 3,
}

/// <summary>The V1 CTF Exchange order struct, field for field as signed.</summary>
/// <param name="Salt">Random salt (a JSON number on the wire).</param>
/// <param name="Maker">Funder address.</param>
/// <param name="Signer">Signing EOA.</param>
/// <param name="Taker">Zero address for public orders.</param>
/// <param name="TokenId">Outcome token id (78-digit decimal on the wire).</param>
/// <param name="MakerAmount">Base units offered.</param>
/// <param name="TakerAmount">Base units wanted.</param>
/// <param name="Expiration">Unix seconds, 0 for none.</param>
/// <param name="Nonce">On-chain cancel nonce.</param>
/// <param name="FeeRateBps">Signed fee rate cap.</param>
/// <param name="Side">BUY or SELL.</param>
/// <param name="SignatureType">EOA, proxy or safe.</param>
public sealed record OrderV1(
    BigInteger Salt,
    string Maker,
    string Signer,
    string Taker,
    BigInteger TokenId,
    BigInteger MakerAmount,
    BigInteger TakerAmount,
    BigInteger Expiration,
    BigInteger Nonce,
    BigInteger FeeRateBps,
    PolyOrderSide Side,
    PolySignatureType SignatureType)
{
    /// <summary>ctf-exchange <c>OrderStructs.sol</c> ORDER_TYPEHASH preimage.</summary>
    public const string TypeString =
        "Order(uint256 salt,address maker,address signer,address taker,uint256 tokenId,uint256 makerAmount," +
        "uint256 takerAmount,uint256 expiration,uint256 nonce,uint256 feeRateBps,uint8 side,uint8 signatureType)";

    /// <summary>keccak256(abi.encode(ORDER_TYPEHASH, fields…)) in declaration order.</summary>
    public byte[] StructHash() =>
        Keccak256.HashConcat(
            Eip712.TypeHash(TypeString),
            Eip712.EncodeUint256(Salt),
            Eip712.EncodeAddress(Maker),
            Eip712.EncodeAddress(Signer),
            Eip712.EncodeAddress(Taker),
            Eip712.EncodeUint256(TokenId),
            Eip712.EncodeUint256(MakerAmount),
            Eip712.EncodeUint256(TakerAmount),
            Eip712.EncodeUint256(Expiration),
            Eip712.EncodeUint256(Nonce),
            Eip712.EncodeUint256(FeeRateBps),
            Eip712.EncodeUint256((int)Side),
            Eip712.EncodeUint256((int)SignatureType));

    /// <summary>The order hash (= Polymarket's order id) under <paramref name="domain"/>.</summary>
    public byte[] Hash(Eip712Domain domain) => domain.Digest(StructHash());
}

/// <summary>The V2 (and V3) exchange order struct: no taker/expiration/nonce/feeRateBps; adds timestamp, metadata, builder.</summary>
/// <param name="Salt">Random salt.</param>
/// <param name="Maker">Funder address.</param>
/// <param name="Signer">Signing EOA (the deposit wallet for POLY_1271).</param>
/// <param name="TokenId">Outcome token id.</param>
/// <param name="MakerAmount">Base units offered.</param>
/// <param name="TakerAmount">Base units wanted.</param>
/// <param name="Side">BUY or SELL.</param>
/// <param name="SignatureType">EOA, proxy, safe or 1271.</param>
/// <param name="Timestamp">Milliseconds, replacing V1's nonce for uniqueness.</param>
/// <param name="Metadata">bytes32, 0x + 64 hex.</param>
/// <param name="Builder">bytes32 builder code, 0x + 64 hex.</param>
public sealed record OrderV2(
    BigInteger Salt,
    string Maker,
    string Signer,
    BigInteger TokenId,
    BigInteger MakerAmount,
    BigInteger TakerAmount,
    PolyOrderSide Side,
    PolySignatureType SignatureType,
    BigInteger Timestamp,
    string Metadata,
    string Builder)
{
    /// <summary>The V2 ORDER_TYPEHASH preimage (expiration is on the wire but not signed).</summary>
    public const string TypeString =
        "Order(uint256 salt,address maker,address signer,uint256 tokenId,uint256 makerAmount,uint256 takerAmount," +
        "uint8 side,uint8 signatureType,uint256 timestamp,bytes32 metadata,bytes32 builder)";

    /// <summary>32 zero bytes, the default metadata and builder.</summary>
    public const string ZeroBytes32 = "0x0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>keccak256(abi.encode(ORDER_TYPEHASH, fields…)) in declaration order.</summary>
    public byte[] StructHash() =>
        Keccak256.HashConcat(
            Eip712.TypeHash(TypeString),
            Eip712.EncodeUint256(Salt),
            Eip712.EncodeAddress(Maker),
            Eip712.EncodeAddress(Signer),
            Eip712.EncodeUint256(TokenId),
            Eip712.EncodeUint256(MakerAmount),
            Eip712.EncodeUint256(TakerAmount),
            Eip712.EncodeUint256((int)Side),
            Eip712.EncodeUint256((int)SignatureType),
            Eip712.EncodeUint256(Timestamp),
            Eip712.EncodeBytes32(Metadata),
            Eip712.EncodeBytes32(Builder));

    /// <summary>The order hash (= order id) under a V2 or V3 exchange domain.</summary>
    public byte[] Hash(Eip712Domain domain) => domain.Digest(StructHash());
}
