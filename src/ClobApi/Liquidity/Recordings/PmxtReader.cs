using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Liquidity.Recordings;

/// <summary>The market to extract from an archive: its condition id and, when known, its token ids (v2 rows do not say which token is YES).</summary>
/// <param name="ConditionId">Polymarket condition id (0x + 64 hex).</param>
/// <param name="YesTokenId">Token id of the YES (first) outcome; required for v2 hours unless <paramref name="NoTokenId"/> is given.</param>
/// <param name="NoTokenId">Token id of the NO (second) outcome.</param>
public sealed record PmxtMarket(string ConditionId, string? YesTokenId = null, string? NoTokenId = null);

/// <summary>What a read found: rows, events by kind, consistency failures, gaps and skipped data.</summary>
public sealed class RecordingStats
{
    /// <summary>Hour files opened.</summary>
    public int HoursRead { get; internal set; }

    /// <summary>Hours of the range whose file was absent (each emitted a <see cref="ReplayEventKind.Gap"/>, except the warm-up hour).</summary>
    public List<DateTimeOffset> MissingHours { get; } = [];

    /// <summary>Rows in the files opened (all markets).</summary>
    public long RowsInFiles { get; internal set; }

    /// <summary>Rows of the wanted market.</summary>
    public long RowsMatched { get; internal set; }

    /// <summary>Events emitted.</summary>
    public long Events { get; internal set; }

    /// <summary>Snapshots emitted (including the start-of-range one rebuilt from the warm-up hour).</summary>
    public long Snapshots { get; internal set; }

    /// <summary>Level updates emitted.</summary>
    public long Levels { get; internal set; }

    /// <summary>Trades emitted.</summary>
    public long Trades { get; internal set; }

    /// <summary>Tick-size changes emitted.</summary>
    public long TickSizes { get; internal set; }

    /// <summary>Gaps emitted (missing hours, failed checks, values refused).</summary>
    public long Gaps { get; internal set; }

    /// <summary>Best-price checks made against the rebuilt book.</summary>
    public long Checks { get; internal set; }

    /// <summary>Checks failed: reported best bid/ask ≠ rebuilt book, or a crossed book (research §5 test 7 wants 0).</summary>
    public long Mismatches { get; internal set; }

    /// <summary>Level updates dropped because no snapshot was underneath (before the first one, or while stale).</summary>
    public long SkippedLevels { get; internal set; }

    /// <summary>Book rows of the other token dropped because the chosen token's view already carries them.</summary>
    public long MirroredRowsDropped { get; internal set; }

    /// <summary>Trades dropped as the same print reported on the other token.</summary>
    public long DuplicateTrades { get; internal set; }

    /// <summary>Rows refused: malformed, or a price/size off the 1e-4 / 1e-6 grid (never rounded).</summary>
    public long RejectedRows { get; internal set; }

    /// <summary>Rows whose timestamp was earlier than an event already emitted (from a later file); emitted at the later time.</summary>
    public long LateRows { get; internal set; }

    /// <summary>Seconds the rebuilt book spent stale, in data time.</summary>
    public double StaleSeconds { get; internal set; }

    /// <summary>Format of each hour read.</summary>
    public Dictionary<DateTimeOffset, PmxtFormat> Formats { get; } = [];
}

/// <summary>
/// Reads one market from a directory of PMXT hourly archive files (v1 or v2, mixed freely) into the canonical
/// <see cref="ReplayEvent"/> stream, in YES terms, in time order, with gaps declared.
/// </summary>
/// <remarks>
/// Normalisation: rows are sorted by (timestamp, snapshot before delta, file order) within each hour; the hour before
/// <c>from</c> is read to find a snapshot and the rebuilt book is emitted as one snapshot at <c>from</c>; level updates
/// are dropped until the first snapshot and after any gap until the next. Both tokens carry the same unified book, so
/// only one token's book rows are used per hour (YES when present, else NO mirrored: a NO bid at q is a YES ask at 1 − q);
/// the same trade reported on both tokens is kept once (same transaction hash, YES price and size). Every reported
/// best bid/ask is checked against the rebuilt book, and a disagreement or a crossed book emits a
/// <see cref="ReplayEventKind.Gap"/> — as does a missing hour and a value off the price or size grid.
/// </remarks>
public sealed class PmxtReader
{
    private readonly string _directory;

