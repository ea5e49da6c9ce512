using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Serialization;
using Polysim.ClobApi.Http;

namespace Polysim.ClobApi.Api;

/// <summary>Process counters for load measurements: <c>GET /v1/admin/diagnostics</c> (operator key).</summary>
/// <remarks>A load generator reads it before and after a measured window; the differences divided by the requests served
/// give allocated bytes and CPU per request, and the engine thread's CPU per order (an upper bound of the engine's own
/// cost: that thread also writes and fsyncs the journal and updates the projections).</remarks>
public static class DiagnosticsEndpoints
{
    /// <summary>Maps the route.</summary>
    public static void MapDiagnostics(this WebApplication app)
    {
        app.MapGroup("/v1/admin").AddEndpointFilter(AdminAccountsEndpoints.RequireAdmin).WithTags("Operator")
            .MapGet("/diagnostics", () => JsonReply.Json(Read(), DiagnosticsJson.Default.DiagnosticsReply))
            .Produces<DiagnosticsReply>()
            .WithSummary("Process counters (allocated bytes, GC, CPU, engine-thread CPU) for load measurements.");
        app.MapGroup("/v1/admin").AddEndpointFilter(AdminAccountsEndpoints.RequireAdmin).WithTags("Operator")
            .MapGet("/diagnostics/allocations", async (HttpContext http) =>
            {
                var seconds = int.TryParse(http.Request.Query["seconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? Math.Clamp(s, 1, 60) : 5;
                using var listener = new AllocationSampler();
                await Task.Delay(TimeSpan.FromSeconds(seconds), http.RequestAborted);
                return JsonReply.Json(listener.Top(40), DiagnosticsJson.Default.ListAllocationSample);
            })
            .Produces<List<AllocationSample>>()
            .WithSummary("Samples the runtime's allocation ticks (one per ~100 KB allocated) for a few seconds; the types allocated most.");
        app.MapGroup("/v1/admin").AddEndpointFilter(AdminAccountsEndpoints.RequireAdmin).WithTags("Operator")
            .MapGet("/diagnostics/gc", async (HttpContext http) =>
            {
                var seconds = int.TryParse(http.Request.Query["seconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? Math.Clamp(s, 1, 60) : 5;
                using var listener = new GcSampler();
                await Task.Delay(TimeSpan.FromSeconds(seconds), http.RequestAborted);
                return JsonReply.Json(listener.Collections(), DiagnosticsJson.Default.ListGcSample);
            })
            .Produces<List<GcSample>>()
            .WithSummary("Records every garbage collection for a few seconds: generation, pause, bytes promoted, generation sizes after it.");
    }

    /// <summary>Reads the counters now.</summary>
    public static DiagnosticsReply Read()
    {
        using var process = Process.GetCurrentProcess();
        return new DiagnosticsReply(
            GC.GetTotalAllocatedBytes(precise: false),
            GC.CollectionCount(0),
            GC.CollectionCount(1),
            GC.CollectionCount(2),
            (long)GC.GetTotalPauseDuration().TotalMilliseconds,
            (long)process.TotalProcessorTime.TotalMilliseconds,
            ThreadCpuMs("polysim-engine"),
            System.Runtime.GCSettings.IsServerGC,
            Environment.ProcessorCount);
    }

    /// <summary>CPU time (user + system, ms) of the thread named <paramref name="name"/>, from /proc on Linux; -1 elsewhere.</summary>
    private static long ThreadCpuMs(string name)
    {
        const string tasks = "/proc/self/task";
        if (!Directory.Exists(tasks))
        {
            return -1;
        }

        foreach (var dir in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() != name)
                {
                    continue;
                }

                // Fields after the parenthesised command: state is field 3, utime 14 and stime 15 (clock ticks, 100 per s).
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                return ticks * 10;
            }
            catch (IOException)
            {
                // The thread ended while being read.
            }
        }

        return -1;
    }
}

/// <summary>Reply of <c>GET /v1/admin/diagnostics</c>.</summary>
/// <param name="AllocatedBytes">Bytes allocated by the process since it started (<c>GC.GetTotalAllocatedBytes</c>).</param>
/// <param name="Gen0Collections">Generation-0 collections so far.</param>
/// <param name="Gen1Collections">Generation-1 collections so far.</param>
/// <param name="Gen2Collections">Generation-2 collections so far.</param>
/// <param name="GcPauseMs">Total time the GC paused the process, ms.</param>
/// <param name="CpuMs">Process CPU time (user + system), ms.</param>
/// <param name="EngineThreadCpuMs">CPU time of the engine thread, ms (10 ms resolution; -1 when unavailable).</param>
/// <param name="ServerGc">Whether server GC is on.</param>
/// <param name="Processors">Logical processors visible to the process.</param>
public sealed record DiagnosticsReply(
    long AllocatedBytes, int Gen0Collections, int Gen1Collections, int Gen2Collections, long GcPauseMs, long CpuMs, long EngineThreadCpuMs, bool ServerGc, int Processors);

/// <summary>One allocated type in an allocation sample.</summary>
/// <param name="Type">The type's name.</param>
/// <param name="Ticks">Allocation ticks attributed to it (each marks about 100 KB allocated since the previous tick).</param>
/// <param name="Share">Its share of all ticks.</param>
public sealed record AllocationSample(string Type, long Ticks, double Share);

/// <summary>Counts the runtime's GCAllocationTick events by type while it lives.</summary>
internal sealed class AllocationSampler : System.Diagnostics.Tracing.EventListener
{
    private readonly Dictionary<string, long> _ticks = [];

    public List<AllocationSample> Top(int count)
    {
        lock (_ticks)
        {
            var total = Math.Max(1, _ticks.Values.Sum());
            return [.. _ticks.OrderByDescending(p => p.Value).Take(count).Select(p => new AllocationSample(p.Key, p.Value, Math.Round((double)p.Value / total, 4)))];
        }
    }

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            // Keyword 0x1 = GC; the allocation tick is a verbose-level event.
            EnableEvents(eventSource, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs eventData)
    {
        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.PayloadNames is null)
        {
            return;
        }

        var index = eventData.PayloadNames.IndexOf("TypeName");
        var type = index >= 0 ? eventData.Payload?[index] as string ?? "?" : "?";
        var kind = eventData.PayloadNames.IndexOf("AllocationKind");
        if (kind >= 0 && Convert.ToInt32(eventData.Payload?[kind], CultureInfo.InvariantCulture) == 1)
        {
            // Large-object allocations are listed apart: they are collected only with gen 2.
            type += " (large object heap)";
        }

        lock (_ticks)
        {
            _ticks[type] = _ticks.GetValueOrDefault(type) + 1;
        }
    }
}

/// <summary>One garbage collection seen by <c>GET /v1/admin/diagnostics/gc</c>.</summary>
/// <param name="Generation">Oldest generation collected.</param>
/// <param name="Reason">The runtime's reason code (0 = small-object allocation budget, 1 = induced, 4 = large-object budget).</param>
/// <param name="Background">Whether it was a background (concurrent) gen-2 collection.</param>
/// <param name="PauseUs">Execution-engine suspension to restart around it, µs (0 when the suspension was not seen).</param>
/// <param name="PromotedBytes">Bytes that survived it, by generation collected (gen 0, gen 1, gen 2, large objects).</param>
/// <param name="GenerationBytes">Generation sizes after it (gen 0, gen 1, gen 2, large objects, pinned objects).</param>
/// <param name="SuspendUs">Of the pause, the time it took to stop the managed threads, µs.</param>
/// <param name="WorkUs">GC start to end, µs (for a background collection, its whole concurrent run).</param>
/// <param name="StartedAt">When it started (UTC), to line it up with a load run's timeline.</param>
public sealed record GcSample(DateTime StartedAt, int Generation, int Reason, bool Background, long PauseUs, long[] PromotedBytes, long[] GenerationBytes, long SuspendUs = 0, long WorkUs = 0);

/// <summary>Records the runtime's GC events (start, heap statistics, suspension and restart) while it lives.</summary>
internal sealed class GcSampler : System.Diagnostics.Tracing.EventListener
{
    private readonly List<GcSample> _done = [];
    private (int Generation, int Reason, bool Background)? _current;
    private DateTime _suspended;
    private DateTime _stopped;
    private DateTime _started;
    private long _workUs;
    private bool _recordedSinceSuspend;

