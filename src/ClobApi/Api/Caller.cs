using Polysim.Accounts;

namespace Polysim.ClobApi.Api;

/// <summary>Who is calling a /v1 route: the authenticated account, the wallet it acts on, its key and tier limits.</summary>
/// <param name="Account">The account.</param>
/// <param name="Wallet">The wallet selected by <c>wallet_id</c> (query) or <c>X-Wallet-Id</c>, else the account's first.</param>
/// <param name="Key">The API key used (null when authenticated by a JWT, which names the key in its claims).</param>
/// <param name="KeyId">Public id of the key behind the request.</param>
/// <param name="Permissions">What the key may do.</param>
/// <param name="Limits">The account's tier limits.</param>
public sealed record Caller(Account Account, Wallet Wallet, ApiKey? Key, string KeyId, KeyPermissions Permissions, TierLimits Limits)
{
    private const string ItemKey = "polysim.caller";

    /// <summary>Attaches the caller to the request.</summary>
    public void AttachTo(HttpContext context) => context.Items[ItemKey] = this;

    /// <summary>The authenticated caller of a /v1 route; throws the 401 contract when the route ran unauthenticated.</summary>
    public static Caller Of(HttpContext context) =>
        context.Items[ItemKey] as Caller ?? throw new Http.ApiException(401, "MISSING_API_KEY", "An API key is required: send X-API-Key.");

    /// <summary>The caller, or null on unauthenticated routes.</summary>
    public static Caller? Find(HttpContext context) => context.Items[ItemKey] as Caller;

    /// <summary>Throws 403 INSUFFICIENT_PERMISSION unless the key has <paramref name="permission"/>.</summary>
    public Caller Require(KeyPermissions permission) =>
        (Permissions & permission) == permission
            ? this
            : throw new Http.ApiException(403, "INSUFFICIENT_PERMISSION", $"This API key lacks the '{permission.ToString().ToLowerInvariant()}' permission.");
}
