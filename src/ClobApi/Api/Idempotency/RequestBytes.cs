using System.Buffers;
using Polysim.ClobApi.Http;

namespace Polysim.ClobApi.Api.Idempotency;

/// <summary>The raw request body, read once (bounded) and shared by the idempotency filter and the handler.</summary>
public static class RequestBytes
{
    private const string ItemKey = "polysim.request_bytes";

    /// <summary>Reads the whole body (at most <see cref="RequestBody.MaxBytes"/>, else 413 PAYLOAD_TOO_LARGE) and caches it.</summary>
    /// <remarks>The request stream is replaced by a rewound copy, so a handler that reads the body itself still can.</remarks>
    public static async Task<byte[]> ReadAsync(HttpContext context)
    {
        if (context.Items[ItemKey] is byte[] cached)
        {
            return cached;
        }

        var request = context.Request;
        if (request.ContentLength > RequestBody.MaxBytes)
        {
            throw new ApiException(413, "PAYLOAD_TOO_LARGE", $"The request body is larger than {RequestBody.MaxBytes} bytes.");
        }

        var bytes = request.ContentLength is { } length
            ? await ReadExactlyAsync(request.Body, (int)length, context.RequestAborted)
            : await ReadChunkedAsync(request.Body, context.RequestAborted);
        context.Items[ItemKey] = bytes;
        request.Body = new MemoryStream(bytes, writable: false);
        return bytes;
    }

    // The usual case (Content-Length given): one array of exactly the body's size, no intermediate buffers. Kestrel
    // ends the body at Content-Length, so a shorter body is the client hanging up.
    private static async Task<byte[]> ReadExactlyAsync(Stream body, int length, CancellationToken cancellationToken)
    {
        var bytes = length == 0 ? [] : new byte[length];
        try
        {
            await body.ReadExactlyAsync(bytes, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            throw ApiException.Validation("The request body ended before its Content-Length.");
        }

        return bytes;
    }

    private static async Task<byte[]> ReadChunkedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > RequestBody.MaxBytes)
                {
                    throw new ApiException(413, "PAYLOAD_TOO_LARGE", $"The request body is larger than {RequestBody.MaxBytes} bytes.");
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }
}
