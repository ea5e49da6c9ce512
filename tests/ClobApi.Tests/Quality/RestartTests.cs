using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Polysim.ClobApi.Journal;

namespace Polysim.ClobApi.Tests.Quality;

/// <summary>A restart on the same data directory restores every acknowledged order, balance, position and key, with the same
/// engine state hash; a torn journal tail is discarded without losing what came before it.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task After_a_restart_every_acknowledged_order_balance_position_and_key_is_as_acknowledged_and_the_state_hash_matches()
    {
        await using var server = await TestServer.StartAsync(QualityKit.Settings());
        var session = await MixedSession.RunAsync(server);
        session.AssertOrderStates(await session.OrderViewsAsync(), "before the restart");
        var before = await session.SnapshotAsync();
        var hash = await server.StateHashAsync();

        await server.RestartAsync();

        Assert.Equal(hash, server.Host().ReplayedStateHash);
        Assert.Equal(hash, await server.StateHashAsync());
        session.AssertOrderStates(await session.OrderViewsAsync(), "after the restart");
        AssertSameSnapshot(before, await session.SnapshotAsync());
        await session.AssertKeysBehaveAsync();
        await session.AssertLedgersAsync();
    }

    public static TheoryData<string> TornTails() => new() { "short frame", "bad checksum", "header fragment" };

    [Theory]
    [MemberData(nameof(TornTails))]
    [Trait("Mode", "Embedded")]
    public async Task A_torn_journal_tail_is_discarded_at_start_and_the_state_before_it_is_intact(string kind)
    {
        byte[]? tail = null;
        TestServer? server = null;
        // Runs when the restarted app is built: the old one is stopped and has closed the journal, the new one has not replayed it yet.
        void AppendTail(Microsoft.AspNetCore.Builder.WebApplicationBuilder _)
        {
            if (tail is not null && server is not null)
            {
                using var file = new FileStream(Path.Combine(server.DataDir, "journal.bin"), FileMode.Append, FileAccess.Write);
                file.Write(tail);
                file.Flush(flushToDisk: true);
                tail = null;
            }
        }

        await using var started = await TestServer.StartAsync(QualityKit.Settings(), configureServices: AppendTail);
        server = started;
        var session = await MixedSession.RunAsync(server);
        var before = await session.SnapshotAsync();
        var hash = await server.StateHashAsync();
        var journal = Path.Combine(server.DataDir, "journal.bin");
        tail = TornTail(kind, new Random(kind.Length));
        var torn = tail;
        var appended = tail.Length;

        await server.RestartAsync();

        var file = Assert.IsType<FileJournal>(server.Services.GetRequiredService<IJournal>());
        Assert.Equal(appended, file.DiscardedBytes);
        // The torn bytes are gone from the file (what follows the intact records is the zero tail the journal writes ahead).
        Assert.False(File.ReadAllBytes(journal).AsSpan((int)file.ReplayedBytes).StartsWith(torn));
        Assert.Equal(hash, server.Host().ReplayedStateHash);
        AssertSameSnapshot(before, await session.SnapshotAsync());
        session.AssertOrderStates(await session.OrderViewsAsync(), "after the torn tail");

        // New records follow the last intact one: a write after the recovery survives the next restart, with nothing discarded.
        using var taker = server.KeyClient(session.Taker.ApiKey);
        var late = await taker.PlaceAsync(new { token_id = session.Market.YesToken, side = "BUY", quantity = "5", price = "0.11" });
        var lateHash = await server.StateHashAsync();
        await server.RestartAsync();
        var again = Assert.IsType<FileJournal>(server.Services.GetRequiredService<IJournal>());
        Assert.Equal(0, again.DiscardedBytes);
        Assert.Equal(lateHash, server.Host().ReplayedStateHash);
        using var takerAgain = server.KeyClient(session.Taker.ApiKey);
        var reread = await takerAgain.GetJsonAsync("/v1/orders/" + late.GetProperty("order_id").GetString());
        Assert.Equal("OPEN", reread.GetProperty("status").GetString());
    }

    /// <summary>Bytes a crash could leave after the last intact frame (frame: u32 length, u32 CRC-32, type, payload).</summary>
    private static byte[] TornTail(string kind, Random random)
    {
        var payload = new byte[37];
        random.NextBytes(payload);
        var frame = new byte[8 + payload.Length];
        payload.CopyTo(frame, 8);
        switch (kind)
        {
            case "short frame":
                // Announces 200 bytes, holds 37: the write stopped half-way.
                BinaryPrimitives.WriteInt32LittleEndian(frame, 200);
                BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), (uint)random.Next());
                return frame;
            case "bad checksum":
                // Whole length, wrong checksum: a torn sector in the middle of the frame.
                payload[0] = 2;
                BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length);
                BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), System.IO.Hashing.Crc32.HashToUInt32(payload) ^ 0x5A5A5A5A);
                frame[8] = 2;
                return frame;
            default:
                return [0x2A, 0x00, 0x00];
        }
    }

    private static void AssertSameSnapshot(Dictionary<string, string> before, Dictionary<string, string> after)
    {
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, text) in before)
        {
            Assert.True(text == after[name], $"{name} changed across the restart:\n  before {text}\n  after  {after[name]}");
        }
    }
}

