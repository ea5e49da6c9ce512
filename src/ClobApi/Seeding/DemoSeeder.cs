using Polysim.Accounts;
using Polysim.ClobApi.Api;
using Polysim.ClobApi.Api.Markets;
using Polysim.ClobApi.Hosting;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Seeding;

/// <summary>The data directory's absolute path.</summary>
/// <param name="Path">Absolute path.</param>
public sealed record DataDirectory(string Path);

/// <summary>One demo market and the house market maker's quote ladder around its midpoint.</summary>
/// <param name="Question">The question.</param>
/// <param name="Parameters">Engine parameters.</param>
/// <param name="Mid">YES midpoint, 1e-4 units.</param>
/// <param name="HalfSpread">Distance from the midpoint to the best bid and to the best ask, 1e-4 units.</param>
/// <param name="Step">Distance between ladder levels, 1e-4 units.</param>
public sealed record DemoMarket(string Question, MarketParameters Parameters, int Mid, int HalfSpread, int Step);

/// <summary>What a fresh data directory starts with: demo markets quoted by the house market maker, and a demo account.</summary>
public static class DemoSeed
{
    /// <summary>USDC the house market maker starts with.</summary>
    public const long HouseDeposit = 1_000_000 * Units.AmountScale;

    /// <summary>File in the data directory holding the demo account's API key (only its hash is journaled).</summary>
    public const string DemoKeyFile = "demo.key";

    /// <summary>Shares quoted at each ladder level, best level first.</summary>
    public static IReadOnlyList<long> LadderShares { get; } =
        [150 * Units.AmountScale, 250 * Units.AmountScale, 400 * Units.AmountScale, 600 * Units.AmountScale, 1_000 * Units.AmountScale];

    /// <summary>The demo markets: two tick sizes, one neg-risk market, one with Polymarket's crypto taker fee curve, one near 1 with auto tick.</summary>
    public static IReadOnlyList<DemoMarket> Markets { get; } =
    [
        new("Will the Federal Reserve cut interest rates at its next FOMC meeting?", new MarketParameters(TickSize: 100), 6_200, 100, 100),
        new("Will Bitcoin trade above $150,000 within the next twelve months?", new MarketParameters(TickSize: 10, TakerFeeRate: 720, TakerFeeExponentHalves: 2), 2_350, 10, 20),
        new("Will Spain win the next FIFA World Cup?", new MarketParameters(TickSize: 100, NegRisk: true), 1_500, 100, 100),
        new("Will the next Ethereum network upgrade go live on mainnet within six months?", new MarketParameters(TickSize: 100, AutoTickSize: true), 9_500, 100, 100),
    ];

