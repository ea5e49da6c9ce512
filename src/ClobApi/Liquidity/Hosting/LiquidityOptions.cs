using System.Globalization;

namespace Polysim.ClobApi.Liquidity.Hosting;

/// <summary>Server settings of the liquidity sources (<c>Polysim:Liquidity:*</c>).</summary>
public sealed record LiquidityOptions
{
    /// <summary>Synthetic presets a market can run.</summary>
    public static IReadOnlyList<string> Presets { get; } = ["active", "typical", "thin"];

    /// <summary>Fair-value processes of the synthetic flow.</summary>
    public static IReadOnlyList<string> FairProcesses { get; } = ["calm", "demo"];

    /// <summary>False stops every source (the configuration is kept and runs again once switched back on).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Preset the demo markets of a freshly seeded data directory run, or null for the static house ladder instead.</summary>
    public string? DemoPreset { get; init; } = "typical";

    /// <summary>Preset used when a request names none.</summary>
    public string Preset { get; init; } = "typical";

    /// <summary>Fair-value process used when a request names none.</summary>
    public string Fair { get; init; } = "demo";

    /// <summary>Seed used when a request names none.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Whether the house market makers quote when a request does not say.</summary>
    public bool HouseMarketMakers { get; init; } = true;

    /// <summary>Speed of synthetic virtual time against the host clock (2 = two virtual seconds per second).</summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>How often the service looks for due sources.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Most host time one tick moves a source forward: after a stall the sources slow down instead of bursting.</summary>
    public TimeSpan MaxStep { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Reads <c>Polysim:Liquidity:*</c>; a malformed value stops the server at start with a message naming the key.</summary>
    public static LiquidityOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Polysim:Liquidity");
        var defaults = new LiquidityOptions();
        var demo = section["DemoPreset"]?.Trim().ToLowerInvariant();
        string? demoPreset = demo switch
        {
            null or "" => defaults.DemoPreset,
            "off" or "none" or "false" or "static" => null,
            _ when Presets.Contains(demo) => demo,
            _ => throw Bad("DemoPreset", demo, "active, typical, thin or off"),
        };
        var preset = section["Preset"]?.Trim().ToLowerInvariant() ?? defaults.Preset;
        if (!Presets.Contains(preset))
        {
            throw Bad("Preset", preset, "active, typical or thin");
        }

        var fair = section["Fair"]?.Trim().ToLowerInvariant() ?? defaults.Fair;
        if (!FairProcesses.Contains(fair))
        {
            throw Bad("Fair", fair, "calm or demo");
        }

        return new LiquidityOptions
        {
            Enabled = Bool(section, "Enabled", defaults.Enabled),
            DemoPreset = demoPreset,
            Preset = preset,
            Fair = fair,
            Seed = section["Seed"] is { Length: > 0 } seed
                ? long.TryParse(seed, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) && s >= 0 ? s : throw Bad("Seed", seed, "a non-negative integer")
                : defaults.Seed,
            HouseMarketMakers = Bool(section, "HouseMarketMakers", defaults.HouseMarketMakers),
            TimeScale = section["TimeScale"] is { Length: > 0 } scale
                ? double.TryParse(scale, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x > 0 && x <= 10_000 ? x : throw Bad("TimeScale", scale, "a number in (0, 10000]")
                : defaults.TimeScale,
            TickInterval = section["TickMs"] is { Length: > 0 } tick
                ? int.TryParse(tick, NumberStyles.Integer, CultureInfo.InvariantCulture, out var t) && t is >= 5 and <= 10_000 ? TimeSpan.FromMilliseconds(t) : throw Bad("TickMs", tick, "an integer in [5, 10000]")
                : defaults.TickInterval,
        };
    }

    private static bool Bool(IConfigurationSection section, string key, bool fallback) => section[key] switch
    {
        null or "" => fallback,
        var v when bool.TryParse(v, out var b) => b,
        var v => throw Bad(key, v, "true or false"),
    };

    private static InvalidOperationException Bad(string key, string value, string expected) =>
        new($"Polysim:Liquidity:{key} '{value}' is not valid: expected {expected}.");
}
