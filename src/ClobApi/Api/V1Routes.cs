namespace Polysim.ClobApi.Api;

/// <summary>Maps every route of the native /v1 surface; each area keeps its routes in its own file.</summary>
public static class V1Routes
{
    /// <summary>Maps all /v1 areas.</summary>
    public static void MapV1(this WebApplication app)
    {
        app.MapAdminAccounts();
        app.MapKeys();
        app.MapWallets();
        app.MapOrders();
        app.MapMarketData();
        app.MapAccount();
        app.MapAdminMarkets();
        app.MapDiagnostics();
    }
}
