using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Polysim.ClobApi.Liquidity.Mirror;

/// <summary>A Polymarket market chosen for mirroring, as Gamma describes it.</summary>
/// <param name="ConditionId">Condition id (0x…).</param>
/// <param name="Question">The question.</param>
/// <param name="Slug">Gamma slug.</param>
/// <param name="YesTokenId">Token of the first outcome (mirrored as YES).</param>
/// <param name="NoTokenId">Token of the second outcome.</param>
/// <param name="YesOutcome">Label of the first outcome ("Yes", "Up", a team…).</param>
/// <param name="TickSize">Minimum tick, 1e-4 units (<c>orderPriceMinTickSize</c>).</param>
/// <param name="MinSize">Minimum order size, micro-shares (<c>orderMinSize</c>).</param>
/// <param name="NegRisk">Part of a neg-risk event.</param>
/// <param name="EndDate">Scheduled end, when given.</param>
public sealed record MirrorMarketInfo(
    string ConditionId, string Question, string Slug, string YesTokenId, string NoTokenId, string YesOutcome,
    int TickSize, long MinSize, bool NegRisk, DateTimeOffset? EndDate)
{
    /// <summary>The token pair the frame parser needs.</summary>
    public MirrorTokenPair Tokens => new(ConditionId, YesTokenId, NoTokenId);
}

/// <summary>Discovery through Polymarket's Gamma API (public, no key): markets by condition ids, by slugs, or by a text search.</summary>
/// <remarks>
/// <c>outcomes</c>, <c>outcomePrices</c> and <c>clobTokenIds</c> are JSON-encoded strings and are parsed a second time.
/// <c>closed=false</c> is always sent (the default differs between endpoints). Ids go at most 400 per request and the URL
/// stays under ~8 KB (longer ones get 414). Only <c>enableOrderBook &amp;&amp; acceptingOrders &amp;&amp; !closed</c>
/// binary markets are returned.
/// </remarks>
/// <param name="http">Client (rate-limited by the caller).</param>
/// <param name="baseUrl">Gamma base, e.g. https://gamma-api.polymarket.com.</param>
public sealed class GammaClient(HttpClient http, Uri baseUrl)
{
    /// <summary>Most ids in one request.</summary>
    public const int MaxIdsPerRequest = 400;

    /// <summary>Longest URL sent.</summary>
    public const int MaxUrlLength = 8_000;

    private readonly string _base = baseUrl.ToString().TrimEnd('/');

    /// <summary>Markets seen that could not be mirrored (closed, no order book, not accepting orders, not binary).</summary>
    public int Skipped { get; private set; }

    /// <summary>Requests sent.</summary>
    public int Requests { get; private set; }

    /// <summary>The mirrorable markets among <paramref name="conditionIds"/>.</summary>
    public Task<IReadOnlyList<MirrorMarketInfo>> MarketsByConditionIdsAsync(IReadOnlyList<string> conditionIds, CancellationToken ct) =>
        ListAsync("condition_ids", conditionIds, ct);

    /// <summary>The mirrorable markets among <paramref name="slugs"/>.</summary>
    public Task<IReadOnlyList<MirrorMarketInfo>> MarketsBySlugsAsync(IReadOnlyList<string> slugs, CancellationToken ct) =>
        ListAsync("slug", slugs, ct);

    /// <summary>The mirrorable markets of the active events matching <paramref name="query"/> (<c>/public-search</c>).</summary>
    public async Task<IReadOnlyList<MirrorMarketInfo>> SearchAsync(string query, int limit, CancellationToken ct)
    {
        var url = $"{_base}/public-search?q={Uri.EscapeDataString(query)}&limit_per_type={limit.ToString(CultureInfo.InvariantCulture)}&events_status=active&closed=false";
        using var doc = await GetAsync(url, ct);
        var found = new List<MirrorMarketInfo>();
        if (doc.RootElement.TryGetProperty("events", out var events) && events.ValueKind == JsonValueKind.Array)
        {
            foreach (var ev in events.EnumerateArray())
            {
                if (ev.TryGetProperty("markets", out var markets) && markets.ValueKind == JsonValueKind.Array)
                {
                    Collect(markets, found);
                }
            }
        }

        return found;
    }

