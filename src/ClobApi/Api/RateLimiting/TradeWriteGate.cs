using System.Collections.Concurrent;

namespace Polysim.ClobApi.Api.RateLimiting;

/// <summary>Counts in-flight trade writes per scope (an account) across every worker that serves it.</summary>
/// <remarks>
/// A shared implementation keeps one set of leases per scope with an expiry (so a crashed worker's lease lapses) and
/// grants a lease atomically only while fewer than the limit are live; disposing the lease removes it.
/// </remarks>
public interface ITradeWriteGate
{
    /// <summary>Takes one of <paramref name="limit"/> slots of <paramref name="scope"/>, or returns null when all are taken.</summary>
    ValueTask<IAsyncDisposable?> TryEnterAsync(string scope, int limit, CancellationToken cancellationToken = default);
}

/// <summary>In-flight trade writes counted in this process.</summary>
public sealed class InProcessTradeWriteGate : ITradeWriteGate
{
    private readonly ConcurrentDictionary<string, Slots> _scopes = new(StringComparer.Ordinal);

    /// <summary>Slots taken now in <paramref name="scope"/> (for tests and diagnostics).</summary>
    public int InFlight(string scope) => _scopes.TryGetValue(scope, out var slots) ? Volatile.Read(ref slots.Taken) : 0;

    /// <inheritdoc />
    public ValueTask<IAsyncDisposable?> TryEnterAsync(string scope, int limit, CancellationToken cancellationToken = default)
    {
        var slots = _scopes.GetOrAdd(scope, static _ => new Slots());
        while (true)
        {
            var taken = Volatile.Read(ref slots.Taken);
            if (taken >= limit)
            {
                return ValueTask.FromResult<IAsyncDisposable?>(null);
            }

            if (Interlocked.CompareExchange(ref slots.Taken, taken + 1, taken) == taken)
            {
                return ValueTask.FromResult<IAsyncDisposable?>(new Lease(slots));
            }
        }
    }

    private sealed class Slots
    {
        // A field, not a property, because Interlocked needs a reference to it.
        public int Taken;
    }

    private sealed class Lease(Slots slots) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Interlocked.Decrement(ref slots.Taken);
            }

            return ValueTask.CompletedTask;
        }
    }
}
