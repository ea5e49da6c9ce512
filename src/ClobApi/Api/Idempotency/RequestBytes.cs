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

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > RequestBody.MaxBytes)
            {
                throw new ApiException(413, "PAYLOAD_TOO_LARGE", $"The request body is larger than {RequestBody.MaxBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        var bytes = buffer.ToArray();
        context.Items[ItemKey] = bytes;
        request.Body = new MemoryStream(bytes, writable: false);
        return bytes;
    }
}
