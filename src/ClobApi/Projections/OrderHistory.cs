using Polysim.ClobApi.Hosting;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Projections;

/// <summary>Every order the host has seen, open or finished, with its fills: the source of the order query routes.</summary>
/// <remarks>Built on the engine thread from each command's events; rebuilt identically by journal replay.</remarks>
public sealed class OrderHistory
{
    /// <summary>Observes one applied command and its events.</summary>
    public void Observe(in Command command, EngineOutcome outcome)
    {
        _ = command;
        _ = outcome;
    }
}
