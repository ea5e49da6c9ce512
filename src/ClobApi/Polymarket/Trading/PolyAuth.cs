using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Polysim.Accounts;
using Polysim.ClobApi.Api;
using Polysim.ClobApi.Api.Idempotency;
using Polysim.ClobApi.Api.RateLimiting;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;
using Polysim.ClobApi.Polymarket.Crypto;

namespace Polysim.ClobApi.Polymarket.Trading;

/// <summary>Which signed-order protocol versions <c>POST /order</c> accepts (<c>Polysim:OrderVersions</c>).</summary>
public enum PolyOrderVersions
{
    /// <summary>V1 and V2 (and V3) orders side by side; <c>/version</c> answers 2.</summary>
    Both,

    /// <summary>Production today: V2/V3 only, V1 orders get <c>order_version_mismatch</c>.</summary>
    V2,

    /// <summary>V1 only: <c>/version</c> answers 1 and V2 orders get <c>order_version_mismatch</c>.</summary>
    V1,
}

/// <summary>Settings of the Polymarket trading surface.</summary>
/// <param name="Versions">Accepted order versions.</param>
/// <param name="AuthWindowSeconds">How far POLY_TIMESTAMP of an L1 request may be from the server clock.</param>
/// <param name="Tier">Tier (rate limits) of accounts opened by L1 key creation.</param>
public sealed record PolyTradingOptions(PolyOrderVersions Versions, long AuthWindowSeconds, Tier Tier)
{
    /// <summary>Reads <c>Polysim:OrderVersions</c> (both|v2|v1), <c>Polysim:PolyAuthWindowSeconds</c> (300) and <c>Polysim:PolymarketTier</c> (enterprise).</summary>
    public static PolyTradingOptions From(IConfiguration configuration)
    {
        var versions = (configuration["Polysim:OrderVersions"] ?? "both").Trim().ToLowerInvariant() switch
        {
            "both" or "" => PolyOrderVersions.Both,
            "v2" or "2" => PolyOrderVersions.V2,
            "v1" or "1" => PolyOrderVersions.V1,
            var other => throw new InvalidOperationException($"Polysim:OrderVersions '{other}' must be both, v2 or v1."),
        };
        var windowText = configuration["Polysim:PolyAuthWindowSeconds"] ?? "300";
        if (!long.TryParse(windowText, NumberStyles.None, CultureInfo.InvariantCulture, out var window) || window < 1)
        {
            throw new InvalidOperationException($"Polysim:PolyAuthWindowSeconds '{windowText}' must be a positive number of seconds.");
        }

        var tierText = configuration["Polysim:PolymarketTier"] ?? "enterprise";
        if (!TierTable.TryParse(tierText, out var tier))
        {
            throw new InvalidOperationException($"Polysim:PolymarketTier '{tierText}' is not a tier.");
        }

        return new PolyTradingOptions(versions, window, tier);
    }

    /// <summary>What <c>GET /version</c> answers.</summary>
    public int AdvertisedVersion => Versions == PolyOrderVersions.V1 ? 1 : 2;
}

/// <summary>Endpoint metadata: the route takes Polymarket L2 (HMAC) headers.</summary>
public sealed class PolyL2Required
{
    /// <summary>The shared instance.</summary>
    public static PolyL2Required Instance { get; } = new();
}

/// <summary>The Polymarket auth header names and the L1/L2 checks.</summary>
public static class PolyHeaders
{
    /// <summary>Signer EOA.</summary>
    public const string Address = "POLY_ADDRESS";

    /// <summary>EIP-712 signature (L1) or HMAC (L2).</summary>
    public const string Signature = "POLY_SIGNATURE";

    /// <summary>Unix seconds.</summary>
    public const string Timestamp = "POLY_TIMESTAMP";

    /// <summary>L1 nonce.</summary>
    public const string Nonce = "POLY_NONCE";

    /// <summary>L2 API key.</summary>
    public const string ApiKey = "POLY_API_KEY";

    /// <summary>L2 passphrase.</summary>
    public const string Passphrase = "POLY_PASSPHRASE";

    /// <summary>Polymarket's L1 failure string.</summary>
    public const string InvalidL1 = "Invalid L1 Request headers";

    /// <summary>Polymarket's L2 failure string.</summary>
    public const string InvalidL2 = "Unauthorized/Invalid api key";

    /// <summary>Chains whose ClobAuth and exchange domains are accepted.</summary>
    public static readonly BigInteger[] Chains = [137, 80002];

    private const string CredentialItem = "polysim.poly_credential";

    /// <summary>The L2 credential of the current request (set by <see cref="PolyAuthentication"/>).</summary>
    public static PolyCredential Credential(HttpContext context) =>
        context.Items[CredentialItem] as PolyCredential ?? throw new ApiException(401, "UNAUTHORIZED", InvalidL2);

    internal static void Attach(HttpContext context, PolyCredential credential) => context.Items[CredentialItem] = credential;