    /// <summary>Creates a reader over a directory holding <c>polymarket_orderbook_YYYY-MM-DDTHH.parquet</c> files (flat, or under <c>YYYY/MM/DD/</c>).</summary>
    public PmxtReader(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _directory = directory;
    }

    /// <summary>Figures of the last (or current) enumeration of <see cref="Read(PmxtMarket, DateTimeOffset, DateTimeOffset)"/>.</summary>
    public RecordingStats Stats { get; private set; } = new();

    /// <summary>Convenience: one market of a directory between two times (the YES token id is needed for v2 hours).</summary>
    public static IEnumerable<ReplayEvent> Read(string directory, string conditionId, DateTimeOffset from, DateTimeOffset to, string? yesTokenId = null) =>
        new PmxtReader(directory).Read(new PmxtMarket(conditionId, yesTokenId), from, to);

    /// <summary>The hour file of <paramref name="hour"/> in the directory, or null when absent.</summary>
    public string? FindHourFile(DateTimeOffset hour)
    {
        var name = PmxtFile.HourFileName(hour);
        var flat = Path.Combine(_directory, name);
        if (File.Exists(flat))
        {
            return flat;
        }

        var nested = Path.Combine(_directory, hour.UtcDateTime.ToString("yyyy/MM/dd", System.Globalization.CultureInfo.InvariantCulture), name);
        return File.Exists(nested) ? nested : null;
    }

    /// <summary>Hours present in the directory (by file name), ascending.</summary>
    public IReadOnlyList<DateTimeOffset> Hours()
    {
        if (!Directory.Exists(_directory))
        {
            return [];
        }

        return Directory.EnumerateFiles(_directory, "polymarket_orderbook_*.parquet", SearchOption.AllDirectories)
            .Select(f => PmxtFile.TryParseHourFileName(f, out var h) ? h : (DateTimeOffset?)null)
            .OfType<DateTimeOffset>()
            .Distinct()
            .Order()
            .ToList();
    }

    /// <summary>Every hour the directory holds, from its first to its last file (absent hours in between are gaps).</summary>
    public IEnumerable<ReplayEvent> Read(PmxtMarket market)
    {
        var hours = Hours();
        return hours.Count == 0 ? [] : Read(market, hours[0], hours[^1].AddHours(1));
    }

    /// <summary>Events of <paramref name="market"/> with source time in [<paramref name="from"/>, <paramref name="to"/>), in order.</summary>
    public IEnumerable<ReplayEvent> Read(PmxtMarket market, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentException.ThrowIfNullOrEmpty(market.ConditionId);
        if (to <= from)
        {
            throw new ArgumentException("the range is empty: 'to' must be after 'from'", nameof(to));
        }

        Stats = new RecordingStats();
        return new Normaliser(this, market, from, to, Stats).Run();
    }

    private static DateTimeOffset FloorHour(DateTimeOffset t)
    {
        var u = t.UtcDateTime;
        return new DateTimeOffset(u.Year, u.Month, u.Day, u.Hour, 0, 0, TimeSpan.Zero);
    }

