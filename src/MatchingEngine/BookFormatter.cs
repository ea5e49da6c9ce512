using System.Globalization;
using System.Text;

namespace Polysim.MatchingEngine;

/// <summary>Renders a market's YES book as a text table (asks above, bids below), for test failures and demos.</summary>
public static class BookFormatter
{
    /// <summary>The book of <paramref name="market"/> with each resting order listed in time priority.</summary>
    public static string Format(Engine engine, int market)
    {
        var info = engine.GetMarket(market);
        if (info is null)
        {
            return $"market {market}: unknown";
        }

        var m = info.Value;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"market {market} ({m.Status}, tick {Price(m.TickSize)}, collateral {Amount(m.Collateral)})\n");
        sb.Append("  side | YES price | NO price |       size | orders (id:account:token side remaining)\n");
        var asks = engine.GetLevels(market, Outcome.Yes, Side.Sell);
        for (var i = asks.Count - 1; i >= 0; i--)
        {
            Row(sb, engine, market, "ask ", asks[i], bid: false);
        }

        sb.Append("  -----+-----------+----------+------------+\n");
        foreach (var level in engine.GetLevels(market, Outcome.Yes, Side.Buy))
        {
            Row(sb, engine, market, "bid ", level, bid: true);
        }

        return sb.ToString();
    }

    private static void Row(StringBuilder sb, Engine engine, int market, string side, PriceLevel level, bool bid)
    {
        sb.Append(CultureInfo.InvariantCulture, $"  {side} | {Price(level.Price),9} | {Price(Units.PriceScale - level.Price),8} | {Amount(level.Size),10} | ");
        foreach (var o in engine.GetOrdersAt(market, bid, level.Price))
        {
            sb.Append(CultureInfo.InvariantCulture, $"{o.Id}:{o.Account}:{(o.Outcome == Outcome.Yes ? "YES" : "NO")} {o.Side} {Amount(o.Remaining)}  ");
        }

        sb.Append('\n');
    }

    /// <summary>A price in 1e-4 units as a trimmed decimal ("0.34").</summary>
    public static string Price(int price) => Fixed(price, Units.PriceScale, 4);

    /// <summary>A micro-unit amount as a trimmed decimal ("5.051019").</summary>
    public static string Amount(long amount) => Fixed(amount, Units.AmountScale, 6);

    // Built as one string on the stack: the server formats several amounts in every order reply.
    private static string Fixed(long value, long scale, int digits)
    {
        if (value == 0)
        {
            return "0";
        }

        Span<char> text = stackalloc char[48];
        var length = 0;
        if (value < 0)
        {
            text[length++] = '-';
        }

        var magnitude = Math.Abs(value);
        (magnitude / scale).TryFormat(text[length..], out var written, default, CultureInfo.InvariantCulture);
        length += written;
        var fraction = magnitude % scale;
        if (fraction != 0)
        {
            text[length++] = '.';
            for (var i = digits - 1; i >= 0; i--)
            {
                text[length + i] = (char)('0' + (fraction % 10));
                fraction /= 10;
            }

            length += digits;
            while (text[length - 1] == '0')
            {
                length--;
            }
        }

        return new string(text[..length]);
    }
}
