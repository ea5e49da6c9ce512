namespace Polysim.ClobApi.Liquidity.Hosting;

/// <summary>Registers the liquidity area: settings, the source factory and the service that runs the sources.</summary>
public static class LiquidityServices
{
    /// <summary>Adds the services; call after the demo seeder is registered, so seeding runs before the sources start.</summary>
    public static void AddPolysimLiquidity(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(LiquidityOptions.From(configuration));
        services.AddSingleton<ILiquiditySourceFactory, LiquiditySourceFactory>();
        services.AddSingleton<LiquidityService>();
        services.AddHostedService(sp => sp.GetRequiredService<LiquidityService>());
        services.AddSingleton(Mirror.MirrorOptions.From(configuration));
        services.AddSingleton<MirrorHostedService>();
        services.AddHostedService(sp => sp.GetRequiredService<MirrorHostedService>());
    }
}
