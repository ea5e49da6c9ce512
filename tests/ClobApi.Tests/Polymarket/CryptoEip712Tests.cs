using System.Numerics;
using Polysim.ClobApi.Polymarket.Crypto;

namespace Polysim.ClobApi.Tests.Polymarket;

/// <summary>Keccak-256, EIP-712 encoding and the Polymarket order / ClobAuth hashes against published vectors.</summary>
public sealed class CryptoEip712Tests
{
    private const string Tick = "71321045679252212594626385532706912750332728571942532289631379312455583992563";
    private const string HardhatAddress = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    private const string V2Exchange = "0xE111180000d2663C0091e4f400237545B87B996B";
    private const string V2NegRiskExchange = "0xe2222d279d744050d28e00520010520000310F59";
    private const string V3Exchange137 = "0xe3333700cA9d93003F00f0F71f8515005F6c00Aa";
    private const string V3Exchange80002 = "0x9fE6e61422AdB6F610d8597F9684b16912D50C3D";

    internal static OrderV2 ResearchV2Order() => new(
        Salt: 479249096354,
        Maker: HardhatAddress,
        Signer: HardhatAddress,
        TokenId: Eip712.ParseUint256(Tick),
        MakerAmount: 50000000,
        TakerAmount: 100000000,
        Side: PolyOrderSide.Buy,
        SignatureType: PolySignatureType.Eoa,
        Timestamp: 1780449126930,
        Metadata: OrderV2.ZeroBytes32,
        Builder: OrderV2.ZeroBytes32);

