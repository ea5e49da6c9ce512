using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;

namespace Polysim.LoadGenerator;

/// <summary>What one request came to.</summary>
/// <param name="Kind">Which kind of request it was (an index into the workload's kinds).</param>
/// <param name="Ok">2xx.</param>
/// <param name="Outcome">For a non-2xx answer or a failure: "status CODE" or the exception type.</param>
/// <param name="Expected">A non-2xx answer the workload expects now and then (a cancel that lost the race to a fill).</param>
internal readonly record struct Result(int Kind, bool Ok, string? Outcome, bool Expected);

/// <summary>The figures of one phase.</summary>
internal sealed class PhaseResult(string name, int kinds)
{
    public string Name { get; } = name;

    /// <summary>Latency from each request's planned send time to its completion, µs.</summary>
    public LongHistogram Latency { get; } = new(60_000_000, 3);

    public long[] Ok { get; } = new long[kinds];

    public long Expected { get; set; }

    public ConcurrentDictionary<string, long> ExpectedByOutcome { get; } = new();

    public ConcurrentDictionary<string, long> Errors { get; } = new();

    public long Planned { get; set; }

    public long Completed { get; set; }

    /// <summary>Requests sent more than 1 ms after their planned time (the generator itself fell behind).</summary>
    public long LateSends { get; set; }

    public TimeSpan Elapsed { get; set; }

    public TimeSpan GeneratorCpu { get; set; }

    public long ErrorCount => Errors.Values.Sum();
}

/// <summary>Fixed-arrival-rate driver: request i is planned at start + i / rate and sent then, whatever the earlier ones are
/// doing; its latency is measured from the planned time, so a stalled server is charged for every request it delayed
/// (no coordinated omission).</summary>
internal static class OpenLoop
{
    public static PhaseResult Run(string name, double rate, TimeSpan duration, int kinds, Func<long, Task<Result>> send)
    {
        var result = new PhaseResult(name, kinds);
        var total = (long)(rate * duration.TotalSeconds);
        var ticksPerRequest = Stopwatch.Frequency / rate;
        var lateTicks = Stopwatch.Frequency / 1000;
        var outstanding = 0L;
        var done = new ManualResetEventSlim(false);
        var scheduling = 1L;
        var gate = new object();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var start = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 100);
        long lastEnd = start;
        var late = 0L;

        void Finish(long planned, Result r)
        {
            var end = Stopwatch.GetTimestamp();
            var micros = Math.Max(0, (end - planned) * 1_000_000 / Stopwatch.Frequency);
            lock (gate)
            {
                result.Latency.RecordValue(Math.Min(micros, result.Latency.HighestTrackableValue));
                result.Completed++;
                lastEnd = Math.Max(lastEnd, end);
                if (r.Ok)
                {
                    result.Ok[r.Kind]++;
                }
                else if (r.Expected)
                {
                    result.Expected++;
                    result.ExpectedByOutcome.AddOrUpdate(r.Outcome ?? "?", 1, (_, n) => n + 1);
                }
                else
                {
                    result.Errors.AddOrUpdate(r.Outcome ?? "?", 1, (_, n) => n + 1);
                }
            }

            if (Interlocked.Decrement(ref outstanding) == 0 && Interlocked.Read(ref scheduling) == 0)
            {
                done.Set();
            }
        }

        async Task Track(long planned, long i)
        {
            Result r;
            try
            {
                r = await send(i).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                r = new Result(0, false, ex.GetType().Name, false);
            }

            Finish(planned, r);
        }

        var scheduler = new Thread(() =>
        {
            for (long i = 0; i < total; i++)
            {
                var planned = start + (long)(i * ticksPerRequest);
                while (true)
                {
                    var wait = planned - Stopwatch.GetTimestamp();
                    if (wait <= 0)
                    {
                        break;
                    }

                    // Sleep rather than spin: the generator shares the 2 cores with the server it measures. A sleep that
                    // overshoots only makes the request late, and lateness is charged to its latency.
                    var micros = wait * 1_000_000 / Stopwatch.Frequency;
                    if (micros > 2_000)
                    {
                        Thread.Sleep(1);
                    }
                    else if (micros > 20 && OperatingSystem.IsLinux())
                    {
                        NativeSleep.Micros((uint)Math.Min(micros, 500));
                    }
                    else
                    {
                        Thread.Yield();
                    }
                }

                if (Stopwatch.GetTimestamp() - planned > lateTicks)
                {
                    late++;
                }

                Interlocked.Increment(ref outstanding);
                _ = Track(planned, i);
            }

            Interlocked.Exchange(ref scheduling, 0);
            if (Interlocked.Read(ref outstanding) == 0)
            {
                done.Set();
            }
        })
        { Name = "loadgen-scheduler", IsBackground = true, Priority = ThreadPriority.Highest };
        scheduler.Start();
        scheduler.Join();
        if (!done.Wait(TimeSpan.FromSeconds(60)))
        {
            result.Errors.AddOrUpdate("unanswered after 60 s", Interlocked.Read(ref outstanding), (_, n) => n + Interlocked.Read(ref outstanding));
        }

        lock (gate)
        {
            result.Planned = total;
            result.LateSends = late;
            result.Elapsed = TimeSpan.FromSeconds((double)(lastEnd - start) / Stopwatch.Frequency);
        }

        result.GeneratorCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        return result;
    }
}

/// <summary>Sub-millisecond sleeps (Thread.Sleep has millisecond resolution).</summary>
internal static partial class NativeSleep
{
    public static void Micros(uint micros) => _ = usleep(micros);

    [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = false)]
    private static partial int usleep(uint usec);
}
