namespace Polysim.ClobApi.Liquidity.Mirror;

/// <summary>Settings of the live mirror (configuration section <c>Polysim:Mirror</c>); off by default.</summary>
public sealed record MirrorOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Polysim:Mirror";

    /// <summary>Whether the server mirrors anything.</summary>
    public bool Enabled { get; init; }

    /// <summary>Markets to mirror: condition ids (0x + 64 hex) or Gamma slugs.</summary>
    public IReadOnlyList<string> Markets { get; init; } = [];

    /// <summary>A Gamma text search whose active markets are mirrored too.</summary>
    public string? Search { get; init; }

    /// <summary>Events taken from the search.</summary>
    public int SearchLimit { get; init; } = 5;

    /// <summary>Gamma base URL.</summary>
    public Uri GammaUrl { get; init; } = new("https://gamma-api.polymarket.com");

    /// <summary>CLOB REST base URL.</summary>
    public Uri ClobUrl { get; init; } = new("https://clob.polymarket.com");

    /// <summary>Market-channel WebSocket URL.</summary>
    public Uri WsUrl { get; init; } = new("wss://ws-subscriptions-clob.polymarket.com/ws/market");

    /// <summary>When set, every frame received is recorded to this NDJSON capture file.</summary>
    public string? RecordTo { get; init; }

    /// <summary>Share of the published rate limits the mirror may use.</summary>
    public double RateBudgetFraction { get; init; } = 0.5;

    /// <summary>Most assets per WebSocket connection.</summary>
    public int MaxAssetsPerConnection { get; init; } = 200;

    /// <summary>Text PING interval.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Silence after which a busy connection is declared stalled.</summary>
    public TimeSpan StallAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Frames within <see cref="StallAfter"/> that make a connection busy.</summary>
    public int BusyFrames { get; init; } = 10;

    /// <summary>First reconnect delay.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Reads <c>Polysim:Mirror:*</c> (Markets as an array section or a comma-separated string; durations in ms: PingIntervalMs, StallAfterMs, ReconnectDelayMs).</summary>
    public static MirrorOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var defaults = new MirrorOptions();
        var markets = section.GetSection("Markets").GetChildren().Select(c => c.Value).OfType<string>().ToList();
        if (markets.Count == 0 && section["Markets"] is { } list)
        {
            markets = [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }

        return new MirrorOptions
        {
            Enabled = section.GetValue("Enabled", false),
            Markets = markets,
            Search = string.IsNullOrWhiteSpace(section["Search"]) ? null : section["Search"],
            SearchLimit = section.GetValue("SearchLimit", defaults.SearchLimit),
            GammaUrl = section.GetValue("GammaUrl", defaults.GammaUrl)!,
            ClobUrl = section.GetValue("ClobUrl", defaults.ClobUrl)!,
            WsUrl = section.GetValue("WsUrl", defaults.WsUrl)!,
            RecordTo = string.IsNullOrWhiteSpace(section["RecordTo"]) ? null : section["RecordTo"],
            RateBudgetFraction = section.GetValue("RateBudgetFraction", defaults.RateBudgetFraction),
            MaxAssetsPerConnection = section.GetValue("MaxAssetsPerConnection", defaults.MaxAssetsPerConnection),
            PingInterval = TimeSpan.FromMilliseconds(section.GetValue("PingIntervalMs", defaults.PingInterval.TotalMilliseconds)),
            StallAfter = TimeSpan.FromMilliseconds(section.GetValue("StallAfterMs", defaults.StallAfter.TotalMilliseconds)),
            BusyFrames = section.GetValue("BusyFrames", defaults.BusyFrames),
            ReconnectDelay = TimeSpan.FromMilliseconds(section.GetValue("ReconnectDelayMs", defaults.ReconnectDelay.TotalMilliseconds)),
        };
    }

    /// <summary>Whether an entry of <see cref="Markets"/> is a condition id rather than a slug.</summary>
    public static bool IsConditionId(string market) =>
        market.Length == 66 && market.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && market.AsSpan(2).ContainsAnyExcept("0123456789abcdefABCDEF") == false;
}
