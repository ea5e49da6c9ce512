namespace Polysim.ClobApi.Journal;

/// <summary>A journal whose store can fail and come back (a database): after a failed <see cref="IJournal.Commit"/> the host
/// discards its in-memory state and calls <see cref="IJournal.Replay"/> again, which rebuilds it from what is durable.</summary>
/// <remarks>A failed commit must leave nothing of its batch behind (one transaction per batch), and <see cref="IJournal.Replay"/>
/// must throw <see cref="IOException"/> while the store is still unreachable, so the host can keep trying.</remarks>
public interface IRecoverableJournal : IJournal
{
    /// <summary>Whether the last commit or replay reached the store.</summary>
    bool IsAvailable { get; }
}
