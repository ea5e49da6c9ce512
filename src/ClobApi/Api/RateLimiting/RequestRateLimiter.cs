using System.Globalization;
using Polysim.Accounts;
using Polysim.ClobApi.Http;

namespace Polysim.ClobApi.Api.RateLimiting;

/// <summary>Applies a key's per-second and per-minute tier limits to a request and reports them in <c>X-RateLimit-*</c> headers.</summary>
public sealed class RequestRateLimiter(IRateLimitStore store)
{
    /// <summary>Limit of the window that binds first.</summary>
    public const string LimitHeader = "X-RateLimit-Limit";

    /// <summary>Requests left in the window that binds first.</summary>
    public const string RemainingHeader = "X-RateLimit-Remaining";

    /// <summary>Seconds until the binding window is whole again.</summary>
    public const string ResetHeader = "X-RateLimit-Reset";

    /// <summary>The key's tier.</summary>
    public const string TierHeader = "X-RateLimit-Tier";

    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private TierRules? _rules;

    /// <summary>Counts the request against the key; sets the headers on whatever response follows; throws 429 RATE_LIMIT_EXCEEDED when over.</summary>
    public async ValueTask CheckAsync(HttpContext context, string keyId, TierLimits limits)
    {
        var rules = RulesOf(limits);
        RateLimitDecision decision;
        try
        {
            decision = await store.AcquireAsync(Scopes.Key(keyId), rules, context.RequestAborted);
        }
        catch (ApiException outage) when (outage.Data[Redis.RedisRateLimitStore.FallbackDecisionKey] is RateLimitDecision fallback && IsRead(context.Request.Method))
        {
            // The shared store is down and fails closed: reads keep working on this process's own count.
            decision = fallback;
        }

        var binding = Binding(decision);
        var tier = limits.Name;
        // Set when the response starts, so the headers survive an error written later in the pipeline (which clears headers).
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers[LimitHeader] = LimitText(binding.Rule.Limit);
            headers[RemainingHeader] = Text(binding.Remaining);
            headers[ResetHeader] = Text(CeilingSeconds(binding.ResetAfter));
            headers[TierHeader] = tier;
            headers["X-RateLimit-Limit-Per-Second"] = LimitText(decision.Windows[0].Rule.Limit);
            headers["X-RateLimit-Remaining-Per-Second"] = Text(decision.Windows[0].Remaining);
            headers["X-RateLimit-Limit-Per-Minute"] = LimitText(decision.Windows[1].Rule.Limit);
            headers["X-RateLimit-Remaining-Per-Minute"] = Text(decision.Windows[1].Remaining);
            return Task.CompletedTask;
        });

        if (!decision.Allowed)
        {
            var retry = Math.Max(1, CeilingSeconds(binding.RetryAfter));
            var per = binding.Rule.Period == Second ? "second" : "minute";
            throw new ApiException(
                429,
                "RATE_LIMIT_EXCEEDED",
                $"Rate limit exceeded: the {tier} tier allows {binding.Rule.Limit} requests per {per} per key. Retry after {retry}s.",
                new Dictionary<string, string> { ["tier"] = tier, ["limit"] = Text(binding.Rule.Limit), ["window"] = per })
            {
                RetryAfterSeconds = retry,
            };
        }
    }

    // One rule array per tier, not per request (tiers are few and never change while the server runs).
    private RateLimitRule[] RulesOf(TierLimits limits)
    {
        var cached = _rules;
        if (cached is not null && ReferenceEquals(cached.Limits, limits))
        {
            return cached.Rules;
        }

        var rules = new RateLimitRule[] { new(limits.RequestsPerSecond, Second), new(limits.RequestsPerMinute, Minute) };
        _rules = new TierRules(limits, rules);
        return rules;
    }

    /// <summary>The window to report: when refused, the one that waits longest; else the one with the fewest requests left.</summary>
    internal static RateLimitWindow Binding(RateLimitDecision decision)
    {
        var best = decision.Windows[0];
        foreach (var w in decision.Windows)
        {
            var better = decision.Allowed
                ? w.Remaining < best.Remaining || (w.Remaining == best.Remaining && w.ResetAfter > best.ResetAfter)
                : w.RetryAfter > best.RetryAfter;
            if (better)
            {
                best = w;
            }
        }

        return best;
    }

    private static bool IsRead(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    private static int CeilingSeconds(TimeSpan span) =>
        span <= TimeSpan.Zero ? 0 : (int)Math.Ceiling(span.TotalSeconds - 1e-9);

    // Seven header values per request: the limits (a handful of distinct values) and small counts are formatted once.
    private static readonly string?[] SmallNumbers = new string?[10_000];
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> Limits = new();

    private static string Text(int value) =>
        (uint)value < (uint)SmallNumbers.Length
            ? SmallNumbers[value] ??= value.ToString(CultureInfo.InvariantCulture)
            : value.ToString(CultureInfo.InvariantCulture);

    private static string LimitText(int value) => Limits.GetOrAdd(value, static v => v.ToString(CultureInfo.InvariantCulture));
}

/// <summary>The rules derived from one tier's limits.</summary>
/// <param name="Limits">The tier's limits (compared by reference).</param>
/// <param name="Rules">Its per-second and per-minute rules.</param>
internal sealed record TierRules(TierLimits Limits, RateLimitRule[] Rules);
