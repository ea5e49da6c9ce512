using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
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

    /// <summary>Wall-clock time (UTC) of the phase's first planned send, to line the timeline up with server-side logs.</summary>
    public DateTime StartedAt { get; set; }

    public TimeSpan GeneratorCpu { get; set; }

    /// <summary>The generator's own collections during the phase, gen 0/1/2: each pause delays sends and counts as latency.</summary>
    public int[] GeneratorGcs { get; set; } = [0, 0, 0];

    /// <summary>Time the generator's own GC paused it during the phase.</summary>
    public TimeSpan GeneratorGcPause { get; set; }

    public long ErrorCount => Errors.Values.Sum();

    /// <summary>Pairs of (planned send time from the phase start, latency), µs, in completion order.</summary>
    public long[] Timeline { get; set; } = [];

    /// <summary>The p99 latency (µs) of the requests planned in each second of the phase: shows whether the tail is spread
    /// over the run or comes from a few disturbed seconds (the warm-up's backlog spilling into the first, say).</summary>
    public long[] P99PerSecond()
    {
        var seconds = new List<List<long>>();
        for (var i = 0; i + 1 < Timeline.Length; i += 2)
        {
            var second = (int)(Timeline[i] / 1_000_000);
            while (seconds.Count <= second)
            {
                seconds.Add([]);
            }

            seconds[second].Add(Timeline[i + 1]);
        }

        return [.. seconds.Select(s =>
        {
            s.Sort();
            return s.Count == 0 ? 0 : s[Math.Min(s.Count - 1, (int)(s.Count * 0.99))];
        })];
    }

    /// <summary>How many requests took longer than <paramref name="micros"/>: set against 1 % of the phase, it says by how
    /// much a p99 line was met or missed, which the p99 alone does not.</summary>
    public long CountOver(long micros)
    {
        long over = 0;
        for (var i = 1; i < Timeline.Length; i += 2)
        {
            over += Timeline[i] > micros ? 1 : 0;
        }

        return over;
    }

    /// <summary>Writes the timeline as CSV (planned_us,latency_us), one line per request.</summary>
    public void WriteTimeline(string path)
    {
        using var w = new StreamWriter(path);
        w.WriteLine("planned_us,latency_us");
        for (var i = 0; i + 1 < Timeline.Length; i += 2)
        {
            w.Write(Timeline[i]);
            w.Write(',');
            w.WriteLine(Timeline[i + 1]);
        }
    }
}

/// <summary>Fixed-arrival-rate driver: request i is planned at start + i / rate and sent then, whatever the earlier ones are
/// doing; its latency is measured from the planned time, so a stalled server is charged for every request it delayed
/// (no coordinated omission).</summary>
/// <remarks>
/// One thread does everything: it sends each request at its planned time on an idle keep-alive connection and, between
/// sends, waits in epoll for answers until the next planned time. A request planned while every connection is busy waits
/// in a FIFO queue for the next connection to come free (its latency still counts from its planned time, as it did in
/// SocketsHttpHandler's queue). The generator shares the 2 cores with the server it measures, so it must cost as little
/// as possible per request: no thread switch, lock, task or allocation per request.
/// </remarks>
internal static class OpenLoop
{
    /// <summary>What HttpClient called a request that got no answer (so reports compare with earlier runs).</summary>
    private const string TransportFailure = "HttpRequestException";

    /// <summary>What HttpClient called a request unanswered after its 30 s timeout.</summary>
    private const string TimedOut = "TaskCanceledException";

