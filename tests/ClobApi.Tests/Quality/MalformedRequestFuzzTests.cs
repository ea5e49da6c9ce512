using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Polysim.ClobApi.Tests.Quality;

/// <summary>1,000 seeded, randomized malformed requests across every documented route: no 5xx, every refusal in the error
/// contract, nothing half-written.</summary>
/// <remarks>Set <c>POLYSIM_FUZZ_SEED</c> to replay a failing run; the failure message prints the seed and each failing request.
/// Inputs that Kestrel itself refuses before the application sees them (a request line over 8 KiB, headers over 32 KiB, a
/// percent-encoded NUL in the path, non-ASCII header bytes) are not generated: their bare 400/414/431 replies come from the
/// server layer, outside the /v1 contract. So the query stays under 6 KiB and the filler header under 20 KiB. Valid orders of
/// the two checked accounts are interleaved (not counted in the 1,000) so that the books end with fills and reservations.</remarks>
public sealed class MalformedRequestFuzzTests(ITestOutputHelper output)
{
    private const int Requests = 1_000;
    private const int DefaultSeed = 20_261_122;

    [Fact]
    public async Task A_thousand_randomized_malformed_requests_get_no_5xx_and_every_refusal_follows_the_error_contract()
    {
        var seed = Environment.GetEnvironmentVariable("POLYSIM_FUZZ_SEED") is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : DefaultSeed;
        await using var server = await TestServer.StartAsync(QualityKit.Settings());
        var world = await FuzzWorld.CreateAsync(server);
        var generator = new FuzzGenerator(seed, await FuzzRoutes.ReadAsync(server), world);
        using var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false };
        using var client = new HttpClient(handler) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        var codes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var background = 0;
        for (var i = 0; i < Requests; i++)
        {
            // Valid orders between the malformed ones give the books fills, partial fills and reservations to check afterwards.
            var isBackground = generator.WantsBackground();
            var request = isBackground ? generator.Background() : generator.Next();
            if (isBackground)
            {
                background++;
                i--;
            }

            using var message = request.ToMessage();
            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(message);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                failures.Add($"#{i}{(isBackground ? " (background)" : string.Empty)} no response ({ex.GetType().Name}: {ex.Message})\n    {request}");
                continue;
            }

