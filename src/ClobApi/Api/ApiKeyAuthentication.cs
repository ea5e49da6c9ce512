using System.Globalization;
using Polysim.Accounts;
using Polysim.ClobApi.Api.Identity;
using Polysim.ClobApi.Api.RateLimiting;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;

namespace Polysim.ClobApi.Api;

/// <summary>Authenticates /v1 requests (API key or bearer JWT), applies the key's rate limit and the operator's access gates,
/// and attaches the <see cref="Caller"/>; refusals follow the error contract.</summary>
/// <remarks>
/// Order: credential → key state (INVALID_KEY, KEY_DEACTIVATED, KEY_EXPIRED) → rate limit → access gates
/// (ACCESS_RESTRICTED) → wallet selection. Operator routes (X-Admin-Key), key bootstrap and the tier table are public here.
/// Decisions use a snapshot of the key and account taken under the directory's lock, never fields read one by one.
/// </remarks>
public sealed class ApiKeyAuthentication(
    RequestDelegate next,
    HostState state,
    IdentityClock clock,
    IdentityOptions options,
    TierCatalog tiers,
    JwtTokens tokens,
    RequestRateLimiter rateLimiter)
{
    /// <summary>Header carrying the key.</summary>
    public const string KeyHeader = "X-API-Key";

    /// <summary>Legacy header carrying the key.</summary>
    public const string LegacyKeyHeader = "POLY_API_KEY";

    /// <summary>Header selecting a wallet (also accepted as the <c>wallet_id</c> query parameter).</summary>
    public const string WalletHeader = "X-Wallet-Id";

    /// <summary>The route that only an API key may call (it mints the bearer tokens).</summary>
    public const string TokenPath = "/v1/auth/token";

    /// <summary>Requests under /v1 that do not take an API key: operator routes, key bootstrap and the tier table.</summary>
    /// <remarks>Matched on method and path together: <c>GET /v1/keys/bootstrap</c> is the key-detail route for an id
    /// that happens to read "bootstrap", and it needs a key like any other.</remarks>
    public static bool IsPublic(string method, PathString path)
    {
        // Routing tolerates a trailing slash, so the public check must too.
        var value = path.Value?.TrimEnd('/') ?? string.Empty;
        return path.StartsWithSegments("/v1/admin") ||
            (HttpMethods.IsPost(method) && value.Equals("/v1/keys/bootstrap", StringComparison.OrdinalIgnoreCase)) ||
            (HttpMethods.IsGet(method) && value.Equals("/v1/keys/tiers", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Authenticates when the path is a private /v1 route.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        // Unknown routes (no endpoint) and wrong methods (routing's 405 endpoint carries no method metadata) answer
        // 404/405 whoever asks; authentication is for requests a route will actually serve.
        var endpoint = context.GetEndpoint();
        // A request a Polymarket L2 signature already authenticated (POST /v1/heartbeats from the SDKs) has its caller.
        if (Caller.Find(context) is not null || !path.StartsWithSegments("/v1") || IsPublic(context.Request.Method, path) ||
            endpoint?.Metadata.GetMetadata<IHttpMethodMetadata>() is null)
        {
            await next(context);
            return;
        }

        var nowMs = clock.NowMs;
        var (snapshot, byToken) = Identify(context, nowMs);
        var account = snapshot.Account!;
        var limits = tiers.For(snapshot.Tier);
        await rateLimiter.CheckAsync(context, snapshot.Key.Id, limits);
        IssuancePolicy.EnsureMayUse(options, snapshot);
        var wallet = SelectWallet(context, snapshot.Wallets);
        new CallerIdentity(snapshot, byToken).AttachTo(context);
        new Caller(account, wallet, byToken ? null : snapshot.Key, snapshot.Key.Id, snapshot.Permissions, limits).AttachTo(context);
        await next(context);
    }

    private (KeySnapshot Snapshot, bool ByToken) Identify(HttpContext context, long nowMs)
    {
        var headers = context.Request.Headers;
        var secret = headers[KeyHeader].ToString();
        if (secret.Length == 0)
        {
            secret = headers[LegacyKeyHeader].ToString();
        }

        string? token = null;
        if (secret.Length == 0 && BearerOf(headers.Authorization.ToString()) is { } bearer)
        {
            // A whole API key sent as a bearer credential is accepted as the key itself.
            if (bearer.StartsWith(AccountDirectory.SecretPrefix, StringComparison.Ordinal))
            {
                secret = bearer;
            }
            else
            {
                token = bearer;
            }
        }

        var directory = state.Accounts;
        KeySnapshot? snapshot;
        if (token is not null)
        {
            if ((context.Request.Path.Value?.TrimEnd('/') ?? string.Empty).Equals(TokenPath, StringComparison.OrdinalIgnoreCase))
            {
                throw new ApiException(401, "MISSING_API_KEY", "This route takes an API key (X-API-Key), not a bearer token.");
            }

            var keyId = tokens.Validate(token, nowMs);
            snapshot = directory.SnapshotById(keyId)
                ?? throw new ApiException(401, "INVALID_TOKEN", "The bearer token names no key of this server.");
        }
        else if (secret.Length == 0)
        {
            throw new ApiException(401, "MISSING_API_KEY", "An API key is required: send X-API-Key (or Authorization: Bearer <token>).");
        }
        else
        {
            snapshot = secret.Length <= 256 ? directory.SnapshotBySecret(secret) : null;
        }

        if (snapshot is null || snapshot.Revoked || snapshot.Account is null || (snapshot.RetiresAtMs is { } retires && retires <= nowMs))
        {
            throw new ApiException(401, "INVALID_KEY", "Invalid API key");
        }

        if (!snapshot.Active)
        {
            throw new ApiException(401, "KEY_DEACTIVATED", "This API key has been deactivated.");
        }

        if (snapshot.ExpiresAtMs is { } expires && expires <= nowMs)
        {
            throw new ApiException(401, "KEY_EXPIRED", "This API key has expired.");
        }

        return (snapshot, token is not null);
    }

    private static string? BearerOf(string authorization)
    {
        const string Scheme = "Bearer ";
        return authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && authorization.Length > Scheme.Length
            ? authorization[Scheme.Length..].Trim()
            : null;
    }

    private static Wallet SelectWallet(HttpContext context, IReadOnlyList<Wallet> wallets)
    {
        var requested = context.Request.Query["wallet_id"].ToString();
        if (requested.Length == 0)
        {
            requested = context.Request.Headers[WalletHeader].ToString();
        }

        if (requested.Length == 0)
        {
            return wallets.Count > 0
                ? wallets[0]
                : throw new ApiException(403, "ACCESS_RESTRICTED", "This account has no wallet.");
        }

        if (string.Equals(requested, "api", StringComparison.OrdinalIgnoreCase) && wallets.Count > 0)
        {
            return wallets[0];
        }

        if (!int.TryParse(requested, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            throw ApiException.Validation($"wallet_id must be a wallet id or \"api\"; got '{requested}'.", "wallet_id");
        }

        foreach (var wallet in wallets)
        {
            if (wallet.Id == id)
            {
                return wallet;
            }
        }

        throw new ApiException(404, "WALLET_NOT_FOUND", $"Wallet {id} is not one of this account's wallets.",
            new Dictionary<string, string> { ["wallet_id"] = requested });
    }
}
