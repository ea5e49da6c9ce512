using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Polysim.ClobApi.Hosting;
using Xunit.Abstractions;

namespace Polysim.ClobApi.Tests.Quality;

/// <summary>Every code of issue 3's list is emitted by a tested path with the seed's status; the codes nobody else covers are
/// tested here.</summary>
public sealed partial class ErrorCodeMatrixTests(ITestOutputHelper output)
{
    /// <summary>Issue 3's codes with the status seed 003 (or the issue) gives them. One string, so that the scan below does not
    /// mistake this table for a test of each code.</summary>
    private const string CodeTable = """
        INSUFFICIENT_BALANCE 400, INSUFFICIENT_POSITION 400, INVALID_QUANTITY 400, PRICE_REQUIRED 400,
        FOK_ORDER_NOT_FILLED_ERROR 400, INVALID_ORDER_PAYLOAD 400, INVALID_ORDER_MIN_TICK_SIZE 400, UNSUPPORTED_ORDER_TYPE 400,
        MARKET_NOT_FOUND 404, MARKET_CLOSED 400, ORDER_NOT_FOUND 404, ORDER_NOT_CANCELLABLE 400, DUPLICATE_CLIENT_ORDER_ID 409,
        IDEMPOTENCY_KEY_REUSE 409, IDEMPOTENCY_CONFLICT_PENDING 409, EXECUTION_ERROR 500, MISSING_API_KEY 401, INVALID_KEY 401,
        INVALID_TOKEN 401, KEY_EXPIRED 401, KEY_DEACTIVATED 401, TOKEN_EXPIRED 401, INSUFFICIENT_PERMISSION 403,
        ACCESS_RESTRICTED 403, CLOSED_BETA 403, API_PRO_COMING_SOON 403, UPGRADE_REQUIRED 402, RATE_LIMIT_EXCEEDED 429,
        RATE_LIMITED 429, VALIDATION_FAILED 422, INVALID_ORDER_MIN_SIZE 400, INVALID_ORDER_EXPIRATION 400,
        INVALID_POST_ONLY_ORDER 400, BATCH_LIMIT_EXCEEDED 400, NOT_FOUND 404, METHOD_NOT_ALLOWED 405, PAYLOAD_TOO_LARGE 413,
        SERVICE_UNAVAILABLE 503, INTERNAL_ERROR 500
        """;

    private static readonly Dictionary<int, string[]> StatusSpellings = new()
    {
        [400] = ["BadRequest"],
        [401] = ["Unauthorized"],
        [402] = ["PaymentRequired"],
        [403] = ["Forbidden"],
        [404] = ["NotFound"],
        [405] = ["MethodNotAllowed"],
        [409] = ["Conflict"],
        [413] = ["RequestEntityTooLarge", "PayloadTooLarge"],
        [422] = ["UnprocessableEntity", "UnprocessableContent"],
        [429] = ["TooManyRequests"],
        [500] = ["InternalServerError"],
        [503] = ["ServiceUnavailable"],
    };

    // ---- the meta-test -------------------------------------------------------------------------------------------------

    [Fact]
    public void Every_code_of_issue_3_is_asserted_in_X_Polysim_Code_by_a_test_with_the_seed_status()
    {
        var sources = TestSources();
        var helpers = AssertingHelpers(sources.Values);
        var missing = new List<string>();
        foreach (var (code, status) in Codes())
        {
            var verdict = Coverage(sources, helpers, code, status, out var where);
            if (verdict is not null)
            {
                missing.Add($"{code} ({status}): {verdict}");
            }
            else
            {
                output.WriteLine($"{code} {status}: {where}");
            }
        }

        Assert.True(missing.Count == 0, "Codes without a tested path:\n  " + string.Join("\n  ", missing));
    }

    [Fact]
    public void The_scan_recognises_an_assertion_and_ignores_a_bare_mention()
    {
        const string Source = """
            [Fact]
            public async Task A()
            {
                await AssertErrorAsync(response, HttpStatusCode.Conflict, "SOME_CODE");
                var table = "OTHER_CODE";
                Assert.Equal("THIRD_CODE", response.Headers.GetValues("X-Polysim-Code").Single());
            }
            """;
        var sources = new Dictionary<string, string> { ["x.cs"] = Source };
        HashSet<string> helpers = ["AssertErrorAsync"];

        Assert.Null(Coverage(sources, helpers, "SOME_CODE", 409, out var where));
        Assert.Equal("x.cs", where);
        Assert.NotNull(Coverage(sources, helpers, "SOME_CODE", 400, out _));
        Assert.NotNull(Coverage(sources, helpers, "OTHER_CODE", 400, out _));
        Assert.NotNull(Coverage(sources, helpers, "ABSENT_CODE", 400, out _));
        Assert.NotNull(Coverage(sources, helpers, "THIRD_CODE", 404, out _));
    }

