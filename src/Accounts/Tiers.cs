namespace Polysim.Accounts;

/// <summary>Subscription tiers of PolySimulator's contract.</summary>
public enum Tier
{
    /// <summary>The default tier.</summary>
    Free = 0,

    /// <summary>Paid tier.</summary>
    Pro = 1,

    /// <summary>Higher paid tier.</summary>
    ProPlus = 2,

    /// <summary>Contract tier.</summary>
    Enterprise = 3,
}

/// <summary>What one tier allows.</summary>
/// <param name="Tier">The tier.</param>
/// <param name="Name">Wire name: free, pro, pro_plus, enterprise.</param>
/// <param name="RequestsPerSecond">Per-key per-second request limit.</param>
/// <param name="RequestsPerMinute">Per-key per-minute request limit.</param>
/// <param name="WebSocketConnections">Concurrent WebSocket connections per account.</param>
/// <param name="BatchSize">Most orders in one batch request.</param>
/// <param name="MaxWallets">Most sandbox wallets per account.</param>
/// <param name="MaxKeys">Most active API keys per account.</param>
public sealed record TierLimits(
    Tier Tier, string Name, int RequestsPerSecond, int RequestsPerMinute, int WebSocketConnections, int BatchSize, int MaxWallets, int MaxKeys);

/// <summary>The authoritative tier table (served by <c>GET /v1/keys/tiers</c>).</summary>
public static class TierTable
{
    /// <summary>The default limits of each tier, in tier order.</summary>
    public static IReadOnlyList<TierLimits> Defaults { get; } =
    [
        new(Tier.Free, "free", 2, 120, 1, 1, 1, 2),
        new(Tier.Pro, "pro", 10, 600, 3, 5, 3, 5),
        new(Tier.ProPlus, "pro_plus", 30, 1800, 10, 10, 10, 10),
        new(Tier.Enterprise, "enterprise", 100, 6000, 50, 25, 50, 50),
    ];

    /// <summary>Limits of one tier.</summary>
    public static TierLimits For(Tier tier) => Defaults[(int)tier];

    /// <summary>Parses a wire name (free, pro, pro_plus, enterprise).</summary>
    public static bool TryParse(string? name, out Tier tier)
    {
        foreach (var limits in Defaults)
        {
            if (string.Equals(limits.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                tier = limits.Tier;
                return true;
            }
        }

        tier = Tier.Free;
        return false;
    }
}

/// <summary>The tier table in force: the defaults with any operator overrides applied.</summary>
public sealed class TierCatalog
{
    private readonly TierLimits[] _limits;

    /// <summary>A catalog with one entry per tier, in tier order.</summary>
    public TierCatalog(IReadOnlyList<TierLimits> limits)
    {
        var ordered = limits.OrderBy(l => l.Tier).ToArray();
        if (ordered.Length != TierTable.Defaults.Count || ordered.Where((l, i) => (int)l.Tier != i).Any())
        {
            throw new ArgumentException("The tier catalog needs exactly one entry per tier.", nameof(limits));
        }

        _limits = ordered;
    }

    /// <summary>The catalog of <see cref="TierTable.Defaults"/>.</summary>
    public static TierCatalog Default { get; } = new(TierTable.Defaults);

    /// <summary>Every tier, in tier order.</summary>
    public IReadOnlyList<TierLimits> All => _limits;

    /// <summary>Limits of one tier.</summary>
    public TierLimits For(Tier tier) => _limits[(int)tier];
}
