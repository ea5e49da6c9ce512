using System.Globalization;

namespace Polysim.MatchingEngine.Tests.Properties;

/// <summary>Renders commands as the C# factory calls that rebuild them, so a failing stream can be pasted into a test.</summary>
public static class CommandText
{
    public static string ToCode(Command c)
    {
        var code = c.Kind switch
        {
            CommandKind.RegisterAccount => $"Command.RegisterAccount({c.Sequence}, {c.Timestamp}, {c.Account}, SelfTradePrevention.{c.SelfTradePrevention})",
            CommandKind.Deposit => $"Command.Deposit({c.Sequence}, {c.Timestamp}, {c.Account}, {c.Amount})",
            CommandKind.Withdraw => $"Command.Withdraw({c.Sequence}, {c.Timestamp}, {c.Account}, {c.Amount})",
            CommandKind.SetSelfTradePrevention => $"Command.SetStp({c.Sequence}, {c.Timestamp}, {c.Account}, SelfTradePrevention.{c.SelfTradePrevention})",
            CommandKind.CreateMarket => $"Command.CreateMarket({c.Sequence}, {c.Timestamp}, {c.Market}, new MarketParameters({c.MarketParameters.TickSize}, " +
                $"{c.MarketParameters.MinimumSize}, {Bool(c.MarketParameters.NegRisk)}, {c.MarketParameters.TakerFeeRate}, " +
                $"{c.MarketParameters.TakerFeeExponentHalves}, {Bool(c.MarketParameters.AutoTickSize)}))",
            CommandKind.SetMarketStatus => $"Command.SetMarketStatus({c.Sequence}, {c.Timestamp}, {c.Market}, MarketStatus.{c.Status})",
            CommandKind.SetTickSize => $"Command.SetTickSize({c.Sequence}, {c.Timestamp}, {c.Market}, {c.Price})",
            CommandKind.ResolveMarket => $"Command.Resolve({c.Sequence}, {c.Timestamp}, {c.Market}, {Outcome(c.Outcome)})",
            CommandKind.PlaceOrder when c.IsBudget =>
                $"Command.PlaceBudgetBuy({c.Sequence}, {c.Timestamp}, {c.Account}, {c.Market}, {c.OrderId}, {Outcome(c.Outcome)}, " +
                $"{c.Price}, {c.Quantity}, TimeInForce.{c.TimeInForce}, {Bool(c.PostOnly)}, {c.Expiration})" + (c.Side == Side.Buy ? string.Empty : " with { Side = Side.Sell }"),
            CommandKind.PlaceOrder =>
                $"Command.Place({c.Sequence}, {c.Timestamp}, {c.Account}, {c.Market}, {c.OrderId}, {Outcome(c.Outcome)}, Side.{c.Side}, " +
                $"{c.Price}, {c.Quantity}, TimeInForce.{c.TimeInForce}, {Bool(c.PostOnly)}, {c.Expiration})",
            CommandKind.CancelOrder => $"Command.Cancel({c.Sequence}, {c.Timestamp}, {c.Account}, {c.OrderId})",
            CommandKind.ReduceOrder => $"Command.Reduce({c.Sequence}, {c.Timestamp}, {c.Account}, {c.OrderId}, {c.Quantity})" +
                (c.IsBudget ? " with { IsBudget = true }" : string.Empty),
            CommandKind.CancelAllOrders => $"Command.CancelAll({c.Sequence}, {c.Timestamp}, {c.Account})",
            CommandKind.CancelMarketOrders => $"Command.CancelMarket({c.Sequence}, {c.Timestamp}, {c.Account}, {c.Market}" +
                (c.HasOutcome ? $", {Outcome(c.Outcome)})" : ")"),
            CommandKind.AdvanceTime => $"Command.AdvanceTime({c.Sequence}, {c.Timestamp})",
            _ => c.ToString(),
        };
        return code;
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Outcome(Outcome outcome) =>
        Enum.IsDefined(outcome) ? "Outcome." + outcome : "(Outcome)" + ((int)outcome).ToString(CultureInfo.InvariantCulture);
}
