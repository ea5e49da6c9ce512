namespace Polysim.ClobApi.Feeds;

/// <summary>Settings of the live feeds (configuration section <c>Polysim:Feeds</c>).</summary>
public sealed record FeedOptions
{
    /// <summary>Frames a subscriber may have waiting before it is disconnected as a slow consumer.</summary>
    public int OutboxCapacity { get; init; } = 8_192;

    /// <summary>A connection that sends nothing (not even <c>PING</c>) for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a closing connection gets to take its close frame before the socket is aborted.</summary>
    public TimeSpan CloseGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most events coalesced into one array frame when a subscriber has a backlog.</summary>
    public int MaxEventsPerFrame { get; init; } = 64;

    /// <summary>Largest message a client may send.</summary>
    public int MaxClientMessageBytes { get; init; } = 64 * 1024;

    /// <summary>Reads the options from <c>Polysim:Feeds:*</c>.</summary>
    public static FeedOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Polysim:Feeds");
        var defaults = new FeedOptions();
        return new FeedOptions
        {
            OutboxCapacity = section.GetValue("OutboxCapacity", defaults.OutboxCapacity),
            IdleTimeout = TimeSpan.FromMilliseconds(section.GetValue("IdleTimeoutMs", (int)defaults.IdleTimeout.TotalMilliseconds)),
            CloseGrace = TimeSpan.FromMilliseconds(section.GetValue("CloseGraceMs", (int)defaults.CloseGrace.TotalMilliseconds)),
            MaxEventsPerFrame = section.GetValue("MaxEventsPerFrame", defaults.MaxEventsPerFrame),
            MaxClientMessageBytes = section.GetValue("MaxClientMessageBytes", defaults.MaxClientMessageBytes),
        };
    }
}
