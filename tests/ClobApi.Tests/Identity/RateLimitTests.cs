using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Polysim.ClobApi.Api.RateLimiting;
using static Polysim.ClobApi.Tests.Identity.IdentityKit;

namespace Polysim.ClobApi.Tests.Identity;

public sealed class RateLimitTests
{
    [Fact]
    // Embedded only: the refill is shown by advancing the server's fake clock half a second, and Redis's GCRA reads
    // Redis's own clock (TIME), which no test can move. RedisServerTests covers the 429 in Redis mode.
    [Trait("Mode", "Embedded")]
    public async Task A_free_key_gets_two_requests_per_second_then_429_RATE_LIMIT_EXCEEDED_with_Retry_After_and_the_headers()
    {
        var clock = NewClock();
        await using var server = await StartWithClockAsync(clock);
        var account = await server.CreateAccountAsync(tier: "free");
        using var client = server.KeyClient(account.ApiKey);

        var first = await client.GetAsync("/v1/keys");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        AssertHeaders(first, limit: 2, remaining: 1, reset: 1);
        Assert.Equal("120", Header(first, "X-RateLimit-Limit-Per-Minute"));
        Assert.Equal("119", Header(first, "X-RateLimit-Remaining-Per-Minute"));

        var second = await client.GetAsync("/v1/wallets");
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        AssertHeaders(second, limit: 2, remaining: 0, reset: 1);

        var refused = await client.GetAsync("/v1/keys");
        var message = await AssertErrorAsync(refused, HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED");
        Assert.Contains("free", message, StringComparison.Ordinal);
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
        AssertHeaders(refused, limit: 2, remaining: 0, reset: 1);

        // The spacing of a 2/s limit is half a second: one more request is allowed then.
        clock.Advance(TimeSpan.FromMilliseconds(500));
        var again = await client.GetAsync("/v1/keys");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        AssertHeaders(again, limit: 2, remaining: 0, reset: 1);
    }

    [Fact]
    // Embedded only: the exact Remaining counts need a clock that stands still between the two requests (the fake
    // clock); on Redis's clock a pause of 100 ms on a busy machine refills a pro key's slot.
    [Trait("Mode", "Embedded")]
    public async Task Rate_limit_headers_are_on_error_responses_of_authenticated_requests_too()
    {
        var clock = NewClock();
        await using var server = await StartWithClockAsync(clock);
        var account = await server.CreateAccountAsync(tier: "pro");
        using var client = server.KeyClient(account.ApiKey);

        var notFound = await client.GetAsync("/v1/keys/key_missing");
        await AssertErrorAsync(notFound, HttpStatusCode.NotFound, "NOT_FOUND");
        AssertHeaders(notFound, limit: 10, remaining: 9, reset: 1, tier: "pro");

        var badWallet = await client.GetAsync("/v1/wallets?wallet_id=abc");
        await AssertErrorAsync(badWallet, HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        AssertHeaders(badWallet, limit: 10, remaining: 8, reset: 1, tier: "pro");
    }

    [Fact]
    // Embedded only: the window reopens when the server's fake clock is advanced 20 s; Redis's GCRA reads Redis's own
    // clock, which no test can move.
    [Trait("Mode", "Embedded")]
    public async Task The_per_minute_window_binds_when_it_is_the_tighter_one()
    {
        var clock = NewClock();
        await using var server = await StartWithClockAsync(clock, new()
        {
            ["Polysim:Tiers:free:RequestsPerSecond"] = "100",
            ["Polysim:Tiers:free:RequestsPerMinute"] = "3",
        });
        var account = await server.CreateAccountAsync(tier: "free");
        using var client = server.KeyClient(account.ApiKey);
        for (var i = 0; i < 3; i++)
        {
            var ok = await client.GetAsync("/v1/keys");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            AssertHeaders(ok, limit: 3, remaining: 2 - i, reset: 20 * (i + 1));
        }

        var refused = await client.GetAsync("/v1/keys");
        await AssertErrorAsync(refused, HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED");
        Assert.Equal("20", refused.Headers.GetValues("Retry-After").Single());
        Assert.Equal("3", Header(refused, "X-RateLimit-Limit"));

        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/keys")).StatusCode);
    }

    [Fact]
    // Embedded only: "key A has spent its two requests of this second" needs a clock that stands still across four
    // requests (the fake clock); on Redis's clock a 500 ms pause on a busy machine refills a free key's slot.
    [Trait("Mode", "Embedded")]
    public async Task Each_key_has_its_own_bucket_and_a_bearer_token_spends_from_the_bucket_of_its_key()
    {
        var clock = NewClock();
        await using var server = await StartWithClockAsync(clock);
        var account = await server.CreateAccountAsync(tier: "free");
        using var keyA = server.KeyClient(account.ApiKey);
        var token = (await JsonOf(await keyA.PostAsync("/v1/auth/token", null))).GetProperty("access_token").GetString()!;
        var other = await IssueKeyAsync(server, account.ApiKey);
        // Key A has spent its two requests of this second (token, issue).
        using var bearer = BearerClient(server, token);
        await AssertErrorAsync(await bearer.GetAsync("/v1/keys"), HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED");
        await AssertErrorAsync(await keyA.GetAsync("/v1/keys"), HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED");
        var b = await GetAsync(server, other.GetProperty("api_key").GetString()!, "/v1/keys");
        Assert.Equal(HttpStatusCode.OK, b.StatusCode);
        AssertHeaders(b, limit: 2, remaining: 1, reset: 1);
    }

    [Fact]
    // Embedded only: the limit reopens when the server's fake clock is advanced 30 s; Redis's GCRA reads Redis's own
    // clock, which no test can move.
    [Trait("Mode", "Embedded")]
    public async Task Self_serve_bootstrap_is_limited_per_client_address()
    {
        var clock = NewClock();
        await using var server = await StartWithClockAsync(clock, new() { ["Polysim:BootstrapPerMinute"] = "2" });
        using var anonymous = server.Client();
        Assert.Equal(HttpStatusCode.Created, (await anonymous.PostAsync("/v1/keys/bootstrap", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await anonymous.PostAsync("/v1/keys/bootstrap", null)).StatusCode);
        var refused = await anonymous.PostAsync("/v1/keys/bootstrap", null);
        await AssertErrorAsync(refused, HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED");
        Assert.Equal("30", refused.Headers.GetValues("Retry-After").Single());
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.Created, (await anonymous.PostAsync("/v1/keys/bootstrap", null)).StatusCode);
    }

    [Fact]
    public async Task The_store_counts_a_request_under_every_rule_or_under_none()
    {
        var clock = NewClock();
        var store = new InProcessRateLimitStore(clock);
        RateLimitRule[] rules = [new(2, TimeSpan.FromSeconds(1)), new(3, TimeSpan.FromMinutes(1))];
        Assert.True((await store.AcquireAsync("b", rules)).Allowed);
        Assert.True((await store.AcquireAsync("b", rules)).Allowed);
        var refused = await store.AcquireAsync("b", rules);
        Assert.False(refused.Allowed);
        Assert.Equal(TimeSpan.FromMilliseconds(500), refused.Windows[0].RetryAfter);
        Assert.Equal(TimeSpan.Zero, refused.Windows[1].RetryAfter);
        Assert.Equal(1, refused.Windows[1].Remaining);

        // The refusal spent nothing from the minute window: its third request still fits.
        clock.Advance(TimeSpan.FromSeconds(1));
        var third = await store.AcquireAsync("b", rules);
        Assert.True(third.Allowed);
        Assert.Equal(0, third.Windows[1].Remaining);
        clock.Advance(TimeSpan.FromSeconds(1));
        var overMinute = await store.AcquireAsync("b", rules);
        Assert.False(overMinute.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(18), overMinute.Windows[1].RetryAfter);
        Assert.True((await store.AcquireAsync("other", rules)).Allowed);
    }

    [Fact]
    public async Task Concurrent_requests_never_get_more_than_the_limit_from_the_store()
    {
        var clock = NewClock();
        var store = new InProcessRateLimitStore(clock);
        RateLimitRule[] rules = [new(10, TimeSpan.FromSeconds(1)), new(600, TimeSpan.FromMinutes(1))];
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(async () => (await store.AcquireAsync("k", rules)).Allowed)));
        Assert.Equal(10, results.Count(r => r));
    }

    [Theory]
    [InlineData("POST", "/v1/orders", true)]
    [InlineData("POST", "/v1/orders/batch", true)]
    [InlineData("POST", "/v1/clob/order", true)]
    [InlineData("post", "/V1/Orders/", true)]
    [InlineData("GET", "/v1/orders", false)]
    [InlineData("DELETE", "/v1/orders", false)]
    [InlineData("POST", "/v1/order", false)]
    [InlineData("POST", "/v1/orders/123", false)]
    public void The_trade_write_limiter_watches_the_three_trade_write_paths(string method, string path, bool watched) =>
        Assert.Equal(watched, new TradeWriteLimiterOptions().IsTradeWrite(method, new PathString(path)));

    [Fact]
    public async Task The_trade_write_concurrency_comes_from_configuration()
    {
        await using var server = await TestServer.StartAsync(new() { ["Polysim:TradeWriteConcurrency"] = "7" });
        Assert.Equal(7, server.Services.GetRequiredService<TradeWriteLimiterOptions>().Concurrency);
    }

    [Fact]
    public async Task Trade_writes_beyond_the_accounts_concurrency_cap_answer_429_RATE_LIMITED_with_Retry_After_and_retry_after_ms()
    {
        // A probe route stands in for the order routes: it holds its slot until the test lets it go, which a real
        // order cannot be made to do on demand.
        const string Probe = "/v1/test/trade-write";
        using var entered = new SemaphoreSlim(0);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new TradeWriteLimiterOptions
        {
            Concurrency = 2,
            Paths = new HashSet<string>([.. TradeWriteLimiterOptions.DefaultPaths, Probe], StringComparer.OrdinalIgnoreCase),
        };
        await using var server = await TestServer.StartAsync(
            Unthrottled(),
            configureServices: b => b.Services.AddSingleton(options),
            configureApp: app => app.MapPost(Probe, async () =>
            {
                entered.Release();
                await release.Task;
                return Results.Ok();
            }));
        var alice = await server.CreateAccountAsync();
        var bob = await server.CreateAccountAsync();
        using var aliceClient = server.KeyClient(alice.ApiKey);
        using var bobClient = server.KeyClient(bob.ApiKey);

        var held = new[] { aliceClient.PostAsync(Probe, null), aliceClient.PostAsync(Probe, null) };
        Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(30)));

        var refused = await aliceClient.PostAsync(Probe, null);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("RATE_LIMITED", refused.Headers.GetValues("X-Polysim-Code").Single());
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
        Assert.Equal("free", Header(refused, "X-RateLimit-Tier"));
        var body = await JsonOf(refused);
        Assert.Equal(["error", "retry_after_ms"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(250, body.GetProperty("retry_after_ms").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error").GetString()));

        // Another account has slots of its own; reads of the same account are not trade writes.
        var bobs = bobClient.PostAsync(Probe, null);
        Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(HttpStatusCode.OK, (await aliceClient.GetAsync("/v1/keys")).StatusCode);

        release.SetResult();
        foreach (var response in await Task.WhenAll([.. held, bobs]))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Slots are given back when the writes finish.
        var afterwards = aliceClient.PostAsync(Probe, null);
        Assert.Equal(HttpStatusCode.OK, (await afterwards).StatusCode);
    }

    [Fact]
    public async Task Trade_writes_on_the_real_order_paths_hold_their_slot_while_in_flight_and_the_next_one_is_RATE_LIMITED()
    {
        await using var server = await TestServer.StartAsync(Unthrottled(new() { ["Polysim:TradeWriteConcurrency"] = "2" }));
        var account = await server.CreateAccountAsync();
        var gate = Assert.IsType<InProcessTradeWriteGate>(server.Services.GetRequiredService<ITradeWriteGate>());
        var scope = "account:" + account.AccountId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var client = server.KeyClient(account.ApiKey);

        // Bodies that arrive slowly keep the two writes in flight: the slots are taken before the handler reads the body.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = new[]
        {
            client.PostAsync("/v1/orders", new HeldContent(release.Task)),
            client.PostAsync("/v1/orders/batch", new HeldContent(release.Task)),
        };
        for (var i = 0; i < 600 && gate.InFlight(scope) < 2; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(2, gate.InFlight(scope));
        var refused = await client.PostAsync("/v1/clob/order", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("RATE_LIMITED", refused.Headers.GetValues("X-Polysim-Code").Single());
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
        Assert.True((await JsonOf(refused)).GetProperty("retry_after_ms").GetInt32() > 0);

        release.SetResult();
        foreach (var response in await Task.WhenAll(held))
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, response.StatusCode);
        }

        Assert.Equal(0, gate.InFlight(scope));
        var afterwards = await client.PostAsync("/v1/clob/order", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, afterwards.StatusCode);
    }

    private static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();

    private static void AssertHeaders(HttpResponseMessage response, int limit, int remaining, int reset, string tier = "free")
    {
        Assert.Equal(limit.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(response, "X-RateLimit-Limit"));
        Assert.Equal(remaining.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(response, "X-RateLimit-Remaining"));
        Assert.Equal(reset.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(response, "X-RateLimit-Reset"));
        Assert.Equal(tier, Header(response, "X-RateLimit-Tier"));
    }

    /// <summary>A JSON body that sends its first byte, then waits for a release before finishing.</summary>
    private sealed class HeldContent : HttpContent
    {
        private readonly Task _release;

        public HeldContent(Task release)
        {
            _release = release;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync("{"u8.ToArray());
            await stream.FlushAsync();
            await _release;
            await stream.WriteAsync("}"u8.ToArray());
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
