using Polysim.ClobApi.Api;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Polymarket.Trading;
using Polysim.ClobApi.Projections;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.Liquidity.Hosting;

/// <summary>Agents place orders without end: the projections keep a short history for system wallets, a long one for users.</summary>
[Trait("Mode", "Embedded")]
public sealed class SystemWalletHistoryTests
{
    private const long Ts = 1_767_225_600_000;
    private const long Share = Units.AmountScale;
    private const int User = SystemAccounts.FirstUserWallet;
    private const int Agent = SystemAccounts.BackgroundLiquidity;

    [Fact]
    public void A_system_wallet_keeps_its_newest_finished_orders_up_to_the_system_cap_while_a_user_keeps_more()
    {
        var state = new HostState(new EngineOptions { FeeAccount = SystemAccounts.Fees });
        long sequence = 0;
        EngineOutcome Apply(Command c) => state.ApplyCommand(c with { Sequence = ++sequence, Timestamp = Ts });
        Apply(Command.CreateMarket(0, 0, 1, new MarketParameters(100)));
        foreach (var wallet in new[] { Agent, User })
        {
            Apply(Command.RegisterAccount(0, 0, wallet));
            Apply(Command.Deposit(0, 0, wallet, 1_000_000 * Share));
        }

        var orders = OrderHistory.MaxFinishedPerSystemWallet + 200;
        for (var i = 0; i < orders; i++)
        {
            foreach (var wallet in new[] { Agent, User })
            {
                var id = state.Engine.LastSequence + 1;
                Apply(Command.Place(0, 0, wallet, 1, id, Outcome.Yes, Side.Buy, 1_000, 5 * Share));
                Apply(Command.Cancel(0, 0, wallet, id));
            }
        }

        Assert.Equal(OrderHistory.MaxFinishedPerSystemWallet, state.Orders.CountWallet(Agent));
        Assert.Equal(orders, state.Orders.CountWallet(User));
    }

    [Fact]
    public void A_system_wallets_fills_and_trades_are_capped_lower_than_a_users()
    {
        Assert.True(TradeHistory.MaxFillsPerSystemWallet < TradeHistory.MaxFillsPerWallet);
        Assert.True(PolyTradeLog.MaxTradesPerSystemWallet < PolyTradeLog.MaxTradesPerWallet);
        var state = new HostState(new EngineOptions { FeeAccount = SystemAccounts.Fees });
        long sequence = 0;
        EngineOutcome Apply(Command c) => state.ApplyCommand(c with { Sequence = ++sequence, Timestamp = Ts });
        Apply(Command.CreateMarket(0, 0, 1, new MarketParameters(100)));
        foreach (var wallet in new[] { Agent, User })
        {
            Apply(Command.RegisterAccount(0, 0, wallet));
            Apply(Command.Deposit(0, 0, wallet, 10_000_000 * Share));
        }

        // The agent rests, the user takes: one trade each time, one fill on each side.
        var trades = TradeHistory.MaxFillsPerSystemWallet + 600;
        for (var i = 0; i < trades; i++)
        {
            Apply(Command.Place(0, 0, Agent, 1, state.Engine.LastSequence + 1, Outcome.No, Side.Buy, 5_000, 5 * Share));
            Apply(Command.Place(0, 0, User, 1, state.Engine.LastSequence + 1, Outcome.Yes, Side.Buy, 5_000, 5 * Share, TimeInForce.Fak));
        }

        var agentFills = state.Trades.FillsOf(Agent);
        var userFills = state.Trades.FillsOf(User);
        Assert.Equal(trades, agentFills.End);
        Assert.True(agentFills.End - agentFills.First <= TradeHistory.MaxFillsPerSystemWallet);
        Assert.Equal(trades, userFills.End - userFills.First);
        Assert.True(state.PolyTrades.TradesOf(Agent).Count <= PolyTradeLog.MaxTradesPerSystemWallet);
        Assert.Equal(trades, state.PolyTrades.TradesOf(User).Count);
    }
}
