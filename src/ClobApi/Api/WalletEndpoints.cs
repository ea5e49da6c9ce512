using System.Text.Json;
using Polysim.Accounts;
using Polysim.ClobApi.Api.Identity;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Api;

/// <summary>Request of <c>POST /v1/wallets</c>.</summary>
/// <param name="Name">Display name (default "wallet-N").</param>
/// <param name="StartingBalance">USDC to start with, from 0 up to the configured default starting balance (the default).</param>
public sealed record CreateWalletRequest(string? Name, JsonElement StartingBalance);

/// <summary>A wallet and its USDC.</summary>
/// <param name="Id">Wallet id (select it with <c>wallet_id</c> or <c>X-Wallet-Id</c>).</param>
/// <param name="Name">Display name.</param>
/// <param name="Balance">Total USDC, decimal string.</param>
/// <param name="Available">USDC free to use.</param>
/// <param name="Reserved">USDC held for open orders.</param>
/// <param name="CreatedAt">Creation time (ISO 8601).</param>
/// <param name="IsDefault">Whether requests without <c>wallet_id</c> act on it.</param>
public sealed record WalletReply(int Id, string Name, string Balance, string Available, string Reserved, string CreatedAt, bool IsDefault);

/// <summary>Sandbox wallets: /v1/wallets.</summary>
public static class WalletEndpoints
{
    /// <summary>Feature key of the wallet-count cap in a 402.</summary>
    public const string WalletsFeature = "wallets.sandbox_baseline";

    /// <summary>Maps the routes of this area.</summary>
    public static void MapWallets(this WebApplication app)
    {
        var wallets = app.MapGroup("/v1/wallets").WithTags("Wallets").AddEndpointFilter(UpgradeRequired.Filter);
        wallets.MapPost("/", Create)
            .Accepts<CreateWalletRequest>("application/json")
            .Produces<WalletReply>(StatusCodes.Status201Created)
            .Produces<UpgradeRequiredReply>(StatusCodes.Status402PaymentRequired)
            .WithSummary("Open another wallet (its own engine account, funded with the starting balance); needs trade; tier-capped.");
        wallets.MapGet("/", List)
            .Produces<WalletReply[]>()
            .WithSummary("The account's wallets with their USDC, oldest (the default) first.");
    }

    private static async Task<IResult> Create(HttpContext http, EngineHost host, AccountDefaults defaults, TierCatalog tiers)
    {
        var caller = Caller.Of(http).Require(KeyPermissions.Trade);
        var request = await KeysEndpoints.ReadOptionalAsync(http, IdentityJson.Default.CreateWalletRequest)
            ?? new CreateWalletRequest(null, default);
        var name = IdentityFormat.ParseName(request.Name);
        var balance = defaults.StartingBalance;
        if (request.StartingBalance.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            balance = Money.ParseUsdc(request.StartingBalance, "starting_balance", allowZero: true);
            if (balance > defaults.StartingBalance)
            {
                throw ApiException.Validation(
                    $"starting_balance may be at most the default starting balance, {Money.FormatUsdc(defaults.StartingBalance)}.", "starting_balance");
            }
        }

        var reply = await host.WriteAsync(ctx =>
        {
            var account = ctx.State.Accounts.FindAccount(caller.Account.Id)!;
            var limits = tiers.For(account.Tier);
            if (account.Wallets.Count >= limits.MaxWallets)
            {
                throw new UpgradeRequiredException(
                    WalletsFeature, $"The {limits.Name} tier allows {limits.MaxWallets} wallets per account.");
            }

            var walletId = AdminAccountsEndpoints.NextWalletId(ctx.State);
            // The engine account comes first: if the engine refused it, nothing would have been recorded.
            var registered = ctx.Apply(Command.RegisterAccount(0, 0, walletId));
            if (!registered.Accepted)
            {
                throw new ApiException(503, "SERVICE_UNAVAILABLE", $"The engine cannot open another account ({registered.Code}).");
            }

            var now = ctx.Now;
            ctx.Record(new WalletCreated(walletId, account.Id, name ?? $"wallet-{account.Wallets.Count + 1}", null, now));
            if (balance > 0)
            {
                ctx.Apply(Command.Deposit(0, 0, walletId, balance));
            }

            var wallet = ctx.State.Accounts.FindWallet(walletId)!;
            return View(ctx.State, wallet, isDefault: false);
        });
        return JsonReply.Json(reply, IdentityJson.Default.WalletReply, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> List(HttpContext http, EngineHost host)
    {
        var caller = Caller.Of(http);
        var wallets = await host.ReadAsync(state =>
        {
            var all = state.Accounts.FindAccount(caller.Account.Id)!.Wallets;
            return all.Select((w, i) => View(state, w, isDefault: i == 0)).ToArray();
        });
        return JsonReply.Json(wallets, IdentityJson.Default.WalletReplyArray);
    }

    private static WalletReply View(HostState state, Wallet wallet, bool isDefault)
    {
        var cash = state.Engine.GetBalance(wallet.Id);
        return new WalletReply(
            wallet.Id,
            wallet.Name,
            Money.FormatUsdc(cash.Total),
            Money.FormatUsdc(cash.Available),
            Money.FormatUsdc(cash.Reserved),
            IdentityFormat.Time(wallet.CreatedAtMs),
            isDefault);
    }
}