    /// <summary>A Gamma market object as mirror info, or null when it must not be mirrored.</summary>
    public static MirrorMarketInfo? ParseMarket(JsonElement m)
    {
        if (!Bool(m, "enableOrderBook") || !Bool(m, "acceptingOrders") || Bool(m, "closed"))
        {
            return null;
        }

        var tokens = StringArray(m, "clobTokenIds");
        var outcomes = StringArray(m, "outcomes");
        var condition = Str(m, "conditionId");
        if (tokens.Count != 2 || condition is null)
        {
            return null;
        }

        var tick = m.TryGetProperty("orderPriceMinTickSize", out var t) && t.ValueKind is JsonValueKind.Number or JsonValueKind.String
            ? DecimalText.Price(t)
            : 100;
        var minSize = m.TryGetProperty("orderMinSize", out var s) && s.ValueKind is JsonValueKind.Number or JsonValueKind.String
            ? DecimalText.Size(s)
            : 5_000_000;
        DateTimeOffset? end = DateTimeOffset.TryParse(Str(m, "endDate"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var e) ? e : null;
        return new MirrorMarketInfo(
            condition, Str(m, "question") ?? string.Empty, Str(m, "slug") ?? string.Empty, tokens[0], tokens[1],
            outcomes.Count > 0 ? outcomes[0] : "Yes", tick, minSize, Bool(m, "negRisk"), end);
    }

    /// <summary>A field that Gamma sends as a JSON-encoded string array (<c>"[\"Yes\", \"No\"]"</c>), parsed a second time; a plain array is accepted too.</summary>
    public static IReadOnlyList<string> StringArray(JsonElement m, string name)
    {
        if (!m.TryGetProperty(name, out var v))
        {
            return [];
        }

        if (v.ValueKind == JsonValueKind.String)
        {
            var text = v.GetString();
            if (string.IsNullOrWhiteSpace(text))
            {
                return [];
            }

            using var inner = JsonDocument.Parse(text);
            return Strings(inner.RootElement);
        }

        return Strings(v);
    }

    private async Task<IReadOnlyList<MirrorMarketInfo>> ListAsync(string parameter, IReadOnlyList<string> values, CancellationToken ct)
    {
        var found = new List<MirrorMarketInfo>();
        var i = 0;
        while (i < values.Count)
        {
            var url = new StringBuilder(_base).Append("/markets?closed=false");
            var start = i;
            while (i < values.Count && i - start < MaxIdsPerRequest)
            {
                var piece = $"&{parameter}={Uri.EscapeDataString(values[i])}";
                if (i > start && url.Length + piece.Length + 16 > MaxUrlLength)
                {
                    break;
                }

                url.Append(piece);
                i++;
            }

            url.Append("&limit=").Append((i - start).ToString(CultureInfo.InvariantCulture));
            using var doc = await GetAsync(url.ToString(), ct);
            var root = doc.RootElement;
            // /markets answers a bare array; some deployments wrap it in {"data": [...]}.
            var markets = root.ValueKind == JsonValueKind.Array ? root : root.TryGetProperty("data", out var d) ? d : default;
            if (markets.ValueKind == JsonValueKind.Array)
            {
                Collect(markets, found);
            }
        }

        return found;
    }

    private void Collect(JsonElement markets, List<MirrorMarketInfo> found)
    {
        foreach (var m in markets.EnumerateArray())
        {
            if (ParseMarket(m) is { } info)
            {
                if (!found.Exists(f => f.ConditionId == info.ConditionId))
                {
                    found.Add(info);
                }
            }
            else
            {
                Skipped++;
            }
        }
    }

    private async Task<JsonDocument> GetAsync(string url, CancellationToken ct)
    {
        Requests++;
        using var response = await http.GetAsync(new Uri(url), ct);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        return await JsonDocument.ParseAsync(body, cancellationToken: ct);
    }

    private static List<string> Strings(JsonElement array) =>
        array.ValueKind == JsonValueKind.Array ? [.. array.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : x.GetRawText())] : [];

    private static bool Bool(JsonElement m, string name) =>
        m.TryGetProperty(name, out var v) && (v.ValueKind == JsonValueKind.True || (v.ValueKind == JsonValueKind.String && v.GetString() == "true"));

    private static string? Str(JsonElement m, string name) =>
        m.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>Book seeding through the CLOB's public REST API: <c>GET /book?token_id=</c> and batched <c>POST /books</c>.</summary>
/// <remarks>Summaries come back as sent (levels best-last, string fields); <see cref="PolymarketMarketFrames.ParseBook"/> turns them into snapshots.</remarks>
/// <param name="http">Client (rate-limited by the caller).</param>
/// <param name="baseUrl">CLOB base, e.g. https://clob.polymarket.com.</param>
public sealed class ClobBookClient(HttpClient http, Uri baseUrl)
{
    /// <summary>Most tokens in one <c>POST /books</c>.</summary>
    public const int MaxTokensPerRequest = 500;

    private readonly string _base = baseUrl.ToString().TrimEnd('/');

    /// <summary>Requests sent.</summary>
    public int Requests { get; private set; }

    /// <summary>One token's book summary.</summary>
    public async Task<JsonElement> GetBookAsync(string tokenId, CancellationToken ct)
    {
        Requests++;
        using var response = await http.GetAsync(new Uri($"{_base}/book?token_id={Uri.EscapeDataString(tokenId)}"), ct);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var doc = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        return doc.RootElement.Clone();
    }

    /// <summary>Book summaries of several tokens, at most <see cref="MaxTokensPerRequest"/> per request.</summary>
    public async Task<IReadOnlyList<JsonElement>> GetBooksAsync(IReadOnlyList<string> tokenIds, CancellationToken ct)
    {
        var books = new List<JsonElement>();
        for (var i = 0; i < tokenIds.Count; i += MaxTokensPerRequest)
        {
            var batch = tokenIds.Skip(i).Take(MaxTokensPerRequest).Select(t => new BooksRequestItem(t)).ToArray();
            Requests++;
            using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(batch, MirrorJsonContext.Default.BooksRequestItemArray));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync(new Uri($"{_base}/books"), content, ct);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            using var doc = await JsonDocument.ParseAsync(body, cancellationToken: ct);
            if (doc.RootElement.ValueKind == JsonValueKind.Array)
            {
                books.AddRange(doc.RootElement.EnumerateArray().Select(b => b.Clone()));
            }
        }

        return books;
    }
}
