using Polysim.Accounts;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;

namespace Polysim.ClobApi.Api.Identity;

/// <summary>Request of <c>POST /v1/admin/allowlist</c>.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="Allowed">true puts it on the allowlist (the default), false takes it off.</param>
public sealed record AllowlistRequest(int? AccountId, bool? Allowed);

/// <summary>Reply of <c>GET /v1/admin/allowlist</c>.</summary>
/// <param name="AccountIds">Allowlisted accounts, ascending.</param>
public sealed record AllowlistReply(int[] AccountIds);

/// <summary>Request of <c>POST /v1/admin/accounts/{id}/flag</c>.</summary>
/// <param name="Flagged">true flags the account (the default), false clears the flag.</param>
public sealed record FlagRequest(bool? Flagged);

/// <summary>Request of <c>POST /v1/admin/accounts/{id}/admit</c>.</summary>
/// <param name="Admitted">true admits the account to the closed beta (the default), false withdraws it.</param>
public sealed record AdmitRequest(bool? Admitted);

/// <summary>Request of <c>POST /v1/admin/accounts/{id}/tier</c>.</summary>
/// <param name="Tier">free, pro, pro_plus or enterprise.</param>
public sealed record TierChangeRequest(string? Tier);

/// <summary>Request of <c>PATCH /v1/admin/keys/{id}</c>.</summary>
/// <param name="Active">false disables the key (KEY_DEACTIVATED), true enables it again.</param>
public sealed record AdminKeyRequest(bool? Active);

/// <summary>An account as the operator sees it.</summary>
/// <param name="AccountId">Account id.</param>
/// <param name="Name">Display name.</param>
/// <param name="Tier">Tier name.</param>
/// <param name="Flagged">Under review: every authenticated request answers ACCESS_RESTRICTED.</param>
/// <param name="Allowlisted">On the API allowlist.</param>
/// <param name="Admitted">Admitted to the closed beta.</param>
/// <param name="CreatedAt">Opening time (ISO 8601).</param>
/// <param name="WalletIds">Wallets, the default first.</param>
/// <param name="Keys">Keys, without secrets.</param>
public sealed record AdminAccountReply(
    int AccountId, string Name, string Tier, bool Flagged, bool Allowlisted, bool Admitted, string CreatedAt, int[] WalletIds, KeyReply[] Keys);

