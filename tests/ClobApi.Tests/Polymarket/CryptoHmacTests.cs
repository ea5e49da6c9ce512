using System.Text;
using Polysim.ClobApi.Polymarket.Crypto;

namespace Polysim.ClobApi.Tests.Polymarket;

/// <summary>The L2 POLY_SIGNATURE HMAC against the clients' published vectors, and the server-side verifier.</summary>
public sealed class CryptoHmacTests
{
    private const string Secret = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    [Theory]
    // clob-client tests/signing/hmac.test.ts (body with a space) and rs-clob-client src/auth.rs hmac_succeeds (compact);
    // research §2.2.
    [InlineData("{\"hash\": \"0x123\"}", "ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc=")]
    [InlineData("{\"hash\":\"0x123\"}", "4gJVbox-R6XlDK4nlaicig0_ANVL1qdcahiL8CXfXLM=")]
    public void Hmac_matches_client_vectors(string body, string expected)
    {
        Assert.Equal(expected, PolyHmac.Sign(Secret, "1000000", "test-sign", "/orders", body));
        Assert.True(PolyHmac.Verify(Secret, "1000000", "test-sign", "/orders", Encoding.UTF8.GetBytes(body), expected));
    }

    [Fact]
    public void Verify_rejects_any_change_to_the_signed_parts()
    {
        var body = Encoding.UTF8.GetBytes("{\"hash\":\"0x123\"}");
        const string good = "4gJVbox-R6XlDK4nlaicig0_ANVL1qdcahiL8CXfXLM=";

        Assert.False(PolyHmac.Verify(Secret, "1000001", "test-sign", "/orders", body, good));
        Assert.False(PolyHmac.Verify(Secret, "1000000", "TEST-SIGN", "/orders", body, good));
        Assert.False(PolyHmac.Verify(Secret, "1000000", "test-sign", "/order", body, good));
        Assert.False(PolyHmac.Verify(Secret, "1000000", "test-sign", "/orders", Encoding.UTF8.GetBytes("{\"hash\":\"0x124\"}"), good));
        Assert.False(PolyHmac.Verify("AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "1000000", "test-sign", "/orders", body, good));
        Assert.False(PolyHmac.Verify(Secret, "1000000", "test-sign", "/orders", body, good[..^2] + "A="));
        Assert.False(PolyHmac.Verify(Secret, "1000000", "test-sign", "/orders", body, "short"));
        Assert.False(PolyHmac.Verify(Secret, "1000000", "test-sign", "/orders", body, null));
        Assert.False(PolyHmac.Verify(Secret, "1000000", "test-sign", "/orders", body, "not base64 !!"));
    }

    [Fact]
    public void Verify_accepts_the_same_mac_in_another_base64_spelling()
    {
        var body = Encoding.UTF8.GetBytes("{\"hash\":\"0x123\"}");
        Assert.True(PolyHmac.Verify(Secret, "1000000", "test-sign", "/orders", body, "4gJVbox-R6XlDK4nlaicig0_ANVL1qdcahiL8CXfXLM"));
        Assert.True(PolyHmac.Verify(Secret, "1000000", "test-sign", "/orders", body, "4gJVbox+R6XlDK4nlaicig0/ANVL1qdcahiL8CXfXLM="));
    }

    [Fact]
    public void The_query_string_is_not_signed_and_an_empty_body_adds_nothing()
    {
        var header = PolyHmac.Sign(Secret, "1700000000", "GET", "/data/trades", null);
        Assert.Equal(header, PolyHmac.Sign(Secret, "1700000000", "GET", "/data/trades", ""));
        Assert.True(PolyHmac.Verify(Secret, "1700000000", "GET", "/data/trades?market=0xabc&next_cursor=MA==", [], header));
        Assert.Equal("/data/trades", PolyHmac.SignedPath("/data/trades?next_cursor=MA=="));
    }

    [Fact]
    public void Python_and_rust_single_quote_replacement_is_accepted()
    {
        // py-clob-client / rs-clob-client sign the body with ' replaced by " but send the original bytes.
        const string sent = "{\"note\":\"it's\"}";
        var signedByPython = PolyHmac.Sign(Secret, "1", "POST", "/order", sent.Replace('\'', '"'));
        var signedByTs = PolyHmac.Sign(Secret, "1", "POST", "/order", sent);
        var raw = Encoding.UTF8.GetBytes(sent);

        Assert.NotEqual(signedByTs, signedByPython);
        Assert.True(PolyHmac.Verify(Secret, "1", "POST", "/order", raw, signedByPython));
        Assert.True(PolyHmac.Verify(Secret, "1", "POST", "/order", raw, signedByTs));
    }

    [Fact]
    public void Secrets_decode_from_either_base64_alphabet_with_or_without_padding()
    {
        var bytes = Enumerable.Range(0, 32).Select(i => (byte)(i * 37 + 250)).ToArray();
        var url = PolyHmac.ToBase64UrlPadded(bytes);
        Assert.EndsWith("=", url, StringComparison.Ordinal);

        foreach (var spelling in new[] { url, url.TrimEnd('='), Convert.ToBase64String(bytes) })
        {
            Assert.True(PolyHmac.TryDecodeBase64Any(spelling, out var decoded), spelling);
            Assert.Equal(bytes, decoded);
        }

        Assert.False(PolyHmac.TryDecodeBase64Any("", out _));
        Assert.False(PolyHmac.TryDecodeBase64Any("A", out _));
    }
}
