using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Polysim.ClobApi.Http;

namespace Polysim.ClobApi.Api.Identity;

/// <summary>Issues and checks the server's HS256 JSON Web Tokens; a token names an API key (<c>sub</c>) and stands in for it.</summary>
/// <remarks>Only HS256 with this server's secret is accepted (no <c>alg: none</c>, no algorithm taken from the token's say-so);
/// the signature is compared in constant time before any claim is trusted.</remarks>
public sealed class JwtTokens
{
    /// <summary>The <c>iss</c> claim of every token.</summary>
    public const string Issuer = "polysim";

    private const int MaxTokenLength = 4_096;
    private static readonly byte[] Header = Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT"}""");

    private readonly byte[] _secret;

    /// <summary>Creates the token service with its signing secret and token lifetime.</summary>
    public JwtTokens(byte[] secret, TimeSpan lifetime)
    {
        if (secret.Length < 32)
        {
            throw new ArgumentException("The JWT secret must be at least 32 bytes.", nameof(secret));
        }

        _secret = secret;
        Lifetime = lifetime;
    }

    /// <summary>How long an issued token is valid.</summary>
    public TimeSpan Lifetime { get; }

    /// <summary>A signed token for <paramref name="keyId"/> issued at <paramref name="nowMs"/>; returns it and its expiry (Unix s).</summary>
    public (string Token, long ExpiresAt) Issue(string keyId, long nowMs)
    {
        var iat = Math.DivRem(nowMs, 1000).Quotient;
        var exp = iat + (long)Lifetime.TotalSeconds;
        var payload = new MemoryStream();
        using (var writer = new Utf8JsonWriter(payload))
        {
            writer.WriteStartObject();
            writer.WriteString("iss", Issuer);
            writer.WriteString("sub", keyId);
            writer.WriteNumber("iat", iat);
            writer.WriteNumber("exp", exp);
            writer.WriteString("jti", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
            writer.WriteEndObject();
        }

        var signingInput = Base64Url.EncodeToString(Header) + "." + Base64Url.EncodeToString(payload.ToArray());
        var signature = HMACSHA256.HashData(_secret, Encoding.ASCII.GetBytes(signingInput));
        return (signingInput + "." + Base64Url.EncodeToString(signature), exp);
    }

    /// <summary>The key id a token names; throws 401 INVALID_TOKEN (malformed, bad signature, missing claims) or TOKEN_EXPIRED.</summary>
    public string Validate(string token, long nowMs)
    {
        if (token.Length > MaxTokenLength)
        {
            throw Invalid("The bearer token is too long.");
        }

        var parts = token.Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
        {
            throw Invalid("The bearer token is not a JWT.");
        }

        var header = Decode(parts[0]);
        var payload = Decode(parts[1]);
        var signature = Decode(parts[2]);
        if (!HeaderIsHs256(header))
        {
            throw Invalid("The bearer token must be signed with HS256.");
        }

        var expected = HMACSHA256.HashData(_secret, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        if (!CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            throw Invalid("The bearer token's signature does not verify.");
        }

        string? sub;
        long exp;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("The bearer token's claims are not a JSON object.");
            }

            sub = root.TryGetProperty("sub", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (!root.TryGetProperty("exp", out var e) || e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out exp))
            {
                throw Invalid("The bearer token has no exp claim.");
            }

            if (root.TryGetProperty("iss", out var iss) && !(iss.ValueKind == JsonValueKind.String && iss.GetString() == Issuer))
            {
                throw Invalid("The bearer token was not issued by this server.");
            }
        }
        catch (JsonException)
        {
            throw Invalid("The bearer token's claims are not valid JSON.");
        }

        if (string.IsNullOrEmpty(sub))
        {
            throw Invalid("The bearer token has no sub claim.");
        }

        if (exp * 1000 <= nowMs)
        {
            throw new ApiException(401, "TOKEN_EXPIRED", "The bearer token has expired; request a new one from POST /v1/auth/token.",
                new Dictionary<string, string> { ["exp"] = exp.ToString(CultureInfo.InvariantCulture) });
        }

        return sub;
    }

    private static bool HeaderIsHs256(byte[] header)
    {
        try
        {
            using var doc = JsonDocument.Parse(header);
            return doc.RootElement.ValueKind == JsonValueKind.Object &&
                doc.RootElement.TryGetProperty("alg", out var alg) &&
                alg.ValueKind == JsonValueKind.String &&
                alg.GetString() == "HS256";
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static byte[] Decode(string part)
    {
        try
        {
            return Base64Url.DecodeFromChars(part);
        }
        catch (FormatException)
        {
            throw Invalid("The bearer token is not base64url.");
        }
    }

    private static ApiException Invalid(string message) => new(401, "INVALID_TOKEN", message);
}

/// <summary>Where the JWT signing secret comes from: <c>Polysim:JwtSecret</c>, else a file in the data directory created on first start.</summary>
internal static class JwtSecrets
{
    public static byte[] Load(IConfiguration configuration, string dataDir)
    {
        var configured = configuration["Polysim:JwtSecret"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var bytes = Encoding.UTF8.GetBytes(configured);
            return bytes.Length >= 32
                ? bytes
                : throw new InvalidOperationException("Polysim:JwtSecret must be at least 32 bytes long.");
        }

        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, "jwt.key");
        if (File.Exists(path))
        {
            return Encoding.UTF8.GetBytes(File.ReadAllText(path).Trim());
        }

        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, Encoding.ASCII, options))
        {
            writer.Write(secret);
        }

        return Encoding.UTF8.GetBytes(secret);
    }
}