    [Theory]
    // Standard Keccak-256 (pre-FIPS padding) values, as returned by ethers/web3 keccak256.
    [InlineData("", "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    [InlineData("abc", "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")]
    public void Keccak256_matches_known_digests(string input, string expected) =>
        Assert.Equal(expected, Hex.ToHex(Keccak256.Hash(input)));

    [Fact]
    public void Eip712_spec_mail_example_hashes_and_recovers_to_cow()
    {
        // The worked example of EIP-712 itself (eips.ethereum.org/EIPS/eip-712, Example.js), nested structs included.
        var domain = new Eip712Domain("Ether Mail", "1", 1, "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC");
        Assert.Equal("0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f", Hex.ToHex(domain.Separator()));

        static byte[] Person(string name, string wallet) => Keccak256.HashConcat(
            Eip712.TypeHash("Person(string name,address wallet)"), Eip712.EncodeString(name), Eip712.EncodeAddress(wallet));
        var mail = Keccak256.HashConcat(
            Eip712.TypeHash("Mail(Person from,Person to,string contents)Person(string name,address wallet)"),
            Person("Cow", "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"),
            Person("Bob", "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"),
            Eip712.EncodeString("Hello, Bob!"));
        Assert.Equal("0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e", Hex.ToHex(mail));

        var digest = domain.Digest(mail);
        Assert.Equal("0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2", Hex.ToHex(digest));

        // The spec's signature (v 28, r, s) by keccak256("cow") recovers to Cow's address.
        var signature = "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d"
            + "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562" + "1c";
        Assert.True(EthereumSignature.Verify(digest, signature, "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"));
        Assert.Equal(Hex.Decode(signature), EthereumSignature.Sign(digest, Keccak256.Hash("cow")));
    }

    [Fact]
    public void V1_order_hash_matches_clob_client_vector()
    {
        // clob-client tests/order-utils/exchange.order.builder.test.ts "builds a deterministic order hash"; research §4.1.
        var order = new OrderV1(
            Salt: 1,
            Maker: "0x1111111111111111111111111111111111111111",
            Signer: "0x1111111111111111111111111111111111111111",
            Taker: EthereumAddress.Zero,
            TokenId: 101,
            MakerAmount: 1000000,
            TakerAmount: 2000000,
            Expiration: 0,
            Nonce: 2,
            FeeRateBps: 0,
            Side: PolyOrderSide.Buy,
            SignatureType: PolySignatureType.Eoa);
        var domain = Eip712Domain.Exchange("1", 137, "0x0000000000000000000000000000000000000001");

        Assert.Equal("0xeb162c6cc7aa28ad096a7c40fb9556d41fa1730d71103ba7103589ae1f18d942", Hex.ToHex(order.Hash(domain)));
    }

    [Fact]
    public void V1_hash_changes_with_any_field()
    {
        var order = new OrderV1(1, "0x1111111111111111111111111111111111111111", "0x1111111111111111111111111111111111111111",
            EthereumAddress.Zero, 101, 1000000, 2000000, 0, 2, 0, PolyOrderSide.Buy, PolySignatureType.Eoa);
        var domain = Eip712Domain.Exchange("1", 137, "0x0000000000000000000000000000000000000001");
        var baseline = Hex.ToHex(order.Hash(domain));

        Assert.NotEqual(baseline, Hex.ToHex((order with { Side = PolyOrderSide.Sell }).Hash(domain)));
        Assert.NotEqual(baseline, Hex.ToHex((order with { FeeRateBps = 1 }).Hash(domain)));
        Assert.NotEqual(baseline, Hex.ToHex(order.Hash(domain with { ChainId = 80002 })));
    }

    [Theory]
    // V2 research §3.1 "Domain separators (computed, Probe)".
    [InlineData("2", 137, V2Exchange, "0x3264e159346253e26a64e00b69032db0e7d32f94628de3e6eecb50304d7af3d2")]
    [InlineData("2", 137, V2NegRiskExchange, "0x9b858f53327b0bd13af8ec14cfb35234fb9eb7b0504d1a4e61f433840d30e81a")]
    [InlineData("2", 80002, V2Exchange, "0xa440cbd865bc0c6243d7a8df9a8bf48a8827b0a4abbb61c30e96d305423af148")]
    [InlineData("2", 80002, V2NegRiskExchange, "0x1468e39841f0a0e05d3762b235cb7acecabf8cd7b6d3a672965a5d415bf9378e")]
    [InlineData("3", 137, V3Exchange137, "0x466c63910185bbd55e8679264200c4e0abdcbb0c6264eb3d41d13326022e095b")]
    [InlineData("3", 80002, V3Exchange80002, "0xdf8b5fd204134b8d562677d7fc9346884e8f02ef2fd43358239393723e8833e6")]
    public void V2_domain_separators_match_research(string version, int chainId, string contract, string expected) =>
        Assert.Equal(expected, Hex.ToHex(Eip712Domain.Exchange(version, chainId, contract).Separator()));

    [Fact]
    public void V2_type_hash_and_struct_hash_match_research()
    {
        // V2 research §3.1 ORDER_TYPEHASH and §3.6 structHash.
        Assert.Equal("0xbb86318a2138f5fa8ae32fbe8e659f8fcf13cc6ae4014a707893055433818589",
            Hex.ToHex(Eip712.TypeHash(OrderV2.TypeString)));
        Assert.Equal("0x72ba330ff45f56ca287d5bc96f0c1b3f8987b81a65f76baea172280ebfde50bc",
            Hex.ToHex(ResearchV2Order().StructHash()));
    }

    [Theory]
    // V2 research §3.6 test vector table (hash = orderID).
    [InlineData("2", 137, V2Exchange, "0xc667cca204efe1d9cf376d775e52199f5f32be7e2fddee5d6da31e7d95f98094")]
    [InlineData("2", 137, V2NegRiskExchange, "0xb0828609dee64ef3ae651f224d671f36fe4429f7eb18411f506aba38a04b8e08")]
    [InlineData("2", 80002, V2Exchange, "0x87abaeb832c3562d33556461287baf929da07a534405cf03d2b54b18bf61367a")]
    [InlineData("3", 137, V3Exchange137, "0x120c747e8bbb294b804187dd6108d118eaf823063b87bd2552db050da076e6f7")]
    public void V2_order_hashes_match_research(string version, int chainId, string contract, string expected) =>
        Assert.Equal(expected, Hex.ToHex(ResearchV2Order().Hash(Eip712Domain.Exchange(version, chainId, contract))));

    [Fact]
    public void ClobAuth_uses_a_domain_without_verifying_contract()
    {
        var separator = Eip712Domain.ClobAuth(137).Separator();
        var expected = Keccak256.HashConcat(
            Eip712.TypeHash("EIP712Domain(string name,string version,uint256 chainId)"),
            Keccak256.Hash("ClobAuthDomain"),
            Keccak256.Hash("1"),
            Eip712.EncodeUint256(137));
        Assert.Equal(expected, separator);
    }

    [Fact]
    public void Uint256_parsing_accepts_the_full_range_and_nothing_else()
    {
        const string max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
        Assert.True(Eip712.TryParseUint256(max, out var top));
        Assert.Equal(Eip712.Uint256Limit - 1, top);
        Assert.Equal(Enumerable.Repeat((byte)0xff, 32).ToArray(), Eip712.EncodeUint256(top));
        Assert.True(Eip712.TryParseUint256(Tick, out var tokenId));
        Assert.Equal(Tick, tokenId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(Eip712.TryParseUint256("0", out var zero));
        Assert.Equal(new byte[32], Eip712.EncodeUint256(zero));

        foreach (var bad in new[]
        {
            "115792089237316195423570985008687907853269984665640564039457584007913129639936", // 2^256
            "-1", "+1", " 1", "1 ", "1e5", "0x10", "1.0", "", "١",
        })
        {
            Assert.False(Eip712.TryParseUint256(bad, out _), bad);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => Eip712.EncodeUint256(BigInteger.MinusOne));
        Assert.Throws<ArgumentOutOfRangeException>(() => Eip712.EncodeUint256(Eip712.Uint256Limit));
        Assert.Equal(0x01, Eip712.EncodeUint256(1)[31]);
        Assert.Equal(0x01, Eip712.EncodeUint256(256)[30]);
    }
}
