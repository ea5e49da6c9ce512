namespace Polysim.ClobApi.Hosting;

/// <summary>Starts the engine host with the application (replay first) and stops it last (drain, checkpoint, flush).</summary>
internal sealed class EngineLifetime(EngineHost host, ILogger<EngineLifetime> log) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        host.Start();
        log.LogInformation("Engine replayed {Records} journal records; state hash {Hash:x16}.", host.ReplayedRecords, host.ReplayedStateHash);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        host.Dispose();
        return Task.CompletedTask;
    }
}
