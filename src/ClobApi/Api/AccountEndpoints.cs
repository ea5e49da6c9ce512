namespace Polysim.ClobApi.Api;

/// <summary>The caller's account: balance, positions, history, heartbeats.</summary>
public static class AccountEndpoints
{
    /// <summary>Maps the routes of this area.</summary>
    public static void MapAccount(this WebApplication app)
    {
        _ = app;
    }
}
