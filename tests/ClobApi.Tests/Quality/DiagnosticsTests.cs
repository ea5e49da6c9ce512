using System.Net;
using System.Text.Json;

namespace Polysim.ClobApi.Tests.Quality;

public sealed class DiagnosticsTests
{
    [Fact]
    public async Task Diagnostics_report_growing_allocation_and_engine_thread_CPU_to_the_operator_only()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = server.AdminClient();
        using var anonymous = server.Client();

        using var first = JsonDocument.Parse(await admin.GetStringAsync("/v1/admin/diagnostics"));
        for (var i = 0; i < 20; i++)
        {
            await server.CreateAccountAsync();
        }

        using var second = JsonDocument.Parse(await admin.GetStringAsync("/v1/admin/diagnostics"));
        var refused = await anonymous.GetAsync("/v1/admin/diagnostics");

        var before = first.RootElement;
        var after = second.RootElement;
        Assert.True(after.GetProperty("allocated_bytes").GetInt64() > before.GetProperty("allocated_bytes").GetInt64());
        Assert.True(after.GetProperty("cpu_ms").GetInt64() >= before.GetProperty("cpu_ms").GetInt64());
        Assert.True(after.GetProperty("engine_thread_cpu_ms").GetInt64() >= 0, "the engine thread is found in /proc/self/task");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task The_GC_sampler_records_each_collection_with_its_generation_pause_and_promoted_bytes()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = server.AdminClient();

        var sampling = admin.GetStringAsync("/v1/admin/diagnostics/gc?seconds=2");
        while (!sampling.IsCompleted)
        {
            // The test host shares the process, so these collections are the server's; made until the window closes,
            // since when it opened is the server's business.
            GC.Collect(1, GCCollectionMode.Forced, blocking: true);
            await Task.Delay(100);
        }

        using var reply = JsonDocument.Parse(await sampling);
        var refused = await server.Client().GetAsync("/v1/admin/diagnostics/gc?seconds=1");

        var collections = reply.RootElement.EnumerateArray().ToList();
        Assert.Contains(collections, c => c.GetProperty("generation").GetInt32() == 1 && c.GetProperty("reason").GetInt32() == 1);
        Assert.All(collections, c =>
        {
            Assert.Equal(4, c.GetProperty("promoted_bytes").GetArrayLength());
            Assert.Equal(5, c.GetProperty("generation_bytes").GetArrayLength());
            Assert.True(c.GetProperty("pause_us").GetInt64() >= 0);
        });
        Assert.Contains(collections, c => c.GetProperty("pause_us").GetInt64() > 0);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