/// <summary>A mixed trading session through the public routes: accounts, keys, wallets, resting, partially filled, filled,
/// cancelled, GTD, expired and resolved orders, with what each order should show afterwards.</summary>
public sealed class MixedSession
{
    private readonly TestServer _server;
    private readonly Dictionary<string, (string Status, string Filled, string Owner, string? Wallet)> _expected = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonElement> _acknowledged = new(StringComparer.Ordinal);

    /// <summary>Fields an order's acknowledgement fixes for good.</summary>
    private static readonly string[] Immutable =
        ["order_id", "client_order_id", "market_id", "token_id", "outcome", "side", "order_type", "price", "quantity", "time_in_force", "post_only", "expiration", "created_at"];

    private MixedSession(TestServer server) => _server = server;

    public QualityMarket Market { get; private set; } = null!;

    public QualityMarket Resolved { get; private set; } = null!;

    public TestAccount Maker { get; private set; } = null!;

    public TestAccount Taker { get; private set; } = null!;

    public string MakerWallet { get; private set; } = null!;

    public string ReadKey { get; private set; } = null!;

    public string DisabledKey { get; private set; } = null!;

    public string RevokedKey { get; private set; } = null!;

    public static async Task<MixedSession> RunAsync(TestServer server)
    {
        var s = new MixedSession(server)
        {
            Market = await server.CreateMarketAsync(),
            Resolved = await server.CreateMarketAsync(question: "Will this market be resolved during the test?"),
            Maker = await server.CreateAccountAsync("enterprise", "10000"),
            Taker = await server.CreateAccountAsync("enterprise", "10000"),
        };
        using var maker = server.KeyClient(s.Maker.ApiKey);
        using var taker = server.KeyClient(s.Taker.ApiKey);
        using var admin = server.AdminClient();
        var m = s.Market;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        await s.PlaceAsync(maker, "maker", new { token_id = m.YesToken, side = "BUY", quantity = "100", price = "0.5" }, "FILLED", "100");
        await s.PlaceAsync(taker, "taker", new { token_id = m.NoToken, side = "BUY", quantity = "100", price = "0.5" }, "FILLED", "100");
        await s.PlaceAsync(maker, "maker", new { token_id = m.YesToken, side = "SELL", quantity = "50", price = "0.6" }, "PARTIALLY_FILLED", "20");
        await s.PlaceAsync(taker, "taker", new { token_id = m.YesToken, side = "BUY", quantity = "20", price = "0.6", client_order_id = "take-20" }, "FILLED", "20");
        var cancelled = await s.PlaceAsync(taker, "taker", new { token_id = m.YesToken, side = "BUY", quantity = "10", price = "0.55" }, "CANCELLED", "0");
        await QualityKit.OkJsonAsync(await taker.DeleteAsync("/v1/orders/" + cancelled));
        await s.PlaceAsync(taker, "taker", new { token_id = m.YesToken, side = "BUY", quantity = "10", price = "0.4", time_in_force = "GTD", expiration = now + 7_200 }, "OPEN", "0");
        await s.PlaceAsync(taker, "taker", new { token_id = m.YesToken, side = "BUY", quantity = "10", price = "0.35", time_in_force = "GTD", expiration = now + 600 }, "EXPIRED", "0");
        await s.PlaceAsync(taker, "taker", new { token_id = m.NoToken, side = "SELL", quantity = "30", price = "0.45" }, "OPEN", "0");
        var fok = await taker.SendAsync(HttpMethod.Post, "/v1/orders", new { token_id = m.YesToken, side = "BUY", quantity = "1000", price = "0.99", order_type = "market", time_in_force = "FOK" });
        await QualityKit.AssertErrorAsync(fok, HttpStatusCode.BadRequest, "FOK_ORDER_NOT_FILLED_ERROR");
        await QualityKit.OkJsonAsync(await admin.PostAsJsonAsync("/v1/admin/clock/advance", new { seconds = 1_200 }));

        var r = s.Resolved;
        await s.PlaceAsync(maker, "maker", new { token_id = r.YesToken, side = "BUY", quantity = "10", price = "0.5" }, "FILLED", "10");
        await s.PlaceAsync(taker, "taker", new { token_id = r.NoToken, side = "BUY", quantity = "10", price = "0.5" }, "FILLED", "10");
        await s.PlaceAsync(maker, "maker", new { token_id = r.YesToken, side = "BUY", quantity = "5", price = "0.3" }, "CANCELLED", "0");
        await QualityKit.OkJsonAsync(await admin.PostAsJsonAsync($"/v1/admin/markets/{r.ConditionId}/resolve", new { winning_outcome = "Yes" }));

        var wallet = await QualityKit.OkJsonAsync(await maker.PostAsJsonAsync("/v1/wallets", new { name = "second", starting_balance = "500" }), HttpStatusCode.Created);
        s.MakerWallet = wallet.GetProperty("id").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await s.PlaceAsync(maker, "maker", new { token_id = m.YesToken, side = "BUY", quantity = "5", price = "0.2" }, "OPEN", "0", s.MakerWallet);

        s.ReadKey = await IssueKeyAsync(taker, "reader", ["read"]);
        s.DisabledKey = await IssueKeyAsync(taker, "disabled", ["read", "trade"]);
        s.RevokedKey = await IssueKeyAsync(taker, "revoked", ["read", "trade"]);
        var keys = await taker.GetJsonAsync("/v1/keys");
        string IdOf(string name) => Keys(keys).Single(k => k.GetProperty("name").GetString() == name).GetProperty("id").GetString()!;
        await QualityKit.OkJsonAsync(await taker.SendAsync(HttpMethod.Patch, "/v1/keys/" + IdOf("disabled"), new { active = false }));
        await QualityKit.OkJsonAsync(await taker.DeleteAsync("/v1/keys/" + IdOf("revoked")));

        return s;
    }

