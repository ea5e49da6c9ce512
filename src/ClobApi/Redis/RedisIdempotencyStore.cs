using System.Text;
using Polysim.ClobApi.Api.Idempotency;
using StackExchange.Redis;

namespace Polysim.ClobApi.Redis;

/// <summary>Idempotency records in Redis, shared by every server process that uses the same Redis and key prefix.</summary>
/// <remarks>
/// <para>One string per key. The claim is one script whose first step is <c>SET key pending NX PX in-flight-timeout</c>;
/// when the key already exists the same script returns its value, so "take it or tell me what holds it" is one atomic
/// step. Completion is a second script that swaps the pending value (only if it is still this claim's, compared by token)
/// for the stored response with the retention as its TTL. A process that dies between the two leaves a pending value
/// that Redis expires after <see cref="IdempotencyOptions.InFlightTimeout"/>: the key frees itself, it never blocks.</para>
/// <para>Values: pending = <c>'P'</c>, the 32-character token, the fingerprint; completed = <c>'C'</c>, the fingerprint's
/// length (one byte), the fingerprint, then the response (status, content type, replayed headers, body).</para>
/// <para>Outage (Redis unreachable): a claim answers 503 SERVICE_UNAVAILABLE under <see cref="RedisOutagePolicy.FailClosed"/>,
/// or lets the request run unrecorded under <see cref="RedisOutagePolicy.FailOpen"/>. A completion or release that fails
/// is logged and dropped, because the request already ran: its pending value expires on its own.</para>
/// </remarks>
public sealed class RedisIdempotencyStore(RedisConnection redis, IdempotencyOptions options) : IIdempotencyStore
{
    private const string ClaimScript = """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          return false
        end
        return redis.call('GET', KEYS[1])
        """;

    private const string CompleteScript = """
        local v = redis.call('GET', KEYS[1])
        if v and string.sub(v, 1, 33) == ARGV[1] then
          local fingerprint = string.sub(v, 34)
          redis.call('SET', KEYS[1], 'C' .. string.char(#fingerprint) .. fingerprint .. ARGV[2], 'PX', ARGV[3])
          return 1
        end
        return 0
        """;

    private const string ReleaseScript = """
        local v = redis.call('GET', KEYS[1])
        if v and string.sub(v, 1, 33) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    private const byte Pending = (byte)'P';
    private const byte Completed = (byte)'C';
    private const int TokenLength = 32;

    /// <summary>The Redis key that holds <paramref name="key"/>'s record.</summary>
    public string RedisKeyOf(IdempotencyKey key) => redis.Options.KeyPrefix + "idem:{" + key.Scope + "}:" + key.Key;

    /// <inheritdoc />
    public async ValueTask<IdempotencyClaim> ClaimAsync(IdempotencyKey key, ReadOnlyMemory<byte> fingerprint, CancellationToken cancellationToken = default)
    {
        var token = Guid.NewGuid().ToString("n");
        var pending = new byte[1 + TokenLength + fingerprint.Length];
        pending[0] = Pending;
        Encoding.ASCII.GetBytes(token, pending.AsSpan(1));
        fingerprint.Span.CopyTo(pending.AsSpan(1 + TokenLength));
        RedisResult result;
        try
        {
            result = await redis.Database.ScriptEvaluateAsync(
                ClaimScript,
                [RedisKeyOf(key)],
                [pending, (long)options.InFlightTimeout.TotalMilliseconds]);
        }
        catch (Exception ex) when (RedisConnection.IsOutage(ex))
        {
            redis.ReportOutage(ex, "idempotency claim");
            if (redis.Options.OnOutage == RedisOutagePolicy.FailClosed)
            {
                throw RedisConnection.Unavailable();
            }

            // Fail open: the request runs unrecorded; a token no record carries makes completion and release no-ops.
            return new IdempotencyClaim(ClaimState.Claimed, key, string.Empty, null);
        }

        if (result.IsNull)
        {
            return new IdempotencyClaim(ClaimState.Claimed, key, token, null);
        }

        var held = (byte[])result!;
        return Decode(key, held, fingerprint.Span);
    }

    /// <inheritdoc />
    public async ValueTask CompleteAsync(IdempotencyClaim claim, StoredResponse response, CancellationToken cancellationToken = default)
    {
        if (claim.Token.Length != TokenLength)
        {
            return;
        }

        try
        {
            await redis.Database.ScriptEvaluateAsync(
                CompleteScript,
                [RedisKeyOf(claim.Key)],
                [PendingPrefix(claim.Token), EncodeResponse(response), (long)options.Retention.TotalMilliseconds]);
        }
        catch (Exception ex) when (RedisConnection.IsOutage(ex))
        {
            redis.ReportOutage(ex, "idempotency completion");
        }
    }

    /// <inheritdoc />
    public async ValueTask ReleaseAsync(IdempotencyClaim claim, CancellationToken cancellationToken = default)
    {
        if (claim.Token.Length != TokenLength)
        {
            return;
        }

        try
        {
            await redis.Database.ScriptEvaluateAsync(ReleaseScript, [RedisKeyOf(claim.Key)], [PendingPrefix(claim.Token)]);
        }
        catch (Exception ex) when (RedisConnection.IsOutage(ex))
        {
            redis.ReportOutage(ex, "idempotency release");
        }
    }

    private static byte[] PendingPrefix(string token)
    {
        var prefix = new byte[1 + TokenLength];
        prefix[0] = Pending;
        Encoding.ASCII.GetBytes(token, prefix.AsSpan(1));
        return prefix;
    }

    private static IdempotencyClaim Decode(IdempotencyKey key, byte[] held, ReadOnlySpan<byte> fingerprint)
    {
        if (held.Length > 1 + TokenLength && held[0] == Pending)
        {
            var state = held.AsSpan(1 + TokenLength).SequenceEqual(fingerprint) ? ClaimState.InFlight : ClaimState.Mismatch;
            return new IdempotencyClaim(state, key, string.Empty, null);
        }

        if (held.Length > 2 && held[0] == Completed && held.Length >= 2 + held[1])
        {
            var stored = held.AsSpan(2, held[1]);
            if (!stored.SequenceEqual(fingerprint))
            {
                return new IdempotencyClaim(ClaimState.Mismatch, key, string.Empty, null);
            }

            return new IdempotencyClaim(ClaimState.Completed, key, string.Empty, DecodeResponse(held.AsMemory(2 + held[1])));
        }

        throw new InvalidOperationException($"The idempotency record of '{key.Key}' in Redis is not in Polysim's format.");
    }

    private static byte[] EncodeResponse(StoredResponse response)
    {
        using var buffer = new MemoryStream(64 + response.Body.Length);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(response.Status);
            writer.Write(response.ContentType is not null);
            writer.Write(response.ContentType ?? string.Empty);
            writer.Write(response.Headers.Count);
            foreach (var (name, value) in response.Headers)
            {
                writer.Write(name);
                writer.Write(value);
            }

            writer.Write(response.Body.Length);
            writer.Write(response.Body);
        }

        return buffer.ToArray();
    }

    private static StoredResponse DecodeResponse(ReadOnlyMemory<byte> bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes.ToArray(), writable: false), Encoding.UTF8);
        var status = reader.ReadInt32();
        var hasContentType = reader.ReadBoolean();
        var contentType = reader.ReadString();
        var count = reader.ReadInt32();
        var headers = new Dictionary<string, string>(count, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            headers[name] = reader.ReadString();
        }

        var body = reader.ReadBytes(reader.ReadInt32());
        return new StoredResponse(status, hasContentType ? contentType : null, headers, body);
    }
}
