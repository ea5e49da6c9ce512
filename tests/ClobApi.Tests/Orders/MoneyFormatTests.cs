using Polysim.ClobApi.Http;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.Orders;

public sealed class MoneyFormatTests
{
    [Fact]
    public void Amounts_and_prices_read_exactly_as_the_engine_formatter_writes_them()
    {
        var random = new Random(5);
        long[] edges = [0, 1, -1, 9, 10, 100_000, 999_999, 1_000_000, 1_000_001, -1_500_000, 12_500_000, long.MaxValue, long.MinValue + 1];
        var amounts = edges.Concat(Enumerable.Range(0, 20_000).Select(i => i % 2 == 0 ? random.NextInt64(-10_000_000_000, 10_000_000_000) : random.NextInt64(0, 2_000)));
        foreach (var amount in amounts)
        {
            Assert.Equal(BookFormatter.Amount(amount), Money.FormatUsdc(amount));
        }

        int[] priceEdges = [0, 1, 10, 100, 1_000, 3_400, 9_999, 10_000, 10_001, -5, int.MaxValue, int.MinValue + 1];
        foreach (var price in priceEdges.Concat(Enumerable.Range(0, 10_001)))
        {
            Assert.Equal(BookFormatter.Price(price), Money.FormatPrice(price));
        }
    }
}
