using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Polysim.ClobApi.Hosting;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.Markets;

/// <summary>A market listed through the operator API.</summary>
public sealed record TestMarket(string ConditionId, string YesToken, string NoToken, int EngineId);

/// <summary>Helpers of the market and account tests.</summary>
/// <remarks>
/// Orders are placed straight through the <see cref="EngineHost"/> (journaled engine commands on the engine thread), so these
/// tests exercise market data, positions and history independently of the order routes. Order ids follow the order routes'
/// rule: the sequence number of the placing command.
/// </remarks>
public static class MarketsKit
{
    public const long Share = 1_000_000;

    public static async Task<TestMarket> CreateMarketAsync(
        TestServer server, string question = "Will it rain in Paris tomorrow?", string tick = "0.01", bool negRisk = false, object? extra = null)
    {
        using var admin = server.AdminClient();
        var body = extra ?? new { question, tick_size = tick, min_order_size = "5", neg_risk = negRisk };
        var response = await admin.PostAsJsonAsync("/v1/admin/markets", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"market creation: {(int)response.StatusCode} {text}");
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        var tokens = root.GetProperty("tokens");
        var conditionId = root.GetProperty("condition_id").GetString()!;
        var engineId = await Host(server).ReadAsync(s => s.Markets.ByCondition(conditionId)!.MarketId);
        return new TestMarket(conditionId, tokens[0].GetProperty("token_id").GetString()!, tokens[1].GetProperty("token_id").GetString()!, engineId);
    }

    public static EngineHost Host(TestServer server) => server.Services.GetRequiredService<EngineHost>();

    /// <summary>Places an order for <paramref name="wallet"/> through the engine host; returns its engine id and outcome.</summary>
    public static async Task<(long OrderId, EngineOutcome Outcome)> PlaceAsync(
        TestServer server, int wallet, TestMarket market, Outcome outcome, Side side, int price, long shares,
        TimeInForce tif = TimeInForce.Gtc, long expiration = 0)
    {
        return await Host(server).WriteAsync(ctx =>
        {
            var id = ctx.State.Engine.LastSequence + 1;
            var result = ctx.Apply(Command.Place(0, 0, wallet, market.EngineId, id, outcome, side, price, shares, tif, expiration: expiration));
            return (id, result);
        });
    }

    /// <summary>Places an order and fails the test unless the engine accepted it.</summary>
    public static async Task<long> PlaceOkAsync(
        TestServer server, int wallet, TestMarket market, Outcome outcome, Side side, int price, long shares,
        TimeInForce tif = TimeInForce.Gtc, long expiration = 0)
    {
        var (id, result) = await PlaceAsync(server, wallet, market, outcome, side, price, shares, tif, expiration);
        Assert.True(result.Accepted, $"order refused: {result.Code}");
        return id;
    }

    public static Task<bool> IsOpenAsync(TestServer server, long orderId) =>
        Host(server).ReadAsync(s => s.Engine.TryGetOrder(orderId, out _));

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        using var json = JsonDocument.Parse(text);
        return json.RootElement.Clone();
    }

    /// <summary>Asserts the error contract: status, X-Polysim-Code, and the one-field body.</summary>
    public static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(code, response.Headers.GetValues("X-Polysim-Code").Single());
        using var json = JsonDocument.Parse(text);
        Assert.Equal(JsonValueKind.String, json.RootElement.GetProperty("error").ValueKind);
        Assert.Single(json.RootElement.EnumerateObject());
    }

    /// <summary>Polls until <paramref name="condition"/> holds or the timeout passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, int timeoutMs = 5_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (Environment.TickCount64 < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(25);
        }

        return await condition();
    }
}
