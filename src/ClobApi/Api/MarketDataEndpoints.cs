namespace Polysim.ClobApi.Api;

/// <summary>Market data: /v1/markets, /v1/book, prices.</summary>
public static class MarketDataEndpoints
{
    /// <summary>Maps the routes of this area.</summary>
    public static void MapMarketData(this WebApplication app)
    {
        _ = app;
    }
}
