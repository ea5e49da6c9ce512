using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Api.Markets;

/// <summary>A validated market to list: its question and engine parameters.</summary>
/// <param name="Question">The question.</param>
/// <param name="Parameters">Engine parameters.</param>
public sealed record MarketSpec(string Question, MarketParameters Parameters);

/// <summary>Public ids of a market, derived (never random) so that a replayed journal and a fresh listing agree.</summary>
public static class MarketIds
{
    /// <summary>0x + 64 hex: SHA-256 of the engine market id and the question.</summary>
    public static string ConditionId(int marketId, string question) =>
        "0x" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"polysim/condition/{marketId}/{question}")));

    /// <summary>0x + 64 hex: SHA-256 of the condition id.</summary>
    public static string QuestionId(string conditionId) =>
        "0x" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"polysim/question/{conditionId}")));

    /// <summary>A uint256 in decimal, like Polymarket's ERC-1155 position ids: SHA-256 of the condition id and the outcome.</summary>
    public static string TokenId(string conditionId, Outcome outcome)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"polysim/token/{conditionId}/{(outcome == Outcome.Yes ? "yes" : "no")}"));
        return new BigInteger(digest, isUnsigned: true, isBigEndian: true).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A URL-friendly name: lower-case letters and digits joined by dashes, at most 80 characters.</summary>
    public static string Slug(string question)
    {
        var sb = new StringBuilder(question.Length);
        foreach (var c in question.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                sb.Append(c);
            }
            else if (sb.Length > 0 && sb[^1] != '-')
            {
                sb.Append('-');
            }
        }

        var slug = sb.ToString().Trim('-');
        return slug.Length <= 80 ? slug : slug[..80].TrimEnd('-');
    }
}

/// <summary>Lists markets: request validation on the request thread, the listing itself on the engine thread.</summary>
public static class MarketListing
{
    /// <summary>Longest question accepted.</summary>
    public const int MaxQuestionLength = 300;

    /// <summary>Validates <c>POST /v1/admin/markets</c>; every problem is 422 VALIDATION_FAILED.</summary>
    public static MarketSpec Validate(CreateMarketRequest request)
    {
        var question = request.Question?.Trim();
        if (string.IsNullOrEmpty(question))
        {
            throw ApiException.Validation("question is required.", "question");
        }

        if (question.Length > MaxQuestionLength)
        {
            throw ApiException.Validation($"question must be at most {MaxQuestionLength} characters.", "question");
        }

        if (request.TickSize is not { } tickElement)
        {
            throw ApiException.Validation("tick_size is required: 0.1, 0.01, 0.001 or 0.0001.", "tick_size");
        }

        var tick = ParseTick(tickElement);
        var minimum = request.MinOrderSize is { } min ? Money.ParseShares(min, "min_order_size") : 5 * Units.AmountScale;
        var feeRate = 0;
        if (request.TakerFeeRate is { } fee)
        {
            var text = NumberText(fee, "taker_fee_rate");
            if (!Money.TryParseScaled(text, 4, out var scaled) || scaled > Units.PriceScale)
            {
                throw ApiException.Validation($"taker_fee_rate must be a rate between 0 and 1 with at most 4 decimals; got '{text}'.", "taker_fee_rate");
            }

            feeRate = (int)scaled;
        }

        var halves = 0;
        if (request.FeeExponent is { } exponent)
        {
            var text = NumberText(exponent, "fee_exponent");
            if (!Money.TryParseScaled(text, 1, out var tenths) || tenths is not (0 or 5 or 10 or 20))
            {
                throw ApiException.Validation($"fee_exponent must be 0, 0.5, 1 or 2; got '{text}'.", "fee_exponent");
            }

            halves = (int)(tenths / 5);
        }

        var parameters = new MarketParameters(tick, minimum, request.NegRisk ?? false, feeRate, halves, request.AutoTick ?? false);
        return new MarketSpec(question, parameters);
    }

    /// <summary>Parses a tick size (number or string) into 1e-4 units; anything but 0.1 / 0.01 / 0.001 / 0.0001 is 422.</summary>
    public static int ParseTick(JsonElement value)
    {
        var text = NumberText(value, "tick_size");
        if (!Money.TryParseScaled(text, 4, out var tick) || !Units.IsValidTick((int)Math.Min(tick, int.MaxValue)))
        {
            throw ApiException.Validation($"tick_size must be 0.1, 0.01, 0.001 or 0.0001; got '{text}'.", "tick_size");
        }

        return (int)tick;
    }

    /// <summary>The text of a JSON number or numeric string; other kinds are 422.</summary>
    public static string NumberText(JsonElement value, string field)
    {
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => value.GetRawText(),
            _ => throw ApiException.Validation($"{field} must be a number or a numeric string.", field),
        };
        return text.Contains('e', StringComparison.OrdinalIgnoreCase)
            ? throw ApiException.Validation($"{field} must be a plain decimal; got '{text}'.", field)
            : text;
    }

    /// <summary>Creates the engine market and journals its listing with derived ids; on the engine thread.</summary>
    public static MarketListed List(EngineHost.WriteContext ctx, MarketSpec spec)
    {
        var marketId = NewMarketId(ctx);
        var conditionId = MarketIds.ConditionId(marketId, spec.Question);
        return Create(ctx, marketId, spec, conditionId, MarketIds.TokenId(conditionId, Outcome.Yes), MarketIds.TokenId(conditionId, Outcome.No), MarketIds.Slug(spec.Question));
    }

    /// <summary>Lists a market under ids given from outside (a mirrored Polymarket market keeps its real condition and token
    /// ids), journaled like any listing; a market already listed under that condition id is returned as it is.</summary>
    public static MarketListed ListWithIds(EngineHost.WriteContext ctx, MarketSpec spec, string conditionId, string yesTokenId, string noTokenId, string slug)
    {
        if (ctx.State.Markets.ByCondition(conditionId) is { } existing)
        {
            return existing;
        }

        if (ctx.State.Markets.TryGetToken(yesTokenId, out _, out _) || ctx.State.Markets.TryGetToken(noTokenId, out _, out _) || yesTokenId == noTokenId)
        {
            throw ApiException.Validation("A token id of this market is already used by another listed market.", "token_id");
        }

        return Create(ctx, NewMarketId(ctx), spec, conditionId, yesTokenId, noTokenId, string.IsNullOrEmpty(slug) ? MarketIds.Slug(spec.Question) : slug);
    }

    // Above every engine market, listed or not, so the create can only fail on its parameters.
    private static int NewMarketId(EngineHost.WriteContext ctx) =>
        Math.Max(ctx.State.Markets.NextMarketId, ctx.State.Engine.MarketIds().DefaultIfEmpty(0).Max() + 1);

    private static MarketListed Create(EngineHost.WriteContext ctx, int marketId, MarketSpec spec, string conditionId, string yesTokenId, string noTokenId, string slug)
    {
        var created = ctx.Apply(Command.CreateMarket(0, 0, marketId, spec.Parameters));
        if (!created.Accepted)
        {
            throw ApiException.Validation($"The engine refused the market parameters ({created.Code}).");
        }

        var listed = new MarketListed(marketId, conditionId, yesTokenId, noTokenId, spec.Question, slug, ctx.Now);
        ctx.Record(listed);
        return listed;
    }
}
