namespace Polysim.ClobApi.Api;

/// <summary>Sandbox wallets: /v1/wallets.</summary>
public static class WalletEndpoints
{
    /// <summary>Maps the routes of this area.</summary>
    public static void MapWallets(this WebApplication app)
    {
        _ = app;
    }
}
