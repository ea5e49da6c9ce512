namespace Polysim.ClobApi.Api;

/// <summary>Orders and cancels: /v1/orders, /v1/order, /v1/clob/order, batch and cancel routes.</summary>
public static class OrdersEndpoints
{
    /// <summary>Maps the routes of this area.</summary>
    public static void MapOrders(this WebApplication app)
    {
        _ = app;
    }
}
