using System.Net;
using System.Text.Json;
using Polysim.Accounts;
using Polysim.ClobApi.Api.Identity;
using Polysim.ClobApi.Api.RateLimiting;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;

namespace Polysim.ClobApi.Api;

/// <summary>Request of <c>POST /v1/keys/bootstrap</c> (the body may be omitted).</summary>
/// <param name="Name">Display name of the new account.</param>
public sealed record BootstrapRequest(string? Name);

/// <summary>Reply of <c>POST /v1/keys/bootstrap</c>: the new account, its funded wallet and its first key (the secret is shown once).</summary>
/// <param name="AccountId">Account id.</param>
/// <param name="WalletId">The default wallet.</param>
/// <param name="ApiKey">The key secret; only its hash is stored.</param>
/// <param name="KeyId">The key's public id.</param>
/// <param name="Prefix">The first characters of the secret, as listings show them.</param>
/// <param name="Permissions">The key's permissions.</param>
/// <param name="Tier">Tier name.</param>
/// <param name="Balance">USDC of the wallet, decimal string.</param>
public sealed record BootstrapReply(int AccountId, int WalletId, string ApiKey, string KeyId, string Prefix, string[] Permissions, string Tier, string Balance);

/// <summary>Request of <c>POST /v1/keys</c> (the body may be omitted).</summary>
/// <param name="Name">Display name (default "key").</param>
/// <param name="Permissions"><c>["read"]</c>, <c>["trade"]</c> or both; default the calling key's; never more than the calling key has.</param>
/// <param name="ExpiresAt">Expiry as ISO 8601 or Unix seconds (optional).</param>
/// <param name="ExpiresIn">Expiry in seconds from now (optional; not with expires_at).</param>
public sealed record CreateKeyRequest(string? Name, JsonElement Permissions, JsonElement ExpiresAt, JsonElement ExpiresIn);

/// <summary>Request of <c>PATCH /v1/keys/{id}</c>: only the fields given change.</summary>
/// <param name="Name">New name.</param>
/// <param name="Permissions">New permissions (never more than the calling key has).</param>
/// <param name="Active">false deactivates (KEY_DEACTIVATED), true reactivates.</param>
/// <param name="ExpiresAt">New expiry (ISO 8601 or Unix seconds), or null to remove it.</param>
/// <param name="ExpiresIn">New expiry in seconds from now.</param>
public sealed record UpdateKeyRequest(string? Name, JsonElement Permissions, bool? Active, JsonElement ExpiresAt, JsonElement ExpiresIn);

/// <summary>An API key as listings show it (never the secret).</summary>
/// <param name="Id">Public id.</param>
/// <param name="Name">Display name.</param>
/// <param name="Prefix">First 16 characters of the secret.</param>
/// <param name="Permissions">read and/or trade.</param>
/// <param name="Status">active, deactivated, expired, retiring (rotated, still working), retired or revoked.</param>
/// <param name="Active">False once deactivated or revoked.</param>
/// <param name="Revoked">True once revoked.</param>
/// <param name="ExpiresAt">Expiry (ISO 8601) or null.</param>
/// <param name="CreatedAt">Issue time (ISO 8601).</param>
/// <param name="RetiresAt">After a rotation, when the key stops working (ISO 8601), else null.</param>
public sealed record KeyReply(
    string Id, string Name, string Prefix, string[] Permissions, string Status, bool Active, bool Revoked, string? ExpiresAt, string CreatedAt, string? RetiresAt);

