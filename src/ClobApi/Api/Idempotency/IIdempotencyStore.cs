namespace Polysim.ClobApi.Api.Idempotency;

/// <summary>Where an <c>Idempotency-Key</c> lives: the caller's scope (one account) and the key the client chose.</summary>
/// <param name="Scope">"account:{id}" for API-key callers, "operator" for operator routes.</param>
/// <param name="Key">The client's key, 1 to 255 printable ASCII characters.</param>
public readonly record struct IdempotencyKey(string Scope, string Key);

/// <summary>The response kept for a completed key, replayed byte for byte.</summary>
/// <param name="Status">HTTP status.</param>
/// <param name="ContentType">Content type, or null.</param>
/// <param name="Headers">Headers worth replaying (the machine code, Location, Retry-After).</param>
/// <param name="Body">The body bytes.</param>
public sealed record StoredResponse(int Status, string? ContentType, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>What a claim found.</summary>
public enum ClaimState
{
    /// <summary>The key was free (or expired) and now belongs to this request, in flight.</summary>
    Claimed,

    /// <summary>Another request with the same key and the same fingerprint is still in flight.</summary>
    InFlight,

    /// <summary>The key was used for a request with a different fingerprint.</summary>
    Mismatch,

    /// <summary>The key completed with a stored response that matches this fingerprint: replay it.</summary>
    Completed,
}

/// <summary>The answer of <see cref="IIdempotencyStore.ClaimAsync"/>.</summary>
/// <param name="State">What was found.</param>
/// <param name="Key">The key.</param>
/// <param name="Token">Identifies this claim, so that only its owner completes or releases it.</param>
/// <param name="Response">The stored response when <see cref="ClaimState.Completed"/>.</param>
public sealed record IdempotencyClaim(ClaimState State, IdempotencyKey Key, string Token, StoredResponse? Response);

/// <summary>Retention of idempotency records.</summary>
public sealed record IdempotencyOptions
{
    /// <summary>How long a completed key is kept and replayed (24 h).</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How long an in-flight claim blocks its key if its owner never completes it (a crash): then the key is free again.</summary>
    public TimeSpan InFlightTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Idempotency records: one atomic claim ("in flight"), then one completion with the stored response.</summary>
/// <remarks>
/// Never check-then-insert: <see cref="ClaimAsync"/> decides in one atomic step whether the key is new (and takes it),
/// in flight, reused with a different body, or completed. An in-flight claim expires after
/// <see cref="IdempotencyOptions.InFlightTimeout"/>, so a worker that dies between claim and completion leaves a key that
/// frees itself rather than blocking forever. Implementations: <see cref="InMemoryIdempotencyStore"/> (one process); a Redis
/// one later, for several workers.
/// </remarks>
public interface IIdempotencyStore
{
    /// <summary>Atomically claims <paramref name="key"/> for a request with <paramref name="fingerprint"/>, or reports what holds it.</summary>
    ValueTask<IdempotencyClaim> ClaimAsync(IdempotencyKey key, ReadOnlyMemory<byte> fingerprint, CancellationToken cancellationToken = default);

    /// <summary>Stores the response of a claimed key; it is replayed until the retention period ends.</summary>
    /// <remarks>Does nothing when the claim is no longer the owner's (it expired and another request took the key).</remarks>
    ValueTask CompleteAsync(IdempotencyClaim claim, StoredResponse response, CancellationToken cancellationToken = default);

    /// <summary>Frees a claimed key without storing anything (the request was refused before it executed).</summary>
    ValueTask ReleaseAsync(IdempotencyClaim claim, CancellationToken cancellationToken = default);
}
