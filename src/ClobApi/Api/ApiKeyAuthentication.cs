using Polysim.Accounts;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;

namespace Polysim.ClobApi.Api;

/// <summary>Authenticates /v1 requests by API key and attaches the <see cref="Caller"/>; refusals follow the error contract.</summary>
/// <remarks>Operator routes (X-Admin-Key), key bootstrap and the tier table are public here; every other /v1 route needs a key.</remarks>
public sealed class ApiKeyAuthentication(RequestDelegate next, HostState state, TimeProvider time)
{
    /// <summary>Header carrying the key.</summary>
    public const string KeyHeader = "X-API-Key";

    /// <summary>Legacy header carrying the key.</summary>
    public const string LegacyKeyHeader = "POLY_API_KEY";

    /// <summary>Header selecting a wallet (also accepted as the <c>wallet_id</c> query parameter).</summary>
    public const string WalletHeader = "X-Wallet-Id";

    /// <summary>Routes under /v1 that do not take an API key.</summary>
    public static bool IsPublic(PathString path) =>
        path.StartsWithSegments("/v1/admin") ||
        path.Equals("/v1/keys/bootstrap", StringComparison.OrdinalIgnoreCase) ||
        path.Equals("/v1/keys/tiers", StringComparison.OrdinalIgnoreCase);

    /// <summary>Authenticates when the path is a private /v1 route.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        // Unknown routes answer 404 (or 405) whoever asks; authentication is for routes that exist.
        if (!path.StartsWithSegments("/v1") || IsPublic(path) || context.GetEndpoint() is null)
        {
            return next(context);
        }

        Authenticate(context).AttachTo(context);
        return next(context);
    }

    private Caller Authenticate(HttpContext context)
    {
        var secret = context.Request.Headers[KeyHeader].ToString();
        if (secret.Length == 0)
        {
            secret = context.Request.Headers[LegacyKeyHeader].ToString();
        }

        if (secret.Length == 0)
        {
            throw new ApiException(401, "MISSING_API_KEY", "An API key is required: send X-API-Key.");
        }

        var directory = state.Accounts;
        var key = directory.FindKeyBySecret(secret);
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds() + state.ClockOffsetMs;
        if (key is null || key.Revoked || (key.RetiresAtMs is { } retires && retires <= nowMs))
        {
            throw new ApiException(401, "INVALID_KEY", "Invalid API key");
        }

        if (!key.Active)
        {
            throw new ApiException(401, "KEY_DEACTIVATED", "This API key has been deactivated.");
        }

        if (key.ExpiresAtMs is { } expires && expires <= nowMs)
        {
            throw new ApiException(401, "KEY_EXPIRED", "This API key has expired.");
        }

        var account = directory.FindAccount(key.AccountId)
            ?? throw new ApiException(401, "INVALID_KEY", "Invalid API key");
        var wallet = SelectWallet(context, account);
        return new Caller(account, wallet, key, key.Id, key.Permissions, TierTable.For(account.Tier));
    }

    private static Wallet SelectWallet(HttpContext context, Account account)
    {
        var requested = context.Request.Query["wallet_id"].ToString();
        if (requested.Length == 0)
        {
            requested = context.Request.Headers[WalletHeader].ToString();
        }

        var wallets = account.Wallets;
        if (requested.Length == 0)
        {
            return wallets.Count > 0
                ? wallets[0]
                : throw new ApiException(403, "ACCESS_RESTRICTED", "This account has no wallet.");
        }

        foreach (var wallet in wallets)
        {
            if (string.Equals(wallet.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), requested, StringComparison.Ordinal))
            {
                return wallet;
            }
        }

        throw ApiException.Validation($"wallet_id '{requested}' is not one of this account's wallets.", "wallet_id");
    }
}