/// <summary>A newly issued key, with its secret (shown once).</summary>
/// <param name="Id">Public id.</param>
/// <param name="ApiKey">The secret; only its hash is stored.</param>
/// <param name="Name">Display name.</param>
/// <param name="Prefix">First 16 characters of the secret.</param>
/// <param name="Permissions">read and/or trade.</param>
/// <param name="Status">active.</param>
/// <param name="Active">True.</param>
/// <param name="Revoked">False.</param>
/// <param name="ExpiresAt">Expiry (ISO 8601) or null.</param>
/// <param name="CreatedAt">Issue time (ISO 8601).</param>
/// <param name="RetiresAt">Null.</param>
/// <param name="Tier">The account's tier (its rate limits apply to the key).</param>
/// <param name="PreviousKey">After a rotation, the replaced key (now retiring); else null.</param>
public sealed record IssuedKeyReply(
    string Id,
    string ApiKey,
    string Name,
    string Prefix,
    string[] Permissions,
    string Status,
    bool Active,
    bool Revoked,
    string? ExpiresAt,
    string CreatedAt,
    string? RetiresAt,
    string Tier,
    KeyReply? PreviousKey);

/// <summary>One tier of <c>GET /v1/keys/tiers</c>.</summary>
/// <param name="Name">free, pro, pro_plus, enterprise.</param>
/// <param name="RequestsPerSecond">Per-key requests per second.</param>
/// <param name="RequestsPerMinute">Per-key requests per minute.</param>
/// <param name="MaxWsConnections">Concurrent WebSocket connections per account.</param>
/// <param name="MaxBatchSize">Most orders in one batch.</param>
/// <param name="MaxWallets">Most wallets per account.</param>
/// <param name="MaxKeys">Most keys per account (revoked and retiring keys do not count).</param>
public sealed record TierReply(string Name, int RequestsPerSecond, int RequestsPerMinute, int MaxWsConnections, int MaxBatchSize, int MaxWallets, int MaxKeys);

/// <summary>Reply of <c>GET /v1/keys/tiers</c>.</summary>
/// <param name="Tiers">Every tier, cheapest first.</param>
public sealed record TiersReply(TierReply[] Tiers);

/// <summary>Reply of <c>POST /v1/auth/token</c>.</summary>
/// <param name="AccessToken">The HS256 JWT; send it as <c>Authorization: Bearer</c>.</param>
/// <param name="TokenType">Bearer.</param>
/// <param name="ExpiresIn">Seconds until it expires.</param>
/// <param name="ExpiresAt">Expiry (ISO 8601).</param>
/// <param name="KeyId">The key it stands for (its <c>sub</c>).</param>
public sealed record TokenReply(string AccessToken, string TokenType, long ExpiresIn, string ExpiresAt, string KeyId);

/// <summary>API keys, tiers and JWTs: /v1/keys/*, /v1/auth/token.</summary>
public static class KeysEndpoints
{
    /// <summary>Feature key of the key-count cap in a 402.</summary>
    public const string KeysFeature = "api.keys";

    /// <summary>Maps the routes of this area.</summary>
    public static void MapKeys(this WebApplication app)
    {
        var keys = app.MapGroup("/v1/keys").WithTags("Keys").AddEndpointFilter(UpgradeRequired.Filter);
        keys.MapPost("/bootstrap", Bootstrap)
            .Accepts<BootstrapRequest>("application/json")
            .Produces<BootstrapReply>(StatusCodes.Status201Created)
            .WithSummary("Self-serve: open a free account with a funded wallet and return its first API key (subject to the issuance policy).");
        keys.MapGet("/tiers", Tiers)
            .Produces<TiersReply>()
            .WithSummary("The tier table in force: rate limits, WebSocket, batch, wallet and key caps.");
        keys.MapPost("/", Create)
            .Accepts<CreateKeyRequest>("application/json")
            .Produces<IssuedKeyReply>(StatusCodes.Status201Created)
            .Produces<UpgradeRequiredReply>(StatusCodes.Status402PaymentRequired)
            .WithSummary("Issue another key for the caller's account (name, permissions, optional expiry); tier-capped.");
        keys.MapGet("/", List)
            .Produces<KeyReply[]>()
            .WithSummary("The account's keys, oldest first; never the secrets.");
        keys.MapGet("/{id}", Get)
            .Produces<KeyReply>()
            .WithSummary("One of the account's keys.");
        keys.MapPatch("/{id}", Update)
            .Accepts<UpdateKeyRequest>("application/json")
            .Produces<KeyReply>()
            .WithSummary("Rename a key, change its permissions or expiry, deactivate or reactivate it.");
        keys.MapDelete("/{id}", Revoke)
            .Produces<KeyReply>()
            .WithSummary("Revoke a key for good.");
        keys.MapPost("/{id}/rotate", Rotate)
            .Produces<IssuedKeyReply>(StatusCodes.Status201Created)
            .WithSummary("Replace a key with a new one of the same permissions; the old one keeps working for the rotation overlap.");

        app.MapPost(ApiKeyAuthentication.TokenPath, Token)
            .WithTags("Keys")
            .Produces<TokenReply>()
            .WithSummary("Exchange the API key for a short-lived HS256 JWT (send it as Authorization: Bearer).");
    }

