using Polysim.ClobApi.Hosting;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Projections;

/// <summary>Trades, price history and position cost basis: the source of market history and account P&amp;L routes.</summary>
/// <remarks>Built on the engine thread from each command's events; rebuilt identically by journal replay.</remarks>
public sealed class TradeHistory
{
    /// <summary>Observes one applied command and its events.</summary>
    public void Observe(in Command command, EngineOutcome outcome)
    {
        _ = command;
        _ = outcome;
    }
}
