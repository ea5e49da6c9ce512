namespace Polysim.MatchingEngine.Tests.Scenarios;

/// <summary>Names and units the scenario tests share; import with <c>using static</c>.</summary>
/// <remarks>
/// Prices are in 1e-4 (0.34 is 3_400); shares and USDC in micro-units (1 share is 1_000_000).
/// Expected numbers in the tests are worked out by hand next to each assertion.
/// </remarks>
public static class Scenario
{
    /// <summary>The market every <see cref="Exchange"/> creates.</summary>
    public const int MainMarket = 1;

    /// <summary>A second market some tests add.</summary>
    public const int SecondMarket = 2;

    public const int Alice = 1;
    public const int Bob = 2;
    public const int Carol = 3;
    public const int Dave = 4;

    /// <summary>The counterparty <see cref="Exchange.GiveShares"/> mints against.</summary>
    public const int House = 900;

    /// <summary>The engine's fee account (collects taker fees and rounding remainders).</summary>
    public const int Fees = 999;

    /// <summary>One share in micro-shares.</summary>
    public const long Share = Units.AmountScale;

    /// <summary>One USDC in micro-USDC.</summary>
    public const long Usdc = Units.AmountScale;

    public const Outcome Yes = Outcome.Yes;
    public const Outcome No = Outcome.No;

    /// <summary>2026-01-01T00:00:00Z, the clock every <see cref="Exchange"/> starts at.</summary>
    public const long StartTime = 1_767_225_600_000;

    /// <summary>A market with a 0.01 tick and the usual 5-share minimum, no fees.</summary>
    public static MarketParameters Standard => new(TickSize: 100);

    /// <summary>A market with a 0.0001 tick, where notionals stop dividing evenly.</summary>
    public static MarketParameters FineTick => new(TickSize: 1);
}