    private static async Task<IResult> Bootstrap(
        HttpContext http, EngineHost host, AccountDefaults defaults, IdentityOptions options, IRateLimitStore limits)
    {
        IssuancePolicy.EnsureMayIssue(options, caller: null);
        await LimitBootstrapsAsync(http, options, limits);
        var request = await ReadOptionalAsync(http, IdentityJson.Default.BootstrapRequest) ?? new BootstrapRequest(null);
        var name = IdentityFormat.ParseName(request.Name);
        var secret = AccountDirectory.NewSecret();
        var opened = await host.WriteAsync(ctx => AdminAccountsEndpoints.OpenAccount(ctx, name, Tier.Free, defaults.StartingBalance, secret, walletAddress: null));
        var reply = new BootstrapReply(
            opened.AccountId,
            opened.WalletId,
            opened.ApiKey,
            opened.KeyId,
            AccountDirectory.DisplayPrefix(secret),
            IdentityFormat.Permissions(KeyPermissions.Read | KeyPermissions.Trade),
            opened.Tier,
            opened.Balance);
        return JsonReply.Json(reply, IdentityJson.Default.BootstrapReply, statusCode: StatusCodes.Status201Created);
    }

    private static async Task LimitBootstrapsAsync(HttpContext http, IdentityOptions options, IRateLimitStore limits)
    {
        var ip = http.Connection.RemoteIpAddress ?? IPAddress.None;
        var decision = await limits.AcquireAsync(
            "bootstrap-ip:" + ip, [new RateLimitRule(options.BootstrapPerMinute, TimeSpan.FromMinutes(1))], http.RequestAborted);
        if (!decision.Allowed)
        {
            var retry = Math.Max(1, (int)Math.Ceiling(decision.Windows[0].RetryAfter.TotalSeconds));
            throw new ApiException(429, "RATE_LIMIT_EXCEEDED", $"Too many accounts bootstrapped from this address. Retry after {retry}s.")
            {
                RetryAfterSeconds = retry,
            };
        }
    }

    private static IResult Tiers(TierCatalog tiers)
    {
        var reply = new TiersReply([.. tiers.All.Select(t => new TierReply(
            t.Name, t.RequestsPerSecond, t.RequestsPerMinute, t.WebSocketConnections, t.BatchSize, t.MaxWallets, t.MaxKeys))]);
        return JsonReply.Json(reply, IdentityJson.Default.TiersReply);
    }

