using System.Globalization;
using System.Text.Json;
using Polysim.Accounts;
using Polysim.ClobApi.Http;

namespace Polysim.ClobApi.Api.Identity;

/// <summary>The operator's gates on key issuance and on API use.</summary>
public static class IssuancePolicy
{
    /// <summary>Message of ACCESS_RESTRICTED.</summary>
    public const string AccessRestrictedMessage = "API access restricted. Contact support to request access.";

    /// <summary>Throws 403 CLOSED_BETA or API_PRO_COMING_SOON when the closed beta refuses a key to <paramref name="caller"/> (null: anonymous bootstrap).</summary>
    public static void EnsureMayIssue(IdentityOptions options, KeySnapshot? caller)
    {
        if (options.KeyIssuance != KeyIssuancePolicy.ClosedBeta || caller is { Admitted: true })
        {
            return;
        }

        if (options.SelfServeIssuance && caller is { Tier: Tier.Pro or Tier.ProPlus })
        {
            throw new ApiException(403, "API_PRO_COMING_SOON",
                "API key issuance for Pro and Pro+ accounts is rolling out in cohorts; this account has not been admitted yet.");
        }

        throw new ApiException(403, "CLOSED_BETA",
            "API key issuance is in closed beta and this caller has not been admitted. Ask the operator for access.");
    }

    /// <summary>Throws 403 ACCESS_RESTRICTED when the account is flagged, or not allowlisted under the allowlist policy.</summary>
    /// <remarks>A flag means "under review" and blocks the account whatever the issuance policy.</remarks>
    public static void EnsureMayUse(IdentityOptions options, KeySnapshot caller)
    {
        if (caller.Flagged || (options.KeyIssuance == KeyIssuancePolicy.Allowlist && !caller.Allowlisted))
        {
            throw new ApiException(403, "ACCESS_RESTRICTED", AccessRestrictedMessage);
        }
    }
}

/// <summary>A tier cap was reached: answered 402 UPGRADE_REQUIRED with <c>feature_key</c> and <c>upgrade_url</c> in the body.</summary>
/// <param name="featureKey">Which capped feature (e.g. <c>api.keys</c>, <c>wallets.sandbox_baseline</c>).</param>
/// <param name="message">Human-readable message (verbose body only; the default body is the seed's three fields).</param>
public sealed class UpgradeRequiredException(string featureKey, string message) : Exception(message)
{
    /// <summary>The capped feature.</summary>
    public string FeatureKey { get; } = featureKey;
}

/// <summary>The 402 body: the code in <c>error</c>, the capped feature and where to upgrade.</summary>
/// <param name="Error">Always UPGRADE_REQUIRED.</param>
/// <param name="FeatureKey">The capped feature.</param>
/// <param name="UpgradeUrl">Where to upgrade.</param>
public sealed record UpgradeRequiredReply(string Error, string FeatureKey, string UpgradeUrl);

/// <summary>The verbose 402 body.</summary>
/// <param name="Error">Always UPGRADE_REQUIRED.</param>
/// <param name="Message">Human-readable message.</param>
/// <param name="Details">Cap and tier.</param>
/// <param name="RequestId">The request id.</param>
/// <param name="FeatureKey">The capped feature.</param>
/// <param name="UpgradeUrl">Where to upgrade.</param>
public sealed record VerboseUpgradeRequiredReply(
    string Error, string Message, Dictionary<string, string>? Details, string RequestId, string FeatureKey, string UpgradeUrl);

/// <summary>Writes 402 UPGRADE_REQUIRED in the contract's one exception to the single-field body.</summary>
public static class UpgradeRequired
{
    /// <summary>The code.</summary>
    public const string Code = "UPGRADE_REQUIRED";

    /// <summary>The 402 result for <paramref name="error"/>.</summary>
    public static IResult Result(HttpContext context, UpgradeRequiredException error)
    {
        var url = context.RequestServices.GetRequiredService<IdentityOptions>().UpgradeUrl;
        context.Response.Headers[ErrorWriter.CodeHeader] = Code;
        var verbose = string.Equals(context.Request.Headers[ErrorWriter.VerboseHeader], "true", StringComparison.OrdinalIgnoreCase);
        return verbose
            ? JsonReply.Json(
                new VerboseUpgradeRequiredReply(Code, error.Message, null, RequestIdMiddleware.Get(context), error.FeatureKey, url),
                IdentityJson.Default.VerboseUpgradeRequiredReply,
                statusCode: StatusCodes.Status402PaymentRequired)
            : JsonReply.Json(new UpgradeRequiredReply(Code, error.FeatureKey, url), IdentityJson.Default.UpgradeRequiredReply, statusCode: StatusCodes.Status402PaymentRequired);
    }

