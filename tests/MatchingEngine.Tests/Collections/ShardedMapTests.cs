namespace Polysim.MatchingEngine.Tests.Collections;

/// <summary>The sharded map behind the engine's open-order index and the order projection's indexes.</summary>
public sealed class ShardedMapTests
{
    [Fact]
    public void It_finds_replaces_and_removes_like_a_dictionary()
    {
        var map = new ShardedMap<string, int>(StringComparer.OrdinalIgnoreCase);
        var reference = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var random = new Random(5);
        for (var i = 0; i < 50_000; i++)
        {
            var key = "0x" + random.Next(20_000).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
            if (random.Next(3) == 0)
            {
                Assert.Equal(reference.Remove(key, out var expected), map.Remove(key.ToUpperInvariant(), out var removed));
                Assert.Equal(expected, removed);
            }
            else
            {
                reference[key] = i;
                map[key] = i;
            }
        }

        Assert.Equal(reference.Count, map.Count);
        foreach (var (key, value) in reference)
        {
            Assert.True(map.TryGetValue(key.ToUpperInvariant(), out var found));
            Assert.Equal(value, found);
        }

        Assert.Equal(0, map.GetValueOrDefault("absent"));
    }

    [Fact]
    public void Growing_to_a_million_sequential_keys_never_makes_one_insert_resize_much_of_the_map()
    {
        // A plain dictionary's last doubling here moves every entry it holds in one insert; the shards' doublings are
        // spread out, so no insert may move more than a few percent of the map.
        var map = new ShardedMap<long, long>();
        var capacity = map.Capacity;
        var worst = 0.0;
        for (long key = 1; key <= 1_000_000; key++)
        {
            map[key] = key;
            var now = map.Capacity;
            if (now != capacity)
            {
                worst = Math.Max(worst, (now - capacity) / (double)key);
                capacity = now;
            }
        }

        Assert.True(worst < 0.06, $"one insert grew the map by {worst:P1} of its entries");
        Assert.Equal(1_000_000, map.Count);
    }

    [Fact]
    public void A_map_sized_up_front_holds_that_many_keys_without_growing()
    {
        var map = new ShardedMap<long, int>(1 << 16);
        var capacity = map.Capacity;
        Assert.True(capacity >= 1 << 16, $"capacity {capacity}");
        Assert.True(capacity < 3 << 16, $"capacity {capacity}");
        for (var key = 0; key < 40_000; key++)
        {
            map.Add(key, key);
        }

        // Shards hold binomially varying shares (about ±4 % here), which the ×1 ladder's room leaves space for.
        Assert.Equal(capacity, map.Capacity);
        Assert.True(map.ContainsKey(39_999));
        Assert.Throws<ArgumentException>(() => map.Add(7, 7));
    }
}
