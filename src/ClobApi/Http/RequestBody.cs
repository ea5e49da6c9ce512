using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Polysim.ClobApi.Http;

/// <summary>Reads JSON request bodies with source-generated metadata, turning every malformed body into 422 VALIDATION_FAILED.</summary>
public static class RequestBody
{
    /// <summary>Largest body accepted on the /v1 surface.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>Reads and deserializes the body; an empty, non-JSON, oversized or mistyped body throws the 422 (or 413) contract.</summary>
    public static async Task<T> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo)
    {
        if (context.Request.ContentLength > MaxBytes)
        {
            throw new ApiException(413, "PAYLOAD_TOO_LARGE", $"The request body is larger than {MaxBytes} bytes.");
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync(context.Request.Body, typeInfo, context.RequestAborted);
            return value ?? throw ApiException.Validation("The request body must be a JSON object.");
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 1 } path ? $" at {path}" : string.Empty;
            throw ApiException.Validation($"The request body is not valid JSON for this route{where}.", ex.Path);
        }
    }
}
