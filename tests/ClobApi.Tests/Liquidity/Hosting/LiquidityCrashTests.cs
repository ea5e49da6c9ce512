using System.Net;
using System.Net.Http.Json;
using Polysim.ClobApi.Tests.Durability;
using Polysim.ClobApi.Tests.Quality;

namespace Polysim.ClobApi.Tests.Liquidity.Hosting;

/// <summary>kill -9 of a real server process while the synthetic flow trades: the restart replays the journal (checkpoint
/// hashes included), keeps each market's liquidity configuration and runs the flow again.</summary>
[Trait("Mode", "Embedded")]
public sealed class LiquidityCrashTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Polysim:Liquidity:TimeScale"] = "60",
        ["Polysim:Liquidity:TickMs"] = "50",
    };

    [Fact]
    public async Task After_a_kill_9_the_liquidity_settings_are_kept_and_the_flow_runs_again()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "polysim-liq-crash-" + Guid.NewGuid().ToString("n")[..12]);
        try
        {
            string conditionId;
            await using (var server = await ServerProcess.StartAsync(dataDir, null, Settings))
            {
                using var admin = server.Client(admin: true);
                var created = await QualityKit.OkJsonAsync(
                    await admin.PostAsJsonAsync("/v1/admin/markets", new { question = "Will the flow survive a crash?", tick_size = "0.01", min_order_size = "5" }),
                    HttpStatusCode.Created);
                conditionId = created.GetProperty("condition_id").GetString()!;
                await QualityKit.OkJsonAsync(
                    await admin.PutAsJsonAsync($"/v1/admin/markets/{conditionId}/liquidity", new { preset = "active", fair = "calm", seed = 5, house_market_makers = true }),
                    HttpStatusCode.OK);
                await WaitForTradesAsync(admin, conditionId);
                server.Kill9();
            }

            await using (var again = await ServerProcess.StartAsync(dataDir, null, Settings))
            {
                using var admin = again.Client(admin: true);
                var row = await QualityKit.OkJsonAsync(await admin.GetAsync($"/v1/admin/markets/{conditionId}/liquidity"), HttpStatusCode.OK);
                Assert.Equal(("synthetic", "active", "calm", 5L, true), (
                    row.GetProperty("kind").GetString(), row.GetProperty("preset").GetString(), row.GetProperty("fair").GetString(),
                    row.GetProperty("seed").GetInt64(), row.GetProperty("house_market_makers").GetBoolean()));
                Assert.Equal("running", row.GetProperty("state").GetString());
                await WaitForTradesAsync(admin, conditionId);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task WaitForTradesAsync(HttpClient admin, string conditionId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        while (true)
        {
            var row = await QualityKit.OkJsonAsync(await admin.GetAsync($"/v1/admin/markets/{conditionId}/liquidity"), HttpStatusCode.OK);
            if (row.GetProperty("trades").GetInt64() > 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no trade by the flow: {row}");
            await Task.Delay(100);
        }
    }
}
