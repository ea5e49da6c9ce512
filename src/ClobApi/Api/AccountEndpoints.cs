using System.Globalization;
using Polysim.Accounts;
using Polysim.ClobApi.Api.Markets;
using Polysim.ClobApi.Api.Orders;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;
using Polysim.ClobApi.Projections;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Api;

/// <summary>The caller's account: balance, positions, history, heartbeats.</summary>
/// <remarks>Balance, positions, history and the reset act on the selected wallet (<c>wallet_id</c> / <c>X-Wallet-Id</c>,
/// else the account's first); a heartbeat covers every wallet of the account.</remarks>
public static class AccountEndpoints
{
    /// <summary>Most fills in one page of history.</summary>
    public const int MaxHistoryPage = 200;

    /// <summary>Maps the routes of this area.</summary>
    public static void MapAccount(this WebApplication app)
    {
        var account = app.MapGroup("/v1").WithTags("Account");
        account.MapGet("/account/balance", GetBalance)
            .Produces<BalanceReply>()
            .WithSummary("The selected wallet's USDC: balance = available + reserved (held by open BUY orders).");
        account.MapGet("/account/positions", GetPositions)
            .Produces<PositionsReply>()
            .WithSummary("The wallet's token positions with average entry price, realized and unrealized P&L (marked at the midpoint, else the last trade).");
        account.MapGet("/account/history", GetHistory)
            .Produces<HistoryReply>()
            .WithSummary("The wallet's fills, newest first (limit 1–200, opaque cursor).");
        account.MapPost("/account/reset-api-balance", ResetBalance)
            .Produces<ResetReply>()
            .WithSummary("Cancel the wallet's open orders and set its USDC back to the starting balance; token positions are kept (see the reply).");
        account.MapPost("/heartbeats", PostHeartbeat)
            .Accepts<HeartbeatRequest>("application/json")
            .Produces<HeartbeatReply>()
            .WithSummary("Arm or extend the dead-man's switch: without another heartbeat within interval_ms (+ grace) the account's open orders are cancelled.");
        account.MapDelete("/heartbeats", StopHeartbeat)
            .Produces<HeartbeatStopReply>()
            .WithSummary("Disarm the dead-man's switch without cancelling anything.");
    }

    private static async Task<IResult> GetBalance(HttpContext http, EngineHost host)
    {
        var caller = Caller.Of(http).Require(KeyPermissions.Read);
        var wallet = caller.Wallet.Id;
        var cash = await host.ReadAsync(state => state.Engine.GetBalance(wallet));
        return JsonReply.Json(Balance(wallet, cash), AccountJson.Default.BalanceReply);
    }

    private static BalanceReply Balance(int wallet, Balance cash) =>
        new(wallet, Money.FormatUsdc(cash.Total), Money.FormatUsdc(cash.Available), Money.FormatUsdc(cash.Reserved));

    private static async Task<IResult> GetPositions(HttpContext http, EngineHost host)
    {
        var caller = Caller.Of(http).Require(KeyPermissions.Read);
        var wallet = caller.Wallet.Id;
        var reply = await host.ReadAsync(state =>
        {
            var positions = new List<PositionReply>();
            foreach (var listed in state.Markets.All)
            {
                var info = state.Engine.GetMarket(listed.MarketId);
                if (info is null)
                {
                    continue;
                }

                foreach (var outcome in (ReadOnlySpan<Outcome>)[Outcome.Yes, Outcome.No])
                {
                    var held = state.Engine.GetPosition(wallet, listed.MarketId, outcome);
                    var basis = state.Trades.BasisOf(wallet, listed.MarketId, outcome);
                    if (held.Total > 0 || basis is not null)
                    {
                        positions.Add(Position(state, listed, info.Value, outcome, held, basis));
                    }
                }
            }

            return new PositionsReply(wallet, positions);
        });
        return JsonReply.Json(reply, AccountJson.Default.PositionsReply);
    }

    private static PositionReply Position(HostState state, MarketListed listed, MarketInfo info, Outcome outcome, Balance held, CostBasis? basis)
    {
        var size = held.Total;
        var cost = basis is { Shares: > 0 } ? basis.Cost : 0;
        string? average = size > 0 && basis is { Shares: > 0 }
            ? MarketViews.Fixed((long)((Int128)basis.Cost * Units.AmountScale / basis.Shares), 6)
            : null;
        var mark = size > 0 ? MarketViews.Mark(state, info, outcome) : null;
        // mark is in 1e-5 units: micro-shares × 1e-5 USDC / 1e5 = micro-USDC.
        long? value = mark is { } m ? (long)((Int128)size * m / 100_000) : null;
        var unrealized = value is { } v ? v - cost : 0;
        return new PositionReply(
            MarketDirectory.TokenId(listed, outcome),
            listed.ConditionId,
            MarketViews.OutcomeName(outcome),
            listed.Question,
            Money.FormatUsdc(size),
            Money.FormatUsdc(held.Available),
            Money.FormatUsdc(held.Reserved),
            average,
            Money.FormatUsdc(cost),
            mark is { } p ? MarketViews.Fixed(p, 5) : null,
            value is { } mv ? Money.FormatUsdc(mv) : null,
            Money.FormatUsdc(basis?.RealizedPnl ?? 0),
            Money.FormatUsdc(unrealized),
            size > 0 ? "OPEN" : "CLOSED");
    }

