using System.Collections.Concurrent;

namespace Polysim.ClobApi.Api.Idempotency;

/// <summary>The in-process <see cref="IIdempotencyStore"/>: a concurrent dictionary whose claim is one compare-and-swap.</summary>
/// <remarks>Records live in memory only, so a restart forgets them; <c>client_order_id</c> (kept in the journaled order
/// projection) still stops a retried order from being placed twice across a restart.</remarks>
public sealed class InMemoryIdempotencyStore : IIdempotencyStore
{
    private const int SweepEvery = 256;

    private readonly ConcurrentDictionary<IdempotencyKey, Entry> _entries = new();
    private readonly TimeProvider _time;
    private readonly IdempotencyOptions _options;
    private int _claimsSinceSweep;

    /// <summary>Creates an empty store on the given clock.</summary>
    public InMemoryIdempotencyStore(TimeProvider time, IdempotencyOptions options)
    {
        _time = time;
        _options = options;
    }

    /// <summary>How many records are held (expired ones included until the next sweep).</summary>
    public int Count => _entries.Count;

    /// <inheritdoc />
    public ValueTask<IdempotencyClaim> ClaimAsync(IdempotencyKey key, ReadOnlyMemory<byte> fingerprint, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        if (Interlocked.Increment(ref _claimsSinceSweep) >= SweepEvery)
        {
            Interlocked.Exchange(ref _claimsSinceSweep, 0);
            Sweep(now);
        }

        var mine = new Entry(Guid.NewGuid().ToString("n"), fingerprint.ToArray(), null, now + _options.InFlightTimeout);
        while (true)
        {
            if (_entries.TryAdd(key, mine))
            {
                return ValueTask.FromResult(new IdempotencyClaim(ClaimState.Claimed, key, mine.Token, null));
            }

            if (!_entries.TryGetValue(key, out var existing))
            {
                continue;
            }

            if (existing.ExpiresAt <= now)
            {
                // Expired (a finished key past retention, or an abandoned claim): take it over atomically or look again.
                if (_entries.TryUpdate(key, mine, existing))
                {
                    return ValueTask.FromResult(new IdempotencyClaim(ClaimState.Claimed, key, mine.Token, null));
                }

                continue;
            }

            var state = !existing.Fingerprint.AsSpan().SequenceEqual(fingerprint.Span)
                ? ClaimState.Mismatch
                : existing.Response is null ? ClaimState.InFlight : ClaimState.Completed;
            return ValueTask.FromResult(new IdempotencyClaim(state, key, string.Empty, existing.Response));
        }
    }

    /// <inheritdoc />
    public ValueTask CompleteAsync(IdempotencyClaim claim, StoredResponse response, CancellationToken cancellationToken = default)
    {
        if (_entries.TryGetValue(claim.Key, out var current) && current.Token == claim.Token && current.Response is null)
        {
            var done = current with { Response = response, ExpiresAt = _time.GetUtcNow() + _options.Retention };
            _entries.TryUpdate(claim.Key, done, current);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask ReleaseAsync(IdempotencyClaim claim, CancellationToken cancellationToken = default)
    {
        if (_entries.TryGetValue(claim.Key, out var current) && current.Token == claim.Token && current.Response is null)
        {
            _entries.TryRemove(new KeyValuePair<IdempotencyKey, Entry>(claim.Key, current));
        }

        return ValueTask.CompletedTask;
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var pair in _entries)
        {
            if (pair.Value.ExpiresAt <= now)
            {
                _entries.TryRemove(pair);
            }
        }
    }

    // A class, so the dictionary's compare-and-swap compares identities: a record replaced meanwhile never matches.
    private sealed record Entry(string Token, byte[] Fingerprint, StoredResponse? Response, DateTimeOffset ExpiresAt)
    {
        public bool Equals(Entry? other) => ReferenceEquals(this, other);

        public override int GetHashCode() => Token.GetHashCode(StringComparison.Ordinal);
    }
}
