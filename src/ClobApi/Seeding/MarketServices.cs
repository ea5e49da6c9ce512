using Polysim.ClobApi.Api.Markets;

namespace Polysim.ClobApi.Seeding;

/// <summary>Registers the markets-and-account area's services: the heartbeat monitor, the demo seeder and the startup banner.</summary>
public static class MarketServices
{
    /// <summary>Adds the services; <paramref name="dataDirectory"/> is the absolute data directory.</summary>
    public static void AddPolysimMarkets(IServiceCollection services, string dataDirectory)
    {
        services.AddSingleton(new DataDirectory(dataDirectory));
        services.AddSingleton<StartupBanner>();
        services.AddHostedService<DemoSeeder>();
        services.AddHostedService<HeartbeatMonitor>();
    }
}