    private static async Task<IResult> GetHistory(HttpContext http, EngineHost host)
    {
        var caller = Caller.Of(http).Require(KeyPermissions.Read);
        var wallet = caller.Wallet.Id;
        var limit = (int)(QueryParams.Integer(http, "limit", 1, MaxHistoryPage) ?? 50);
        var cursor = QueryParams.Optional(http, "cursor") ?? QueryParams.Optional(http, "next_cursor");
        long? before = cursor is null ? null : QueryParams.OffsetCursor(cursor, "cursor");
        var reply = await host.ReadAsync(state =>
        {
            var fills = state.Trades.FillsOf(wallet);
            // The cursor is an absolute position in the wallet's append-only fill log, so new fills never shift a page.
            var end = Math.Clamp(before ?? fills.End, fills.First, fills.End);
            var start = Math.Max(fills.First, end - limit);
            var page = new List<FillReply>((int)(end - start));
            for (var i = end - 1; i >= start; i--)
            {
                page.Add(FillView(state, fills[i]));
            }

            var hasMore = start > fills.First;
            return new HistoryReply(wallet, page, hasMore, hasMore ? QueryParams.EncodeOffset(start) : null);
        });
        return JsonReply.Json(reply, AccountJson.Default.HistoryReply);
    }

    private static FillReply FillView(HostState state, Fill fill)
    {
        var listed = state.Markets.ById(fill.Market);
        var orderId = state.Orders.Find(fill.OrderId)?.PublicId ?? PublicIds.Order(fill.OrderId);
        return new FillReply(
            PublicIds.Trade(fill.TradeId),
            orderId,
            listed?.ConditionId ?? string.Empty,
            listed is null ? string.Empty : MarketDirectory.TokenId(listed, fill.Outcome),
            MarketViews.OutcomeName(fill.Outcome),
            MarketViews.SideName(fill.Side),
            BookFormatter.Price(fill.Price),
            Money.FormatUsdc(fill.Size),
            Money.FormatUsdc(fill.Cash),
            Money.FormatUsdc(fill.Fee),
            fill.FeeInShares ? "SHARES" : "USDC",
            fill.IsTaker ? "TAKER" : "MAKER",
            fill.MatchType.ToString().ToUpperInvariant(),
            Money.FormatUsdc(fill.RealizedPnl),
            fill.TimestampMs,
            MarketViews.Iso(fill.TimestampMs));
    }

    private static async Task<IResult> ResetBalance(HttpContext http, EngineHost host, AccountDefaults defaults)
    {
        var caller = Caller.Of(http).Require(KeyPermissions.Trade);
        var wallet = caller.Wallet.Id;
        var target = defaults.StartingBalance;
        var reply = await host.WriteAsync(ctx =>
        {
            var engine = ctx.State.Engine;
            var open = engine.GetOpenOrders(wallet).Count;
            if (open > 0)
            {
                ctx.Apply(Command.CancelAll(0, 0, wallet));
            }

            // With every order cancelled nothing is reserved, so all of the wallet's USDC is available to adjust.
            var cash = engine.GetBalance(wallet).Available;
            if (cash > target)
            {
                ctx.Apply(Command.Withdraw(0, 0, wallet, cash - target));
            }
            else if (cash < target)
            {
                ctx.Apply(Command.Deposit(0, 0, wallet, target - cash));
            }

            var kept = 0;
            foreach (var listed in ctx.State.Markets.All)
            {
                kept += engine.GetPosition(wallet, listed.MarketId, Outcome.Yes).Total > 0 ? 1 : 0;
                kept += engine.GetPosition(wallet, listed.MarketId, Outcome.No).Total > 0 ? 1 : 0;
            }

            var after = engine.GetBalance(wallet);
            return new ResetReply(
                wallet, Money.FormatUsdc(after.Total), Money.FormatUsdc(after.Available), Money.FormatUsdc(after.Reserved), open, 0, kept, 0);
        });
        return JsonReply.Json(reply, AccountJson.Default.ResetReply);
    }

    private static async Task<IResult> PostHeartbeat(HttpContext http, EngineHost host)
    {
        var caller = Caller.Of(http).Require(KeyPermissions.Trade);
        var request = await RequestBody.ReadAsync(http, AccountJson.Default.HeartbeatRequest);
        var interval = Heartbeats.DefaultIntervalMs;
        if (request.IntervalMs is { ValueKind: not System.Text.Json.JsonValueKind.Null } element)
        {
            var text = MarketListing.NumberText(element, "interval_ms");
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out interval) ||
                interval < Heartbeats.MinIntervalMs || interval > Heartbeats.MaxIntervalMs)
            {
                throw ApiException.Validation(
                    $"interval_ms must be an integer between {Heartbeats.MinIntervalMs} and {Heartbeats.MaxIntervalMs}; got '{text}'.", "interval_ms");
            }
        }

        var accountId = caller.Account.Id;
        var grace = Heartbeats.GraceMs(interval);
        var heartbeatId = Guid.NewGuid().ToString();
        var reply = await host.WriteAsync(ctx =>
        {
            var deadline = ctx.Now + interval + grace;
            ctx.Record(new HeartbeatArmed(accountId, heartbeatId, interval, deadline));
            return new HeartbeatReply(true, heartbeatId, interval, grace, deadline, MarketViews.Iso(deadline));
        });
        return JsonReply.Json(reply, AccountJson.Default.HeartbeatReply);
    }

    private static async Task<IResult> StopHeartbeat(HttpContext http, EngineHost host)
    {
        var caller = Caller.Of(http).Require(KeyPermissions.Trade);
        var accountId = caller.Account.Id;
        var stopped = await host.WriteAsync(ctx =>
        {
            if (ctx.State.Heartbeats.Find(accountId) is null)
            {
                return false;
            }

            ctx.Record(new HeartbeatDisarmed(accountId, Lapsed: false));
            return true;
        });
        return JsonReply.Json(new HeartbeatStopReply(true, stopped), AccountJson.Default.HeartbeatStopReply);
    }
}
