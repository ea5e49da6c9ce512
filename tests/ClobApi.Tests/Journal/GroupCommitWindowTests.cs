using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Polysim.ClobApi.Hosting;

namespace Polysim.ClobApi.Tests.Journal;

/// <summary>The engine's group-commit window: under concurrent load a commit waits out the window so that more work joins
/// it; a client sending one request after another is never held by it.</summary>
public sealed class GroupCommitWindowTests
{
    [Fact]
    public async Task A_client_sending_one_write_after_another_is_never_held_by_the_window()
    {
        // No expiry check: its periodic write, landing in the same batch as one of ours, would make a commit of two writes
        // and so rightly open the window.
        await using var server = await TestServer.StartAsync(configureServices: builder => builder.Services.AddSingleton(
            new EngineHostOptions { GroupCommitWindow = TimeSpan.FromSeconds(1), ExpiryCheckInterval = TimeSpan.FromHours(1) }));
        var host = server.Services.GetRequiredService<EngineHost>();
        // Start-up's own writes may have shared a commit; after this one, the last commit carried one write.
        await host.WriteAsync(_ => 0);

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 5; i++)
        {
            await host.WriteAsync(_ => i);
        }

        // Held, each of the last four would wait about a second.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"five sequential writes took {clock.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task A_write_arriving_just_after_a_commit_of_several_waits_for_the_window_and_what_arrives_meanwhile_joins_it()
    {
        var window = TimeSpan.FromMilliseconds(400);
        await using var server = await StartAsync(window);
        var host = server.Services.GetRequiredService<EngineHost>();
        using var gate = new ManualResetEventSlim();

        // The first write holds the engine thread until two more are queued, so those two are committed together.
        var first = host.WriteAsync(_ => gate.Wait(TimeSpan.FromSeconds(10)));
        var pair = new[] { host.WriteAsync(_ => 1), host.WriteAsync(_ => 2) };
        gate.Set();
        await first;
        await Task.WhenAll(pair);
        var afterPair = Stopwatch.StartNew();

        var late = new[] { host.WriteAsync(_ => 3), host.WriteAsync(_ => 4) };
        var lateDone = await Task.WhenAll(late.Select(async t =>
        {
            await t;
            return afterPair.Elapsed;
        }));

        // The pair's commit started before afterPair did, so the wait measured here is a little shorter than the window.
        Assert.All(lateDone, done => Assert.True(done > window * 0.75, $"answered after {done.TotalMilliseconds:F0} ms"));
    }

    private static Task<TestServer> StartAsync(TimeSpan window) =>
        TestServer.StartAsync(new Dictionary<string, string?>
        {
            [EngineHostOptions.GroupCommitWindowKey] = ((long)window.TotalMicroseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
}
