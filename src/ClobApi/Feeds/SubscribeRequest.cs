using System.Text.Json;

namespace Polysim.ClobApi.Feeds;

/// <summary>L2 credentials in a user-channel subscribe message.</summary>
/// <param name="ApiKey">The key.</param>
/// <param name="Secret">Its secret.</param>
/// <param name="Passphrase">Its passphrase.</param>
internal sealed record SubscribeAuth(string? ApiKey, string? Secret, string? Passphrase);

/// <summary>A client's subscribe/unsubscribe message on either channel (fields of both; unknown fields ignored).</summary>
internal sealed record SubscribeRequest(
    string? Type, string? Operation, IReadOnlyList<string> AssetsIds, IReadOnlyList<string> Markets, bool? CustomFeatureEnabled, bool? InitialDump, SubscribeAuth? Auth)
{
    /// <summary>Reads a message; throws <see cref="JsonException"/> when it is not a JSON object of the expected shapes.</summary>
    public static SubscribeRequest Parse(ReadOnlySpan<byte> utf8)
    {
        using var document = JsonDocument.Parse(utf8.ToArray());
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("not an object");
        }

        return new SubscribeRequest(
            Text(root, "type")?.ToLowerInvariant(),
            Text(root, "operation")?.ToLowerInvariant(),
            Strings(root, "assets_ids"),
            Strings(root, "markets"),
            Flag(root, "custom_feature_enabled"),
            Flag(root, "initial_dump"),
            root.TryGetProperty("auth", out var auth) && auth.ValueKind == JsonValueKind.Object
                ? new SubscribeAuth(Text(auth, "apiKey") ?? Text(auth, "api_key"), Text(auth, "secret"), Text(auth, "passphrase"))
                : null);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool? Flag(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    private static List<string> Strings(JsonElement element, string name)
    {
        var list = new List<string>();
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return list;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException($"{name} must be an array of strings");
        }

        foreach (var item in value.EnumerateArray())
        {
            list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new JsonException($"{name} must be an array of strings"));
        }

        return list;
    }
}
