using System.Globalization;
using Polysim.Accounts;

namespace Polysim.ClobApi.Api.Identity;

/// <summary>Who may obtain API keys (<c>Polysim:KeyIssuance</c>).</summary>
public enum KeyIssuancePolicy
{
    /// <summary>Anyone may bootstrap an account and issue keys (the default).</summary>
    Open,

    /// <summary>Only accounts the operator admitted may issue keys; bootstrap is closed.</summary>
    ClosedBeta,

    /// <summary>Keys are issued freely but only allowlisted accounts may use them.</summary>
    Allowlist,
}

/// <summary>Identity settings: issuance policy, key rotation, JWTs, rate and concurrency limits.</summary>
public sealed record IdentityOptions
{
    /// <summary>Who may obtain keys.</summary>
    public KeyIssuancePolicy KeyIssuance { get; init; } = KeyIssuancePolicy.Open;

    /// <summary>Whether paying tiers see API_PRO_COMING_SOON instead of CLOSED_BETA under the closed beta (<c>Polysim:SelfServeIssuance</c>).</summary>
    public bool SelfServeIssuance { get; init; }

    /// <summary>How long a rotated key keeps working (<c>Polysim:KeyRotationOverlapSeconds</c>, default 300).</summary>
    public TimeSpan KeyRotationOverlap { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Lifetime of an issued JWT (<c>Polysim:JwtLifetimeSeconds</c>, default 3600).</summary>
    public TimeSpan JwtLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Concurrent trade writes allowed per account (<c>Polysim:TradeWriteConcurrency</c>, default 4).</summary>
    public int TradeWriteConcurrency { get; init; } = 4;

    /// <summary>Self-serve bootstraps allowed per client IP per minute (<c>Polysim:BootstrapPerMinute</c>, default 10).</summary>
    public int BootstrapPerMinute { get; init; } = 10;

    /// <summary>Where a 402 sends the client to upgrade (<c>Polysim:UpgradeUrl</c>, default /pricing).</summary>
    public string UpgradeUrl { get; init; } = "/pricing";

    /// <summary>Reads the settings; a malformed value stops the start with a message naming the setting.</summary>
    public static IdentityOptions FromConfiguration(IConfiguration configuration) => new()
    {
        KeyIssuance = ParsePolicy(configuration["Polysim:KeyIssuance"]),
        SelfServeIssuance = ReadBool(configuration, "Polysim:SelfServeIssuance", false),
        KeyRotationOverlap = TimeSpan.FromSeconds(ReadInt(configuration, "Polysim:KeyRotationOverlapSeconds", 300, min: 0)),
        JwtLifetime = TimeSpan.FromSeconds(ReadInt(configuration, "Polysim:JwtLifetimeSeconds", 3600, min: 1)),
        TradeWriteConcurrency = ReadInt(configuration, "Polysim:TradeWriteConcurrency", 4, min: 1),
        BootstrapPerMinute = ReadInt(configuration, "Polysim:BootstrapPerMinute", 10, min: 1),
        UpgradeUrl = configuration["Polysim:UpgradeUrl"] is { Length: > 0 } url ? url : "/pricing",
    };

    /// <summary>The tier table: the defaults, each figure overridable as <c>Polysim:Tiers:{name}:{Field}</c>.</summary>
    /// <remarks>Fields: RequestsPerSecond, RequestsPerMinute, WebSocketConnections, BatchSize, MaxWallets, MaxKeys.</remarks>
    public static TierCatalog ReadTiers(IConfiguration configuration)
    {
        var limits = new List<TierLimits>();
        foreach (var d in TierTable.Defaults)
        {
            var prefix = $"Polysim:Tiers:{d.Name}:";
            limits.Add(d with
            {
                RequestsPerSecond = ReadInt(configuration, prefix + "RequestsPerSecond", d.RequestsPerSecond, min: 1),
                RequestsPerMinute = ReadInt(configuration, prefix + "RequestsPerMinute", d.RequestsPerMinute, min: 1),
                WebSocketConnections = ReadInt(configuration, prefix + "WebSocketConnections", d.WebSocketConnections, min: 0),
                BatchSize = ReadInt(configuration, prefix + "BatchSize", d.BatchSize, min: 1),
                MaxWallets = ReadInt(configuration, prefix + "MaxWallets", d.MaxWallets, min: 1),
                MaxKeys = ReadInt(configuration, prefix + "MaxKeys", d.MaxKeys, min: 1),
            });
        }

        return new TierCatalog(limits);
    }

    private static KeyIssuancePolicy ParsePolicy(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "open" => KeyIssuancePolicy.Open,
        "closed_beta" or "closed-beta" or "closedbeta" => KeyIssuancePolicy.ClosedBeta,
        "allowlist" => KeyIssuancePolicy.Allowlist,
        _ => throw new InvalidOperationException($"Polysim:KeyIssuance '{text}' must be open, closed_beta or allowlist."),
    };

    private static bool ReadBool(IConfiguration configuration, string key, bool fallback)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return bool.TryParse(text, out var value)
            ? value
            : throw new InvalidOperationException($"{key} '{text}' must be true or false.");
    }

    private static int ReadInt(IConfiguration configuration, string key, int fallback, int min)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw new InvalidOperationException($"{key} '{text}' must be a whole number of at least {min}.");
    }
}