    public static PhaseResult Run(string name, double rate, TimeSpan duration, int kinds, LeanHttpClient client, Func<long, Request> plan, Classifier classify)
    {
        PhaseResult? result = null;
        Exception? failure = null;
        var loop = new Thread(() =>
        {
            try
            {
                result = Drive(name, rate, duration, kinds, client, plan, classify);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        })
        { Name = "loadgen-loop", IsBackground = true, Priority = ThreadPriority.Highest };
        loop.Start();
        loop.Join();
        return failure is null ? result! : throw new InvalidOperationException("load loop failed", failure);
    }

    private static PhaseResult Drive(string name, double rate, TimeSpan duration, int kinds, LeanHttpClient client, Func<long, Request> plan, Classifier classify)
    {
        var result = new PhaseResult(name, kinds);
        var total = (long)(rate * duration.TotalSeconds);
        var ticksPerRequest = Stopwatch.Frequency / rate;
        var lateTicks = Stopwatch.Frequency / 1000;
        var timeoutTicks = Stopwatch.Frequency * 30;
        var giveUpTicks = Stopwatch.Frequency * 60;
        var checkTicks = Stopwatch.Frequency / 10;
        var queue = new Queue<(long Planned, Request Request)>(4_096);
        var ready = new int[256];
        var timeline = new long[total * 2];
        var timelineAt = 0;

        // Everything the phase needs is allocated above; a collection now, not one owed from set-up or the last phase,
        // keeps the generator's own pauses (which delay sends, and a late send counts as latency) out of the phase.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var outstanding = 0L;
        var next = 0L;
        var late = 0L;
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        int[] gcs0 = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        var pause0 = GC.GetTotalPauseDuration();
        var start = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 100);
        result.StartedAt = DateTime.UtcNow.AddMilliseconds(10);
        var lastEnd = start;
        var nextCheck = start + checkTicks;

        void Finish(long planned, Result r, long end = 0)
        {
            end = end == 0 ? Stopwatch.GetTimestamp() : end;
            var micros = Math.Max(0, (end - planned) * 1_000_000 / Stopwatch.Frequency);
            result.Latency.RecordValue(Math.Min(micros, result.Latency.HighestTrackableValue));
            if (timelineAt < timeline.Length)
            {
                timeline[timelineAt++] = (planned - start) * 1_000_000 / Stopwatch.Frequency;
                timeline[timelineAt++] = micros;
            }
            result.Completed++;
            outstanding--;
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

        bool TryRent(out HttpConnection connection)
        {
            try
            {
                return client.TryRent(out connection);
            }
            catch (SocketException)
            {
                // The server does not accept connections: fail the waiting requests rather than wait for it.
                while (queue.TryDequeue(out var waiting))
                {
                    Finish(waiting.Planned, new Result(waiting.Request.Kind, false, TransportFailure, false));
                }

                connection = null!;
                return false;
            }
        }

        void Dispatch(HttpConnection connection, long planned, Request request)
        {
            connection.InFlight = request;
            connection.Planned = planned;
            connection.Busy = true;
            if (!connection.Send(request.Wire(connection.Scratch)))
            {
                Finish(planned, new Result(request.Kind, false, TransportFailure, false));
                client.Close(connection);
            }
        }

        // Gives a connection that came free to the oldest waiting request, or back to the pool.
        void Release(HttpConnection connection)
        {
            if (queue.TryDequeue(out var waiting))
            {
                Dispatch(connection, waiting.Planned, waiting.Request);
            }
            else
            {
                client.Return(connection);
            }
        }

        void Read(HttpConnection connection)
        {
            ReadState state;
            try
            {
                state = connection.Receive();
                if (state == ReadState.Complete && connection.Busy)
                {
                    var r = classify(connection.InFlight, connection.Status, connection.Code, connection.Body);
                    Finish(connection.Planned, r, connection.Arrived);
                    connection.Consumed();
                    if (connection.CloseAfter)
                    {
                        client.Close(connection);
                    }
                    else
                    {
                        Release(connection);
                    }

                    return;
                }
            }
            catch (InvalidDataException ex)
            {
                if (connection.Busy)
                {
                    Finish(connection.Planned, new Result(connection.InFlight.Kind, false, ex.GetType().Name, false));
                }

                client.Close(connection);
                return;
            }

            if (state == ReadState.Pending)
            {
                // Part of an answer, or a stale event of a closed connection whose slot a new one took.
                return;
            }

            // Closed, or bytes on a connection with nothing asked: either way it is of no further use.
            if (connection.Busy)
            {
                Finish(connection.Planned, new Result(connection.InFlight.Kind, false, TransportFailure, false));
            }

            client.Close(connection);
        }

        void ExpireOldRequests(long now)
        {
            while (queue.TryPeek(out var waiting) && now - waiting.Planned > timeoutTicks)
            {
                queue.Dequeue();
                Finish(waiting.Planned, new Result(waiting.Request.Kind, false, TimedOut, false));
            }

            for (var i = 0; i < client.Connections.Count; i++)
            {
                if (client.Connections[i] is { Busy: true } connection && now - connection.Planned > timeoutTicks)
                {
                    Finish(connection.Planned, new Result(connection.InFlight.Kind, false, TimedOut, false));
                    client.Close(connection);
                }
            }
        }

        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            while (next < total)
            {
                var planned = start + (long)(next * ticksPerRequest);
                if (planned > now)
                {
                    break;
                }

                if (now - planned > lateTicks)
                {
                    late++;
                }

                var request = plan(next);
                next++;
                outstanding++;
                if (queue.Count == 0 && TryRent(out var connection))
                {
                    Dispatch(connection, planned, request);
                }
                else
                {
                    queue.Enqueue((planned, request));
                }
            }

            if (next == total && outstanding == 0)
            {
                break;
            }

            if (now >= nextCheck)
            {
                ExpireOldRequests(now);
                nextCheck = now + checkTicks;
                if (queue.Count > 0 && TryRent(out var connection))
                {
                    // Connections closed by failures are replaced here when requests wait for one.
                    Release(connection);
                }
            }

            if (next == total && now - start - (long)(total * ticksPerRequest) > giveUpTicks)
            {
                result.Errors.AddOrUpdate("unanswered after 60 s", outstanding, (_, n) => n + outstanding);
                break;
            }

            // Sleep until the next planned send rather than spin: the generator shares the 2 cores with the server. A wake-up
            // that overshoots only makes the request late, and lateness is in its latency. Answers are read when the loop
            // wakes to send (their latency ends at the kernel's receive stamp, not at the read), so a request costs one
            // wake-up, not two; but while requests wait for a connection, or none are left to send, an answer wakes it.
            var waitTicks = next < total ? start + (long)(next * ticksPerRequest) - now : checkTicks;
            waitTicks = Math.Clamp(waitTicks, 0, checkTicks);
            int n;
            if (queue.Count > 0 || next == total)
            {
                n = client.Wait(waitTicks * 1_000_000_000 / Stopwatch.Frequency, ready);
            }
            else
            {
                if (waitTicks > 0)
                {
                    Native.Sleep(waitTicks * 1_000_000_000 / Stopwatch.Frequency);
                }

                n = client.Wait(0, ready);
            }

            for (var i = 0; i < n; i++)
            {
                if (client.Find(ready[i]) is { } connection)
                {
                    Read(connection);
                }
            }
        }

        result.Planned = total;
        result.LateSends = late;
        result.Elapsed = TimeSpan.FromSeconds((double)(lastEnd - start) / Stopwatch.Frequency);
        result.GeneratorCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        result.GeneratorGcs = [GC.CollectionCount(0) - gcs0[0], GC.CollectionCount(1) - gcs0[1], GC.CollectionCount(2) - gcs0[2]];
        result.GeneratorGcPause = GC.GetTotalPauseDuration() - pause0;
        result.Timeline = timeline[..timelineAt];
        return result;
    }
}
