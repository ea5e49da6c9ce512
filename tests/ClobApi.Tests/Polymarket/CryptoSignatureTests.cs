using Polysim.ClobApi.Polymarket.Crypto;

namespace Polysim.ClobApi.Tests.Polymarket;

/// <summary>secp256k1 signing/recovery, EIP-55 and the ClobAuth and V2 order signature vectors.</summary>
public sealed class CryptoSignatureTests
{
    // Hardhat/Anvil account #0, the "publicly known private key" of the clob-client tests.
    private static readonly byte[] HardhatKey = Hex.Decode("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    private const string HardhatAddress = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

    [Fact]
    public void Private_key_derives_the_known_address()
    {
        Assert.Equal(HardhatAddress, EthereumAddress.ToChecksum(EthereumSignature.AddressOf(HardhatKey)));
    }

    [Fact]
    public void ClobAuth_signature_matches_clob_client_vector()
    {
        // clob-client tests/signing/eip712.test.ts (research §2.1): chain 80002, timestamp "10000000", nonce 23.
        const string expected = "0xf62319a987514da40e57e2f4d7529f7bac38f0355bd88bb5adbb3768d80de6c1"
            + "682518e0af677d5260366425f4361e7b70c25ae232aff0ab2331e2b164a1aedc1b";
        var digest = new ClobAuthMessage(HardhatAddress, "10000000", 23).Digest(80002);

        // ethers v5 signs with RFC 6979 and low s, so the deterministic signature must come out byte for byte.
        Assert.Equal(expected, Hex.ToHex(EthereumSignature.Sign(digest, HardhatKey)));
        Assert.True(EthereumSignature.Verify(digest, expected, HardhatAddress));
        Assert.True(EthereumSignature.Verify(digest, expected, HardhatAddress.ToLowerInvariant()));
        Assert.False(EthereumSignature.Verify(new ClobAuthMessage(HardhatAddress, "10000001", 23).Digest(80002), expected, HardhatAddress));
        Assert.False(EthereumSignature.Verify(new ClobAuthMessage(HardhatAddress, "10000000", 24).Digest(80002), expected, HardhatAddress));
        Assert.False(EthereumSignature.Verify(new ClobAuthMessage(HardhatAddress, "10000000", 23).Digest(137), expected, HardhatAddress));
    }

    [Theory]
    // V2 research §3.6: full signature for the first row, prefix…suffix as printed for the others.
    [InlineData("2", 137, "0xE111180000d2663C0091e4f400237545B87B996B",
        "0x8c17aa200623998b635420c2b415b807060cbce2c04142aa1e527a24205206c40d0437c40e81ad4265e399c202b6e8a7d55194c4aa887c7293b0ab8724e757641c", "")]
    [InlineData("2", 137, "0xe2222d279d744050d28e00520010520000310F59", "0x4b0a29f3", "fdf97d121c")]
    [InlineData("2", 80002, "0xE111180000d2663C0091e4f400237545B87B996B", "0xd9452e00", "3aa3da7c01c")]
    [InlineData("3", 137, "0xe3333700cA9d93003F00f0F71f8515005F6c00Aa", "0x726bdf16", "1a1d26eadb1c")]
    public void V2_order_signatures_match_research(string version, int chainId, string contract, string prefix, string suffix)
    {
        var digest = CryptoEip712Tests.ResearchV2Order().Hash(Eip712Domain.Exchange(version, chainId, contract));
        var signature = Hex.ToHex(EthereumSignature.Sign(digest, HardhatKey));

        Assert.StartsWith(prefix, signature, StringComparison.Ordinal);
        Assert.EndsWith(suffix, signature, StringComparison.Ordinal);
        Assert.Equal(132, signature.Length);
        Assert.True(EthereumSignature.Verify(digest, signature, HardhatAddress));
    }

    [Fact]
    public void Sign_then_recover_round_trips_for_many_keys_and_digests()
    {
        for (var i = 1; i <= 25; i++)
        {
            var key = Keccak256.Hash($"key {i}");
            var digest = Keccak256.Hash($"message {i}");
            var signature = EthereumSignature.Sign(digest, key);

            Assert.True(signature[64] is 27 or 28);
            Assert.True(EthereumSignature.TryRecoverAddress(digest, signature, SignaturePolicy.ExchangeContract, out var recovered));
            Assert.Equal(EthereumSignature.AddressOf(key), recovered);

            // A different digest recovers some other address, never the signer.
            Assert.True(EthereumSignature.TryRecoverAddress(Keccak256.Hash($"other {i}"), signature, SignaturePolicy.ExchangeContract, out var other));
            Assert.NotEqual(recovered, other);
        }
    }

    [Fact]
    public void High_s_and_zero_one_v_are_rejected_by_the_contract_policy_only()
    {
        var digest = Keccak256.Hash("malleability");
        var signature = EthereumSignature.Sign(digest, HardhatKey);

        // The malleable twin (n − s, flipped parity) is the same key to ecrecover, but OpenZeppelin ECDSA rejects it.
        var n = System.Numerics.BigInteger.Parse(
            "115792089237316195423570985008687907852837564279074904382605163141518161494337", System.Globalization.CultureInfo.InvariantCulture);
        var s = new System.Numerics.BigInteger(signature.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        var twin = (byte[])signature.Clone();
        Eip712.EncodeUint256(n - s).CopyTo(twin, 32);
        twin[64] = (byte)(signature[64] == 27 ? 28 : 27);
        Assert.False(EthereumSignature.TryRecoverAddress(digest, twin, SignaturePolicy.ExchangeContract, out _));
        Assert.True(EthereumSignature.TryRecoverAddress(digest, twin, SignaturePolicy.Lenient, out var twinSigner));
        Assert.Equal(EthereumSignature.AddressOf(HardhatKey), twinSigner);

        var zeroOne = (byte[])signature.Clone();
        zeroOne[64] -= 27;
        Assert.False(EthereumSignature.TryRecoverAddress(digest, zeroOne, SignaturePolicy.ExchangeContract, out _));
        Assert.True(EthereumSignature.TryRecoverAddress(digest, zeroOne, SignaturePolicy.Lenient, out var zeroOneSigner));
        Assert.Equal(EthereumSignature.AddressOf(HardhatKey), zeroOneSigner);
    }

    [Fact]
    public void Malformed_signatures_are_rejected_without_throwing()
    {
        var digest = Keccak256.Hash("x");
        var good = EthereumSignature.Sign(digest, HardhatKey);
        var zeroR = (byte[])good.Clone();
        Array.Clear(zeroR, 0, 32);
        var badV = (byte[])good.Clone();
        badV[64] = 29;
        var rTooBig = (byte[])good.Clone();
        Array.Fill(rTooBig, (byte)0xff, 0, 32);

        foreach (var bad in new[] { zeroR, badV, rTooBig, good[..64] })
        {
            Assert.False(EthereumSignature.TryRecoverAddress(digest, bad, SignaturePolicy.Lenient, out _));
        }

        Assert.False(EthereumSignature.Verify(digest, "0x1234", HardhatAddress));
        Assert.False(EthereumSignature.Verify(digest, Hex.ToHex(good)[2..], HardhatAddress));
        Assert.False(EthereumSignature.Verify(digest, Hex.ToHex(good), "not an address"));
    }

    [Theory]
    // EIP-55 specification test cases (eips.ethereum.org/EIPS/eip-55).
    [InlineData("0x52908400098527886E0F7030069857D2E4169EE7")]
    [InlineData("0x8617E340B3D01FA5F11F306F4090FD50E238070D")]
    [InlineData("0xde709f2102306220921060314715629080e2fb77")]
    [InlineData("0x27b1fdb04752bbc536007a920d24acb045561c26")]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [InlineData("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [InlineData("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    public void Eip55_checksums_match_the_spec(string address)
    {
        Assert.Equal(address, EthereumAddress.ToChecksum(address.ToLowerInvariant()));
        Assert.True(EthereumAddress.HasValidChecksum(address));
        Assert.True(EthereumAddress.AreEqual(address, address.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal)));
    }

    [Fact]
    public void Wrong_mixed_case_fails_the_checksum_but_still_compares_equal()
    {
        const string wrong = "0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed"; // 'A' → 'a' in the 2nd digit pair
        Assert.False(EthereumAddress.HasValidChecksum(wrong));
        Assert.True(EthereumAddress.AreEqual(wrong, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));
        Assert.False(EthereumAddress.AreEqual(wrong, EthereumAddress.Zero));
        Assert.False(EthereumAddress.AreEqual("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA"));
        Assert.False(EthereumAddress.TryParse("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", out _));
    }
}