    public List<GcSample> Collections()
    {
        lock (_done)
        {
            return [.. _done];
        }
    }

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, System.Diagnostics.Tracing.EventLevel.Informational, (System.Diagnostics.Tracing.EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        lock (_done)
        {
            switch (e.EventName)
            {
                case { } n when n.StartsWith("GCSuspendEEBegin", StringComparison.Ordinal):
                    _suspended = e.TimeStamp;
                    break;
                case { } n when n.StartsWith("GCRestartEEEnd", StringComparison.Ordinal):
                    // The heap statistics come before the restart: the pause belongs to the collection just recorded.
                    if (_suspended != default && _recordedSinceSuspend && _done.Count > 0)
                    {
                        _done[^1] = _done[^1] with
                        {
                            PauseUs = (long)(e.TimeStamp - _suspended).TotalMicroseconds,
                            SuspendUs = _stopped > _suspended ? (long)(_stopped - _suspended).TotalMicroseconds : 0,
                        };
                    }

                    _suspended = default;
                    _recordedSinceSuspend = false;
                    break;
                case { } n when n.StartsWith("GCSuspendEEEnd", StringComparison.Ordinal):
                    _stopped = e.TimeStamp;
                    break;
                case { } n when n.StartsWith("GCEnd", StringComparison.Ordinal):
                    _workUs = (long)(e.TimeStamp - _started).TotalMicroseconds;
                    break;
                case { } n when n.StartsWith("GCStart", StringComparison.Ordinal):
                    _started = e.TimeStamp;
                    _current = (Convert.ToInt32(Field(e, "Depth"), CultureInfo.InvariantCulture), Convert.ToInt32(Field(e, "Reason"), CultureInfo.InvariantCulture),
                        Convert.ToInt32(Field(e, "Type"), CultureInfo.InvariantCulture) == 1);
                    break;
                case { } n when n.StartsWith("GCHeapStats", StringComparison.Ordinal) && _current is { } c:
                    _done.Add(new GcSample(_started.ToUniversalTime(), c.Generation, c.Reason, c.Background, 0,
                        [Long(e, "TotalPromotedSize0"), Long(e, "TotalPromotedSize1"), Long(e, "TotalPromotedSize2"), Long(e, "TotalPromotedSize3")],
                        [Long(e, "GenerationSize0"), Long(e, "GenerationSize1"), Long(e, "GenerationSize2"), Long(e, "GenerationSize3"), Long(e, "GenerationSize4")], 0, _workUs));
                    _current = null;
                    _recordedSinceSuspend = _suspended != default;
                    break;
                default:
                    break;
            }
        }
    }

    private static object? Field(System.Diagnostics.Tracing.EventWrittenEventArgs e, string name) =>
        e.PayloadNames is { } names && names.IndexOf(name) is var i and >= 0 ? e.Payload?[i] : null;

    private static long Long(System.Diagnostics.Tracing.EventWrittenEventArgs e, string name) =>
        Field(e, name) is { } v ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : 0;
}

/// <summary>Source-generated JSON of the diagnostics reply.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(DiagnosticsReply))]
[JsonSerializable(typeof(List<AllocationSample>))]
[JsonSerializable(typeof(List<GcSample>))]
internal sealed partial class DiagnosticsJson : JsonSerializerContext;
