using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Polysim.ClobApi.Tests.Quality;
using Xunit.Abstractions;

namespace Polysim.ClobApi.Tests.Durability;

/// <summary>kill -9 of a real server process while 8 clients place, fill and cancel orders: after a restart every acknowledged
/// order, fill and cancel is there as acknowledged, balances and positions equal a recomputation from the trades, and no
/// money appeared or vanished. Both storage modes, three kill moments each.</summary>
/// <remarks>Only buys are sent (YES and NO at prices that often sum to 1 or more), so every trade mints complete sets:
/// cash paid out by all clients equals the YES shares they hold, which makes conservation exact. Sizes are whole shares on a
/// 0.01 grid, so every cost is an exact number of micro-USDC.</remarks>
[Trait("Mode", "Both")]
public sealed class CrashTests(ITestOutputHelper output)
{
    private const int Clients = 8;
    private const long StartingCash = 1_000 * QualityKit.Micro;

    public static TheoryData<string, int> KillMoments() => new()
    {
        { "embedded", 25 },
        { "embedded", 150 },
        { "embedded", 400 },
        { "postgres", 25 },
        { "postgres", 150 },
        { "postgres", 400 },
    };

    [Theory]
    [MemberData(nameof(KillMoments))]
    public async Task After_a_kill_9_every_acknowledged_order_fill_and_cancel_is_present_and_money_is_conserved(string mode, int killAfterAcks)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "polysim-crash-" + Guid.NewGuid().ToString("n")[..12]);
        string? database = null;
        string? connectionString = null;
        if (mode == "postgres")
        {
            (database, connectionString) = await TestDatabases.CreateAsync();
        }

        var settings = QualityKit.Settings();
        try
        {
            QualityMarket market;
            List<TestAccount> accounts;
            var ledger = new AckLedger();
            await using (var server = await ServerProcess.StartAsync(dataDir, connectionString, settings))
            {
                (market, accounts) = await SetUpAsync(server);
                using var stop = new CancellationTokenSource();
                var clients = accounts.Select((a, i) => DriveAsync(server, a, i, market, ledger, stop.Token)).ToArray();
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
                while (ledger.Acks < killAfterAcks && DateTime.UtcNow < deadline && !clients.All(c => c.IsCompleted))
                {
                    await Task.Delay(1);
                }

                Assert.True(ledger.Acks >= killAfterAcks, $"only {ledger.Acks} acknowledgements before the deadline:\n{server.Output}");
                server.Kill9();
                output.WriteLine($"{mode}: killed after {ledger.Acks} acknowledgements ({ledger.Fills} acknowledged fills, {ledger.Cancels} cancels)");
                stop.Cancel();
                await Task.WhenAll(clients);
            }

            await using (var again = await ServerProcess.StartAsync(dataDir, connectionString, settings))
            {
                await VerifyAsync(again, market, accounts, ledger);
            }
        }
        finally
        {
            if (database is not null)
            {
                await TestDatabases.DropAsync(database);
            }

            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<(QualityMarket, List<TestAccount>)> SetUpAsync(ServerProcess server)
    {
        using var admin = server.Client(admin: true);
        var created = await QualityKit.OkJsonAsync(
            await admin.PostAsJsonAsync("/v1/admin/markets", new { question = "Will the journal hold?", tick_size = "0.01", min_order_size = "1", neg_risk = false }),
            HttpStatusCode.Created);
        var tokens = created.GetProperty("tokens").EnumerateArray().ToList();
        var market = new QualityMarket(
            created.GetProperty("condition_id").GetString()!,
            tokens.Single(t => t.GetProperty("outcome").GetString() == "Yes").GetProperty("token_id").GetString()!,
            tokens.Single(t => t.GetProperty("outcome").GetString() == "No").GetProperty("token_id").GetString()!);
        var accounts = new List<TestAccount>();
        for (var i = 0; i < Clients; i++)
        {
            var root = await QualityKit.OkJsonAsync(await admin.PostAsJsonAsync("/v1/admin/accounts", new { tier = "enterprise", starting_balance = "1000" }), HttpStatusCode.Created);
            accounts.Add(new TestAccount(root.GetProperty("account_id").GetInt32(), root.GetProperty("wallet_id").GetInt32(), root.GetProperty("api_key").GetString()!));
        }

        return (market, accounts);
    }

    /// <summary>One client: places buys (half of them crossing), cancels some of its resting orders, records every
    /// acknowledgement; stops at the first request the dying server does not answer.</summary>
    private static async Task DriveAsync(ServerProcess server, TestAccount account, int index, QualityMarket market, AckLedger ledger, CancellationToken stop)
    {
        var random = new Random(1_000 + index);
        using var client = server.Client(account.ApiKey);
        var resting = new List<string>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (resting.Count > 0 && random.Next(4) == 0)
                {
                    var victim = resting[random.Next(resting.Count)];
                    resting.Remove(victim);
                    ledger.InFlight(account.WalletId);
                    var response = await client.DeleteAsync("/v1/orders/" + victim, stop);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        ledger.Cancelled(account.WalletId, victim, await response.Content.ReadFromJsonAsync<JsonElement>(stop));
                    }
                    else
                    {
                        // Filled before the cancel reached it: a refusal, acknowledged as such.
                        ledger.Answered(account.WalletId);
                    }

                    continue;
                }

                var yes = random.Next(2) == 0;
                var cents = yes ? random.Next(44, 57) : random.Next(44, 57);
                var body = new
                {
                    token_id = yes ? market.YesToken : market.NoToken,
                    side = "BUY",
                    price = "0." + cents.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    quantity = random.Next(1, 6).ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
                ledger.InFlight(account.WalletId);
                var placed = await client.PostAsJsonAsync("/v1/orders", body, stop);
                if (placed.StatusCode == HttpStatusCode.OK)
                {
                    var order = await placed.Content.ReadFromJsonAsync<JsonElement>(stop);
                    ledger.Placed(account.WalletId, order);
                    if (order.GetProperty("status").GetString() is "OPEN" or "PARTIALLY_FILLED")
                    {
                        resting.Add(order.GetProperty("order_id").GetString()!);
                    }
                }
                else
                {
                    ledger.Answered(account.WalletId);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or OperationCanceledException or JsonException)
            {
                // The server died under this request: its outcome is unknown (in doubt), and this client stops.
                return;
            }
        }
    }

    private async Task VerifyAsync(ServerProcess server, QualityMarket market, List<TestAccount> accounts, AckLedger ledger)
    {
        long cashTotal = 0;
        long yesTotal = 0;
        long noTotal = 0;
        var tradeSides = new Dictionary<string, List<(string Outcome, int Price, long Size)>>(StringComparer.Ordinal);
        foreach (var account in accounts)
        {
            using var client = server.Client(account.ApiKey);
            var orders = (await client.ListAllOrdersAsync()).ToDictionary(o => o.GetProperty("order_id").GetString()!, StringComparer.Ordinal);
            var acked = ledger.PlacedBy(account.WalletId);

            // Every acknowledged order is there, as acknowledged (fills only grow; a final state stays final).
            foreach (var (id, ack) in acked)
            {
                Assert.True(orders.TryGetValue(id, out var now), $"acknowledged order {id} of wallet {account.WalletId} is missing after the restart");
                foreach (var field in new[] { "token_id", "side", "price", "quantity", "created_at" })
                {
                    Assert.Equal(ack.GetProperty(field).GetString(), now.GetProperty(field).GetString());
                }

                Assert.True(
                    QualityKit.ParseMicro(now.GetProperty("filled_quantity").GetString()!) >= QualityKit.ParseMicro(ack.GetProperty("filled_quantity").GetString()!),
                    $"order {id} filled less than acknowledged");
                if (ack.GetProperty("status").GetString() is "FILLED" or "CANCELLED")
                {
                    Assert.Equal(ack.GetProperty("status").GetString(), now.GetProperty("status").GetString());
                }

                var fills = now.GetProperty("fills").EnumerateArray().Select(f => f.GetProperty("trade_id").GetString()).ToHashSet(StringComparer.Ordinal);
                foreach (var fill in ack.GetProperty("fills").EnumerateArray())
                {
                    Assert.Contains(fill.GetProperty("trade_id").GetString(), fills);
                }
            }

            // Every acknowledged cancel is there.
            foreach (var id in ledger.CancelledBy(account.WalletId))
            {
                Assert.Equal("CANCELLED", orders[id].GetProperty("status").GetString());
            }

            // Orders nobody was told about can only come from the one request this client had in flight at the kill.
            var unacknowledged = orders.Keys.Count(id => !acked.ContainsKey(id));
            Assert.True(unacknowledged <= ledger.InFlightAtKill(account.WalletId), $"wallet {account.WalletId}: {unacknowledged} orders nobody acknowledged");

            // Balances and positions equal a recomputation from the trades (no fees on this market).
            long spent = 0;
            long yes = 0;
            long no = 0;
            foreach (var order in orders.Values)
            {
                var isYes = order.GetProperty("token_id").GetString() == market.YesToken;
                foreach (var fill in order.GetProperty("fills").EnumerateArray())
                {
                    var size = QualityKit.ParseMicro(fill.GetProperty("size").GetString()!);
                    var price = QualityKit.ParsePriceUnits(fill.GetProperty("price").GetString()!);
                    Assert.Equal(0, (size * price) % 10_000);
                    spent += size * price / 10_000;
                    if (isYes)
                    {
                        yes += size;
                    }
                    else
                    {
                        no += size;
                    }

                    var trade = fill.GetProperty("trade_id").GetString()!;
                    if (!tradeSides.TryGetValue(trade, out var sides))
                    {
                        tradeSides[trade] = sides = [];
                    }

                    sides.Add((isYes ? "Yes" : "No", price, size));
                }
            }

            var balance = await client.GetJsonAsync("/v1/account/balance");
            var cash = QualityKit.ParseMicro(balance.GetProperty("balance").GetString()!);
            Assert.Equal(StartingCash - spent, cash);
            var positions = (await client.GetJsonAsync("/v1/account/positions")).GetProperty("positions").EnumerateArray()
                .ToDictionary(p => p.GetProperty("token_id").GetString()!, p => QualityKit.ParseMicro(p.GetProperty("size").GetString()!), StringComparer.Ordinal);
            Assert.Equal(yes, positions.GetValueOrDefault(market.YesToken));
            Assert.Equal(no, positions.GetValueOrDefault(market.NoToken));
            Assert.Null(await client.LedgerViolationAsync());
            cashTotal += cash;
            yesTotal += yes;
            noTotal += no;
        }

        // Each trade minted complete sets: one YES buyer and one NO buyer, same size, prices summing to 1.
        foreach (var (trade, sides) in tradeSides)
        {
            Assert.True(sides.Count == 2, $"trade {trade} appears in {sides.Count} orders");
            Assert.Equal(["No", "Yes"], sides.Select(s => s.Outcome).Order(StringComparer.Ordinal));
            Assert.Equal(sides[0].Size, sides[1].Size);
            Assert.Equal(10_000, sides[0].Price + sides[1].Price);
        }

        // Money conserved: what left the clients' cash is exactly the collateral of the sets they hold.
        Assert.Equal(yesTotal, noTotal);
        Assert.Equal(Clients * StartingCash, cashTotal + yesTotal);
        Assert.True(tradeSides.Count > 0 || ledger.Acks < 30, "the run traded nothing");

        // And the restarted server takes new work.
        using var first = server.Client(accounts[0].ApiKey);
        await first.PlaceAsync(new { token_id = market.YesToken, side = "BUY", price = "0.01", quantity = "1" });
        output.WriteLine($"verified {tradeSides.Count} trades, {yesTotal / QualityKit.Micro} sets, {ledger.Acks} acknowledgements");
    }

    /// <summary>Every acknowledged response, by wallet, and how many requests each client had in flight when the server died.</summary>
    private sealed class AckLedger
    {
        private readonly ConcurrentDictionary<int, ConcurrentDictionary<string, JsonElement>> _placed = new();
        private readonly ConcurrentDictionary<int, ConcurrentBag<string>> _cancelled = new();
        private readonly ConcurrentDictionary<int, int> _inFlight = new();
        private int _acks;
        private int _fills;
        private int _cancels;

        public int Acks => Volatile.Read(ref _acks);

        public int Fills => Volatile.Read(ref _fills);

        public int Cancels => Volatile.Read(ref _cancels);

        public void InFlight(int wallet) => _inFlight[wallet] = 1;

        public void Answered(int wallet)
        {
            _inFlight[wallet] = 0;
            Interlocked.Increment(ref _acks);
        }

        public void Placed(int wallet, JsonElement order)
        {
            _placed.GetOrAdd(wallet, _ => new(StringComparer.Ordinal))[order.GetProperty("order_id").GetString()!] = order.Clone();
            Interlocked.Add(ref _fills, order.GetProperty("fills").GetArrayLength());
            Answered(wallet);
        }

        public void Cancelled(int wallet, string orderId, JsonElement reply)
        {
            _ = reply;
            _cancelled.GetOrAdd(wallet, _ => [])!.Add(orderId);
            Interlocked.Increment(ref _cancels);
            Answered(wallet);
        }

        public IReadOnlyDictionary<string, JsonElement> PlacedBy(int wallet) =>
            _placed.TryGetValue(wallet, out var orders) ? orders : new Dictionary<string, JsonElement>();

        public IEnumerable<string> CancelledBy(int wallet) => _cancelled.TryGetValue(wallet, out var ids) ? ids : [];

        public int InFlightAtKill(int wallet) => _inFlight.GetValueOrDefault(wallet);
    }
}