    /// <summary>Every order's current view, by id.</summary>
    public async Task<Dictionary<string, JsonElement>> OrderViewsAsync()
    {
        var views = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (id, expected) in _expected)
        {
            using var client = _server.KeyClient(expected.Owner == "maker" ? Maker.ApiKey : Taker.ApiKey);
            var path = "/v1/orders/" + id + (expected.Wallet is null ? string.Empty : "?wallet_id=" + expected.Wallet);
            views[id] = await client.GetJsonAsync(path);
        }

        return views;
    }

    public void AssertOrderStates(Dictionary<string, JsonElement> views, string when)
    {
        foreach (var (id, expected) in _expected)
        {
            var view = views[id];
            var status = view.GetProperty("status").GetString();
            var filled = QualityKit.ParseMicro(view.GetProperty("filled_quantity").GetString()!);
            Assert.True(status == expected.Status && filled == QualityKit.ParseMicro(expected.Filled),
                $"{when}: order {id} is {status} with {filled} micro-shares filled; expected {expected.Status} with {expected.Filled} shares");
            foreach (var field in Immutable)
            {
                var acknowledged = _acknowledged[id].GetProperty(field).GetRawText();
                var now = view.GetProperty(field).GetRawText();
                Assert.True(acknowledged == now, $"{when}: order {id} was acknowledged with {field} {acknowledged}, now shows {now}");
            }
        }
    }

    /// <summary>What each account and wallet shows: orders, balance, positions, fills, keys and wallets, as raw JSON.</summary>
    public async Task<Dictionary<string, string>> SnapshotAsync()
    {
        var snapshot = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, key, wallet) in new[] { ("maker", Maker.ApiKey, (string?)null), ("maker-second", Maker.ApiKey, MakerWallet), ("taker", Taker.ApiKey, null) })
        {
            using var client = _server.KeyClient(key);
            var suffix = wallet is null ? string.Empty : "?wallet_id=" + wallet;
            snapshot[name + " orders"] = QualityKit.Canonical((await client.ListAllOrdersAsync(wallet)).Select(o => o.GetRawText()).ToList());
            snapshot[name + " balance"] = (await client.GetJsonAsync("/v1/account/balance" + suffix)).GetRawText();
            snapshot[name + " positions"] = (await client.GetJsonAsync("/v1/account/positions" + suffix)).GetRawText();
            snapshot[name + " history"] = (await client.GetJsonAsync("/v1/account/history" + suffix)).GetRawText();
            snapshot[name + " keys"] = (await client.GetJsonAsync("/v1/keys")).GetRawText();
            snapshot[name + " wallets"] = (await client.GetJsonAsync("/v1/wallets")).GetRawText();
        }

        using var reader = _server.KeyClient(Taker.ApiKey);
        snapshot["markets"] = (await reader.GetJsonAsync("/v1/markets")).GetRawText();
        return snapshot;
    }

    /// <summary>Active keys work, the read-only key cannot trade, the deactivated and revoked keys are refused with their codes.</summary>
    public async Task AssertKeysBehaveAsync()
    {
        using var taker = _server.KeyClient(Taker.ApiKey);
        using var reader = _server.KeyClient(ReadKey);
        using var disabled = _server.KeyClient(DisabledKey);
        using var revoked = _server.KeyClient(RevokedKey);
        Assert.Equal(HttpStatusCode.OK, (await taker.GetAsync("/v1/account/balance")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/v1/account/balance")).StatusCode);
        var trade = await reader.SendAsync(HttpMethod.Post, "/v1/orders", new { token_id = Market.YesToken, side = "BUY", quantity = "5", price = "0.1" });
        await QualityKit.AssertErrorAsync(trade, HttpStatusCode.Forbidden, "INSUFFICIENT_PERMISSION");
        await QualityKit.AssertErrorAsync(await disabled.GetAsync("/v1/account/balance"), HttpStatusCode.Unauthorized, "KEY_DEACTIVATED");
        await QualityKit.AssertErrorAsync(await revoked.GetAsync("/v1/account/balance"), HttpStatusCode.Unauthorized, "INVALID_KEY");
    }

    /// <summary>Every wallet's cash and shares balance against its open orders.</summary>
    public async Task AssertLedgersAsync()
    {
        foreach (var (key, wallet) in new[] { (Maker.ApiKey, (string?)null), (Maker.ApiKey, MakerWallet), (Taker.ApiKey, null) })
        {
            using var client = _server.KeyClient(key);
            var violation = await client.LedgerViolationAsync(wallet);
            Assert.True(violation is null, violation);
        }
    }

    private static async Task<string> IssueKeyAsync(HttpClient client, string name, string[] permissions)
    {
        var issued = await QualityKit.OkJsonAsync(await client.PostAsJsonAsync("/v1/keys", new { name, permissions }), HttpStatusCode.Created);
        return issued.GetProperty("api_key").GetString()!;
    }

    private static IEnumerable<JsonElement> Keys(JsonElement reply) =>
        reply.ValueKind == JsonValueKind.Array ? reply.EnumerateArray() : reply.GetProperty("keys").EnumerateArray();

    private async Task<string> PlaceAsync(HttpClient client, string owner, object order, string finalStatus, string finalFilled, string? wallet = null)
    {
        var view = await client.PlaceAsync(order, wallet);
        var id = view.GetProperty("order_id").GetString()!;
        _expected[id] = (finalStatus, finalFilled, owner, wallet);
        _acknowledged[id] = view;
        return id;
    }
}