    private static async Task<IResult> Create(HttpContext http, EngineHost host, IdentityOptions options, TierCatalog tiers, IdentityClock clock)
    {
        var caller = Caller.Of(http);
        IssuancePolicy.EnsureMayIssue(options, CallerIdentity.Of(http).Snapshot);
        var request = await ReadOptionalAsync(http, IdentityJson.Default.CreateKeyRequest)
            ?? new CreateKeyRequest(null, default, default, default);
        var name = IdentityFormat.ParseName(request.Name) ?? "key";
        var permissions = IdentityFormat.ParsePermissions(request.Permissions) ?? caller.Permissions;
        EnsureWithin(caller, permissions);
        var (_, expiresAtMs) = IdentityFormat.ParseExpiry(request.ExpiresAt, request.ExpiresIn, clock.NowMs);
        var secret = AccountDirectory.NewSecret();
        var reply = await host.WriteAsync(ctx =>
        {
            var directory = ctx.State.Accounts;
            var account = directory.FindAccount(caller.Account.Id)!;
            var limits = tiers.For(account.Tier);
            if (directory.KeySlotsUsed(account.Id) >= limits.MaxKeys)
            {
                throw new UpgradeRequiredException(
                    KeysFeature, $"The {limits.Name} tier allows {limits.MaxKeys} API keys per account; revoke one or upgrade.");
            }

            return Issue(ctx, account, name, permissions, expiresAtMs, secret, limits.Name, previous: null);
        });
        return JsonReply.Json(reply, IdentityJson.Default.IssuedKeyReply, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> List(HttpContext http, EngineHost host, IdentityClock clock)
    {
        var caller = Caller.Of(http);
        var now = clock.NowMs;
        var keys = await host.ReadAsync(state => state.Accounts.KeysOf(caller.Account.Id).Select(k => View(k, now)).ToArray());
        return JsonReply.Json(keys, IdentityJson.Default.KeyReplyArray);
    }

    private static async Task<IResult> Get(HttpContext http, EngineHost host, IdentityClock clock, string id)
    {
        var caller = Caller.Of(http);
        var now = clock.NowMs;
        var key = await host.ReadAsync(state => Owned(state, caller, id) is { } k ? View(k, now) : null);
        return key is null ? throw KeyNotFound(id) : JsonReply.Json(key, IdentityJson.Default.KeyReply);
    }

    private static async Task<IResult> Update(HttpContext http, EngineHost host, IdentityClock clock, string id)
    {
        var caller = Caller.Of(http);
        var request = await RequestBody.ReadAsync(http, IdentityJson.Default.UpdateKeyRequest);
        var name = request.Name is null ? null : IdentityFormat.ParseName(request.Name)
            ?? throw ApiException.Validation("name must not be blank.", "name");
        var permissions = IdentityFormat.ParsePermissions(request.Permissions);
        if (permissions is { } p)
        {
            EnsureWithin(caller, p);
        }

        var (expiryGiven, expiresAtMs) = IdentityFormat.ParseExpiry(request.ExpiresAt, request.ExpiresIn, clock.NowMs);
        var reply = await host.WriteAsync(ctx =>
        {
            var key = Owned(ctx.State, caller, id) ?? throw KeyNotFound(id);
            if (key.Revoked)
            {
                throw new ApiException(409, "KEY_NOT_ACTIVE", $"Key '{id}' is revoked and cannot be changed.");
            }

            ctx.Record(new ApiKeyUpdated(key.Id, name, permissions, request.Active, expiryGiven ? expiresAtMs : null, expiryGiven && expiresAtMs is null));
            return View(key, ctx.Now);
        });
        return JsonReply.Json(reply, IdentityJson.Default.KeyReply);
    }

    private static async Task<IResult> Revoke(HttpContext http, EngineHost host, string id)
    {
        var caller = Caller.Of(http);
        var reply = await host.WriteAsync(ctx =>
        {
            var key = Owned(ctx.State, caller, id) ?? throw KeyNotFound(id);
            if (!key.Revoked)
            {
                ctx.Record(new ApiKeyRevoked(key.Id));
            }

            return View(key, ctx.Now);
        });
        return JsonReply.Json(reply, IdentityJson.Default.KeyReply);
    }

    private static async Task<IResult> Rotate(HttpContext http, EngineHost host, IdentityOptions options, TierCatalog tiers, string id)
    {
        var caller = Caller.Of(http);
        var secret = AccountDirectory.NewSecret();
        var reply = await host.WriteAsync(ctx =>
        {
            var old = Owned(ctx.State, caller, id) ?? throw KeyNotFound(id);
            var now = ctx.Now;
            var status = Status(old, now);
            if (status != "active")
            {
                throw new ApiException(409, "KEY_NOT_ACTIVE", $"Key '{id}' is {status}; only an active key can be rotated.");
            }

            var account = ctx.State.Accounts.FindAccount(caller.Account.Id)!;
            // The old key leaves its slot as it starts retiring, so a rotation never needs a free slot.
            ctx.Record(new ApiKeyRetiring(old.Id, now + (long)options.KeyRotationOverlap.TotalMilliseconds));
            return Issue(ctx, account, old.Name, old.Permissions, old.ExpiresAtMs, secret, tiers.For(account.Tier).Name, View(old, now));
        });
        return JsonReply.Json(reply, IdentityJson.Default.IssuedKeyReply, statusCode: StatusCodes.Status201Created);
    }

    private static IResult Token(HttpContext http, JwtTokens tokens, IdentityClock clock)
    {
        var caller = Caller.Of(http);
        var now = clock.NowMs;
        var (token, expiresAt) = tokens.Issue(caller.KeyId, now);
        var reply = new TokenReply(token, "Bearer", (long)tokens.Lifetime.TotalSeconds, IdentityFormat.Time(expiresAt * 1000), caller.KeyId);
        return JsonReply.Json(reply, IdentityJson.Default.TokenReply);
    }

    private static IssuedKeyReply Issue(
        EngineHost.WriteContext ctx, Account account, string name, KeyPermissions permissions, long? expiresAtMs, string secret, string tier, KeyReply? previous)
    {
        var keyId = AccountDirectory.NewKeyId();
        var prefix = AccountDirectory.DisplayPrefix(secret);
        var now = ctx.Now;
        ctx.Record(new ApiKeyIssued(keyId, account.Id, name, prefix, AccountDirectory.HashSecret(secret), permissions, expiresAtMs, now));
        return new IssuedKeyReply(
            keyId,
            secret,
            name,
            prefix,
            IdentityFormat.Permissions(permissions),
            "active",
            true,
            false,
            IdentityFormat.Time(expiresAtMs),
            IdentityFormat.Time(now),
            null,
            tier,
            previous);
    }

    /// <summary>A key as listings show it, its status judged at <paramref name="nowMs"/>.</summary>
    internal static KeyReply View(ApiKey key, long nowMs) => new(
        key.Id,
        key.Name,
        key.Prefix,
        IdentityFormat.Permissions(key.Permissions),
        Status(key, nowMs),
        key.Active,
        key.Revoked,
        IdentityFormat.Time(key.ExpiresAtMs),
        IdentityFormat.Time(key.CreatedAtMs),
        IdentityFormat.Time(key.RetiresAtMs));

    private static string Status(ApiKey key, long nowMs) => key switch
    {
        { Revoked: true } => "revoked",
        { RetiresAtMs: { } r } when r <= nowMs => "retired",
        { Active: false } => "deactivated",
        { ExpiresAtMs: { } e } when e <= nowMs => "expired",
        { RetiresAtMs: not null } => "retiring",
        _ => "active",
    };

    private static ApiKey? Owned(HostState state, Caller caller, string id) =>
        state.Accounts.FindKey(id) is { } key && key.AccountId == caller.Account.Id ? key : null;

    private static ApiException KeyNotFound(string id) => new(404, "NOT_FOUND", $"No key '{id}' on this account.");

    private static void EnsureWithin(Caller caller, KeyPermissions requested)
    {
        if ((requested & ~caller.Permissions) != KeyPermissions.None)
        {
            throw new ApiException(403, "INSUFFICIENT_PERMISSION",
                $"A key cannot grant more than it has: this key lacks '{string.Join("', '", IdentityFormat.Permissions(requested & ~caller.Permissions))}'.");
        }
    }

    /// <summary>Reads a JSON body that may be left out entirely; null when there is none.</summary>
    internal static async Task<T?> ReadOptionalAsync<T>(HttpContext http, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
        where T : class
    {
        var request = http.Request;
        var chunked = request.Headers.TransferEncoding.ToString().Contains("chunked", StringComparison.OrdinalIgnoreCase);
        return request.ContentLength is 0 || (request.ContentLength is null && !chunked)
            ? null
            : await RequestBody.ReadAsync(http, typeInfo);
    }
}
