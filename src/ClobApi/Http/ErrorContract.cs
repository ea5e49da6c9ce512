using Polysim.ClobApi.Hosting;

namespace Polysim.ClobApi.Http;

/// <summary>A failure a handler reports in the error contract: status, machine code, message, optional details.</summary>
public sealed class ApiException(int status, string code, string message, Dictionary<string, string>? details = null)
    : Exception(message)
{
    /// <summary>HTTP status.</summary>
    public int Status { get; } = status;

    /// <summary>Machine code for <c>X-Polysim-Code</c>.</summary>
    public string Code { get; } = code;

    /// <summary>Structured context for the verbose body.</summary>
    public Dictionary<string, string>? Details { get; } = details;

    /// <summary>Seconds for <c>Retry-After</c>, when the client should retry.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>422 VALIDATION_FAILED: a schema-level problem (wrong type, missing field, out of range, unknown enum value).</summary>
    public static ApiException Validation(string message, string? field = null) =>
        new(422, "VALIDATION_FAILED", message, field is null ? null : new Dictionary<string, string> { ["field"] = field });
}

/// <summary>Writes errors in the /v1 contract: <c>{"error": message}</c>, the code in <c>X-Polysim-Code</c>, or the verbose body on request.</summary>
public static class ErrorWriter
{
    /// <summary>Header carrying the machine code.</summary>
    public const string CodeHeader = "X-Polysim-Code";

    /// <summary>Request header asking for the verbose body.</summary>
    public const string VerboseHeader = "X-Polysim-Verbose";

    /// <summary>Writes an error response; the caller must not have started the response.</summary>
    public static Task WriteAsync(HttpContext context, int status, string code, string message, Dictionary<string, string>? details = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.Headers[CodeHeader] = code;
        // Set again: a handler's failure clears the response, request id included.
        response.Headers[RequestIdMiddleware.Header] = RequestIdMiddleware.Get(context);
        var verbose = string.Equals(context.Request.Headers[VerboseHeader], "true", StringComparison.OrdinalIgnoreCase);
        return verbose
            ? JsonReply.WriteAsync(response, new VerboseErrorReply(code, message, details, RequestIdMiddleware.Get(context)), ApiJson.Default.VerboseErrorReply)
            : JsonReply.WriteAsync(response, new ErrorReply(message), ApiJson.Default.ErrorReply);
    }
}

/// <summary>Turns every failure into the error contract: unknown routes, wrong methods, oversized bodies, a stopped engine, and bugs.</summary>
/// <remarks>Never lets a stack trace, an HTML page or an empty body out.</remarks>
public sealed class ErrorContractMiddleware(RequestDelegate next, ILogger<ErrorContractMiddleware> log)
{
    /// <summary>Runs the rest of the pipeline under the contract.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        // Refused up front for every /v1 route, including those that never read a body, so an oversized request is never acted on.
        if (context.Request.ContentLength > RequestBody.MaxBytes && context.Request.Path.StartsWithSegments("/v1"))
        {
            await ErrorWriter.WriteAsync(context, 413, "PAYLOAD_TOO_LARGE", $"The request body is larger than {RequestBody.MaxBytes} bytes.");
            return;
        }

        try
        {
            await next(context);
        }
        catch (ApiException ex) when (!context.Response.HasStarted)
        {
            if (ex.RetryAfterSeconds is { } retry)
            {
                context.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            await ErrorWriter.WriteAsync(context, ex.Status, ex.Code, ex.Message, ex.Details);
            return;
        }
        catch (EngineUnavailableException ex) when (!context.Response.HasStarted)
        {
            context.Response.Headers.RetryAfter = "1";
            await ErrorWriter.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "SERVICE_UNAVAILABLE", ex.Message);
            return;
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            if (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await ErrorWriter.WriteAsync(context, 413, "PAYLOAD_TOO_LARGE", "The request body is too large.");
            }
            else
            {
                await ErrorWriter.WriteAsync(context, 422, "VALIDATION_FAILED", "The request could not be read: " + ex.Message);
            }

            return;
        }
        catch (Exception ex) when (!context.Response.HasStarted && IsUnreadableJson(ex))
        {
            // A client fault, but also a handler that should have refused the value itself: logged so it can be fixed there.
            log.LogWarning(ex, "Unreadable JSON value reached a handler on {Method} {Path}", context.Request.Method, context.Request.Path);
            await ErrorWriter.WriteAsync(context, 422, "VALIDATION_FAILED",
                "The request holds a JSON value that cannot be read: invalid UTF-8, a lone surrogate escape, or a value of the wrong type.");
            return;
        }
        catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            log.LogError(ex, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            context.Response.Clear();
            await ErrorWriter.WriteAsync(context, 500, "INTERNAL_ERROR", "Internal server error. Quote the request id when reporting it.");
            return;
        }

