using System.Text.Json.Serialization;

namespace Polysim.ClobApi.Http;

/// <summary>Liveness and readiness reply.</summary>
/// <param name="Status">"ok", "ready" or "starting".</param>
public sealed record HealthReply(string Status);

/// <summary>The default error body of the /v1 surface (Polymarket's shape): a human-readable message.</summary>
/// <param name="Error">What went wrong, for a person.</param>
public sealed record ErrorReply(string Error);

/// <summary>The error body with <c>X-Polysim-Verbose: true</c>.</summary>
/// <param name="Error">The machine code.</param>
/// <param name="Message">What went wrong, for a person.</param>
/// <param name="Details">Structured context, or null.</param>
/// <param name="RequestId">The request id, also in <c>X-Request-Id</c>.</param>
public sealed record VerboseErrorReply(string Error, string Message, Dictionary<string, string>? Details, string RequestId);

/// <summary>Source-generated JSON metadata for every HTTP reply and request body.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(HealthReply))]
[JsonSerializable(typeof(ErrorReply))]
[JsonSerializable(typeof(VerboseErrorReply))]
public sealed partial class ApiJson : JsonSerializerContext;
