namespace Polysim.ClobApi.Api;

/// <summary>Operator market routes and the simulation clock: /v1/admin/markets, /v1/admin/clock.</summary>
public static class AdminMarketsEndpoints
{
    /// <summary>Maps the routes of this area.</summary>
    public static void MapAdminMarkets(this WebApplication app)
    {
        _ = app;
    }
}