    /// <summary>Lists the demo markets, funds the house market maker and rests its ladders, and opens the demo account; on the engine thread.</summary>
    /// <param name="ctx">The engine thread's write context.</param>
    /// <param name="demoBalance">USDC of the demo account.</param>
    /// <param name="demoSecret">The demo account's API key.</param>
    /// <param name="flow">When set, the demo markets run this synthetic flow (journaled as their liquidity configuration) instead of a static ladder.</param>
    /// <remarks>
    /// The house quotes with BUY orders only: a BUY NO at q rests in the YES book as an ask at 1 − q, so a ladder of YES
    /// bids and NO bids is a two-sided book on both tokens that needs cash but no inventory (Polymarket's "buy both sides"
    /// idiom; a taker who lifts the ask mints a new pair with the house). Order ids follow the order routes' rule: the
    /// sequence number of the placing command.
    /// </remarks>
    public static CreateAccountReply Seed(EngineHost.WriteContext ctx, long demoBalance, string demoSecret, Liquidity.Hosting.LiquidityConfigured? flow = null)
    {
        var house = SystemAccounts.HouseMarketMaker;
        if (!ctx.State.Engine.HasAccount(house))
        {
            ctx.Apply(Command.RegisterAccount(0, 0, house));
        }

        ctx.Apply(Command.Deposit(0, 0, house, HouseDeposit));
        foreach (var demo in Markets)
        {
            var listed = MarketListing.List(ctx, new MarketSpec(demo.Question, demo.Parameters));
            if (flow is not null)
            {
                // The synthetic house market makers quote it as soon as the liquidity service starts, right after seeding.
                ctx.Record(flow with { MarketId = listed.MarketId, ChangedAtMs = ctx.Now, StartPrice = demo.Mid });
                continue;
            }

            var tick = demo.Parameters.TickSize;
            for (var level = 0; level < LadderShares.Count; level++)
            {
                var bid = demo.Mid - demo.HalfSpread - (level * demo.Step);
                var ask = demo.Mid + demo.HalfSpread + (level * demo.Step);
                if (bid >= tick)
                {
                    Quote(ctx, house, listed.MarketId, Outcome.Yes, bid, LadderShares[level]);
                }

                if (ask <= Units.PriceScale - tick)
                {
                    Quote(ctx, house, listed.MarketId, Outcome.No, Units.PriceScale - ask, LadderShares[level]);
                }
            }
        }

        return AdminAccountsEndpoints.OpenAccount(ctx, "demo", Tier.Pro, demoBalance, demoSecret, walletAddress: null);
    }

    private static void Quote(EngineHost.WriteContext ctx, int account, int market, Outcome outcome, int price, long shares)
    {
        var orderId = ctx.State.Engine.LastSequence + 1;
        var placed = ctx.Apply(Command.Place(0, 0, account, market, orderId, outcome, Side.Buy, price, shares));
        if (!placed.Accepted)
        {
            throw new InvalidOperationException($"The engine refused a house quote on market {market}: {placed.Code}.");
        }
    }
}

/// <summary>Seeds a fresh data directory (after replay, before the server listens) and prints the startup banner.</summary>
/// <remarks>Seeding runs in <see cref="StartingAsync"/>, which the host completes for every service before the web server
/// starts, so the first request already sees the demo markets. <c>Polysim:SeedDemo=false</c> turns it off.</remarks>
internal sealed class DemoSeeder(
    EngineHost host,
    IConfiguration configuration,
    DataDirectory dataDirectory,
    AccountDefaults defaults,
    StartupBanner banner,
    Liquidity.Hosting.LiquidityOptions liquidity,
    ILogger<DemoSeeder> log) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var enabled = !string.Equals(configuration["Polysim:SeedDemo"], "false", StringComparison.OrdinalIgnoreCase);
        if (!enabled || host.ReplayedRecords > 0)
        {
            return;
        }

        // The secret goes to disk first: if the seed then fails, the next start finds an empty journal and seeds again.
        var secret = AccountDirectory.NewSecret();
        Directory.CreateDirectory(dataDirectory.Path);
        await File.WriteAllTextAsync(Path.Combine(dataDirectory.Path, DemoSeed.DemoKeyFile), secret, cancellationToken);
        var flow = liquidity.Enabled && liquidity.DemoPreset is { } preset
            ? new Liquidity.Hosting.LiquidityConfigured(
                0, Liquidity.LiquidityKind.Synthetic, preset, liquidity.Fair, liquidity.Seed, liquidity.HouseMarketMakers, null, null, null, null, 0)
            : null;
        var demo = await host.WriteAsync(ctx => DemoSeed.Seed(ctx, defaults.StartingBalance, secret, flow));
        log.LogInformation(
            "Seeded a fresh data directory: {Markets} demo markets {How}, demo account {Account} (wallet {Wallet}).",
            DemoSeed.Markets.Count,
            flow is null ? "quoted by the static house ladder" : $"running the synthetic '{flow.Preset}' flow",
            demo.AccountId,
            demo.WalletId);
        banner.SeededThisStart = true;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        banner.Print();
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
