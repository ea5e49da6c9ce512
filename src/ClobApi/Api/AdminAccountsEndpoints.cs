using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Polysim.Accounts;
using Polysim.ClobApi.Api.Identity;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Api;

/// <summary>Request of <c>POST /v1/admin/accounts</c>.</summary>
/// <param name="Name">Display name (optional).</param>
/// <param name="Tier">free, pro, pro_plus or enterprise (default free).</param>
/// <param name="StartingBalance">USDC credited to the first wallet, as a decimal string or number (default the configured starting balance).</param>
public sealed record CreateAccountRequest(string? Name, string? Tier, JsonElement? StartingBalance);

/// <summary>Reply of <c>POST /v1/admin/accounts</c>: the new account, its first wallet and its first API key (shown once).</summary>
/// <param name="AccountId">Account id.</param>
/// <param name="WalletId">First wallet.</param>
/// <param name="ApiKey">The key secret; only its hash is stored.</param>
/// <param name="KeyId">The key's public id.</param>
/// <param name="Tier">Tier name.</param>
/// <param name="Balance">USDC of the wallet, decimal string.</param>
public sealed record CreateAccountReply(int AccountId, int WalletId, string ApiKey, string KeyId, string Tier, string Balance);

/// <summary>Request of <c>POST /v1/admin/accounts/{id}/fund</c>.</summary>
/// <param name="Amount">USDC to credit, decimal string or number.</param>
public sealed record FundRequest(JsonElement? Amount);

/// <summary>Reply of a funding: the wallet's new balance.</summary>
/// <param name="WalletId">Wallet credited.</param>
/// <param name="Balance">Total USDC, decimal string.</param>
/// <param name="Available">Available USDC, decimal string.</param>
public sealed record FundReply(int WalletId, string Balance, string Available);

/// <summary>Source-generated JSON for the operator account routes.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CreateAccountRequest))]
[JsonSerializable(typeof(CreateAccountReply))]
[JsonSerializable(typeof(FundRequest))]
[JsonSerializable(typeof(FundReply))]
internal sealed partial class AdminJson : JsonSerializerContext;

/// <summary>Operator routes for accounts: create with a key and a starting balance, fund a wallet.</summary>
public static class AdminAccountsEndpoints
{
    /// <summary>Header carrying the operator key.</summary>
    public const string AdminKeyHeader = "X-Admin-Key";

    /// <summary>Maps the routes of this area.</summary>
    public static void MapAdminAccounts(this WebApplication app)
    {
        var admin = app.MapGroup("/v1/admin").AddEndpointFilter(RequireAdmin).WithTags("Operator");
        admin.MapPost("/accounts", CreateAccount)
            .Accepts<CreateAccountRequest>("application/json")
            .Produces<CreateAccountReply>(StatusCodes.Status201Created)
            .WithSummary("Open an account with a wallet, a starting balance and an API key.");
        admin.MapPost("/accounts/{account}/fund", Fund)
            .Accepts<FundRequest>("application/json")
            .Produces<FundReply>()
            .WithSummary("Credit USDC to an account's first wallet (by account id) or to the wallet with that 0x address.");
        admin.MapIdentityAdmin();
    }

    /// <summary>Endpoint filter of every operator route: 401 MISSING_API_KEY without X-Admin-Key, INVALID_KEY when it is wrong.</summary>
    internal static async ValueTask<object?> RequireAdmin(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var expected = http.RequestServices.GetRequiredService<OperatorKey>().Value;
        var supplied = http.Request.Headers[AdminKeyHeader].ToString();
        if (supplied.Length == 0)
        {
            throw new ApiException(401, "MISSING_API_KEY", "The operator API needs the X-Admin-Key header.");
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(supplied), Encoding.UTF8.GetBytes(expected)))
        {
            throw new ApiException(401, "INVALID_KEY", "Invalid operator key.");
        }

