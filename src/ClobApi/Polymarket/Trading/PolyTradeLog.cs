using Polysim.ClobApi.Projections;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Polymarket.Trading;

/// <summary>Every trade with both of its sides, by wallet: the source of Polymarket's <c>/data/trades</c>.</summary>
/// <remarks>
/// Polymarket shows one trade object to both parties (taker row with the maker orders, maker rows pointing at the taker
/// order); the wallet fill log keeps only one side, so this projection keeps the engine's trade event itself, a copy in
/// the log of each wallet it involves. Copies cost a little more memory than one shared table with reference counts, and
/// spare the engine thread that table's growth (a dictionary of engine events reached 24 MB under load and stalled every
/// request for tens of ms each time it doubled). Built on the engine thread from each command's events and rebuilt
/// identically by replay; each wallet keeps its newest <see cref="MaxTradesPerWallet"/> trades.
/// </remarks>
public sealed class PolyTradeLog
{
    /// <summary>Trades kept per wallet.</summary>
    public const int MaxTradesPerWallet = 50_000;

    /// <summary>Trades kept per system wallet (house market makers and synthetic agents trade without end).</summary>
    public const int MaxTradesPerSystemWallet = 5_000;

    private static readonly ChunkedLog<EngineEvent> None = new();

    private readonly Dictionary<int, ChunkedLog<EngineEvent>> _byWallet = [];

    /// <summary>A wallet's trades, oldest first, at absolute positions (read it; it is the projection's own).</summary>
    public ChunkedLog<EngineEvent> TradesOf(int walletId) => _byWallet.GetValueOrDefault(walletId) ?? None;

    /// <summary>Observes one applied command's events.</summary>
    public void Observe(RejectCode code, ReadOnlySpan<EngineEvent> events)
    {
        if (code != RejectCode.None)
        {
            return;
        }

        foreach (ref readonly var e in events)
        {
            if (e.Kind != EventKind.Trade)
            {
                continue;
            }

            Add(e.TakerAccount, e);
            if (e.MakerAccount != e.TakerAccount)
            {
                Add(e.MakerAccount, e);
            }
        }
    }

    private void Add(int wallet, in EngineEvent trade)
    {
        if (!_byWallet.TryGetValue(wallet, out var log))
        {
            log = new ChunkedLog<EngineEvent>();
            _byWallet[wallet] = log;
        }

        log.Add(trade, wallet < Api.SystemAccounts.FirstUserWallet ? MaxTradesPerSystemWallet : MaxTradesPerWallet);
    }
}
