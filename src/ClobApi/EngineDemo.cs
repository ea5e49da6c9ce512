using Polysim.MatchingEngine;

namespace Polysim.ClobApi;

/// <summary>`dotnet run --project src/ClobApi -- demo`: a short scripted session printed straight from the engine.</summary>
internal static class EngineDemo
{
    public static void Run()
    {
        var engine = new Engine();
        long seq = 0;
        var now = 1_767_225_600_000L;
        const int Maker = 1, Taker = 2, NoBuyer = 3, Market = 1;
        const long Share = Units.AmountScale;

        void Apply(Command command)
        {
            var code = engine.Apply(command);
            foreach (var e in engine.Events)
            {
                if (e.Kind is EventKind.Trade or EventKind.Rejected or EventKind.OrderCancelled)
                {
                    Console.WriteLine("  " + e);
                }
            }

            if (code != RejectCode.None)
            {
                Console.WriteLine($"  -> rejected: {code}");
            }
        }

        Apply(Command.CreateMarket(++seq, now, Market, new MarketParameters(TickSize: 100)));
        foreach (var account in new[] { Maker, Taker, NoBuyer })
        {
            Apply(Command.RegisterAccount(++seq, now, account));
            Apply(Command.Deposit(++seq, now, account, 1_000 * Share));
        }

        Console.WriteLine("Maker mints 300 pairs by buying YES @0.40 against NoBuyer's NO @0.60, then quotes:");
        Apply(Command.Place(++seq, now, NoBuyer, Market, 100, Outcome.No, Side.Buy, 6_000, 300 * Share));
        Apply(Command.Place(++seq, now, Maker, Market, 101, Outcome.Yes, Side.Buy, 4_000, 300 * Share));
        Apply(Command.Place(++seq, now, Maker, Market, 102, Outcome.Yes, Side.Sell, 4_500, 100 * Share));
        Apply(Command.Place(++seq, now, Maker, Market, 103, Outcome.Yes, Side.Sell, 4_700, 100 * Share));
        Apply(Command.Place(++seq, now, Maker, Market, 104, Outcome.Yes, Side.Buy, 3_800, 100 * Share));
        Console.WriteLine(BookFormatter.Format(engine, Market));

        Console.WriteLine("Taker spends a $60 budget on YES up to 0.47 (FOK, Polymarket's market BUY):");
        Apply(Command.PlaceBudgetBuy(++seq, now, Taker, Market, 200, Outcome.Yes, 4_700, 60 * Share));
        Console.WriteLine("NoBuyer sells 50 NO at 0.50 or better: it meets Maker's YES ask @0.47, a MERGE that releases $50:");
        Apply(Command.Place(++seq, now, NoBuyer, Market, 201, Outcome.No, Side.Sell, 5_000, 50 * Share, TimeInForce.Fak));
        Console.WriteLine(BookFormatter.Format(engine, Market));

        foreach (var account in new[] { engine.FeeAccount, Maker, Taker, NoBuyer })
        {
            var cash = engine.GetBalance(account);
            var yes = engine.GetPosition(account, Market, Outcome.Yes);
            var no = engine.GetPosition(account, Market, Outcome.No);
            Console.WriteLine($"account {account}: USDC {BookFormatter.Amount(cash.Total)}, YES {BookFormatter.Amount(yes.Total)}, NO {BookFormatter.Amount(no.Total)}");
        }

        Console.WriteLine($"state hash {engine.ComputeStateHash():x16}");
    }
}