        return await next(context);
    }

    private static async Task<IResult> CreateAccount(HttpContext http, EngineHost host, AccountDefaults defaults)
    {
        var request = await RequestBody.ReadAsync(http, AdminJson.Default.CreateAccountRequest);
        var tierName = request.Tier ?? "free";
        if (!TierTable.TryParse(tierName, out var tier))
        {
            throw ApiException.Validation($"tier must be one of free, pro, pro_plus, enterprise; got '{tierName}'.", "tier");
        }

        var balance = request.StartingBalance is { } sb
            ? Money.ParseUsdc(sb, "starting_balance", allowZero: true)
            : defaults.StartingBalance;
        var name = string.IsNullOrWhiteSpace(request.Name) ? null : request.Name.Trim();
        if (name is { Length: > 100 })
        {
            throw ApiException.Validation("name must be at most 100 characters.", "name");
        }

        var secret = AccountDirectory.NewSecret();
        var reply = await host.WriteAsync(ctx => OpenAccount(ctx, name, tier, balance, secret, walletAddress: null));
        return JsonReply.Json(reply, AdminJson.Default.CreateAccountReply, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>Opens an account with one wallet (an engine account), deposits, and issues a read+trade key; on the engine thread.</summary>
    internal static CreateAccountReply OpenAccount(EngineHost.WriteContext ctx, string? name, Tier tier, long balance, string secret, string? walletAddress)
    {
        var state = ctx.State;
        var accountId = state.Accounts.NextAccountId;
        var walletId = NextWalletId(state);
        var now = ctx.Now;
        ctx.Record(new AccountOpened(accountId, name ?? $"account-{accountId}", tier, now));
        ctx.Record(new WalletCreated(walletId, accountId, "default", walletAddress, now));
        var registered = ctx.Apply(Command.RegisterAccount(0, 0, walletId));
        if (!registered.Accepted)
        {
            throw new InvalidOperationException($"Engine refused wallet {walletId}: {registered.Code}.");
        }

        if (balance > 0)
        {
            ctx.Apply(Command.Deposit(0, 0, walletId, balance));
        }

        var keyId = AccountDirectory.NewKeyId();
        ctx.Record(new ApiKeyIssued(keyId, accountId, "default", AccountDirectory.DisplayPrefix(secret), AccountDirectory.HashSecret(secret), KeyPermissions.Read | KeyPermissions.Trade, null, now));
        var cash = state.Engine.GetBalance(walletId);
        return new CreateAccountReply(accountId, walletId, secret, keyId, TierTable.For(tier).Name, Money.FormatUsdc(cash.Total));
    }

    /// <summary>The next wallet id: engine account ids, starting above the reserved system accounts.</summary>
    internal static int NextWalletId(HostState state)
    {
        var max = SystemAccounts.FirstUserWallet - 1;
        foreach (var account in state.Engine.AccountIds())
        {
            max = Math.Max(max, account);
        }

        return max + 1;
    }

    private static async Task<IResult> Fund(HttpContext http, EngineHost host, string account)
    {
        var request = await RequestBody.ReadAsync(http, AdminJson.Default.FundRequest);
        if (request.Amount is not { } amountElement)
        {
            throw ApiException.Validation("amount is required.", "amount");
        }

        var amount = Money.ParseUsdc(amountElement, "amount", allowZero: false);
        var reply = await host.WriteAsync(ctx =>
        {
            var directory = ctx.State.Accounts;
            Wallet? wallet = int.TryParse(account, out var accountId)
                ? directory.FindAccount(accountId)?.Wallets.FirstOrDefault()
                : directory.FindWalletByAddress(account);
            if (wallet is null)
            {
                return null;
            }

            var outcome = ctx.Apply(Command.Deposit(0, 0, wallet.Id, amount));
            if (!outcome.Accepted)
            {
                throw new ApiException(400, "INVALID_QUANTITY", $"The amount cannot be credited ({outcome.Code}).");
            }

            var cash = ctx.State.Engine.GetBalance(wallet.Id);
            return new FundReply(wallet.Id, Money.FormatUsdc(cash.Total), Money.FormatUsdc(cash.Available));
        });
        return reply is null
            ? throw new ApiException(404, "NOT_FOUND", $"No account or wallet '{account}'.")
            : JsonReply.Json(reply, AdminJson.Default.FundReply);
    }
}

/// <summary>Engine accounts the host reserves for itself.</summary>
public static class SystemAccounts
{
    /// <summary>Collects taker fees and rounding remainders (the engine's fee account).</summary>
    public const int Fees = 0;

    /// <summary>The house market maker that seeds demo liquidity.</summary>
    public const int HouseMarketMaker = 1;

    /// <summary>The second house market maker of the synthetic flow.</summary>
    public const int SecondHouseMarketMaker = 2;

    /// <summary>Synthetic noise takers.</summary>
    public const int NoiseTakers = 3;

    /// <summary>Synthetic informed takers (they see the hidden fair probability).</summary>
    public const int InformedTakers = 4;

    /// <summary>Synthetic background (zero-intelligence) liquidity.</summary>
    public const int BackgroundLiquidity = 5;

    /// <summary>The external book (replay or live mirror) as one participant.</summary>
    public const int External = 6;

    /// <summary>Wallet ids of users start here; lower ids are reserved for system participants.</summary>
    public const int FirstUserWallet = 1_000;
}

/// <summary>The operator key (<c>Polysim:AdminKey</c>, else generated once and kept in the data directory).</summary>
/// <param name="Value">The key.</param>
public sealed record OperatorKey(string Value);

/// <summary>Account defaults from configuration.</summary>
/// <param name="StartingBalance">Micro-USDC credited to new accounts (<c>Polysim:DefaultStartingBalance</c>, default 10,000).</param>
public sealed record AccountDefaults(long StartingBalance);
