using Polysim.ClobApi.Hosting;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Feeds;

/// <summary>Observer of the engine thread's work: sees each applied command, then learns when its batch is durable.</summary>
/// <remarks>Both calls run on the engine thread and must be quick: capture what is needed and hand it off, never wait.</remarks>
public interface IEngineFeed
{
    /// <summary>A command was applied and journaled (not yet committed); <paramref name="state"/> already reflects it.</summary>
    /// <remarks><paramref name="events"/> is the engine's own buffer, valid only during the call.</remarks>
    void CommandApplied(HostState state, in Command command, ReadOnlySpan<EngineEvent> events);

    /// <summary>Everything captured since the previous call is durable (or was read-only) and may be published.</summary>
    void BatchCommitted();

    /// <summary>The batch captured since the previous call was refused (its journal commit failed): drop it unpublished.</summary>
    void BatchDiscarded();
}