    /// <summary>An endpoint filter that turns <see cref="UpgradeRequiredException"/> into the 402 reply.</summary>
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (UpgradeRequiredException ex)
        {
            return Result(context.HttpContext, ex);
        }
    }
}

/// <summary>Wire formats shared by the identity routes.</summary>
internal static class IdentityFormat
{
    private static readonly DateTimeOffset Latest = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Unix ms as ISO 8601 UTC with milliseconds.</summary>
    public static string Time(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Optional Unix ms as ISO 8601, or null.</summary>
    public static string? Time(long? ms) => ms is { } v ? Time(v) : null;

    /// <summary>Permissions as their wire names.</summary>
    public static string[] Permissions(KeyPermissions permissions)
    {
        var list = new List<string>(2);
        if (permissions.HasFlag(KeyPermissions.Read))
        {
            list.Add("read");
        }

        if (permissions.HasFlag(KeyPermissions.Trade))
        {
            list.Add("trade");
        }

        return [.. list];
    }

    /// <summary>Parses a permissions array (<c>["read", "trade"]</c>); null when absent; 422 when malformed or empty.</summary>
    public static KeyPermissions? ParsePermissions(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw ApiException.Validation("permissions must be an array of \"read\" and/or \"trade\".", "permissions");
        }

        var result = KeyPermissions.None;
        foreach (var item in value.EnumerateArray())
        {
            result |= (item.ValueKind == JsonValueKind.String ? item.GetString() : null) switch
            {
                "read" => KeyPermissions.Read,
                "trade" => KeyPermissions.Trade,
                _ => throw ApiException.Validation($"permissions may hold only \"read\" and \"trade\"; got {item.GetRawText()}.", "permissions"),
            };
        }

        return result == KeyPermissions.None
            ? throw ApiException.Validation("permissions must name at least one of \"read\" and \"trade\".", "permissions")
            : result;
    }

    /// <summary>
    /// Reads an expiry given as <c>expires_at</c> (ISO 8601, or Unix seconds) or <c>expires_in</c> (seconds from now).
    /// Returns (false, _) when neither is present, (true, null) for an explicit <c>expires_at: null</c> (no expiry).
    /// </summary>
    public static (bool Given, long? AtMs) ParseExpiry(JsonElement expiresAt, JsonElement expiresIn, long nowMs)
    {
        var hasAt = expiresAt.ValueKind != JsonValueKind.Undefined;
        var hasIn = expiresIn.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);
        if (hasAt && hasIn && expiresAt.ValueKind != JsonValueKind.Null)
        {
            throw ApiException.Validation("Give expires_at or expires_in, not both.", "expires_at");
        }

        if (hasIn)
        {
            if (expiresIn.ValueKind != JsonValueKind.Number || !expiresIn.TryGetInt64(out var seconds) || seconds <= 0 || seconds > 10L * 366 * 86_400)
            {
                throw ApiException.Validation("expires_in must be a whole number of seconds between 1 and ten years.", "expires_in");
            }

            return (true, nowMs + (seconds * 1000));
        }

        if (!hasAt)
        {
            return (false, null);
        }

        long atMs;
        switch (expiresAt.ValueKind)
        {
            case JsonValueKind.Null:
                return (true, null);
            case JsonValueKind.Number when expiresAt.TryGetInt64(out var unixSeconds) && unixSeconds is > 0 and < 253_402_300_800:
                atMs = unixSeconds * 1000;
                break;
            case JsonValueKind.String when DateTimeOffset.TryParse(
                expiresAt.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) && at < Latest:
                atMs = at.ToUnixTimeMilliseconds();
                break;
            default:
                throw ApiException.Validation("expires_at must be an ISO 8601 time, Unix seconds, or null.", "expires_at");
        }

        return atMs <= nowMs
            ? throw ApiException.Validation("expires_at must be in the future.", "expires_at")
            : (true, atMs);
    }

    /// <summary>A trimmed display name of at most 100 characters, or null when absent or blank.</summary>
    public static string? ParseName(string? name)
    {
        var trimmed = string.IsNullOrWhiteSpace(name) ? null : name.Trim();
        return trimmed is { Length: > 100 }
            ? throw ApiException.Validation("name must be at most 100 characters.", "name")
            : trimmed;
    }
}
