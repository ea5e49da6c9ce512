using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Polysim.ClobApi.Polymarket.Crypto;

namespace Polysim.ClobApi.Polymarket.Trading;

/// <summary>Exchange contracts that verify signed orders (research polymarket-clob.md §4.1, polymarket-clob-v2.md §3.1).</summary>
public static class PolyContracts
{
    /// <summary>V1 CTF Exchange on Polygon.</summary>
    public const string V1Exchange = "0x4bFb41d5B3570DeFd03C39a9A4D8dE6Bd8B8982E";

    /// <summary>V1 CTF Exchange on Amoy.</summary>
    public const string V1ExchangeAmoy = "0xdFE02Eb6733538f8Ea35D585af8DE5958AD99E40";

    /// <summary>V1 neg-risk CTF Exchange (both chains).</summary>
    public const string V1NegRiskExchange = "0xC5d563A36AE78145C45a50134d48A1215220f80a";

    /// <summary>V2 CTF Exchange (both chains).</summary>
    public const string V2Exchange = "0xE111180000d2663C0091e4f400237545B87B996B";

    /// <summary>V2 neg-risk CTF Exchange (both chains).</summary>
    public const string V2NegRiskExchange = "0xe2222d279d744050d28e00520010520000310F59";

    /// <summary>ExchangeV3 on Polygon (no neg-risk split).</summary>
    public const string V3Exchange = "0xe3333700cA9d93003F00f0F71f8515005F6c00Aa";

    /// <summary>ExchangeV3 on Amoy.</summary>
    public const string V3ExchangeAmoy = "0x9fE6e61422AdB6F610d8597F9684b16912D50C3D";

    /// <summary>The NegRiskAdapter (both chains).</summary>
    public const string NegRiskAdapter = "0xd91E80cF2E7be2e162c6513ceD06f1dD0dA35296";

    /// <summary>The domains an order of this version may be signed under for a market, most likely first.</summary>
    public static IEnumerable<Eip712Domain> Domains(int version, bool negRisk)
    {
        if (version == 1)
        {
            yield return Eip712Domain.Exchange("1", 137, negRisk ? V1NegRiskExchange : V1Exchange);
            yield return Eip712Domain.Exchange("1", 80002, negRisk ? V1NegRiskExchange : V1ExchangeAmoy);
            yield break;
        }

        yield return Eip712Domain.Exchange("2", 137, negRisk ? V2NegRiskExchange : V2Exchange);
        yield return Eip712Domain.Exchange("2", 80002, negRisk ? V2NegRiskExchange : V2Exchange);
        yield return Eip712Domain.Exchange("3", 137, V3Exchange);
        yield return Eip712Domain.Exchange("3", 80002, V3ExchangeAmoy);
    }
}