    /// <summary>The L1 identity of a request: the checksummed address and the nonce, after checking the ClobAuth signature and
    /// the timestamp window; 401 <c>Invalid L1 Request headers</c> otherwise.</summary>
    public static (string Address, string Nonce) VerifyL1(HttpContext context, long nowSeconds, long simulatedNowSeconds, long windowSeconds)
    {
        var headers = context.Request.Headers;
        var address = headers[Address].ToString();
        var signature = headers[Signature].ToString();
        var timestamp = headers[Timestamp].ToString();
        var nonceText = headers[Nonce].ToString();
        if (nonceText.Length == 0)
        {
            nonceText = "0";
        }

        if (!EthereumAddress.TryParse(address, out _)
            || !Eip712.TryParseUint256(nonceText, out var nonce)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var ts)
            || (Math.Abs(nowSeconds - ts) > windowSeconds && Math.Abs(simulatedNowSeconds - ts) > windowSeconds))
        {
            throw L1Failure();
        }

        var message = new ClobAuthMessage(address, timestamp, nonce);
        foreach (var chain in Chains)
        {
            if (EthereumSignature.Verify(message.Digest(chain), signature, address, SignaturePolicy.ExchangeContract))
            {
                return (EthereumAddress.ToChecksum(address), nonce.ToString(CultureInfo.InvariantCulture));
            }
        }

        throw L1Failure();
    }

    /// <summary>401 <c>Invalid L1 Request headers</c>.</summary>
    public static ApiException L1Failure() => new(401, "UNAUTHORIZED", InvalidL1);

    /// <summary>401 <c>Unauthorized/Invalid api key</c>.</summary>
    public static ApiException L2Failure() => new(401, "UNAUTHORIZED", InvalidL2);

    /// <summary>Checks the five L2 headers against the key store and the raw body; the credential, or 401.</summary>
    public static PolyCredential VerifyL2(HttpContext context, PolyKeyStore keys, ReadOnlySpan<byte> body)
    {
        var headers = context.Request.Headers;
        var apiKey = headers[ApiKey].ToString();
        if (apiKey.Length == 0 || !keys.TryFind(apiKey, out var credential))
        {
            throw L2Failure();
        }

        var passphrase = Encoding.UTF8.GetBytes(headers[Passphrase].ToString());
        var timestamp = headers[Timestamp].ToString();
        if (!CryptographicOperations.FixedTimeEquals(passphrase, Encoding.UTF8.GetBytes(credential.Passphrase))
            || !EthereumAddress.AreEqual(headers[Address].ToString(), credential.Address)
            || timestamp.Length == 0
            || !PolyHmac.Verify(credential.Secret, timestamp, context.Request.Method, SignedPath(context), body, headers[Signature].ToString()))
        {
            throw L2Failure();
        }

        return credential;
    }

    /// <summary>The path as the client signed it: the raw request target without its query string.</summary>
    private static string SignedPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        return PolyHmac.SignedPath(string.IsNullOrEmpty(raw) ? context.Request.Path.Value ?? "/" : raw);
    }
}

/// <summary>Authenticates Polymarket L2 routes (and <c>POST /v1/heartbeats</c> when it carries L2 headers) and attaches the
/// <see cref="Caller"/>, so the rate limits, trade-write limiter and idempotency of /v1 apply unchanged.</summary>
/// <remarks>Runs before <see cref="ApiKeyAuthentication"/>, which leaves a request that already has a caller alone.</remarks>
public sealed class PolyAuthentication(RequestDelegate next, HostState state, TierCatalog tiers, RequestRateLimiter rateLimiter)
{
    /// <summary>The heartbeat route Polymarket clients call with L2 headers.</summary>
    public const string HeartbeatPath = "/v1/heartbeats";

    /// <summary>Authenticates when the route needs L2.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        var required = endpoint?.Metadata.GetMetadata<PolyL2Required>() is not null
            && endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not null;
        var heartbeat = !required
            && context.Request.Headers.ContainsKey(PolyHeaders.ApiKey)
            && context.Request.Headers.ContainsKey(PolyHeaders.Passphrase)
            && string.Equals(context.Request.Path.Value?.TrimEnd('/'), HeartbeatPath, StringComparison.OrdinalIgnoreCase);
        if (!required && !heartbeat)
        {
            await next(context);
            return;
        }

        var body = await RequestBytes.ReadAsync(context);
        var credential = PolyHeaders.VerifyL2(context, state.PolyKeys, body);
        var account = state.Accounts.FindAccount(credential.AccountId) ?? throw PolyHeaders.L2Failure();
        var wallet = state.Accounts.FindWallet(credential.WalletId) ?? throw PolyHeaders.L2Failure();
        var limits = tiers.For(account.Tier);
        await rateLimiter.CheckAsync(context, "poly_" + credential.ApiKey, limits);
        PolyHeaders.Attach(context, credential);
        new Caller(account, wallet, null, "poly_" + credential.ApiKey, KeyPermissions.Read | KeyPermissions.Trade, limits).AttachTo(context);
        await next(context);
    }
}
