using Polysim.ClobApi.Projections;

namespace Polysim.ClobApi.Tests.Orders;

public sealed class OrderIdListTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Listing_below_any_id_after_random_adds_and_removes_matches_a_sorted_set(int seed)
    {
        var random = new Random(seed);
        var list = new OrderIdList();
        var reference = new SortedSet<long>();
        long next = 1;
        for (var step = 0; step < 20_000; step++)
        {
            if (reference.Count == 0 || random.Next(100) < 55)
            {
                next += random.Next(1, 4);
                list.Add(next);
                reference.Add(next);
            }
            else
            {
                // Mostly the oldest (as finished orders are forgotten), sometimes any.
                var victim = random.Next(3) == 0 ? reference.ElementAt(random.Next(reference.Count)) : reference.Min;
                list.Remove(victim);
                reference.Remove(victim);
            }

            if (step % 997 == 0)
            {
                var before = random.Next(0, (int)next + 5);
                Assert.Equal(reference.Where(id => id < before).Reverse(), Below(list, before));
                Assert.Equal(reference.Count, list.Count);
            }
        }

        Assert.Equal(reference.Reverse(), Below(list, long.MaxValue));
    }

    [Fact]
    public void An_id_added_out_of_order_still_lists_in_order_and_a_repeated_id_is_kept_once()
    {
        var list = new OrderIdList();
        list.Add(10);
        list.Add(30);
        list.Add(20);
        list.Add(30);
        list.Remove(99);

        Assert.Equal([30L, 20L, 10L], Below(list, long.MaxValue));
        Assert.Equal(3, list.Count);
    }

    private static List<long> Below(OrderIdList list, long before) => [.. list.Below(before)];
}
