namespace Polysim.ClobApi.Api.RateLimiting;

/// <summary>One limit on a bucket: at most <paramref name="Limit"/> requests per <paramref name="Period"/>.</summary>
/// <param name="Limit">Requests allowed per period (at least 1).</param>
/// <param name="Period">Length of the window.</param>
public readonly record struct RateLimitRule(int Limit, TimeSpan Period);

/// <summary>Where one rule of a bucket stands after a decision.</summary>
/// <param name="Rule">The rule.</param>
/// <param name="Remaining">Requests still allowed right now under this rule.</param>
/// <param name="ResetAfter">Time until this rule's allowance is whole again.</param>
/// <param name="RetryAfter">Time until this rule allows one more request (zero when it allows one now).</param>
public readonly record struct RateLimitWindow(RateLimitRule Rule, int Remaining, TimeSpan ResetAfter, TimeSpan RetryAfter);

/// <summary>The answer of a rate-limit store for one request.</summary>
/// <param name="Allowed">Whether the request was counted and may proceed.</param>
/// <param name="Windows">One entry per rule, in the order the rules were given.</param>
public sealed record RateLimitDecision(bool Allowed, IReadOnlyList<RateLimitWindow> Windows);

/// <summary>Rate-limit counters shared by every worker that serves a bucket.</summary>
/// <remarks>
/// One call is one atomic step over all the rules of a bucket: either every rule has room and the request is counted
/// under all of them, or it is counted under none. The store keeps its own clock, so a shared implementation (a Lua
/// script on Redis using the server's <c>TIME</c>, one key per bucket and period holding a GCRA theoretical arrival
/// time) gives every worker the same answer. Rules are identified by their period, so a tier change keeps the history.
/// </remarks>
public interface IRateLimitStore
{
    /// <summary>Counts one request against <paramref name="bucket"/> if every rule allows it.</summary>
    ValueTask<RateLimitDecision> AcquireAsync(string bucket, IReadOnlyList<RateLimitRule> rules, CancellationToken cancellationToken = default);
}
