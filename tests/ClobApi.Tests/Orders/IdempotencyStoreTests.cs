using Microsoft.Extensions.Time.Testing;
using Polysim.ClobApi.Api.Idempotency;

namespace Polysim.ClobApi.Tests.Orders;

public sealed class IdempotencyStoreTests
{
    private static readonly IdempotencyKey Key = new("account:1", "k-1");
    private static readonly byte[] Fingerprint = [1, 2, 3];
    private static readonly StoredResponse Response = new(201, "application/json", new Dictionary<string, string>(), "{\"ok\":true}"u8.ToArray());

    private static (InMemoryIdempotencyStore Store, FakeTimeProvider Time) NewStore()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        return (new InMemoryIdempotencyStore(time, new IdempotencyOptions()), time);
    }

    [Fact]
    public async Task A_claim_is_in_flight_until_completed_then_replays_and_a_different_fingerprint_is_a_mismatch()
    {
        var (store, _) = NewStore();

        var claim = await store.ClaimAsync(Key, Fingerprint);
        var whileRunning = await store.ClaimAsync(Key, Fingerprint);
        var otherBody = await store.ClaimAsync(Key, new byte[] { 9 });
        await store.CompleteAsync(claim, Response);
        var afterwards = await store.ClaimAsync(Key, Fingerprint);

        Assert.Equal(ClaimState.Claimed, claim.State);
        Assert.Equal(ClaimState.InFlight, whileRunning.State);
        Assert.Equal(ClaimState.Mismatch, otherBody.State);
        Assert.Equal(ClaimState.Completed, afterwards.State);
        Assert.Same(Response, afterwards.Response);
    }

    [Fact]
    public async Task An_abandoned_in_flight_claim_expires_instead_of_blocking_forever()
    {
        var (store, time) = NewStore();
        var abandoned = await store.ClaimAsync(Key, Fingerprint);

        time.Advance(TimeSpan.FromSeconds(29));
        var stillBlocked = await store.ClaimAsync(Key, Fingerprint);
        time.Advance(TimeSpan.FromSeconds(2));
        var takenOver = await store.ClaimAsync(Key, Fingerprint);
        await store.CompleteAsync(abandoned, Response);
        var afterStaleCompletion = await store.ClaimAsync(Key, Fingerprint);

        Assert.Equal(ClaimState.InFlight, stillBlocked.State);
        Assert.Equal(ClaimState.Claimed, takenOver.State);
        Assert.Equal(ClaimState.InFlight, afterStaleCompletion.State);
    }

    [Fact]
    public async Task A_completed_key_is_kept_24_hours_then_forgotten()
    {
        var (store, time) = NewStore();
        await store.CompleteAsync(await store.ClaimAsync(Key, Fingerprint), Response);

        time.Advance(TimeSpan.FromHours(23.9));
        var kept = await store.ClaimAsync(Key, new byte[] { 7 });
        time.Advance(TimeSpan.FromHours(0.2));
        var forgotten = await store.ClaimAsync(Key, new byte[] { 7 });

        Assert.Equal(ClaimState.Mismatch, kept.State);
        Assert.Equal(ClaimState.Claimed, forgotten.State);
    }

    [Fact]
    public async Task Release_frees_the_key_but_a_stale_claim_cannot_release_its_successor()
    {
        var (store, time) = NewStore();
        var first = await store.ClaimAsync(Key, Fingerprint);
        await store.ReleaseAsync(first);
        var second = await store.ClaimAsync(Key, Fingerprint);
        time.Advance(TimeSpan.FromMinutes(1));
        var third = await store.ClaimAsync(Key, Fingerprint);

        await store.ReleaseAsync(second);
        var afterStaleRelease = await store.ClaimAsync(Key, Fingerprint);

        Assert.Equal(ClaimState.Claimed, second.State);
        Assert.Equal(ClaimState.Claimed, third.State);
        Assert.Equal(ClaimState.InFlight, afterStaleRelease.State);
    }

    [Fact]
    public async Task Concurrent_claims_of_one_key_grant_it_exactly_once()
    {
        var (store, _) = NewStore();
        using var start = new ManualResetEventSlim();

        var racers = Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await store.ClaimAsync(Key, Fingerprint);
        })).ToArray();
        start.Set();
        var claims = await Task.WhenAll(racers);

        Assert.Single(claims, c => c.State == ClaimState.Claimed);
        Assert.All(claims.Where(c => c.State != ClaimState.Claimed), c => Assert.Equal(ClaimState.InFlight, c.State));
    }

    [Fact]
    public async Task Expired_records_are_swept_away()
    {
        var (store, time) = NewStore();
        for (var i = 0; i < 100; i++)
        {
            await store.ClaimAsync(new IdempotencyKey("account:1", "old-" + i), Fingerprint);
        }

        time.Advance(TimeSpan.FromMinutes(5));
        for (var i = 0; i < 300; i++)
        {
            await store.ClaimAsync(new IdempotencyKey("account:2", "new-" + i), Fingerprint);
        }

        Assert.True(store.Count < 400, $"expected the 100 expired claims to be swept, {store.Count} remain");
    }
}
