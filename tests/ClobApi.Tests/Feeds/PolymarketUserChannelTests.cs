using System.Net.WebSockets;
using Polysim.ClobApi.Tests.Orders;
using Polysim.ClobApi.Tests.PolymarketTrading;

namespace Polysim.ClobApi.Tests.Feeds;

public sealed class PolymarketUserChannelTests(FeedServerFixture fixture) : IClassFixture<FeedServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task The_root_user_channel_authenticates_with_L2_credentials_and_shows_the_key_as_owner()
    {
        var market = await OrdersKit.ListMarketAsync(Server);
        using var trader = new PolyTrader(Server);
        var creds = await trader.CreateKeyAsync();
        await using var ws = await WsClient.ConnectAsync(Server, "/ws/user");
        await ws.SendJsonAsync(new { auth = new { apiKey = creds.Key, secret = creds.Secret, passphrase = creds.Passphrase }, markets = new[] { market.ConditionId }, type = "user" });
        await ws.DrainAsync();

        // BUY 10 YES at 0.40: 4 USDC for 10 shares.
        var reply = await trader.PlaceAsync(trader.V1Order(market.YesToken, "BUY", 4_000_000, 10_000_000));

        var placed = await ws.NextOfAsync("order");
        Assert.Equal(("PLACEMENT", reply.Str("orderID"), creds.Key, creds.Key), (placed.S("type"), placed.S("id"), placed.S("owner"), placed.S("order_owner")));
        Assert.Equal(("0.4", "10", market.YesToken), (placed.S("price"), placed.S("original_size"), placed.S("asset_id")));
        Assert.True(string.Equals(trader.Address, placed.S("maker_address"), StringComparison.OrdinalIgnoreCase), placed.S("maker_address"));
    }

    [Fact]
    public async Task The_root_user_channel_closes_1008_when_the_secret_or_passphrase_is_wrong()
    {
        using var trader = new PolyTrader(Server);
        var creds = await trader.CreateKeyAsync();
        foreach (var (secret, passphrase) in new[] { ("d3Jvbmc=", creds.Passphrase), (creds.Secret, "wrong") })
        {
            await using var ws = await WsClient.ConnectAsync(Server, "/ws/user");
            await ws.SendJsonAsync(new { auth = new { apiKey = creds.Key, secret, passphrase }, markets = Array.Empty<string>(), type = "user" });
            Assert.True(await ws.ClosedWithinAsync(5_000));
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, ws.CloseStatus);
        }
    }
}
