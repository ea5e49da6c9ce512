using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Polysim.ClobApi.Tests.Liquidity.Mirror;

/// <summary>A local stand-in for Polymarket's Gamma, CLOB REST and market WebSocket (Kestrel on 127.0.0.1:0), serving real-shaped traffic.</summary>
/// <remarks>
/// Gamma lives under <c>/gamma</c>, the CLOB under <c>/clob</c>, the market channel at <c>/ws/market</c>. Books are held in
/// YES terms (1e-4 prices, micro-share sizes) and served as Polymarket does: decimal strings, levels best-last, NO books
/// mirrored. Level changes are pushed as new-format <c>price_change</c> frames with the YES and NO entries; tests can
/// drop every connection or stall them (the socket stays open and answers PONG, but data frames stop).
/// </remarks>
public sealed class FakePolymarket : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<int, Connection> _connections = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Book> _books = [];
    private readonly List<(TimeSpan At, string Path)> _requests = [];
    private readonly TimeProvider _time;
    private readonly long _start;
    private int _nextConn;

    private FakePolymarket(WebApplication app, TimeProvider time)
    {
        _app = app;
        _time = time;
        _start = time.GetTimestamp();
    }

    /// <summary>Gamma market objects served by <c>/markets</c> and <c>/public-search</c> (raw JSON, as Gamma sends them).</summary>
    public List<string> GammaMarkets { get; } = [];

    public Uri BaseAddress { get; private set; } = null!;

    public Uri GammaUrl => new(BaseAddress, "/gamma");

    public Uri ClobUrl => new(BaseAddress, "/clob");

    public Uri WsUrl => new(BaseAddress.ToString().Replace("http://", "ws://", StringComparison.Ordinal) + "ws/market");

    /// <summary>Query strings of the Gamma /markets requests.</summary>
    public ConcurrentQueue<string> MarketsQueries { get; } = new();

    public int BooksPosts;
    public int BookGets;
    public int WsConnections;
    public int Pings;

    /// <summary>Every REST request: fake-clock time since start and path.</summary>
    public IReadOnlyList<(TimeSpan At, string Path)> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<FakePolymarket> StartAsync(TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakePolymarket(app, time ?? TimeProvider.System);
        app.UseWebSockets();
        app.Use(async (context, next) =>
        {
            fake.Record(context.Request.Path.Value ?? string.Empty);
            await next(context);
        });
        app.MapGet("/gamma/markets", (HttpContext c) => fake.Markets(c));
        app.MapGet("/gamma/public-search", () => Results.Text(fake.Search(), "application/json"));
        app.MapGet("/clob/book", (string token_id) => fake.BookResponse(token_id));
        app.MapPost("/clob/books", (Func<HttpContext, Task<IResult>>)fake.BooksAsync);
        app.Map("/ws/market", async (HttpContext c) => await fake.AcceptAsync(c));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    /// <summary>Adds a binary market: its Gamma object (JSON-string fields, as Gamma sends them) and an empty book.</summary>
    public void AddMarket(string conditionId, string yes, string no, string question, bool closed = false, bool acceptingOrders = true, string tick = "0.001")
    {
        var market = new JsonObject
        {
            ["id"] = "5" + GammaMarkets.Count.ToString(CultureInfo.InvariantCulture),
            ["question"] = question,
            ["conditionId"] = conditionId,
            ["slug"] = question.ToLowerInvariant().Replace(' ', '-').Replace("?", "", StringComparison.Ordinal),
            ["endDate"] = "2026-12-31T12:00:00Z",
            ["outcomes"] = "[\"Yes\", \"No\"]",
            ["outcomePrices"] = "[\"0.62\", \"0.38\"]",
            ["clobTokenIds"] = $"[\"{yes}\", \"{no}\"]",
            ["active"] = true,
            ["closed"] = closed,
            ["acceptingOrders"] = acceptingOrders,
            ["enableOrderBook"] = true,
            ["orderPriceMinTickSize"] = JsonValue.Create(decimal.Parse(tick, CultureInfo.InvariantCulture)),
            ["orderMinSize"] = 5,
            ["negRisk"] = false,
            ["bestBid"] = 0.61,
            ["bestAsk"] = 0.63,
            ["lastTradePrice"] = 0.62,
        };
        GammaMarkets.Add(market.ToJsonString());
        lock (_lock)
        {
            _books[yes] = new Book(conditionId, yes, no, tick);
        }
    }

    /// <summary>Sets a YES-terms level (size 0 removes it) and pushes the price_change to every connection that is not stalled.</summary>
    public void SetLevel(string yes, bool bid, int price, long micro)
    {
        string frame;
        lock (_lock)
        {
            var book = _books[yes];
            var side = bid ? book.Bids : book.Asks;
            if (micro == 0)
            {
                side.Remove(price);
            }
            else
            {
                side[price] = micro;
            }

            var ts = Ms().ToString(CultureInfo.InvariantCulture);
            var (bb, ba) = (book.Bids.Count > 0 ? book.Bids.Keys.Max() : 0, book.Asks.Count > 0 ? book.Asks.Keys.Min() : 10_000);
            frame = new JsonObject
            {
                ["market"] = book.Condition,
                ["price_changes"] = new JsonArray(
                    Change(book.Yes, price, micro, bid ? "BUY" : "SELL", bb, ba),
                    Change(book.No, 10_000 - price, micro, bid ? "SELL" : "BUY", 10_000 - ba, 10_000 - bb)),
                ["timestamp"] = ts,
                ["event_type"] = "price_change",
            }.ToJsonString();
        }

        Broadcast(frame);
    }

    /// <summary>Pushes a trade print on the YES token.</summary>
    public void Trade(string yes, int price, long micro, string side)
    {
        var frame = new JsonObject
        {
            ["event_type"] = "last_trade_price",
            ["market"] = _books[yes].Condition,
            ["asset_id"] = yes,
            ["fee_rate_bps"] = "0",
            ["price"] = Dec(price, 4),
            ["side"] = side,
            ["size"] = Dec(micro, 6),
            ["timestamp"] = Ms().ToString(CultureInfo.InvariantCulture),
        }.ToJsonString();
        Broadcast(frame);
    }

    /// <summary>The book in YES terms, best first.</summary>
    public (List<(int, long)> Bids, List<(int, long)> Asks) YesBook(string yes)
    {
        lock (_lock)
        {
            var b = _books[yes];
            return ([.. b.Bids.OrderByDescending(l => l.Key).Select(l => (l.Key, l.Value))], [.. b.Asks.OrderBy(l => l.Key).Select(l => (l.Key, l.Value))]);
        }
    }

    /// <summary>Aborts every open connection (as a network drop would).</summary>
    public void DropAll()
    {
        foreach (var c in _connections.Values)
        {
            c.Socket.Abort();
        }
    }

    /// <summary>Stops data frames on every open connection; PINGs are still answered. New connections are healthy.</summary>
    public void StallAll()
    {
        foreach (var c in _connections.Values)
        {
            c.Stalled = true;
        }
    }

    public int OpenConnections => _connections.Count;

    private long Ms() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void Record(string path)
    {
        lock (_lock)
        {
            _requests.Add((_time.GetElapsedTime(_start), path));
        }
    }

    private static JsonObject Change(string asset, int price, long micro, string side, int bestBid, int bestAsk) => new()
    {
        ["asset_id"] = asset,
        ["price"] = Dec(price, 4),
        ["size"] = Dec(micro, 6),
        ["side"] = side,
        ["hash"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(Encoding.UTF8.GetBytes(asset + price + micro))),
        ["best_bid"] = Dec(bestBid, 4),
        ["best_ask"] = Dec(bestAsk, 4),
    };

    /// <summary>Shortest decimal string of a scaled integer ("0.48", "25", "219.217767").</summary>
    public static string Dec(long value, int decimals)
    {
        var scale = (long)Math.Pow(10, decimals);
        var whole = value / scale;
        var fraction = (value % scale).ToString(CultureInfo.InvariantCulture).PadLeft(decimals, '0').TrimEnd('0');
        return fraction.Length == 0 ? whole.ToString(CultureInfo.InvariantCulture) : $"{whole}.{fraction}";
    }

    private IResult Markets(HttpContext c)
    {
        MarketsQueries.Enqueue(c.Request.QueryString.Value ?? string.Empty);
        var ids = c.Request.Query["condition_ids"].ToHashSet(StringComparer.Ordinal);
        var slugs = c.Request.Query["slug"].ToHashSet(StringComparer.Ordinal);
        var closedFilter = c.Request.Query["closed"].FirstOrDefault();
        var selected = GammaMarkets.Select(m => JsonNode.Parse(m)!.AsObject()).Where(m =>
            (ids.Count == 0 || ids.Contains((string)m["conditionId"]!)) &&
            (slugs.Count == 0 || slugs.Contains((string)m["slug"]!)) &&
            (closedFilter != "false" || !(bool)m["closed"]!));
        return Results.Text(new JsonArray([.. selected]).ToJsonString(), "application/json");
    }

    private string Search() =>
        new JsonObject
        {
            ["events"] = new JsonArray(new JsonObject
            {
                ["id"] = "246060",
                ["slug"] = "fake-event",
                ["title"] = "Fake event",
                ["active"] = true,
                ["closed"] = false,
                ["markets"] = new JsonArray([.. GammaMarkets.Select(m => JsonNode.Parse(m))]),
            }),
            ["pagination"] = new JsonObject { ["hasMore"] = false, ["totalResults"] = 1 },
        }.ToJsonString();

    private IResult BookResponse(string tokenId)
    {
        Interlocked.Increment(ref BookGets);
        var summary = Summary(tokenId);
        return summary is null
            ? Results.Json(new { error = "No orderbook exists for the requested token id" }, statusCode: 404)
            : Results.Text(summary.ToJsonString(), "application/json");
    }

    private async Task<IResult> BooksAsync(HttpContext c)
    {
        Interlocked.Increment(ref BooksPosts);
        using var doc = await JsonDocument.ParseAsync(c.Request.Body);
        var array = new JsonArray();
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            if (Summary(item.GetProperty("token_id").GetString()!) is { } s)
            {
                array.Add(s);
            }
        }

        return Results.Text(array.ToJsonString(), "application/json");
    }

    /// <summary>The CLOB book summary of a token: levels best-last, every field a string, as the REST /book sends it.</summary>
    private JsonObject? Summary(string tokenId, bool ws = false)
    {
        lock (_lock)
        {
            var book = _books.Values.FirstOrDefault(b => b.Yes == tokenId || b.No == tokenId);
            if (book is null)
            {
                return null;
            }

            IEnumerable<(int P, long S)> bids, asks;
            if (tokenId == book.Yes)
            {
                bids = book.Bids.Select(l => (l.Key, l.Value));
                asks = book.Asks.Select(l => (l.Key, l.Value));
            }
            else
            {
                bids = book.Asks.Select(l => (10_000 - l.Key, l.Value));
                asks = book.Bids.Select(l => (10_000 - l.Key, l.Value));
            }

            var summary = new JsonObject
            {
                ["market"] = book.Condition,
                ["asset_id"] = tokenId,
                ["timestamp"] = Ms().ToString(CultureInfo.InvariantCulture),
                ["hash"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(Encoding.UTF8.GetBytes(tokenId + book.Bids.Count + book.Asks.Count))),
                ["bids"] = Levels(bids.OrderBy(l => l.P)),
                ["asks"] = Levels(asks.OrderByDescending(l => l.P)),
                ["min_order_size"] = "5",
                ["tick_size"] = book.Tick,
                ["neg_risk"] = false,
                ["last_trade_price"] = "",
            };
            if (ws)
            {
                summary["event_type"] = "book";
            }

            return summary;
        }
    }

    private static JsonArray Levels(IEnumerable<(int P, long S)> levels) =>
        [.. levels.Select(l => new JsonObject { ["price"] = Dec(l.P, 4), ["size"] = Dec(l.S, 6) })];

    private void Broadcast(string frame)
    {
        foreach (var c in _connections.Values)
        {
            if (!c.Stalled && c.Assets.Overlaps(AssetsOf(frame)))
            {
                c.Outbox.Writer.TryWrite(frame);
            }
        }
    }

    private static HashSet<string> AssetsOf(string frame)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(frame);
        if (doc.RootElement.TryGetProperty("asset_id", out var a))
        {
            set.Add(a.GetString()!);
        }

        if (doc.RootElement.TryGetProperty("price_changes", out var changes))
        {
            foreach (var c in changes.EnumerateArray())
            {
                set.Add(c.GetProperty("asset_id").GetString()!);
            }
        }

        return set;
    }

    private async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var id = Interlocked.Increment(ref _nextConn);
        Interlocked.Increment(ref WsConnections);
        var connection = new Connection(socket);
        var buffer = new byte[64 * 1024];
        var sender = Task.Run(async () =>
        {
            try
            {
                await foreach (var frame in connection.Outbox.Reader.ReadAllAsync())
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, true, CancellationToken.None);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
            {
            }
        });
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                var text = Encoding.UTF8.GetString(buffer, 0, result.Count);
                if (text == "PING")
                {
                    Interlocked.Increment(ref Pings);
                    connection.Outbox.Writer.TryWrite("PONG");
                    continue;
                }

                using var doc = JsonDocument.Parse(text);
                var assets = doc.RootElement.GetProperty("assets_ids").EnumerateArray().Select(a => a.GetString()!).ToList();
                // Register before the dump is built, so no change falls between the dump and the first price_change.
                lock (_lock)
                {
                    connection.Assets.UnionWith(assets);
                    _connections[id] = connection;
                    var dump = new JsonArray([.. assets.Select(a => Summary(a, ws: true)).OfType<JsonObject>()]);
                    connection.Outbox.Writer.TryWrite(dump.ToJsonString());
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
        finally
        {
            _connections.TryRemove(id, out _);
            connection.Outbox.Writer.TryComplete();
            await sender;
        }
    }

    public async ValueTask DisposeAsync()
    {
        DropAll();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class Book(string condition, string yes, string no, string tick)
    {
        public string Condition { get; } = condition;

        public string Yes { get; } = yes;

        public string No { get; } = no;

        public string Tick { get; } = tick;

        public SortedDictionary<int, long> Bids { get; } = [];

        public SortedDictionary<int, long> Asks { get; } = [];
    }

    private sealed class Connection(WebSocket socket)
    {
        public WebSocket Socket { get; } = socket;

        public HashSet<string> Assets { get; } = new(StringComparer.Ordinal);

        public Channel<string> Outbox { get; } = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

        public volatile bool Stalled;
    }
}