    /// <summary>Issue 3's codes and their statuses.</summary>
    internal static IReadOnlyDictionary<string, int> SeedStatuses { get; } = Codes().ToDictionary(c => c.Code, c => c.Status, StringComparer.Ordinal);

    private static IEnumerable<(string Code, int Status)> Codes() =>
        CodeTable.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(entry => entry.Split(' '))
            .Select(parts => (parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Null when some test asserts <paramref name="code"/> with <paramref name="status"/>, else why not.</summary>
    /// <remarks>An assertion is a statement holding the quoted code and either the header name or a call to an asserting helper
    /// (a method whose body reads <c>X-Polysim-Code</c>, directly or through another helper); or an <c>[InlineData]</c> row holding
    /// the code whose test method makes such a call. The status must appear in the same test (number or status name).</remarks>
    private static string? Coverage(Dictionary<string, string> sources, HashSet<string> helpers, string code, int status, out string? where)
    {
        where = null;
        var literal = "\"" + code + "\"";
        var mentioned = false;
        var asserted = false;
        foreach (var (file, text) in sources)
        {
            for (var at = text.IndexOf(literal, StringComparison.Ordinal); at >= 0; at = text.IndexOf(literal, at + 1, StringComparison.Ordinal))
            {
                mentioned = true;
                var (testStart, testEnd) = TestRegion(text, at);
                var test = text[testStart..testEnd];
                var statement = Statement(text, at, testStart);
                var asserting = IsAssertion(statement, helpers)
                    || (statement.Contains("[InlineData(", StringComparison.Ordinal) && IsAssertion(test, helpers));
                if (!asserting)
                {
                    continue;
                }

                asserted = true;
                if (MentionsStatus(test, status))
                {
                    where = file;
                    return null;
                }
            }
        }

        return asserted ? "asserted, but never with this status in the same test"
            : mentioned ? "mentioned, but no test asserts it in X-Polysim-Code"
            : "no test mentions it";
    }

    private static bool IsAssertion(string text, HashSet<string> helpers) =>
        text.Contains("X-Polysim-Code", StringComparison.Ordinal) || text.Contains("CodeHeader", StringComparison.Ordinal)
        || helpers.Any(h => Regex.IsMatch(text, @"\b" + h + @"\s*\("));

    private static bool MentionsStatus(string test, int status) =>
        Regex.IsMatch(test, @"\b" + status + @"\b") || StatusSpellings[status].Any(name => test.Contains(name, StringComparison.Ordinal));

    /// <summary>The statement around <paramref name="at"/>: from the previous <c>;</c> (or the test's start) to the next <c>;</c>.</summary>
    private static string Statement(string text, int at, int testStart)
    {
        var start = Math.Max(text.LastIndexOf(';', at) + 1, testStart);
        var end = text.IndexOf(';', at);
        return text[start..(end < 0 ? text.Length : end)];
    }

    /// <summary>From the test attribute before <paramref name="at"/> to the next test attribute (or the file's ends).</summary>
    private static (int Start, int End) TestRegion(string text, int at)
    {
        var start = Math.Max(text.LastIndexOf("[Fact", at, StringComparison.Ordinal), text.LastIndexOf("[Theory", at, StringComparison.Ordinal));
        var nextFact = text.IndexOf("[Fact", at, StringComparison.Ordinal);
        var nextTheory = text.IndexOf("[Theory", at, StringComparison.Ordinal);
        var end = new[] { nextFact, nextTheory, text.Length }.Where(i => i >= 0).Min();
        return (Math.Max(start, 0), end);
    }

    /// <summary>Names of methods and local functions that assert the code header, directly or through another such helper.</summary>
    private static HashSet<string> AssertingHelpers(IEnumerable<string> sources)
    {
        var bodies = new List<(string Name, string Body)>();
        foreach (var text in sources)
        {
            foreach (Match m in MethodHeader().Matches(text))
            {
                if (Body(text, m.Index + m.Length) is { } body)
                {
                    bodies.Add((m.Groups["name"].Value, body));
                }
            }
        }

        var helpers = new HashSet<string>(StringComparer.Ordinal);
        bool grew;
        do
        {
            grew = false;
            foreach (var (name, body) in bodies)
            {
                if (!helpers.Contains(name) && IsAssertion(body, helpers))
                {
                    grew |= helpers.Add(name);
                }
            }
        }
        while (grew);

        return helpers;
    }

    /// <summary>The body after a method header's parameter list: a braced block or an expression body up to its <c>;</c>.</summary>
    private static string? Body(string text, int afterOpenParen)
    {
        var depth = 1;
        var i = afterOpenParen;
        for (; i < text.Length && depth > 0; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
        }

        var rest = text.AsSpan(i).TrimStart();
        var start = text.Length - rest.Length;
        if (rest.StartsWith("=>"))
        {
            var end = text.IndexOf(';', start);
            return end < 0 ? null : text[start..end];
        }

        if (!rest.StartsWith("{"))
        {
            return null;
        }

        depth = 0;
        for (var j = start; j < text.Length; j++)
        {
            depth += text[j] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0)
            {
                return text[start..(j + 1)];
            }
        }

        return null;
    }

    private static Dictionary<string, string> TestSources()
    {
        // Walk up from the test binaries (bin/<config>/<tfm>) to the project folder: CI builds map source paths
        // (ContinuousIntegrationBuild), so the compile-time file path of this file cannot be trusted.
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "ClobApi.Tests.csproj")))
        {
            root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar));
        }

        Assert.True(root is not null, $"test sources not found above {AppContext.BaseDirectory}");
        return Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(root, f), File.ReadAllText);
    }

    [GeneratedRegex(@"\b(?:Task|ValueTask|void|string|bool|int|HttpResponseMessage)(?:<[^>()]*>)?\??\s+(?<name>[A-Z]\w*)\s*\(")]
    private static partial Regex MethodHeader();

    // ---- the codes nobody else covers ----------------------------------------------------------------------------------

    [Fact]
    public async Task A_full_engine_queue_answers_503_SERVICE_UNAVAILABLE_with_Retry_After_and_recovers()
    {
        await using var server = await TestServer.StartAsync(
            QualityKit.Settings(),
            // The expiry timer posts to the queue every 200 ms by default: on a loaded machine its operation could hold the one
            // slot when the account below is made, so it is pushed out of the test's way.
            configureServices: builder => builder.Services.AddSingleton(new EngineHostOptions { QueueCapacity = 1, ExpiryCheckInterval = TimeSpan.FromHours(1) }));
        var trader = await server.CreateAccountAsync("enterprise");
        using var client = server.KeyClient(trader.ApiKey);
        using var admin = server.AdminClient();
        var host = server.Host();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        Task<int>? blocker = null;
        Task<int>? filler = null;
        try
        {
            blocker = host.WriteAsync(_ =>
            {
                entered.Set();
                release.Wait(TimeSpan.FromSeconds(60));
                return 0;
            });
            Assert.True(entered.Wait(TimeSpan.FromSeconds(10)), "the engine thread never picked up the blocking operation");
            try
            {
                filler = host.ReadAsync(_ => 0);
            }
            catch (EngineUnavailableException)
            {
                // Another timer's operation took the one slot first: the queue is full either way.
            }

            var read = await client.GetAsync("/v1/account/balance");
            var write = await client.SendAsync(HttpMethod.Post, "/v1/orders", new { token_id = "1", side = "BUY", quantity = "5", price = "0.5" });
            var operatorWrite = await admin.SendAsync(HttpMethod.Post, "/v1/admin/accounts", new { tier = "free" });

            foreach (var response in new[] { read, write, operatorWrite })
            {
                var message = await QualityKit.AssertErrorAsync(response, HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
                Assert.Contains("queue", message, StringComparison.OrdinalIgnoreCase);
                Assert.NotNull(response.Headers.RetryAfter);
                Assert.True(response.Headers.RetryAfter!.Delta is { TotalSeconds: >= 1 }, "Retry-After must be a positive number of seconds");
            }

            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        }
        finally
        {
            release.Set();
        }

        await blocker!;
        if (filler is not null)
        {
            await filler;
        }

        var recovered = await client.GetJsonAsync("/v1/account/balance");
        Assert.Equal("10000", recovered.GetProperty("balance").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task An_unhandled_exception_answers_500_INTERNAL_ERROR_with_the_request_id_and_no_stack_trace()
    {
        const string Secret = "connection string Password=hunter2";
        await using var server = await TestServer.StartAsync(QualityKit.Settings(), configureApp: app =>
        {
            app.MapGet("/v1/quality/boom", new Func<IResult>(() => throw new InvalidOperationException(Secret)));
            app.MapPost("/v1/quality/boom-after-read", async (HttpContext http) =>
            {
                using var reader = new StreamReader(http.Request.Body);
                _ = await reader.ReadToEndAsync();
                await Task.Yield();
                throw new InvalidOperationException(Secret);
            });
        });
        var trader = await server.CreateAccountAsync("enterprise");
        using var client = server.KeyClient(trader.ApiKey);

        var plain = await client.SendAsync(HttpMethod.Get, "/v1/quality/boom", null, ("X-Request-Id", "quality-boom-1"));
        var message = await QualityKit.AssertErrorAsync(plain, HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
        Assert.Equal("quality-boom-1", QualityKit.Header(plain, "X-Request-Id"));
        Assert.DoesNotContain("hunter2", message, StringComparison.Ordinal);

        var afterRead = await client.SendAsync(HttpMethod.Post, "/v1/quality/boom-after-read", new { any = "body" });
        var text = await afterRead.Content.ReadAsStringAsync();
        await QualityKit.AssertErrorAsync(afterRead, HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);

        var verbose = await client.SendAsync(HttpMethod.Get, "/v1/quality/boom", null, ("X-Polysim-Verbose", "true"));
        var verboseText = await verbose.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, verbose.StatusCode);
        Assert.Null(QualityKit.ContractViolation(verbose, verboseText, verbose: true, head: false, allow5xx: true));
        using var verboseBody = System.Text.Json.JsonDocument.Parse(verboseText);
        Assert.Equal("INTERNAL_ERROR", verboseBody.RootElement.GetProperty("error").GetString());
        Assert.Equal(QualityKit.Header(verbose, "X-Request-Id"), verboseBody.RootElement.GetProperty("request_id").GetString());
        Assert.DoesNotContain("hunter2", verboseText, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task A_wrong_method_on_a_route_answers_405_METHOD_NOT_ALLOWED()
    {
        await using var server = await TestServer.StartAsync(QualityKit.Settings());
        var trader = await server.CreateAccountAsync("enterprise");
        using var client = server.KeyClient(trader.ApiKey);
        using var anonymous = server.Client();

        await QualityKit.AssertErrorAsync(await client.SendAsync(HttpMethod.Put, "/v1/orders", new { }), HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED");
        await QualityKit.AssertErrorAsync(await client.SendAsync(HttpMethod.Patch, "/v1/account/balance"), HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED");
        await QualityKit.AssertErrorAsync(await anonymous.SendAsync(HttpMethod.Put, "/v1/keys/tiers"), HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED");
        await QualityKit.AssertErrorAsync(await server.AdminClient().SendAsync(HttpMethod.Get, "/v1/admin/markets"), HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED");
    }

    [Fact]
    public async Task A_wrong_method_answers_405_before_asking_for_a_key()
    {
        await using var server = await TestServer.StartAsync(QualityKit.Settings());
        using var anonymous = server.Client();

        // A route that exists under another method: the method is the problem, whoever asks (as for an unknown route's 404).
        await QualityKit.AssertErrorAsync(await anonymous.SendAsync(HttpMethod.Put, "/v1/orders", new { }), HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED");
    }

    [Fact]
    public async Task An_unknown_route_answers_404_NOT_FOUND_with_or_without_a_key()
    {
        await using var server = await TestServer.StartAsync(QualityKit.Settings());
        var trader = await server.CreateAccountAsync("enterprise");
        using var client = server.KeyClient(trader.ApiKey);
        using var anonymous = server.Client();

        await QualityKit.AssertErrorAsync(await client.GetAsync("/v1/no-such-route"), HttpStatusCode.NotFound, "NOT_FOUND");
        await QualityKit.AssertErrorAsync(await anonymous.GetAsync("/v1/no-such-route"), HttpStatusCode.NotFound, "NOT_FOUND");
        await QualityKit.AssertErrorAsync(await client.SendAsync(HttpMethod.Post, "/v1/orders/a/b/c", new { }), HttpStatusCode.NotFound, "NOT_FOUND");
        await QualityKit.AssertErrorAsync(await anonymous.GetAsync("/v1/admin/accounts/not-a-number"), HttpStatusCode.NotFound, "NOT_FOUND");
        await QualityKit.AssertErrorAsync(await anonymous.GetAsync("/nowhere"), HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task A_body_over_1_MiB_answers_413_PAYLOAD_TOO_LARGE_on_every_route_and_changes_nothing()
    {
        await using var server = await TestServer.StartAsync(QualityKit.Settings());
        var market = await server.CreateMarketAsync();
        var trader = await server.CreateAccountAsync("enterprise");
        using var client = server.KeyClient(trader.ApiKey);
        using var admin = server.AdminClient();
        var resting = await client.PlaceAsync(new { token_id = market.YesToken, side = "BUY", quantity = "10", price = "0.2" });
        var huge = "{\"pad\":\"" + new string('x', (1 << 20) + 10) + "\"}";

        await QualityKit.AssertErrorAsync(await client.SendAsync(HttpMethod.Post, "/v1/orders", huge), HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");
        await QualityKit.AssertErrorAsync(await admin.SendAsync(HttpMethod.Post, "/v1/admin/accounts", huge), HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");
        // A route that never reads its body refuses the oversized request too, rather than acting on it.
        await QualityKit.AssertErrorAsync(await client.SendAsync(HttpMethod.Post, "/v1/cancel-all?confirm=true", huge), HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");

        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/orders") { Content = new StringContent(huge, Encoding.UTF8, "application/json") };
        chunked.Headers.TransferEncodingChunked = true;
        await QualityKit.AssertErrorAsync(await client.SendAsync(chunked), HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");

        var order = await client.GetJsonAsync("/v1/orders/" + resting.GetProperty("order_id").GetString());
        Assert.Equal("OPEN", order.GetProperty("status").GetString());
        Assert.Single(await client.ListAllOrdersAsync());
    }

    [Fact]
    public async Task Schema_level_problems_answer_422_VALIDATION_FAILED()
    {
        await using var server = await TestServer.StartAsync(QualityKit.Settings());
        var market = await server.CreateMarketAsync();
        var trader = await server.CreateAccountAsync("enterprise");
        using var client = server.KeyClient(trader.ApiKey);
        using var admin = server.AdminClient();

        var cases = new (HttpClient Client, HttpMethod Method, string Path, object? Body)[]
        {
            (client, HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = 5, quantity = "5", price = "0.5" }),
            (client, HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "SIDEWAYS", quantity = "5", price = "0.5" }),
            (client, HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", quantity = new[] { 1 }, price = "0.5" }),
            (client, HttpMethod.Post, "/v1/orders", new { token_id = market.YesToken, side = "BUY", price = "0.5" }),
            (client, HttpMethod.Post, "/v1/orders", "{\"token_id\": \"" + market.YesToken + "\", \"side\": \"BUY\", \"quantity\": 1e308, \"price\": 0.5}"),
            (client, HttpMethod.Post, "/v1/orders", "{\"token_id\": "),
            (client, HttpMethod.Get, "/v1/orders?limit=0", null),
            (client, HttpMethod.Get, "/v1/orders?status=SOMETIMES", null),
            (admin, HttpMethod.Post, "/v1/admin/accounts", new { tier = "gold" }),
            (admin, HttpMethod.Post, "/v1/admin/accounts", new { starting_balance = "-5" }),
            (admin, HttpMethod.Post, "/v1/admin/accounts", "[1, 2, 3]"),
        };
        foreach (var (who, method, path, body) in cases)
        {
            var response = await who.SendAsync(method, path, body);
            await QualityKit.AssertErrorAsync(response, HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        }

        // A Content-Type the route does not accept is refused by routing (415 there); the contract answers it as 422.
        using var plainText = new HttpRequestMessage(HttpMethod.Post, "/v1/admin/markets") { Content = new StringContent("{}", Encoding.UTF8, "text/plain") };
        await QualityKit.AssertErrorAsync(await admin.SendAsync(plainText), HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");

        Assert.Empty(await client.ListAllOrdersAsync());
    }
}
