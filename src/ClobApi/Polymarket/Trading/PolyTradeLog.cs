using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Polymarket.Trading;

/// <summary>Every trade with both of its sides, by trade id and by wallet: the source of Polymarket's <c>/data/trades</c>.</summary>
/// <remarks>
/// Polymarket shows one trade object to both parties (taker row with the maker orders, maker rows pointing at the taker
/// order); the wallet fill log keeps only one side, so this projection keeps the engine's trade event itself. Built on the
/// engine thread from each command's events and rebuilt identically by replay; each wallet keeps its newest
/// <see cref="MaxTradesPerWallet"/> trades.
/// </remarks>
public sealed class PolyTradeLog
{
    /// <summary>Trades kept per wallet.</summary>
    public const int MaxTradesPerWallet = 50_000;

    /// <summary>Trades kept per system wallet (house market makers and synthetic agents trade without end).</summary>
    public const int MaxTradesPerSystemWallet = 5_000;

    private readonly Dictionary<long, EngineEvent> _byTradeId = [];
    private readonly Dictionary<long, int> _references = [];
    private readonly Dictionary<int, List<long>> _byWallet = [];

    /// <summary>A trade event by engine trade id.</summary>
    public bool TryGet(long tradeId, out EngineEvent trade) => _byTradeId.TryGetValue(tradeId, out trade);

    /// <summary>A wallet's trade ids, oldest first.</summary>
    public IReadOnlyList<long> TradesOf(int walletId) => _byWallet.TryGetValue(walletId, out var list) ? list : [];

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

            _byTradeId[e.TradeId] = e;
            Add(e.TakerAccount, e.TradeId);
            if (e.MakerAccount != e.TakerAccount)
            {
                Add(e.MakerAccount, e.TradeId);
            }
        }
    }

    private void Add(int wallet, long tradeId)
    {
        if (!_byWallet.TryGetValue(wallet, out var list))
        {
            list = [];
            _byWallet[wallet] = list;
        }

        _references[tradeId] = _references.GetValueOrDefault(tradeId) + 1;
        list.Add(tradeId);
        var cap = wallet < Api.SystemAccounts.FirstUserWallet ? MaxTradesPerSystemWallet : MaxTradesPerWallet;
        if (list.Count > cap)
        {
            var drop = cap / 10;
            foreach (var old in list.GetRange(0, drop))
            {
                if ((_references[old] -= 1) == 0)
                {
                    _references.Remove(old);
                    _byTradeId.Remove(old);
                }
            }

            list.RemoveRange(0, drop);
        }
    }
}