/// <summary>A signed Polymarket order as it arrived in <c>POST /order</c>: the struct hash, who signed it and the wire fields
/// the server checks.</summary>
/// <param name="Version">1 (has nonce/feeRateBps/taker) or 2 (has timestamp/metadata/builder; also V3).</param>
/// <param name="StructHash">keccak of the typed struct.</param>
/// <param name="Maker">Funder address.</param>
/// <param name="Signer">Signer address.</param>
/// <param name="SignatureType">EOA, proxy, safe or 1271.</param>
/// <param name="Signature">0x + 130 hex.</param>
/// <param name="Owner">The <c>owner</c> field (the API key), or "".</param>
/// <param name="FeeRateBps">V1 signed fee rate; 0 for V2.</param>
/// <param name="MakerAmount">Base units offered.</param>
/// <param name="TakerAmount">Base units wanted.</param>
/// <param name="IsBuy">BUY or SELL.</param>
public sealed record PolySignedOrder(
    int Version, byte[] StructHash, string Maker, string Signer, PolySignatureType SignatureType, string Signature, string Owner,
    BigInteger FeeRateBps, long MakerAmount, long TakerAmount, bool IsBuy)
{
    /// <summary>Parses the <c>order</c> member and <c>owner</c> of a NewOrder body; null when it is not a usable order.</summary>
    public static PolySignedOrder? TryParse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("order", out var order) || order.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var v2 = Has(order, "timestamp") && Has(order, "metadata") && Has(order, "builder");
        var v1 = !v2 && (Has(order, "nonce") || Has(order, "feeRateBps") || Has(order, "taker"));
        if (!v1 && !v2)
        {
            return null;
        }

        if (!Uint(order, "salt", out var salt) || !Address(order, "maker", out var maker) || !Address(order, "signer", out var signer)
            || !Uint(order, "tokenId", out var tokenId) || !Uint(order, "makerAmount", out var makerAmount)
            || !Uint(order, "takerAmount", out var takerAmount) || !Side(order, out var side) || !SignatureKind(order, out var signatureType)
            || order.TryGetProperty("signature", out var sigElement) is false || sigElement.ValueKind != JsonValueKind.String
            || makerAmount > long.MaxValue || takerAmount > long.MaxValue)
        {
            return null;
        }

        var expiration = BigInteger.Zero;
        if (Has(order, "expiration") && !Uint(order, "expiration", out expiration))
        {
            return null;
        }

        byte[] structHash;
        BigInteger fee = 0;
        if (v2)
        {
            if (!Uint(order, "timestamp", out var timestamp) || !Bytes32(order, "metadata", out var metadata) || !Bytes32(order, "builder", out var builder))
            {
                return null;
            }

            structHash = new OrderV2(salt, maker, signer, tokenId, makerAmount, takerAmount, side, signatureType, timestamp, metadata, builder).StructHash();
        }
        else
        {
            var taker = EthereumAddress.Zero;
            if (Has(order, "taker") && !Address(order, "taker", out taker))
            {
                return null;
            }

            var nonce = BigInteger.Zero;
            if ((Has(order, "nonce") && !Uint(order, "nonce", out nonce)) || (Has(order, "feeRateBps") && !Uint(order, "feeRateBps", out fee)))
            {
                return null;
            }

            structHash = new OrderV1(salt, maker, signer, taker, tokenId, makerAmount, takerAmount, expiration, nonce, fee, side, signatureType).StructHash();
        }

        var owner = body.TryGetProperty("owner", out var ownerElement) && ownerElement.ValueKind == JsonValueKind.String ? ownerElement.GetString()! : string.Empty;
        return new PolySignedOrder(v2 ? 2 : 1, structHash, maker, signer, signatureType, sigElement.GetString()!, owner, fee,
            (long)makerAmount, (long)takerAmount, side == PolyOrderSide.Buy);
    }

    /// <summary>The order hash (= order id, lower-case hex) under the first domain whose digest the signature recovers to
    /// <see cref="Signer"/>, or null when none does.</summary>
    public string? VerifiedHash(bool negRisk)
    {
        if (!Hex.TryDecode(Signature, out var signature, EthereumSignature.Size))
        {
            return null;
        }

        foreach (var domain in PolyContracts.Domains(Version, negRisk))
        {
            var digest = domain.Digest(StructHash);
            if (EthereumSignature.Verify(digest, Signature, Signer))
            {
                return Hex.ToHex(digest);
            }
        }

        return null;
    }

    private static bool Has(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    private static bool Uint(JsonElement obj, string name, out BigInteger value)
    {
        value = BigInteger.Zero;
        if (!obj.TryGetProperty(name, out var element))
        {
            return false;
        }

        var text = element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.GetRawText(),
            _ => null,
        };
        return Eip712.TryParseUint256(text, out value);
    }

    private static bool Address(JsonElement obj, string name, out string address)
    {
        address = string.Empty;
        if (obj.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String
            && EthereumAddress.TryParse(element.GetString(), out _))
        {
            address = element.GetString()!;
            return true;
        }

        return false;
    }

    private static bool Bytes32(JsonElement obj, string name, out string value)
    {
        value = string.Empty;
        if (obj.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String && Hex.TryDecode(element.GetString(), out _, 32))
        {
            value = element.GetString()!;
            return true;
        }

        return false;
    }

    private static bool Side(JsonElement obj, out PolyOrderSide side)
    {
        side = PolyOrderSide.Buy;
        if (!obj.TryGetProperty("side", out var element))
        {
            return false;
        }

        var text = element.ValueKind switch
        {
            JsonValueKind.String => element.GetString()!.ToUpperInvariant(),
            JsonValueKind.Number => element.GetRawText(),
            _ => string.Empty,
        };
        switch (text)
        {
            case "BUY" or "0":
                side = PolyOrderSide.Buy;
                return true;
            case "SELL" or "1":
                side = PolyOrderSide.Sell;
                return true;
            default:
                return false;
        }
    }

    private static bool SignatureKind(JsonElement obj, out PolySignatureType type)
    {
        type = PolySignatureType.Eoa;
        if (!obj.TryGetProperty("signatureType", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        var text = element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.GetRawText(),
            _ => null,
        };
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 0 and <= 3)
        {
            type = (PolySignatureType)n;
            return true;
        }

        return false;
    }
}

