using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Liquidity.Mirror;

/// <summary>An external book rebuilt from canonical events (YES terms): snapshots replace it, level events set one level, gaps make it stale.</summary>
/// <remarks>A small reference rebuild for the mirror and capture tools and their tests; the replay matcher keeps its own.</remarks>
public sealed class MirrorBook
{
    private readonly SortedDictionary<int, long> _bids = [];
    private readonly SortedDictionary<int, long> _asks = [];

    /// <summary>Whether the book can be trusted.</summary>
    public BookFreshness Freshness { get; private set; }

    /// <summary>Snapshots applied.</summary>
    public int Snapshots { get; private set; }

    /// <summary>Bids, best first.</summary>
    public IReadOnlyList<(int Price, long Size)> Bids => [.. _bids.Reverse().Select(kv => (kv.Key, kv.Value))];

    /// <summary>Asks, best first.</summary>
    public IReadOnlyList<(int Price, long Size)> Asks => [.. _asks.Select(kv => (kv.Key, kv.Value))];

    /// <summary>Applies one event of this book's market.</summary>
    public void Apply(ReplayEvent e)
    {
        switch (e.Kind)
        {
            case ReplayEventKind.Snapshot:
                _bids.Clear();
                _asks.Clear();
                foreach (var (price, size) in e.Bids)
                {
                    _bids[price] = size;
                }

                foreach (var (price, size) in e.Asks)
                {
                    _asks[price] = size;
                }

                Freshness = BookFreshness.Fresh;
                Snapshots++;
                break;
            case ReplayEventKind.Level:
                var side = e.Side == Side.Buy ? _bids : _asks;
                if (e.Size == 0)
                {
                    side.Remove(e.Price);
                }
                else
                {
                    side[e.Price] = e.Size;
                }

                break;
            case ReplayEventKind.Gap:
                if (Freshness == BookFreshness.Fresh)
                {
                    Freshness = BookFreshness.Stale;
                }

                break;
        }
    }
}
