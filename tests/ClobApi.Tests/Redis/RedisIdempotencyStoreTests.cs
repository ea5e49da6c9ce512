using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Polysim.ClobApi.Api.Idempotency;
using Polysim.ClobApi.Redis;

namespace Polysim.ClobApi.Tests.Redis;

/// <summary>The Redis idempotency store against the real test Redis.</summary>
[Trait("Mode", "Both")]
public sealed class RedisIdempotencyStoreTests : IDisposable
{
    private readonly string _prefix = RedisKit.UniquePrefix();
    private readonly List<RedisConnection> _connections = [];

    private (RedisIdempotencyStore Store, RedisConnection Connection) NewStore(IdempotencyOptions? options = null)
    {
        var connection = new RedisConnection(new RedisOptions { ConnectionString = RedisKit.ConnectionString, KeyPrefix = _prefix }, NullLogger<RedisConnection>.Instance);
        _connections.Add(connection);
        return (new RedisIdempotencyStore(connection, options ?? new IdempotencyOptions()), connection);
    }

    private static byte[] Fingerprint(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));

    private static StoredResponse Response(string body) =>
        new(201, "application/json; charset=utf-8", new Dictionary<string, string> { ["X-Polysim-Code"] = "OK", ["Location"] = "/v1/orders/1" }, Encoding.UTF8.GetBytes(body));

    [Fact]
    public async Task A_new_key_is_claimed_once_and_a_second_claim_finds_it_in_flight()
    {
        var (store, _) = NewStore();
        var key = new IdempotencyKey("account:1000", "k1");

        var first = await store.ClaimAsync(key, Fingerprint("a"));
        var second = await store.ClaimAsync(key, Fingerprint("a"));
        var other = await store.ClaimAsync(key, Fingerprint("b"));

        Assert.Equal(ClaimState.Claimed, first.State);
        Assert.Equal(ClaimState.InFlight, second.State);
        Assert.Equal(ClaimState.Mismatch, other.State);
    }

    [Fact]
    public async Task A_completed_key_replays_status_content_type_headers_and_body_to_another_process()
    {
        var (store, _) = NewStore();
        var (otherProcess, _) = NewStore();
        var key = new IdempotencyKey("account:1000", "k2");
        var claim = await store.ClaimAsync(key, Fingerprint("a"));

        await store.CompleteAsync(claim, Response("{\"id\":1}"));
        var replay = await otherProcess.ClaimAsync(key, Fingerprint("a"));
        var mismatch = await otherProcess.ClaimAsync(key, Fingerprint("b"));

        Assert.Equal(ClaimState.Completed, replay.State);
        var stored = replay.Response!;
        Assert.Equal(201, stored.Status);
        Assert.Equal("application/json; charset=utf-8", stored.ContentType);
        Assert.Equal("OK", stored.Headers["X-Polysim-Code"]);
        Assert.Equal("/v1/orders/1", stored.Headers["Location"]);
        Assert.Equal("{\"id\":1}", Encoding.UTF8.GetString(stored.Body));
        Assert.Equal(ClaimState.Mismatch, mismatch.State);
    }

    [Fact]
    public async Task Keys_of_two_accounts_are_independent()
    {
        var (store, _) = NewStore();

        var a = await store.ClaimAsync(new IdempotencyKey("account:1000", "same"), Fingerprint("a"));
        var b = await store.ClaimAsync(new IdempotencyKey("account:1001", "same"), Fingerprint("b"));

        Assert.Equal(ClaimState.Claimed, a.State);
        Assert.Equal(ClaimState.Claimed, b.State);
    }

    [Fact]
    public async Task A_claim_whose_owner_crashed_before_completing_expires_instead_of_blocking_forever()
    {
        // Long enough that opening the second store's connections on a busy machine cannot outlast it (800 ms once did).
        var timeout = TimeSpan.FromSeconds(3);
        var options = new IdempotencyOptions { InFlightTimeout = timeout };
        var (crashed, connection) = NewStore(options);
        var key = new IdempotencyKey("account:1000", "crash");
        Assert.Equal(ClaimState.Claimed, (await crashed.ClaimAsync(key, Fingerprint("a"))).State);
        connection.Dispose(); // the owner dies between claim and completion

        var (survivor, _) = NewStore(options);
        using var redis = RedisKit.Connect();
        var ttl = await redis.GetDatabase().KeyTimeToLiveAsync(survivor.RedisKeyOf(key));
        var whileHeld = await survivor.ClaimAsync(key, Fingerprint("a"));

        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMilliseconds(1), timeout);
        Assert.Equal(ClaimState.InFlight, whileHeld.State);

        await Task.Delay(ttl.Value + TimeSpan.FromMilliseconds(200));
        var afterExpiry = await survivor.ClaimAsync(key, Fingerprint("a"));
        Assert.Equal(ClaimState.Claimed, afterExpiry.State);
    }

    [Fact]
    public async Task A_completed_key_is_kept_for_the_retention_period()
    {
        var (store, _) = NewStore(new IdempotencyOptions { Retention = TimeSpan.FromHours(24) });
        var key = new IdempotencyKey("account:1000", "kept");
        await store.CompleteAsync(await store.ClaimAsync(key, Fingerprint("a")), Response("{}"));

        using var redis = RedisKit.Connect();
        var ttl = await redis.GetDatabase().KeyTimeToLiveAsync(store.RedisKeyOf(key));

        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24));
    }

    [Fact]
    public async Task A_released_key_can_be_claimed_again()
    {
        var (store, _) = NewStore();
        var key = new IdempotencyKey("account:1000", "released");
        var claim = await store.ClaimAsync(key, Fingerprint("a"));

        await store.ReleaseAsync(claim);
        var again = await store.ClaimAsync(key, Fingerprint("b"));

        Assert.Equal(ClaimState.Claimed, again.State);
    }

    [Fact]
    public async Task A_late_completion_of_an_expired_claim_does_not_overwrite_the_new_owner()
    {
        var (store, _) = NewStore(new IdempotencyOptions { InFlightTimeout = TimeSpan.FromMilliseconds(200) });
        var key = new IdempotencyKey("account:1000", "late");
        var stale = await store.ClaimAsync(key, Fingerprint("a"));
        await Task.Delay(400);
        var fresh = await store.ClaimAsync(key, Fingerprint("a"));

        await store.CompleteAsync(stale, Response("stale"));
        await store.ReleaseAsync(stale);
        var whileFreshRuns = await store.ClaimAsync(key, Fingerprint("a"));
        await store.CompleteAsync(fresh, Response("fresh"));
        var replay = await store.ClaimAsync(key, Fingerprint("a"));

        Assert.Equal(ClaimState.Claimed, fresh.State);
        Assert.Equal(ClaimState.InFlight, whileFreshRuns.State);
        Assert.Equal("fresh", Encoding.UTF8.GetString(replay.Response!.Body));
    }

    [Fact]
    public async Task Of_fifty_simultaneous_claims_from_two_processes_exactly_one_wins()
    {
        var (a, _) = NewStore();
        var (b, _) = NewStore();
        var key = new IdempotencyKey("account:1000", "race");

        var claims = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => (i % 2 == 0 ? a : b).ClaimAsync(key, Fingerprint("a")).AsTask()));

        Assert.Equal(1, claims.Count(c => c.State == ClaimState.Claimed));
        Assert.Equal(49, claims.Count(c => c.State == ClaimState.InFlight));
    }

    public void Dispose()
    {
        using (var redis = RedisKit.Connect())
        {
            var server = redis.GetServers()[0];
            var db = redis.GetDatabase();
            foreach (var key in server.Keys(pattern: _prefix + "*"))
            {
                db.KeyDelete(key);
            }
        }

        foreach (var c in _connections)
        {
            c.Dispose();
        }
    }
}
