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
}
