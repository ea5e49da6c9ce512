using System.Diagnostics.CodeAnalysis;

namespace Polysim.MatchingEngine;

/// <summary>A hash map split into shards that resize at different moments, so that no single insert copies the whole map.</summary>
/// <remarks>
/// A <see cref="Dictionary{TKey, TValue}"/> that doubles allocates and fills new arrays for all its entries inside one
/// insert: an order projection with a few hundred thousand orders copied ~9 MB per map that way, stalling the engine
/// thread and every request queued behind it. Here 64 shards each hold about 1/64 of the keys; a mixing hash picks the
/// shard, so shard sizes drift apart like random counts, and the shards start from four capacities that the runtime's
/// growth keeps on four separate ladders of sizes, so their doublings fall at different moments and each copies 1/64 of
/// the map. Deterministic for a deterministic comparer (the engine's order index). Not thread-safe; enumeration is not
/// offered, so nothing can come to rely on an order of keys.
/// </remarks>
public sealed class ShardedMap<TKey, TValue>
    where TKey : notnull
{
    private const int ShardBits = 6;

    // Four primes whose doubling ladders in the runtime's prime table never meet (17→37→89…, 23→47→107…, 29→59→131…,
    // 71→163→353…).
    private static readonly int[] StartingCapacities = [17, 23, 29, 71];

    private readonly Dictionary<TKey, TValue>[] _shards = new Dictionary<TKey, TValue>[1 << ShardBits];
    // Null for the default comparer, so that a value-type key's hash is a direct (devirtualized) call, as in a Dictionary.
    private readonly IEqualityComparer<TKey>? _comparer;

    /// <summary>An empty map comparing keys with <paramref name="comparer"/> (the default comparer when null).</summary>
    public ShardedMap(IEqualityComparer<TKey>? comparer = null)
        : this(0, comparer)
    {
    }

    /// <summary>An empty map with room for about <paramref name="capacity"/> keys before any shard grows.</summary>
    public ShardedMap(int capacity, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _comparer = comparer is null || ReferenceEquals(comparer, EqualityComparer<TKey>.Default) ? null : comparer;
        var perShard = capacity >> ShardBits;
        for (var i = 0; i < _shards.Length; i++)
        {
            // Above the ladders' starting points, spread the shards over one doubling (×1, ×1.25, ×1.5, ×1.75) instead.
            var ladder = i % StartingCapacities.Length;
            var start = Math.Max(StartingCapacities[ladder], perShard + (perShard * ladder / StartingCapacities.Length));
            _shards[i] = new Dictionary<TKey, TValue>(start, _comparer);
        }
    }

    /// <summary>Entries held.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var shard in _shards)
            {
                count += shard.Count;
            }

            return count;
        }
    }

    /// <summary>Slots allocated across the shards (for tests of how the map grows).</summary>
    internal long Capacity
    {
        get
        {
            long capacity = 0;
            foreach (var shard in _shards)
            {
                capacity += shard.EnsureCapacity(0);
            }

            return capacity;
        }
    }

    /// <summary>Sets the value of a key, adding it if absent.</summary>
    public TValue this[TKey key]
    {
        set => Shard(key)[key] = value;
    }

    /// <summary>Adds a key that must be absent.</summary>
    public void Add(TKey key, TValue value) => Shard(key).Add(key, value);

    /// <summary>Whether a key is present.</summary>
    public bool ContainsKey(TKey key) => Shard(key).ContainsKey(key);

    /// <summary>The value of a key, if present.</summary>
    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value) => Shard(key).TryGetValue(key, out value);

    /// <summary>The value of a key, or the type's default.</summary>
    public TValue? GetValueOrDefault(TKey key) => Shard(key).GetValueOrDefault(key);

    /// <summary>Removes a key, handing back its value.</summary>
    public bool Remove(TKey key, [MaybeNullWhen(false)] out TValue value) => Shard(key).Remove(key, out value);

    /// <summary>Removes a key.</summary>
    public bool Remove(TKey key) => Shard(key).Remove(key);

    private Dictionary<TKey, TValue> Shard(TKey key)
    {
        // The murmur3 finalizer: sequential keys (engine ids hash to themselves) land on shards as if at random.
        var h = (uint)(_comparer is null ? EqualityComparer<TKey>.Default.GetHashCode(key) : _comparer.GetHashCode(key));
        h ^= h >> 16;
        h *= 0x85EBCA6B;
        h ^= h >> 13;
        h *= 0xC2B2AE35;
        h ^= h >> 16;
        return _shards[h >> (32 - ShardBits)];
    }
}