            using (response)
            {
                var body = await response.Content.ReadAsStringAsync();
                var status = (int)response.StatusCode;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                var code = QualityKit.Header(response, "X-Polysim-Code");
                var violation = QualityKit.ContractViolation(response, body, request.Verbose, request.Method == "HEAD")
                    ?? (request.Oversized && request.ReachesV1 && status != 413
                        ? $"a body over 1 MiB answered {status}, not 413"
                        : null)
                    ?? (code is not null && ErrorCodeMatrixTests.SeedStatuses.TryGetValue(code, out var seedStatus) && seedStatus != status
                        ? $"{code} with status {status}; the seed gives {seedStatus}"
                        : null);
                if (code is not null)
                {
                    codes[code] = codes.GetValueOrDefault(code) + 1;
                }

                if (violation is not null)
                {
                    failures.Add($"#{i}{(isBackground ? " (background)" : string.Empty)} {violation}\n    {request}\n    -> {status} {QualityKit.Header(response, "X-Polysim-Code")} {Clip(body, 400)}");
                }

                if (status is >= 200 and < 300 && request.Account is { } account && request.Method == "POST")
                {
                    world.Acknowledge(account, body);
                }
            }
        }

        output.WriteLine($"seed {seed}; {background} valid background orders; statuses {string.Join(", ", statuses.Select(p => $"{p.Key}×{p.Value}"))}");
        output.WriteLine($"codes {string.Join(", ", codes.Select(p => $"{p.Key}×{p.Value}"))}");
        Assert.True(failures.Count == 0,
            $"POLYSIM_FUZZ_SEED={seed}: {failures.Count} of {Requests} requests broke the contract:\n  " + string.Join("\n  ", failures.Take(25)));
        Assert.True(statuses.Keys.Count(s => s is >= 400 and < 500) >= 6, "the fuzz reached too few kinds of refusal to mean anything");

        using var probe = server.Client();
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/readyz")).StatusCode);
        output.WriteLine(await world.AssertNothingHalfWrittenAsync(seed));
    }

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..length] + $"…({text.Length} chars)";

    /// <summary>The accounts, keys, markets and resting orders the fuzz aims at, and the orders it saw acknowledged.</summary>
    private sealed class FuzzWorld
    {
        private readonly Dictionary<string, HashSet<string>> _acknowledged = new(StringComparer.Ordinal);

        private FuzzWorld(TestServer server) => Server = server;

        public TestServer Server { get; }

        public QualityMarket Market { get; private set; } = null!;

        public QualityMarket Sacrificial { get; private set; } = null!;

        public TestAccount Main { get; private set; } = null!;

        public TestAccount Second { get; private set; } = null!;

        public string ReadOnlyKey { get; private set; } = null!;

        public string Token { get; private set; } = null!;

        public List<string> OrderIds { get; } = [];

        public static async Task<FuzzWorld> CreateAsync(TestServer server)
        {
            var world = new FuzzWorld(server)
            {
                Market = await server.CreateMarketAsync(),
                Sacrificial = await server.CreateMarketAsync(tick: "0.001", minimumSize: "1", question: "Will the operator routes survive?"),
                Main = await server.CreateAccountAsync("enterprise", "100000"),
                Second = await server.CreateAccountAsync("enterprise", "100000"),
            };
            using var main = server.KeyClient(world.Main.ApiKey);
            using var second = server.KeyClient(world.Second.ApiKey);
            var readOnly = await QualityKit.OkJsonAsync(await main.PostAsJsonAsync("/v1/keys", new { name = "fuzz-read", permissions = new[] { "read" } }), HttpStatusCode.Created);
            world.ReadOnlyKey = readOnly.GetProperty("api_key").GetString()!;
            var token = await QualityKit.OkJsonAsync(await main.PostAsync("/v1/auth/token", null));
            world.Token = token.GetProperty("access_token").GetString()!;

            var m = world.Market;
            var placed = new[]
            {
                (main, "main", (object)new { token_id = m.YesToken, side = "BUY", quantity = "20", price = "0.5" }),
                (second, "second", new { token_id = m.NoToken, side = "BUY", quantity = "20", price = "0.5" }),
                (main, "main", new { token_id = m.YesToken, side = "SELL", quantity = "5", price = "0.9" }),
                (second, "second", new { token_id = m.YesToken, side = "BUY", quantity = "5", price = "0.1" }),
                (main, "main", new { token_id = world.Sacrificial.YesToken, side = "BUY", quantity = "3", price = "0.25" }),
            };
            foreach (var (client, account, order) in placed)
            {
                var view = await client.PlaceAsync(order);
                world.OrderIds.Add(view.GetProperty("order_id").GetString()!);
                world.Acknowledge(account, view.GetRawText());
            }

            return world;
        }

        /// <summary>Records every order id a 2xx reply to a POST reports (native, Polymarket and batch shapes alike).</summary>
        public void Acknowledge(string account, string body)
        {
            if (!_acknowledged.TryGetValue(account, out var ids))
            {
                _acknowledged[account] = ids = new HashSet<string>(StringComparer.Ordinal);
            }

            try
            {
                using var json = JsonDocument.Parse(body);
                Collect(json.RootElement, ids);
            }
            catch (JsonException)
            {
            }
        }

        /// <summary>After the fuzz: every acknowledged order exists, no order exists that was not acknowledged, and each
        /// account's cash and shares balance against its open orders.</summary>
        public async Task<string> AssertNothingHalfWrittenAsync(int seed)
        {
            var summary = new StringBuilder();
            foreach (var (label, account) in new[] { ("main", Main), ("second", Second) })
            {
                using var client = Server.KeyClient(account.ApiKey);
                // A heartbeat armed by the fuzz would cancel orders between the reads below.
                await client.DeleteAsync("/v1/heartbeats");
                var listed = (await client.ListAllOrdersAsync()).Select(o => o.GetProperty("order_id").GetString()!).ToHashSet(StringComparer.Ordinal);
                var acknowledged = _acknowledged.GetValueOrDefault(label) ?? [];
                Assert.True(acknowledged.IsSubsetOf(listed),
                    $"seed {seed}: {label}: acknowledged orders missing: {string.Join(", ", acknowledged.Except(listed))}");
                Assert.True(listed.IsSubsetOf(acknowledged),
                    $"seed {seed}: {label}: orders nobody was told about: {string.Join(", ", listed.Except(acknowledged))}");
                var violation = await client.LedgerViolationAsync();
                Assert.True(violation is null, $"seed {seed}: {label}: {violation}");
                var balance = await client.GetJsonAsync("/v1/account/balance");
                summary.Append(CultureInfo.InvariantCulture, $"{label}: {listed.Count} orders, balance {balance.GetProperty("balance")}, reserved {balance.GetProperty("reserved")}; ");
            }

            return summary.ToString();
        }

        private static void Collect(JsonElement element, HashSet<string> ids)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        if (property.Name is "order_id" or "orderID" && property.Value.ValueKind == JsonValueKind.String
                            && property.Value.GetString() is { Length: > 0 } id)
                        {
                            ids.Add(id);
                        }
                        else
                        {
                            Collect(property.Value, ids);
                        }
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Collect(item, ids);
                    }

                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>A documented route: its template and methods, and the request body schema's property names.</summary>
    private sealed record FuzzRoute(string Template, string[] Methods, Dictionary<string, string[]> SchemaProperties);

    private static class FuzzRoutes
    {
        /// <summary>The /v1 routes of the running server's OpenAPI document.</summary>
        public static async Task<List<FuzzRoute>> ReadAsync(TestServer server)
        {
            using var client = server.Client();
            using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
            var root = document.RootElement;
            var byPath = new Dictionary<string, (List<string> Methods, Dictionary<string, string[]> Schema)>(StringComparer.Ordinal);
            foreach (var path in root.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/v1", StringComparison.Ordinal)
                // The allocation sampler answers .NET type names (some end in "Exception") and takes seconds per call.
                && !p.Name.StartsWith("/v1/admin/diagnostics", StringComparison.Ordinal)))
            {
                var methods = new List<string>();
                var schemas = new Dictionary<string, string[]>(StringComparer.Ordinal);
                foreach (var operation in path.Value.EnumerateObject())
                {
                    var method = operation.Name.ToUpperInvariant();
                    methods.Add(method);
                    schemas[method] = SchemaProperties(root, operation.Value);
                }

                byPath[path.Name] = (methods, schemas);
            }

            Assert.True(byPath.Count > 30, $"the OpenAPI document lists only {byPath.Count} /v1 paths");
            return byPath.Select(p => new FuzzRoute(p.Key, [.. p.Value.Methods], p.Value.Schema)).ToList();
        }

        private static string[] SchemaProperties(JsonElement root, JsonElement operation)
        {
            if (!operation.TryGetProperty("requestBody", out var body) || !body.TryGetProperty("content", out var content)
                || !content.TryGetProperty("application/json", out var json) || !json.TryGetProperty("schema", out var schema)
                || !schema.TryGetProperty("$ref", out var reference))
            {
                return [];
            }

            var name = reference.GetString()!.Split('/')[^1];
            return root.GetProperty("components").GetProperty("schemas").TryGetProperty(name, out var target)
                && target.TryGetProperty("properties", out var properties)
                    ? properties.EnumerateObject().Select(p => p.Name).ToArray()
                    : [];
        }
    }

    /// <summary>One generated request, printable for a failure report.</summary>
    private sealed class FuzzRequest
    {
        public required string Method { get; init; }

        public required string Path { get; init; }

        public string Query { get; init; } = string.Empty;

        public List<(string Name, string Value)> Headers { get; } = [];

        public byte[]? Body { get; init; }

        public string? ContentType { get; init; }

        public bool Chunked { get; init; }

        public bool Verbose { get; init; }

        public bool Oversized => Body is { Length: > 1 << 20 } && !Chunked;

        /// <summary>Whether the server sees a /v1 path (it removes dot segments, so "/v1/%2e%2e/x" arrives as "/x").</summary>
        public bool ReachesV1 => Path.StartsWith("/v1", StringComparison.Ordinal)
            && !Path.Contains("%2e", StringComparison.OrdinalIgnoreCase) && !Path.Contains("/./", StringComparison.Ordinal);

        /// <summary>The account whose key authenticates it ("main", "second"), or null.</summary>
        public string? Account { get; init; }

        public required string Shape { get; init; }

        public HttpRequestMessage ToMessage()
        {
            var message = new HttpRequestMessage(new HttpMethod(Method), new Uri(Path + Query, UriKind.Relative));
            if (Body is not null)
            {
                message.Content = new ByteArrayContent(Body);
                if (ContentType is not null)
                {
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
                }

                message.Headers.TransferEncodingChunked = Chunked;
            }

            foreach (var (name, value) in Headers)
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }

            return message;
        }

        public override string ToString()
        {
            var headers = string.Join("; ", Headers.Select(h => $"{h.Name}: {Clip(h.Value, 80)}"));
            var body = Body is null ? "(no body)" : Clip(Encoding.UTF8.GetString(Body), 300);
            return $"{Method} {Clip(Path + Query, 300)} [{Shape}] headers {{{headers}}} content-type {ContentType ?? "(none)"}{(Chunked ? " chunked" : string.Empty)} body {body}";
        }
    }

    /// <summary>Builds the requests from a seed: route, method, path parameters, query, credentials, headers and body.</summary>
    private sealed class FuzzGenerator(int seed, List<FuzzRoute> routes, FuzzWorld world)
    {
        private const string RawMarker = "__raw_";

        private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "FOO"];

        private static readonly string[] UnknownPaths =
        [
            "/v1/nope", "/v1/orders/a/b/c", "/v1/admin/nope", "/v1/keys/a/b/c", "/v1", "/v1/", "/v2/orders", "/v1//orders",
            "/V1/ORDERS", "/v1/orders/", "/v1/./orders", "/v1/%2e%2e/admin/accounts", "/v1/markets/x/y/z", "/v1/account",
            "/v1/account/balance/extra", "/v1/book/%C3%28", "/nowhere",
        ];

        private static readonly string[] ContentTypes =
        [
            "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
            "application/xml", "garbage", "application/json; charset=latin1", "*/*", "application/json;;;", "text/html",
        ];

        private static readonly string[] RawValues =
        [
            "NaN", "Infinity", "-Infinity", "1e308", "-1e308", "1e-400", "99999999999999999999999999999999", "-0", "0x10", ".5", "1.",
            "+1", "01", "\"\\ud800\"", "\"\\udc00x\"", "\"\\u0000\"", "\"\\uZZZZ\"", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
            "undefined", "'single'", "{\"$ref\":\"#\"}",
        ];

        private static readonly HashSet<string> Destructive = new(StringComparer.Ordinal)
        {
            "/v1/account/reset-api-balance", "/v1/cancel-all", "/v1/cancel-market-orders", "/v1/heartbeats",
        };

        private readonly Random _random = new(seed);
        private int _counter;

        public bool WantsBackground() => _random.NextDouble() < 0.15;

        /// <summary>A valid order of the main or second account on the main market, often crossing the other's.</summary>
        public FuzzRequest Background()
        {
            _counter++;
            var main = _random.NextDouble() < 0.6;
            var fak = _random.NextDouble() < 0.25;
            var order = new JsonObject
            {
                ["token_id"] = Pick([world.Market.YesToken, world.Market.NoToken]),
                ["side"] = _random.NextDouble() < 0.75 ? "BUY" : "SELL",
                ["quantity"] = Pick(["5", "6.5", "10", "15"]),
                ["price"] = Pick(["0.3", "0.4", "0.45", "0.5", "0.55", "0.6", "0.7"]),
                ["order_type"] = fak ? "market" : "limit",
                ["time_in_force"] = fak ? "FAK" : "GTC",
            };
            var request = new FuzzRequest
            {
                Method = "POST",
                Path = "/v1/orders",
                Body = Utf8(order.ToJsonString()),
                ContentType = "application/json",
                Shape = "background",
                Account = main ? "main" : "second",
            };
            request.Headers.Add(("X-API-Key", main ? world.Main.ApiKey : world.Second.ApiKey));
            return request;
        }

        public FuzzRequest Next()
        {
            _counter++;
            var unknown = _random.NextDouble() < 0.05;
            var route = unknown ? null : routes[_random.Next(routes.Count)];
            var template = route?.Template ?? Pick(UnknownPaths);
            var admin = template.StartsWith("/v1/admin", StringComparison.Ordinal);
            var method = route is not null && _random.NextDouble() < 0.85 ? Pick(route.Methods) : Pick(Methods);
            var path = FillParameters(template, admin);
            var query = _random.NextDouble() < 0.3 ? Query() : string.Empty;
            var verbose = _random.NextDouble() < 0.1;
            var (body, shape, contentType, chunked) = method == "TRACE" || (method is "HEAD" or "OPTIONS" && _random.NextDouble() < 0.8)
                ? (null, "no body", null, false)
                : Body(method, template, route);
            var account = Credentials(admin, Destructive.Contains(template), out var credentials);
            var request = new FuzzRequest
            {
                Method = method,
                Path = path,
                Query = query,
                Body = body,
                ContentType = contentType,
                Chunked = chunked,
                Verbose = verbose,
                Shape = shape,
                Account = account,
            };
            request.Headers.AddRange(credentials);
            if (verbose)
            {
                request.Headers.Add(("X-Polysim-Verbose", "true"));
            }

            AddNoise(request);
            return request;
        }

        private string? Credentials(bool admin, bool destructive, out List<(string, string)> headers)
        {
            headers = [];
            string? account = null;
            var roll = _random.NextDouble();
            if (destructive && roll < 0.67)
            {
                // Routes that wipe a wallet (reset, cancel-all, heartbeats) hit the second account only, so the main one keeps a
                // history worth checking.
                headers.Add(("X-API-Key", world.Second.ApiKey));
                return "second";
            }

            switch (roll)
            {
                case < 0.45:
                    headers.Add(("X-API-Key", world.Main.ApiKey));
                    account = "main";
                    break;
                case < 0.55:
                    headers.Add(("X-API-Key", world.Second.ApiKey));
                    account = "second";
                    break;
                case < 0.58:
                    headers.Add(("POLY_API_KEY", world.Main.ApiKey));
                    account = "main";
                    break;
                case < 0.62:
                    headers.Add(("Authorization", "Bearer " + world.Token));
                    account = "main";
                    break;
                case < 0.67:
                    headers.Add(("X-API-Key", world.ReadOnlyKey));
                    account = "main";
                    break;
                case < 0.72:
                    headers.Add(("X-API-Key", "ps_live_" + Convert.ToHexStringLower(RandomBytes(32))));
                    break;
                case < 0.75:
                    headers.Add(("X-API-Key", Pick(["x", "ps_live_", new string('k', 3000), "ps_live_ZZZZ", "' OR 1=1 --"])));
                    break;
                case < 0.80:
                    headers.Add(("Authorization", Pick(["Bearer abc.def.ghi", "Bearer ", "Bearer " + CraftedJwt(), "Basic dXNlcjpwYXNz", "Bearer a.b", "Bearer " + new string('x', 2000)])));
                    break;
                default:
                    break;
            }

            if (admin)
            {
                var key = _random.NextDouble();
                if (key < 0.4)
                {
                    headers.Add(("X-Admin-Key", TestServer.AdminKey));
                }
                else if (key < 0.7)
                {
                    headers.Add(("X-Admin-Key", Pick(["adm_wrong", "", new string('a', 1000)])));
                }
            }

            return account;
        }

        /// <summary>A JWT whose claims are malformed (lone surrogate subject, absurd expiry) with a random signature.</summary>
        private string CraftedJwt()
        {
            static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var payload = Pick(["{\"sub\":\"\\ud800\",\"exp\":1e308}", "{\"sub\":5}", "{}", "[]", "null", "{\"sub\":\"k\",\"exp\":\"soon\"}"]);
            return $"{B64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")}.{B64(payload)}.{Convert.ToBase64String(RandomBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";
        }

        private void AddNoise(FuzzRequest request)
        {
            if (_random.NextDouble() < 0.05)
            {
                request.Headers.Add(("X-Filler", new string('f', _random.Next(4_000, 20_000))));
            }

            if (_random.NextDouble() < 0.05)
            {
                request.Headers.Add(("X-Request-Id", Pick(["", " ", new string('r', 500), "id with spaces", "\"quoted\"", "req-" + _counter])));
            }

            if (_random.NextDouble() < 0.05)
            {
                request.Headers.Add(("Idempotency-Key", Pick(["", "k", new string('i', 5_000), "fuzz-" + _random.Next(5)])));
            }

            if (_random.NextDouble() < 0.04)
            {
                request.Headers.Add(("X-Wallet-Id", Pick(["-1", "abc", "99999999999999999999", "api", "0", " "])));
            }

            if (_random.NextDouble() < 0.03)
            {
                request.Headers.Add(("Accept", Pick(["text/html", "application/xml", "*/*;q=0", "garbage"])));
            }

            if (_random.NextDouble() < 0.03)
            {
                request.Headers.Add(("X-Confirm-Cancel-All", Pick(["true", "yes", ""])));
            }
        }

        private string FillParameters(string template, bool admin)
        {
            var builder = new StringBuilder();
            var i = 0;
            while (i < template.Length)
            {
                var open = template.IndexOf('{', i);
                if (open < 0)
                {
                    builder.Append(template, i, template.Length - i);
                    break;
                }

                var close = template.IndexOf('}', open);
                builder.Append(template, i, open - i);
                builder.Append(ParameterValue(template[(open + 1)..close], template, admin));
                i = close + 1;
            }

            return builder.ToString();
        }

        private string ParameterValue(string name, string template, bool admin)
        {
            // Real ids only where the fuzz cannot hurt the accounts it checks afterwards: keys and accounts only ever get garbage.
            var keysOrAccounts = template.Contains("/keys/", StringComparison.Ordinal) || name is "account" or "id";
            if (!keysOrAccounts && _random.NextDouble() < 0.4)
            {
                return name switch
                {
                    "orderId" or "order_id" => Pick(world.OrderIds),
                    "condition_id" => admin ? world.Sacrificial.ConditionId : Pick([world.Market.ConditionId, world.Sacrificial.ConditionId]),
                    "token_id" => Pick([world.Market.YesToken, world.Market.NoToken, world.Sacrificial.NoToken]),
                    _ => "1",
                };
            }

            return Pick(
            [
                "0x" + Convert.ToHexStringLower(RandomBytes(32)), "-1", "0", "99999999999999999999999", "abc", "%C3%28", "%FF%FE",
                "a%20b", "..%2F..%2Fadmin", new string('9', 300), "null", "%E2%82%AC", "%F0%9F%92%A5", "{id}", "1.5", "1e308",
                (700_000 + _random.Next(100_000)).ToString(CultureInfo.InvariantCulture), "0xdeadbeef", "%20", "'", "%22",
            ]);
        }

        private string Query()
        {
            string[] pool =
            [
                "limit=-1", "limit=0", "limit=201", "limit=1e308", "limit=NaN", "limit=99999999999999999999", "limit=1&limit=2",
                "cursor=!!!", "cursor=" + Convert.ToBase64String(RandomBytes(12)), "cursor=bzEyMw", "status=SOMETIMES", "status=",
                "status=open", "side=UP", "side=buy", "market_id=0x", "market_id=" + world.Market.ConditionId, "token_id=",
                "token_id=abc", "token_id=" + world.Market.YesToken, "wallet_id=-5", "wallet_id=api", "wallet_id=99999999999",
                "wallet_id=abc", "confirm=true", "confirm=maybe", "outcome=Maybe", "outcome=No", "interval=1x", "fidelity=-3",
                "startTs=-1", "endTs=1e308", "market=" + world.Market.YesToken, "%ZZ=%ZZ", "a[]=1&a[]=2", "=", "&&&", "%00=%00",
                "x=" + new string('a', _random.Next(100, 2_000)), "q=%C3%28", "q=%E2%82%AC", "price=1e308", "asset_id=" + world.Market.NoToken,
                "next_cursor=LTE=", "offset=-10", "depth=999999999",
            ];
            var count = _random.Next(1, 4);
            return "?" + string.Join("&", Enumerable.Range(0, count).Select(_ => Pick(pool)));
        }

        private (byte[]? Body, string Shape, string? ContentType, bool Chunked) Body(string method, string template, FuzzRoute? route)
        {
            var contentType = _random.NextDouble() < 0.75 ? "application/json" : _random.NextDouble() < 0.2 ? null : Pick(ContentTypes);
            var chunked = _random.NextDouble() < 0.05;
            var valid = Template(method, template, route);
            var roll = _random.NextDouble();
            string shape;
            byte[]? bytes;
            switch (roll)
            {
                case < 0.06:
                    shape = "valid";
                    bytes = Utf8(valid.ToJsonString());
                    break;
                case < 0.40:
                    shape = "mutated field";
                    bytes = Mutate(valid, remove: false);
                    break;
                case < 0.48:
                    shape = "missing field";
                    bytes = Mutate(valid, remove: true);
                    break;
                case < 0.55:
                    shape = "wrong top-level type";
                    bytes = Utf8(Pick(["[]", "\"str\"", "42", "null", "true", "[{}]", "{}", "[" + valid.ToJsonString() + "]", "-1e308"]));
                    break;
                case < 0.64:
                    shape = "invalid JSON";
                    bytes = Utf8(Pick(
                    [
                        "{", "}", "{\"a\":}", "{'a':1}", "{\"a\":1,}", "nul", "{\"a\" 1}", "\u0000", "<xml/>", "a=1&b=2", "\uFEFF{}",
                        "{\"a\":\"\\uZZZZ\"}", "{\"side\":\"BUY\",\"side\":\"SELL\"}", "{\"a\":NaN}", "//comment\n{}", "{\"a\":1}{\"b\":2}",
                        new string((char)_random.Next(33, 126), _random.Next(1, 200)),
                    ]));
                    break;
                case < 0.72:
                    shape = "truncated JSON";
                    var full = valid.ToJsonString();
                    bytes = Utf8(full[..Math.Max(1, _random.Next(full.Length))]);
                    break;
                case < 0.76:
                    shape = "deeply nested";
                    var depth = Pick([65, 200, 1_000, 20_000]);
                    bytes = Utf8(Pick(["{\"a\":", "{\"orders\":"]) + new string('[', depth) + new string(']', _random.NextDouble() < 0.5 ? depth : 0) + "}");
                    break;
                case < 0.82:
                    shape = "invalid UTF-8";
                    bytes = InvalidUtf8(valid);
                    break;
                case < 0.835:
                    shape = "oversized";
                    bytes = Utf8("{\"pad\":\"" + new string('x', (1 << 20) + _random.Next(1, 400_000)) + "\"}");
                    break;
                case < 0.90:
                    shape = "empty body";
                    bytes = [];
                    break;
                default:
                    shape = "no body";
                    bytes = null;
                    contentType = null;
                    chunked = false;
                    break;
            }

            return (bytes, shape, bytes is null ? null : contentType, bytes is not null && chunked);
        }

        private byte[] Mutate(JsonNode valid, bool remove)
        {
            var targets = new List<(JsonNode Parent, string? Name, int Index)>();
            Walk(valid, targets, 0);
            if (targets.Count == 0)
            {
                return Utf8(valid.ToJsonString());
            }

            var (parent, name, index) = targets[_random.Next(targets.Count)];
            var raw = new Dictionary<string, string>(StringComparer.Ordinal);
            JsonNode? replacement = remove ? null : BadValue(raw);
            if (parent is JsonObject obj)
            {
                if (remove)
                {
                    obj.Remove(name!);
                }
                else
                {
                    obj[name!] = replacement;
                }
            }
            else if (parent is JsonArray array)
            {
                if (remove)
                {
                    array.RemoveAt(index);
                }
                else
                {
                    array[index] = replacement;
                }
            }

            var text = valid.ToJsonString();
            foreach (var (marker, value) in raw)
            {
                text = text.Replace("\"" + marker + "\"", value, StringComparison.Ordinal);
            }

            return Utf8(text);
        }

        private static void Walk(JsonNode node, List<(JsonNode, string?, int)> targets, int depth)
        {
            if (depth > 3)
            {
                return;
            }

            if (node is JsonObject obj)
            {
                foreach (var (name, child) in obj.ToList())
                {
                    targets.Add((obj, name, -1));
                    if (child is not null)
                    {
                        Walk(child, targets, depth + 1);
                    }
                }
            }
            else if (node is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    targets.Add((array, null, i));
                    if (array[i] is { } child)
                    {
                        Walk(child, targets, depth + 1);
                    }
                }
            }
        }

        private JsonNode? BadValue(Dictionary<string, string> raw)
        {
            var roll = _random.Next(30);
            if (roll < 8)
            {
                var marker = RawMarker + raw.Count;
                raw[marker] = Pick(RawValues);
                return JsonValue.Create(marker);
            }

            return roll switch
            {
                8 => JsonValue.Create("abc"),
                9 => JsonValue.Create(string.Empty),
                10 => JsonValue.Create("-1"),
                11 => JsonValue.Create("0"),
                12 => JsonValue.Create("-0.5"),
                13 => JsonValue.Create("0.00000001"),
                14 => JsonValue.Create("1e308"),
                15 => JsonValue.Create("NaN"),
                16 => JsonValue.Create("99999999999999999999999"),
                17 => JsonValue.Create(Pick(["SIDEWAYS", "gtc", "IOC", "limit ", "Maybe", "LIMIT", "market", "GTD", "FAK"])),
                18 => JsonValue.Create(new string('s', _random.Next(1_000, 20_000))),
                19 => JsonValue.Create("💥\u0000"),
                20 => null,
                21 => JsonValue.Create(true),
                22 => new JsonArray(),
                23 => new JsonObject(),
                24 => new JsonArray(1, 2),
                25 => JsonValue.Create(0),
                26 => JsonValue.Create(-1),
                27 => JsonValue.Create(long.MaxValue),
                28 => JsonValue.Create(1e300),
                _ => JsonValue.Create(0.1234567891),
            };
        }

        private byte[] InvalidUtf8(JsonNode valid)
        {
            var text = Utf8(valid.ToJsonString());
            byte[][] bad = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82], [0xC0, 0xAF]];
            var insert = bad[_random.Next(bad.Length)];
            // Inside the first string value when there is one, else anywhere.
            var quote = Array.IndexOf(text, (byte)'"', Array.IndexOf(text, (byte)':') + 1);
            var at = quote > 0 ? quote + 1 : _random.Next(text.Length + 1);
            return [.. text[..at], .. insert, .. text[at..]];
        }

        /// <summary>A valid body for the route, to be broken; unknown routes get one built from the documented schema.</summary>
        private JsonNode Template(string method, string template, FuzzRoute? route)
        {
            var m = world.Market;
            var token = Pick([m.YesToken, m.NoToken]);
            JsonObject Native() => new()
            {
                ["token_id"] = token,
                ["side"] = Pick(["BUY", "SELL"]),
                ["quantity"] = Pick(["5", "10", "7.5"]),
                ["price"] = Pick(["0.2", "0.45", "0.55", "0.8"]),
                ["order_type"] = "limit",
                ["time_in_force"] = Pick(["GTC", "GTD", "FOK", "FAK"]),
                ["expiration"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(),
                ["post_only"] = false,
                ["client_order_id"] = "fz-" + seed + "-" + _counter,
            };
            JsonObject Polymarket() => new()
            {
                ["order"] = new JsonObject
                {
                    ["salt"] = 12345,
                    ["maker"] = "0x0000000000000000000000000000000000000001",
                    ["signer"] = "0x0000000000000000000000000000000000000001",
                    ["taker"] = "0x0000000000000000000000000000000000000000",
                    ["tokenId"] = token,
                    ["makerAmount"] = "2000000",
                    ["takerAmount"] = "5000000",
                    ["side"] = "BUY",
                    ["expiration"] = "0",
                    ["nonce"] = "0",
                    ["feeRateBps"] = "0",
                    ["signatureType"] = 0,
                    ["signature"] = "0x00",
                },
                ["owner"] = "fuzz",
                ["orderType"] = Pick(["GTC", "FOK", "GTD", "FAK"]),
            };
            switch (method + " " + template)
            {
                case "POST /v1/orders":
                    return _random.NextDouble() < 0.2 ? new JsonArray(Polymarket(), Native()) : Native();
                case "POST /v1/order":
                    return _random.NextDouble() < 0.7 ? Polymarket() : Native();
                case "POST /v1/clob/order":
                    return new JsonObject
                    {
                        ["token_id"] = token,
                        ["side"] = "BUY",
                        ["size"] = "5",
                        ["price"] = "0.3",
                        ["order_type"] = Pick(["GTC", "IOC", "FOK"]),
                        ["client_order_id"] = "fzc-" + seed + "-" + _counter,
                    };
                case "POST /v1/orders/batch":
                    return new JsonObject { ["orders"] = new JsonArray(Native(), Native()) };
                case "DELETE /v1/order":
                    return new JsonObject { ["orderID"] = Pick(world.OrderIds) };
                case "DELETE /v1/orders":
                    return new JsonArray(Pick(world.OrderIds), "0x" + Convert.ToHexStringLower(RandomBytes(32)));
                case "DELETE /v1/cancel-market-orders":
                    return new JsonObject { ["market"] = m.ConditionId, ["asset_id"] = token };
                case "POST /v1/heartbeats":
                    return new JsonObject { ["interval_ms"] = 60_000 };
                case "POST /v1/keys":
                    return new JsonObject { ["name"] = "fz", ["permissions"] = new JsonArray("read") };
                case "PATCH /v1/keys/{id}":
                    return new JsonObject { ["name"] = "renamed", ["active"] = true };
                case "POST /v1/wallets":
                    return new JsonObject { ["name"] = "w", ["starting_balance"] = "10" };
                case "POST /v1/keys/bootstrap":
                    return new JsonObject { ["name"] = "fz" };
                case "POST /v1/admin/accounts":
                    return new JsonObject { ["name"] = "fz", ["tier"] = "free", ["starting_balance"] = "10" };
                case "POST /v1/admin/accounts/{account}/fund":
                    return new JsonObject { ["amount"] = "1" };
                case "POST /v1/admin/allowlist":
                    return new JsonObject { ["account_id"] = 987_654, ["allowed"] = true };
                case "POST /v1/admin/markets":
                    return new JsonObject { ["question"] = "Fuzz?", ["tick_size"] = "0.01", ["min_order_size"] = "5", ["neg_risk"] = false };
                case "POST /v1/admin/markets/{condition_id}/tick-size":
                    return new JsonObject { ["tick_size"] = "0.001" };
                case "POST /v1/admin/markets/{condition_id}/resolve":
                    return new JsonObject { ["winning_outcome"] = "Yes" };
                case "POST /v1/admin/clock/advance":
                    return new JsonObject { ["seconds"] = 1 };
                default:
                    break;
            }

            var body = new JsonObject();
            var properties = route?.SchemaProperties.GetValueOrDefault(method) ?? [];
            foreach (var property in properties)
            {
                body[property] = Pick<JsonNode>([JsonValue.Create("x")!, JsonValue.Create(1), JsonValue.Create(true)]);
            }

            return body;
        }

        private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

        private byte[] RandomBytes(int count)
        {
            var bytes = new byte[count];
            _random.NextBytes(bytes);
            return bytes;
        }

        private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
    }
}