        if (context.Response.HasStarted || context.Response.ContentLength > 0 || context.Response.ContentType is not null)
        {
            return;
        }

        switch (context.Response.StatusCode)
        {
            case StatusCodes.Status404NotFound:
                await ErrorWriter.WriteAsync(context, 404, "NOT_FOUND", $"No route {context.Request.Method} {context.Request.Path}.");
                break;
            case StatusCodes.Status405MethodNotAllowed:
                await ErrorWriter.WriteAsync(context, 405, "METHOD_NOT_ALLOWED", $"{context.Request.Method} is not allowed on {context.Request.Path}.");
                break;
            case StatusCodes.Status413PayloadTooLarge:
                await ErrorWriter.WriteAsync(context, 413, "PAYLOAD_TOO_LARGE", "The request body is too large.");
                break;
            // Framework refusals (a parameter that does not bind, a Content-Type a route does not accept) are schema-level
            // problems, which the contract answers 422 VALIDATION_FAILED whatever status the framework chose.
            case StatusCodes.Status415UnsupportedMediaType:
                await ErrorWriter.WriteAsync(context, 422, "VALIDATION_FAILED", $"Content-Type '{context.Request.ContentType}' is not accepted here; send application/json.");
                break;
            case StatusCodes.Status400BadRequest:
                await ErrorWriter.WriteAsync(context, 422, "VALIDATION_FAILED", "The request is not valid.");
                break;
            default:
                break;
        }
    }

    /// <summary>Whether <paramref name="ex"/> is System.Text.Json refusing to read a request value (JsonElement, JsonDocument or
    /// Utf8JsonReader): text that is not valid UTF-8 or UTF-16 (a lone surrogate escape), or a value read as the wrong kind.</summary>
    /// <remarks>JsonDocument.Parse accepts such strings; only reading them throws, and that happens inside handlers. The JIT may
    /// inline the JsonElement frames, so the transcoding helper and the wrong-kind thrower are recognised too; the serializer's own
    /// failures (a server fault) are not.</remarks>
    private static bool IsUnreadableJson(Exception ex) =>
        ex is InvalidOperationException or FormatException
        && ex.StackTrace is { } trace
        && !trace.Contains("System.Text.Json.JsonSerializer.", StringComparison.Ordinal)
        && !trace.Contains("System.Text.Json.Serialization.", StringComparison.Ordinal)
        && (trace.Contains("System.Text.Json.JsonElement.", StringComparison.Ordinal)
            || trace.Contains("System.Text.Json.JsonDocument.", StringComparison.Ordinal)
            || trace.Contains("System.Text.Json.Utf8JsonReader.", StringComparison.Ordinal)
            || trace.Contains("System.Text.Json.JsonReaderHelper.", StringComparison.Ordinal)
            || trace.Contains("ThrowJsonElementWrongTypeException", StringComparison.Ordinal));
}

/// <summary>Gives every request an id: the client's <c>X-Request-Id</c> when sane, else a new one; echoed on every response.</summary>
public sealed class RequestIdMiddleware(RequestDelegate next)
{
    /// <summary>Header name.</summary>
    public const string Header = "X-Request-Id";

    private const string ItemKey = "polysim.request_id";

    /// <summary>The id of the current request.</summary>
    public static string Get(HttpContext context) => context.Items[ItemKey] as string ?? string.Empty;

    /// <summary>Assigns the id and echoes it.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        var supplied = context.Request.Headers[Header].ToString();
        var id = supplied.Length is > 0 and <= 128 && supplied.All(c => c is > ' ' and < (char)127)
            ? supplied
            : Guid.NewGuid().ToString("n");
        context.Items[ItemKey] = id;
        context.Response.Headers[Header] = id;
        return next(context);
    }
}