/// <summary>Operator routes for identity: allowlist, flags, tiers, closed-beta admission, key switches (all journaled).</summary>
public static class IdentityAdminEndpoints
{
    /// <summary>Maps the routes on the operator group (which already checks <c>X-Admin-Key</c>).</summary>
    public static void MapIdentityAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/accounts/{id:int}", GetAccount)
            .Produces<AdminAccountReply>()
            .WithSummary("An account's tier, flags, wallets and keys.");
        admin.MapGet("/allowlist", GetAllowlist)
            .Produces<AllowlistReply>()
            .WithSummary("Accounts on the API allowlist (consulted when Polysim:KeyIssuance is allowlist).");
        admin.MapPost("/allowlist", SetAllowlist)
            .Accepts<AllowlistRequest>("application/json")
            .Produces<AdminAccountReply>()
            .WithSummary("Put an account on the API allowlist, or take it off ({account_id, allowed}).");
        admin.MapPost("/accounts/{id:int}/flag", Flag)
            .Accepts<FlagRequest>("application/json")
            .Produces<AdminAccountReply>()
            .WithSummary("Flag an account for review (its requests answer ACCESS_RESTRICTED) or clear the flag.");
        admin.MapPost("/accounts/{id:int}/admit", Admit)
            .Accepts<AdmitRequest>("application/json")
            .Produces<AdminAccountReply>()
            .WithSummary("Admit an account to the closed beta (it may then issue keys) or withdraw the admission.");
        admin.MapPost("/accounts/{id:int}/tier", ChangeTier)
            .Accepts<TierChangeRequest>("application/json")
            .Produces<AdminAccountReply>()
            .WithSummary("Move an account to another tier (its rate limits and caps follow at once).");
        admin.MapPatch("/keys/{id}", SwitchKey)
            .Accepts<AdminKeyRequest>("application/json")
            .Produces<KeyReply>()
            .WithSummary("Disable (KEY_DEACTIVATED) or re-enable any account's key.");
    }

    private static async Task<IResult> GetAccount(EngineHost host, IdentityClock clock, TierCatalog tiers, int id)
    {
        var now = clock.NowMs;
        var reply = await host.ReadAsync(state => View(state, id, now, tiers));
        return Reply(reply, id);
    }

    private static async Task<IResult> GetAllowlist(EngineHost host)
    {
        var ids = await host.ReadAsync(state => state.Accounts.AllowlistedAccounts().ToArray());
        return JsonReply.Json(new AllowlistReply(ids), IdentityJson.Default.AllowlistReply);
    }

    private static async Task<IResult> SetAllowlist(HttpContext http, EngineHost host, TierCatalog tiers)
    {
        var request = await RequestBody.ReadAsync(http, IdentityJson.Default.AllowlistRequest);
        if (request.AccountId is not { } id)
        {
            throw ApiException.Validation("account_id is required.", "account_id");
        }

        return await ChangeAsync(host, tiers, id, new AccountAllowlisted(id, request.Allowed ?? true));
    }

    private static async Task<IResult> Flag(HttpContext http, EngineHost host, TierCatalog tiers, int id)
    {
        var request = await KeysEndpoints.ReadOptionalAsync(http, IdentityJson.Default.FlagRequest);
        return await ChangeAsync(host, tiers, id, new AccountFlagged(id, request?.Flagged ?? true));
    }

    private static async Task<IResult> Admit(HttpContext http, EngineHost host, TierCatalog tiers, int id)
    {
        var request = await KeysEndpoints.ReadOptionalAsync(http, IdentityJson.Default.AdmitRequest);
        return await ChangeAsync(host, tiers, id, new AccountAdmitted(id, request?.Admitted ?? true));
    }

    private static async Task<IResult> ChangeTier(HttpContext http, EngineHost host, TierCatalog tiers, int id)
    {
        var request = await RequestBody.ReadAsync(http, IdentityJson.Default.TierChangeRequest);
        if (!TierTable.TryParse(request.Tier, out var tier))
        {
            throw ApiException.Validation($"tier must be one of free, pro, pro_plus, enterprise; got '{request.Tier}'.", "tier");
        }

        return await ChangeAsync(host, tiers, id, new AccountTierChanged(id, tier));
    }

    private static async Task<IResult> SwitchKey(HttpContext http, EngineHost host, string id)
    {
        var request = await RequestBody.ReadAsync(http, IdentityJson.Default.AdminKeyRequest);
        if (request.Active is not { } active)
        {
            throw ApiException.Validation("active is required.", "active");
        }

        var reply = await host.WriteAsync(ctx =>
        {
            var key = ctx.State.Accounts.FindKey(id);
            if (key is null)
            {
                return null;
            }

            if (key.Revoked)
            {
                throw new ApiException(409, "KEY_NOT_ACTIVE", $"Key '{id}' is revoked and cannot be changed.");
            }

            ctx.Record(new ApiKeyUpdated(key.Id, null, null, active, null, false));
            return KeysEndpoints.View(key, ctx.Now);
        });
        return reply is null
            ? throw new ApiException(404, "NOT_FOUND", $"No key '{id}'.")
            : JsonReply.Json(reply, IdentityJson.Default.KeyReply);
    }

    private static async Task<IResult> ChangeAsync(EngineHost host, TierCatalog tiers, int id, HostRecord change)
    {
        var reply = await host.WriteAsync(ctx =>
        {
            if (ctx.State.Accounts.FindAccount(id) is null)
            {
                return null;
            }

            ctx.Record(change);
            return View(ctx.State, id, ctx.Now, tiers);
        });
        return Reply(reply, id);
    }

    private static IResult Reply(AdminAccountReply? reply, int id) =>
        reply is null
            ? throw new ApiException(404, "NOT_FOUND", $"No account {id}.")
            : JsonReply.Json(reply, IdentityJson.Default.AdminAccountReply);

    private static AdminAccountReply? View(HostState state, int id, long nowMs, TierCatalog tiers)
    {
        var directory = state.Accounts;
        if (directory.FindAccount(id) is not { } account)
        {
            return null;
        }

        return new AdminAccountReply(
            account.Id,
            account.Name,
            tiers.For(account.Tier).Name,
            account.Flagged,
            account.Allowlisted,
            account.Admitted,
            IdentityFormat.Time(account.CreatedAtMs),
            [.. account.Wallets.Select(w => w.Id)],
            [.. directory.KeysOf(id).Select(k => KeysEndpoints.View(k, nowMs))]);
    }
}