/// <summary>Polymarket's amount-precision rules for signed orders (research polymarket-clob.md §4.3, exact strings).</summary>
public static class PolyPrecision
{
    /// <summary>Decimals of a tick in 1e-4 price units (1000 → 1, 100 → 2, 10 → 3, 1 → 4).</summary>
    public static int PriceDecimals(int tick) => tick switch
    {
        >= 1000 => 1,
        >= 100 => 2,
        >= 10 => 3,
        _ => 4,
    };

    /// <summary>The rejection message when the amounts are finer than the exchange accepts, or null when they are fine.</summary>
    /// <param name="makerAmount">Base units offered.</param>
    /// <param name="takerAmount">Base units wanted.</param>
    /// <param name="isBuy">BUY or SELL.</param>
    /// <param name="immediate">FOK or FAK (a "market" order).</param>
    /// <param name="tick">The market's tick in 1e-4 units.</param>
    /// <param name="price">The derived price in 1e-4 units (for the exactness check of limit orders).</param>
    public static string? Check(long makerAmount, long takerAmount, bool isBuy, bool immediate, int tick, int price)
    {
        var amountDecimals = PriceDecimals(tick) + 2;
        if (isBuy && !immediate)
        {
            if (!Within(makerAmount, amountDecimals) || !Within(takerAmount, 2))
            {
                return $"invalid amounts, the buy orders maker amount supports a max accuracy of {amountDecimals} decimals, taker amount a max of 2 decimals";
            }
        }
        else if (isBuy)
        {
            if (!Within(makerAmount, 2) || !Within(takerAmount, amountDecimals))
            {
                return $"invalid amounts, the market buy orders maker amount supports a max accuracy of 2 decimals, taker amount a max of {amountDecimals} decimals";
            }
        }
        else if (!Within(makerAmount, 2) || !Within(takerAmount, amountDecimals))
        {
            return $"invalid amounts, the sell orders maker amount supports a max accuracy of 2 decimals, taker amount a max of {amountDecimals} decimals";
        }

        if (immediate)
        {
            return null;
        }

        // A limit order's cash leg must be exactly size × price. A quotient that is an exact decimal is judged by the tick
        // rule instead; any other is quoted against the price rounded to the tick, as Polymarket's message does.
        var shares = isBuy ? takerAmount : makerAmount;
        var cash = isBuy ? makerAmount : takerAmount;
        var scale = MatchingEngine.Units.PriceScale;
        if ((Int128)shares * price % scale == 0 && (Int128)shares * price / scale == cash)
        {
            return null;
        }

        var step = (long)tick;
        var onTick = (int)(((((Int128)cash * scale * 2) + shares) / (shares * 2) + (step / 2)) / step * step);
        var expected = (long)((Int128)shares * onTick / scale);
        var leg = isBuy ? "maker" : "taker";
        return $"invalid amounts, the {leg} amount for a ${Http.Money.FormatPrice(onTick)} order of size {Http.Money.FormatUsdc(shares)} should be " +
            $"'{Http.Money.FormatUsdc(expected)}' but the value submited is '{Http.Money.FormatUsdc(cash)}'. " +
            "Please check if you are using the latest version of the 'clob-client' library";
    }

    private static bool Within(long baseUnits, int decimals)
    {
        var step = 1L;
        for (var i = decimals; i < 6; i++)
        {
            step *= 10;
        }

        return baseUnits % step == 0;
    }
}
