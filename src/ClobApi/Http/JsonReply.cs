using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Polysim.ClobApi.Http;

/// <summary>JSON replies written whole, with a Content-Length, in one write: every answer of the server goes out this way.</summary>
/// <remarks>
/// ASP.NET's own JSON results stream into the body without a length, so Kestrel frames them as chunked and sends the final
/// empty chunk when the request ends — often as a second <c>send</c>, from another thread, after the client already had the
/// body. On a VM where a thread switch or a syscall costs tens of µs that was a measurable share of a request. Replies here
/// are small (an order, a book, an error); the body is serialized into a per-thread buffer first, then copied into Kestrel's
/// output in the same synchronous step, so the buffer is never shared across an await.
/// </remarks>
public static class JsonReply
{
    /// <summary>The content type <see cref="Results.Json{T}(T, JsonTypeInfo{T}, string?, int?)"/> sends.</summary>
    public const string ContentType = "application/json; charset=utf-8";

    // A thread's buffer is kept while it stays small; a rare big reply (a long order list) is not pinned in memory for good.
    private const int KeepBufferBytes = 256 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _threadBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _threadWriter;

    /// <summary>A result that writes <paramref name="value"/> as JSON with its length; the drop-in for <c>JsonReply.Json</c>.</summary>
    public static IResult Json<T>(T value, JsonTypeInfo<T> jsonTypeInfo, string? contentType = null, int? statusCode = null) =>
        new Reply<T>(value, jsonTypeInfo, contentType, statusCode);

    /// <summary>Writes <paramref name="value"/> as the whole response body, with Content-Length; the response must not have started.</summary>
    public static Task WriteAsync<T>(HttpResponse response, T value, JsonTypeInfo<T> jsonTypeInfo, string? contentType = null, int? statusCode = null)
    {
        var buffer = _threadBuffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = WriterFor(buffer, jsonTypeInfo.Options);
        JsonSerializer.Serialize(writer, value, jsonTypeInfo);
        if (statusCode is { } status)
        {
            response.StatusCode = status;
        }

        response.ContentType = contentType ?? ContentType;
        var length = buffer.WrittenCount;
        response.ContentLength = length;
        var output = response.BodyWriter;
        buffer.WrittenSpan.CopyTo(output.GetSpan(length));
        output.Advance(length);
        if (buffer.Capacity > KeepBufferBytes)
        {
            _threadBuffer = null;
            _threadWriter = null;
        }

        var flushing = output.FlushAsync();
        return flushing.IsCompletedSuccessfully ? Task.CompletedTask : flushing.AsTask();
    }

    private static Utf8JsonWriter WriterFor(ArrayBufferWriter<byte> buffer, JsonSerializerOptions options)
    {
        var writer = _threadWriter;
        if (writer is not null && writer.Options.Indented == options.WriteIndented && ReferenceEquals(writer.Options.Encoder, options.Encoder))
        {
            writer.Reset(buffer);
            return writer;
        }

        writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Encoder = options.Encoder,
            Indented = options.WriteIndented,
            MaxDepth = options.MaxDepth,
            SkipValidation = true,
        });
        _threadWriter = writer;
        return writer;
    }

    private sealed class Reply<T>(T value, JsonTypeInfo<T> typeInfo, string? contentType, int? statusCode) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => statusCode;

        public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext.Response, value, typeInfo, contentType, statusCode);
    }
}