    private static long ToNs(DateTimeOffset t) => (t.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;

    /// <summary>The per-read state machine: token view, shadow book, dedupe, gaps.</summary>
    private sealed class Normaliser(PmxtReader owner, PmxtMarket market, DateTimeOffset from, DateTimeOffset to, RecordingStats stats)
    {
        private readonly ShadowBook _book = new();
        private readonly long _fromNs = ToNs(from);
        private readonly long _toNs = ToNs(to);
        private readonly Dictionary<(string Tx, int Price, long Size), (Outcome Outcome, int Count)> _pendingTrades = [];
        private string? _yes = market.YesTokenId;
        private string? _no = market.NoTokenId;
        private long _seq;
        private long _lastNs = long.MinValue;
        private bool _started;
        private int _tick;

        public IEnumerable<ReplayEvent> Run()
        {
            var firstHour = FloorHour(from);
            var lastHour = FloorHour(to.AddTicks(-1));
            for (var hour = firstHour.AddHours(-1); hour <= lastHour; hour = hour.AddHours(1))
            {
                var warmUp = hour < firstHour;
                var path = owner.FindHourFile(hour);
                if (path is null)
                {
                    if (!warmUp)
                    {
                        stats.MissingHours.Add(hour);
                        foreach (var e in Gap(ToNs(hour), $"missing hour {PmxtFile.HourFileName(hour)}", ""))
                        {
                            yield return e;
                        }
                    }

                    continue;
                }

                var (rows, total, format) = PmxtFile.ReadMarketAsync(path, market.ConditionId).GetAwaiter().GetResult();
                stats.HoursRead++;
                stats.RowsInFiles += total;
                stats.RowsMatched += rows.Count;
                stats.Formats[hour] = format;
                LearnTokens(rows);

                // Snapshot before delta at equal timestamps; file order otherwise (List.Sort is unstable, so Order breaks ties).
                rows.Sort(static (a, b) =>
                {
                    var c = a.TsNs.CompareTo(b.TsNs);
                    if (c != 0)
                    {
                        return c;
                    }

                    c = (a.Kind == PmxtRowKind.Book ? 0 : 1).CompareTo(b.Kind == PmxtRowKind.Book ? 0 : 1);
                    return c != 0 ? c : a.Order.CompareTo(b.Order);
                });

                var bookOutcome = ChooseBookOutcome(rows);
                for (var i = 0; i < rows.Count; i++)
                {
                    var row = rows[i];
                    if (row.TsNs >= _toNs)
                    {
                        break;
                    }

                    foreach (var e in Process(rows, i, bookOutcome))
                    {
                        yield return e;
                    }
                }
            }

            foreach (var e in Start(_toNs))
            {
                yield return e;
            }

            stats.StaleSeconds = _book.StaleSeconds;
        }

        private void LearnTokens(List<PmxtRow> rows)
        {
            foreach (var row in rows)
            {
                if (row.Label == Outcome.Yes && _yes is null && row.TokenId.Length > 0)
                {
                    _yes = row.TokenId;
                }
                else if (row.Label == Outcome.No && _no is null && row.TokenId.Length > 0)
                {
                    _no = row.TokenId;
                }
            }
        }

        private Outcome OutcomeOf(PmxtRow row)
        {
            if (row.Label is { } label)
            {
                return label;
            }

            if (_yes is not null)
            {
                return row.TokenId == _yes ? Outcome.Yes : Outcome.No;
            }

            if (_no is not null)
            {
                return row.TokenId == _no ? Outcome.No : Outcome.Yes;
            }

            throw new InvalidDataException($"the rows of {market.ConditionId} do not say which token is YES (PMXT v2 carries only asset ids): pass the YES token id");
        }

        /// <summary>YES unless the hour has no YES-token book rows at all, in which case the NO token's book is mirrored.</summary>
        private Outcome ChooseBookOutcome(List<PmxtRow> rows)
        {
            var anyNo = false;
            foreach (var row in rows)
            {
                if (row.Kind is PmxtRowKind.Book or PmxtRowKind.PriceChange)
                {
                    if (OutcomeOf(row) == Outcome.Yes)
                    {
                        return Outcome.Yes;
                    }

                    anyNo = true;
                }
            }

            return anyNo ? Outcome.No : Outcome.Yes;
        }

        private IEnumerable<ReplayEvent> Process(List<PmxtRow> rows, int index, Outcome bookOutcome)
        {
            var row = rows[index];
            var outcome = OutcomeOf(row);
            var isBookRow = row.Kind is PmxtRowKind.Book or PmxtRowKind.PriceChange;
            if (isBookRow && outcome != bookOutcome)
            {
                stats.MirroredRowsDropped++;
                yield break;
            }

            if (row.Invalid is not null)
            {
                stats.RejectedRows++;
                if (isBookRow)
                {
                    // A refused level leaves the book wrong from here on: declare it, and wait for the next snapshot.
                    foreach (var e in Gap(row.TsNs, "refused row: " + row.Invalid, row.TokenId))
                    {
                        yield return e;
                    }
                }

                yield break;
            }

            var mirror = outcome == Outcome.No;
            switch (row.Kind)
            {
                case PmxtRowKind.Book:
                    {
                        var snapshot = new ReplayEvent
                        {
                            TsNs = row.TsNs,
                            ConditionId = market.ConditionId,
                            TokenId = row.TokenId,
                            Kind = ReplayEventKind.Snapshot,
                            Bids = mirror ? MirrorLevels(row.Asks) : row.Bids,
                            Asks = mirror ? MirrorLevels(row.Bids) : row.Asks,
                        };
                        foreach (var e in Emit(snapshot))
                        {
                            yield return e;
                        }

                        foreach (var e in CheckBook(row, mirror))
                        {
                            yield return e;
                        }

                        break;
                    }

                case PmxtRowKind.PriceChange:
                    {
                        if (_book.Freshness != BookFreshness.Fresh)
                        {
                            stats.SkippedLevels++;
                            yield break;
                        }

                        foreach (var e in Emit(InYesTerms(row, market, ReplayEventKind.Level, mirror)))
                        {
                            yield return e;
                        }

                        // Several changes of one message share a timestamp; the reported best prices hold after the last of them.
                        var next = index + 1 < rows.Count ? rows[index + 1] : null;
                        var lastOfBatch = next is null || next.TsNs != row.TsNs || next.Kind != PmxtRowKind.PriceChange || next.TokenId != row.TokenId;
                        if (lastOfBatch)
                        {
                            foreach (var e in CheckBook(row, mirror))
                            {
                                yield return e;
                            }
                        }

                        break;
                    }

                case PmxtRowKind.Trade:
                    {
                        var trade = InYesTerms(row, market, ReplayEventKind.Trade, mirror) with { TxHash = row.TxHash };
                        if (IsDuplicateTrade(row.TxHash ?? $"@{row.TsNs}", trade.Price, row.Size, outcome))
                        {
                            stats.DuplicateTrades++;
                            yield break;
                        }

                        foreach (var e in Emit(trade))
                        {
                            yield return e;
                        }

                        break;
                    }

                case PmxtRowKind.TickSize:
                    {
                        // Reported on both tokens: one change, kept once.
                        if (row.NewTick == _tick)
                        {
                            yield break;
                        }

                        _tick = row.NewTick;
                        var tick = new ReplayEvent
                        {
                            TsNs = row.TsNs,
                            ConditionId = market.ConditionId,
                            TokenId = row.TokenId,
                            Kind = ReplayEventKind.TickSize,
                            Price = row.NewTick,
                            Size = row.OldTick,
                        };
                        foreach (var e in Emit(tick))
                        {
                            yield return e;
                        }

                        break;
                    }
            }
        }

        private IEnumerable<ReplayEvent> CheckBook(PmxtRow row, bool mirror)
        {
            int? bid = row.BestBid;
            int? ask = row.BestAsk;
            if (mirror)
            {
                (bid, ask) = (row.BestAsk is { } a ? 10_000 - a : null, row.BestBid is { } b ? 10_000 - b : null);
            }

            // An empty side is reported as bid 0 / ask 1, which the book also uses.
            var reason = _book.Check(bid, ask);
            stats.Checks = _book.Counters.Checks;
            stats.Mismatches = _book.Counters.Mismatches;
            return reason is null ? [] : Gap(row.TsNs, reason, row.TokenId);
        }

        private bool IsDuplicateTrade(string tx, int price, long size, Outcome outcome)
        {
            var key = (tx, price, size);
            if (_pendingTrades.TryGetValue(key, out var pending) && pending.Outcome != outcome)
            {
                if (pending.Count == 1)
                {
                    _pendingTrades.Remove(key);
                }
                else
                {
                    _pendingTrades[key] = (pending.Outcome, pending.Count - 1);
                }

                return true;
            }

            if (_pendingTrades.Count > 100_000)
            {
                _pendingTrades.Clear();
            }

            _pendingTrades[key] = (outcome, pending.Outcome == outcome ? pending.Count + 1 : 1);
            return false;
        }

        private IEnumerable<ReplayEvent> Gap(long tsNs, string reason, string tokenId)
        {
            var gap = new ReplayEvent
            {
                TsNs = tsNs,
                ConditionId = market.ConditionId,
                TokenId = tokenId,
                Kind = ReplayEventKind.Gap,
                Reason = reason,
            };
            return Emit(gap);
        }

        /// <summary>Applies the event to the shadow book and yields it when it is inside the range (after the start snapshot).</summary>
        private IEnumerable<ReplayEvent> Emit(ReplayEvent e)
        {
            if (e.TsNs < _lastNs)
            {
                stats.LateRows++;
                e = e with { TsNs = _lastNs };
            }

            var inRange = e.TsNs >= _fromNs;
            if (inRange && !_started)
            {
                foreach (var s in Start(e.TsNs))
                {
                    yield return s;
                }
            }

            _book.Apply(e);
            if (!inRange)
            {
                yield break;
            }

            _lastNs = e.TsNs;
            yield return Count(e with { Seq = _seq++ });
        }

        /// <summary>At the first event of the range, hands over what the warm-up rebuilt: the book as one snapshot, or its staleness.</summary>
        private IEnumerable<ReplayEvent> Start(long firstNs)
        {
            if (_started)
            {
                yield break;
            }

            _started = true;
            _lastNs = Math.Max(_lastNs, _fromNs);
            if (_book.Freshness == BookFreshness.Fresh)
            {
                yield return Count(new ReplayEvent
                {
                    TsNs = _fromNs,
                    Seq = _seq++,
                    ConditionId = market.ConditionId,
                    TokenId = _yes ?? "",
                    Kind = ReplayEventKind.Snapshot,
                    Bids = _book.Bids(),
                    Asks = _book.Asks(),
                    Reason = "book rebuilt from the data before the range",
                });
            }
            else if (_book.Freshness == BookFreshness.Stale && firstNs >= _fromNs)
            {
                yield return Count(new ReplayEvent
                {
                    TsNs = _fromNs,
                    Seq = _seq++,
                    ConditionId = market.ConditionId,
                    Kind = ReplayEventKind.Gap,
                    Reason = _book.StaleReason ?? "stale before the range",
                });
            }
        }

        private ReplayEvent Count(ReplayEvent e)
        {
            stats.Events++;
            switch (e.Kind)
            {
                case ReplayEventKind.Snapshot:
                    stats.Snapshots++;
                    break;
                case ReplayEventKind.Level:
                    stats.Levels++;
                    break;
                case ReplayEventKind.Trade:
                    stats.Trades++;
                    break;
                case ReplayEventKind.TickSize:
                    stats.TickSizes++;
                    break;
                case ReplayEventKind.Gap:
                    stats.Gaps++;
                    break;
            }

            stats.StaleSeconds = _book.StaleSeconds;
            return e;
        }

        private static Side Flip(Side side) => side == Side.Buy ? Side.Sell : Side.Buy;

        // A NO-token level or print is the YES one at the complementary price on the other side.
        private static ReplayEvent InYesTerms(PmxtRow row, PmxtMarket market, ReplayEventKind kind, bool mirror) => new()
        {
            TsNs = row.TsNs,
            ConditionId = market.ConditionId,
            TokenId = row.TokenId,
            Kind = kind,
            Side = mirror ? Flip(row.Side) : row.Side,
            Price = mirror ? Units.PriceScale - row.Price : row.Price,
            Size = row.Size,
        };

        private static (int Price, long Size)[] MirrorLevels((int Price, long Size)[] levels)
        {
            var mirrored = new (int, long)[levels.Length];
            for (var i = 0; i < levels.Length; i++)
            {
                mirrored[i] = (10_000 - levels[i].Price, levels[i].Size);
            }

            return mirrored;
        }
    }
}
