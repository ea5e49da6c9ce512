using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Polysim.ClobApi.Http;

namespace Polysim.ClobApi.Api.Idempotency;

/// <summary>Applies <c>Idempotency-Key</c> to a route: <c>builder.WithIdempotency()</c>.</summary>
public static class IdempotencyEndpointExtensions
{
    /// <summary>Makes the route honour <c>Idempotency-Key</c> (see <see cref="IdempotencyFilter"/>).</summary>
    public static TBuilder WithIdempotency<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new IdempotencyFilter());
}

/// <summary>The <c>Idempotency-Key</c> contract of every POST that creates or cancels.</summary>
/// <remarks>
/// <para>Without the header the route runs as usual. With it, the key is scoped to the caller's account and fingerprinted
/// with SHA-256 of the method, path, query, selected wallet and raw body. One atomic claim decides: a new key runs the
/// route; an identical replay of a completed key returns the stored status, body and code with
/// <c>X-Idempotency-Replayed: true</c>; the same key with a different fingerprint answers 409 IDEMPOTENCY_KEY_REUSE; the same
/// key still in flight answers 409 IDEMPOTENCY_CONFLICT_PENDING with <c>Retry-After: 1</c>.</para>
/// <para>What is stored (reliability-security.md §1.4): a route that <em>returns</em> a result executed, so its response is
/// stored and replayed, engine rejections and 500 EXECUTION_ERROR included (the engine may have acted, so a retry must not
/// run it again). A route that <em>throws</em> (authentication, permission, schema validation, unknown market, duplicate
/// client order id, payload too large, a stopped engine) refused the request before it executed, so the claim is released
/// and the client may correct and retry with the same key. Only <see cref="IResult"/> returns are stored.</para>
/// </remarks>
public sealed class IdempotencyFilter : IEndpointFilter
{
    /// <summary>The request header.</summary>
    public const string Header = "Idempotency-Key";

    /// <summary>The response header on replays.</summary>
    public const string ReplayedHeader = "X-Idempotency-Replayed";

    /// <summary>Longest key accepted.</summary>
    public const int MaxKeyLength = 255;

    private static readonly string[] ReplayedHeaders = [ErrorWriter.CodeHeader, "Location", "Retry-After"];

    /// <inheritdoc />
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        // Not async on the common path (no key): an async method here would box its state machine for every order.
        var raw = context.HttpContext.Request.Headers[Header];
        return raw.Count == 0 ? next(context) : InvokeWithKeyAsync(context, next, raw.ToString());
    }

    private static async ValueTask<object?> InvokeWithKeyAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, string rawKey)
    {
        var http = context.HttpContext;
        var key = Normalize(rawKey);
        var scope = Caller.Find(http) is { } caller
            ? RateLimiting.Scopes.Account(caller.Account.Id)
            : "operator";
        var body = await RequestBytes.ReadAsync(http);
        var store = http.RequestServices.GetRequiredService<IIdempotencyStore>();
        var claim = await store.ClaimAsync(new IdempotencyKey(scope, key), Fingerprint(http, body));
        switch (claim.State)
        {
            case ClaimState.Completed:
                return new StoredResult(claim.Response!, replayed: true);
            case ClaimState.InFlight:
                throw new ApiException(409, "IDEMPOTENCY_CONFLICT_PENDING", "A request with this Idempotency-Key is still being processed; retry shortly.")
                {
                    RetryAfterSeconds = 1,
                };
            case ClaimState.Mismatch:
                throw new ApiException(409, "IDEMPOTENCY_KEY_REUSE", "This Idempotency-Key was already used with a different request; use a new key for a new request.");
            default:
                break;
        }

        object? result;
        try
        {
            result = await next(context);
        }
        catch
        {
            await store.ReleaseAsync(claim);
            throw;
        }

        if (result is not IResult executable)
        {
            await store.ReleaseAsync(claim);
            return result;
        }

        var stored = await CaptureAsync(http, executable);
        // Stored before it is written: a client that hung up still finds its response when it retries.
        await store.CompleteAsync(claim, stored);
        return new StoredResult(stored, replayed: false);
    }

    /// <summary>Validates and unwraps a key (RFC 8941 quoted strings are accepted, as the IETF draft sends them).</summary>
    internal static string Normalize(string value)
    {
        var key = value.Trim();
        if (key.Length >= 2 && key[0] == '"' && key[^1] == '"')
        {
            key = key[1..^1];
        }

        if (key.Length is 0 or > MaxKeyLength || key.Any(c => c is < '!' or > '~'))
        {
            throw ApiException.Validation($"{Header} must be 1 to {MaxKeyLength} printable ASCII characters without spaces.", Header);
        }

        return key;
    }

    private static byte[] Fingerprint(HttpContext http, byte[] body)
    {
        var request = http.Request;
        var head = string.Join('\n', request.Method, request.Path.Value, request.QueryString.Value, request.Headers[ApiKeyAuthentication.WalletHeader].ToString(), string.Empty);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(head));
        hash.AppendData(body);
        return hash.GetHashAndReset();
    }

    private static async Task<StoredResponse> CaptureAsync(HttpContext http, IResult result)
    {
        var original = http.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var buffer = new MemoryStream();
        var capture = new StreamResponseBodyFeature(buffer, original);
        http.Features.Set<IHttpResponseBodyFeature>(capture);
        try
        {
            await result.ExecuteAsync(http);
            await capture.CompleteAsync();
        }
        finally
        {
            http.Features.Set(original);
        }

        var response = http.Response;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in ReplayedHeaders)
        {
            if (response.Headers.TryGetValue(name, out var value) && value.Count > 0)
            {
                headers[name] = value.ToString();
            }
        }

        return new StoredResponse(response.StatusCode, response.ContentType, headers, buffer.ToArray());
    }

    /// <summary>Writes a stored response, marking replays.</summary>
    private sealed class StoredResult(StoredResponse stored, bool replayed) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = stored.Status;
            if (stored.ContentType is not null)
            {
                response.ContentType = stored.ContentType;
            }

            foreach (var (name, value) in stored.Headers)
            {
                response.Headers[name] = value;
            }

            if (replayed)
            {
                response.Headers[ReplayedHeader] = "true";
            }

            response.ContentLength = stored.Body.Length;
            return response.Body.WriteAsync(stored.Body).AsTask();
        }
    }
}
