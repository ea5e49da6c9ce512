using System.Globalization;
using System.Text.Json.Serialization;
using Polysim.ClobApi.Http;

namespace Polysim.ClobApi.Api.RateLimiting;

/// <summary>Which requests are trade writes and how many of them one account may have in flight.</summary>
public sealed record TradeWriteLimiterOptions
{
    /// <summary>The trade-write paths (POST), matched case-insensitively and without a trailing slash.</summary>
    public static IReadOnlyList<string> DefaultPaths { get; } = ["/v1/orders", "/v1/orders/batch", "/v1/clob/order", "/order", "/orders"];

    /// <summary>Concurrent trade writes allowed per account.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>The back-off suggested in <c>retry_after_ms</c>.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Paths of the trade-write routes.</summary>
    public IReadOnlySet<string> Paths { get; init; } = new HashSet<string>(DefaultPaths, StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether a request is a trade write.</summary>
    public bool IsTradeWrite(string method, PathString path)
    {
        if (!HttpMethods.IsPost(method) || path.Value is not { Length: > 1 } value)
        {
            return false;
        }

        return Paths.Contains(value.TrimEnd('/'));
    }
}

/// <summary>The 429 RATE_LIMITED body: the error contract plus the suggested back-off in milliseconds.</summary>
/// <param name="Error">Human-readable message.</param>
/// <param name="RetryAfterMs">Suggested wait before retrying.</param>
public sealed record RateLimitedReply(string Error, int RetryAfterMs);

/// <summary>The verbose 429 RATE_LIMITED body.</summary>
/// <param name="Error">The code.</param>
/// <param name="Message">Human-readable message.</param>
/// <param name="Details">Always null.</param>
/// <param name="RequestId">The request id.</param>
/// <param name="RetryAfterMs">Suggested wait before retrying.</param>
public sealed record VerboseRateLimitedReply(string Error, string Message, Dictionary<string, string>? Details, string RequestId, int RetryAfterMs);

/// <summary>Source-generated JSON for the trade-write limiter's replies.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(RateLimitedReply))]
[JsonSerializable(typeof(VerboseRateLimitedReply))]
internal sealed partial class RateLimitJson : JsonSerializerContext;

/// <summary>Caps an account's in-flight trade writes; one more answers 429 RATE_LIMITED with <c>Retry-After</c> and <c>retry_after_ms</c>.</summary>
/// <remarks>Runs after authentication and the request-rate limit, before idempotency and the handler; it goes by path and method
/// only, so it needs nothing from the order routes. Keys of one account share the account's slots.</remarks>
public sealed class TradeWriteLimiter(RequestDelegate next, ITradeWriteGate gate, TradeWriteLimiterOptions options)
{
    /// <summary>Holds a slot for the whole request when it is an authenticated trade write.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        if (!options.IsTradeWrite(context.Request.Method, context.Request.Path) || Caller.Find(context) is not { } caller)
        {
            await next(context);
            return;
        }

        var scope = Scopes.Account(caller.Account.Id);
        var lease = await gate.TryEnterAsync(scope, options.Concurrency, context.RequestAborted);
        if (lease is null)
        {
            await RefuseAsync(context);
            return;
        }

        await using (lease)
        {
            await next(context);
        }
    }

    private Task RefuseAsync(HttpContext context)
    {
        var ms = (int)Math.Max(1, options.RetryAfter.TotalMilliseconds);
        var message = $"Too many trade writes in flight for this account (at most {options.Concurrency} at once). Retry after {ms} ms.";
        var response = context.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers[ErrorWriter.CodeHeader] = "RATE_LIMITED";
        response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(options.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var verbose = string.Equals(context.Request.Headers[ErrorWriter.VerboseHeader], "true", StringComparison.OrdinalIgnoreCase);
        return verbose
            ? JsonReply.WriteAsync(response,
                new VerboseRateLimitedReply("RATE_LIMITED", message, null, RequestIdMiddleware.Get(context), ms),
                RateLimitJson.Default.VerboseRateLimitedReply)
            : JsonReply.WriteAsync(response, new RateLimitedReply(message, ms), RateLimitJson.Default.RateLimitedReply);
    }
}
