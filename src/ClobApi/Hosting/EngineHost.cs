using System.Threading.Channels;
using Polysim.ClobApi.Journal;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Hosting;

/// <summary>Settings of the engine thread.</summary>
public sealed record EngineHostOptions
{
    /// <summary>Operations that may wait for the engine thread before callers are turned away with 503.</summary>
    public int QueueCapacity { get; init; } = 8_192;

    /// <summary>Most operations applied before one group commit of the journal.</summary>
    public int MaxBatch { get; init; } = 512;

    /// <summary>How often the host checks whether GTD orders are due to expire.</summary>
    public TimeSpan ExpiryCheckInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Under concurrent load, a journal commit starts at most this long after the previous one started; work
    /// arriving meanwhile joins it.</summary>
    /// <remarks>Setting <c>Polysim:Engine:GroupCommitWindowMicroseconds</c>; 0 commits as soon as a batch is applied. Under
    /// load it trades up to one window of latency for far fewer syncs: each sync costs a few thread switches and device
    /// round trips, and on a machine whose cores are busy the sync's completion waits to be scheduled (see
    /// docs/PERFORMANCE.md). It applies only after a commit that carried more than one write: a lone client sending one
    /// request after another is never held, and neither is a request after a quiet spell.</remarks>
    public TimeSpan GroupCommitWindow { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>The setting that overrides <see cref="GroupCommitWindow"/>.</summary>
    public const string GroupCommitWindowKey = "Polysim:Engine:GroupCommitWindowMicroseconds";
}

/// <summary>The engine's own thread: the single writer of all state, fed by a bounded queue, durable before it answers.</summary>
/// <remarks>
/// Callers enqueue operations; the thread drains up to <see cref="EngineHostOptions.MaxBatch"/> of them, applies each
/// (stamping engine commands with the next sequence number and the host clock), appends every state change to the
/// journal, commits the journal once for the whole batch (group commit) and only then completes the callers.
/// Request threads never touch engine state. If the journal cannot be written the host stops taking work (fail-stop):
/// what is in memory but not durable is never acknowledged.
/// </remarks>
public sealed class EngineHost : IDisposable
{
    private readonly Channel<Operation> _queue;
    private readonly IJournal _journal;
    private readonly TimeProvider _time;
    private readonly EngineHostOptions _options;
    private readonly HostState _state;
    private readonly ILogger<EngineHost> _log;
    private readonly byte[] _commandBuffer = new byte[CommandCodec.Size];
    private System.Buffers.ArrayBufferWriter<byte> _recordBuffer = new(256);
    private readonly List<Operation> _batch = [];
    private readonly ManualResetEventSlim _wake = new(initialState: false, spinCount: 0);
    private int _idle;
    private Thread? _thread;
    private ITimer? _expiryTimer;
    private long _lastTimestamp;
    private long _lastCommitStart;
    private int _lastCommitWrites;
    private volatile bool _ready;
    private volatile Exception? _fault;
    private volatile bool _recovering;
    private volatile Feeds.IEngineFeed? _feed;

    /// <summary>Creates the host; <see cref="Start"/> replays the journal and starts the thread.</summary>
    public EngineHost(HostState state, IJournal journal, TimeProvider time, EngineHostOptions options, ILogger<EngineHost> log)
    {
        _state = state;
        _journal = journal;
        _time = time;
        _options = options;
        _log = log;
        _queue = Channel.CreateBounded<Operation>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>True once the journal is replayed and the thread accepts work.</summary>
    public bool IsReady => _ready && _fault is null && !_recovering;

    /// <summary>The state hash computed after replay, before any new command.</summary>
    public ulong ReplayedStateHash { get; private set; }

    /// <summary>Records replayed at start.</summary>
    public long ReplayedRecords { get; private set; }

    /// <summary>The live-feed observer of committed work (set once at start-up; null when nothing listens).</summary>
    public Feeds.IEngineFeed? Feed { get => _feed; set => _feed = value; }

    /// <summary>Replays the journal into the state (checking checkpoints) and starts the engine thread.</summary>
    public void Start()
    {
        ReplayJournal(_state);
        _thread = new Thread(Run) { Name = "polysim-engine", IsBackground = true };
        _thread.Start();
        _expiryTimer = _time.CreateTimer(_ => PostExpiryCheck(), null, _options.ExpiryCheckInterval, _options.ExpiryCheckInterval);
        _ready = true;
    }

    private void ReplayJournal(HostState state)
    {
        long records = 0;
        _journal.Replay((type, payload) =>
        {
            records++;
            switch (type)
            {
                case JournalRecordType.EngineCommand:
                    if (!CommandCodec.TryDecode(payload, out var command))
                    {
                        throw new InvalidDataException($"Journal record {records} is not an engine command.");
                    }

                    state.Apply(command);
                    _lastTimestamp = Math.Max(_lastTimestamp, command.Timestamp);
                    break;
                case JournalRecordType.HostRecord:
                    state.ApplyRecord(HostRecord.Deserialize(payload));
                    break;
                case JournalRecordType.Checkpoint:
                    var expected = BitConverter.ToUInt64(payload[8..]);
                    var actual = state.Engine.ComputeStateHash();
                    if (expected != actual)
                    {
                        throw new InvalidDataException(
                            $"Replay diverged at checkpoint (record {records}): state hash {actual:x16}, journal says {expected:x16}.");
                    }

                    break;
                default:
                    throw new InvalidDataException($"Journal record {records} has unknown type {(byte)type}.");
            }
        });
        ReplayedRecords = records;
        ReplayedStateHash = state.Engine.ComputeStateHash();
    }

    /// <summary>Runs a state-changing operation on the engine thread; completes once its effects are durable.</summary>
    /// <exception cref="EngineUnavailableException">The queue is full or the host has stopped.</exception>
    public Task<T> WriteAsync<T>(Func<WriteContext, T> operation)
    {
        var op = new Operation<T>(ctx => operation(ctx!), write: true);
        Enqueue(op);
        return op.Task;
    }

    /// <summary>Runs a read-only query on the engine thread, in order with the writes around it.</summary>
    /// <exception cref="EngineUnavailableException">The queue is full or the host has stopped.</exception>
    public Task<T> ReadAsync<T>(Func<HostState, T> query)
    {
        var op = new Operation<T>(ctx => query(_state), write: false);
        Enqueue(op);
        return op.Task;
    }

    private void Enqueue(Operation op)
    {
        if (_fault is not null || !_ready || _recovering)
        {
            throw new EngineUnavailableException("The engine is not accepting work.");
        }

        if (!_queue.Writer.TryWrite(op))
        {
            throw new EngineUnavailableException("The engine queue is full; retry shortly.");
        }

        WakeIfIdle();
    }

    /// <summary>After a write to the queue or its completion: the engine thread, if asleep on an empty queue, wakes.</summary>
    private void WakeIfIdle()
    {
        // Interlocked on both sides: either the engine thread sees the new item when it re-checks after announcing it sleeps,
        // or this sees the announcement and sets the event (no lost wake-up). Costs one event set per idle period, not per item.
        if (Volatile.Read(ref _idle) != 0 && Interlocked.Exchange(ref _idle, 0) != 0)
        {
            _wake.Set();
        }
    }

    /// <summary>Blocks the engine thread until the queue holds an operation (true) or is completed and drained (false).</summary>
    /// <remarks>Replaces <c>WaitToReadAsync().AsTask().GetAwaiter().GetResult()</c>, which allocated a task per idle period and
    /// spun with sched_yield before blocking; a yield is a thread switch, which is expensive on the VMs this runs on.</remarks>
    private bool WaitForWork(ChannelReader<Operation> reader)
    {
        while (true)
        {
            if (reader.TryPeek(out _))
            {
                return true;
            }

            if (reader.Completion.IsCompleted)
            {
                return false;
            }

            _wake.Reset();
            Interlocked.Exchange(ref _idle, 1);
            if (reader.TryPeek(out _) || reader.Completion.IsCompleted)
            {
                Interlocked.Exchange(ref _idle, 0);
                continue;
            }

            _wake.Wait();
        }
    }

    private void PostExpiryCheck()
    {
        if (!IsReady)
        {
            return;
        }

        var op = new Operation<bool>(ctx => ctx!.ExpireDueOrders(), write: true);
        if (_queue.Writer.TryWrite(op))
        {
            WakeIfIdle();
        }
    }

    private void Run()
    {
        var reader = _queue.Reader;
        var context = new WriteContext(this);
        while (true)
        {
            if (!WaitForWork(reader))
            {
                break;
            }

            _batch.Clear();
            while (_batch.Count < _options.MaxBatch && reader.TryRead(out var op))
            {
                _batch.Add(op);
            }

            var writes = 0;
            foreach (var op in _batch)
            {
                op.Execute(op.IsWrite ? context : null);
                writes += op.IsWrite ? 1 : 0;
            }

            if (writes > 0)
            {
                writes += JoinWindow(reader, context);
                _lastCommitStart = System.Diagnostics.Stopwatch.GetTimestamp();
                _lastCommitWrites = writes;
                try
                {
                    _journal.Commit();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    if (_journal is IRecoverableJournal && Recover(ex))
                    {
                        continue;
                    }

                    _fault = ex;
                    _log.LogCritical(ex, "Journal commit failed; the engine stops taking work and nothing in this batch is acknowledged.");
                    foreach (var op in _batch)
                    {
                        op.Fail(new EngineUnavailableException("The journal could not be written."));
                    }

                    break;
                }
            }

            // Only after the commit: the feed publishes durable work, in engine order, before callers hear back.
            _feed?.BatchCommitted();
            foreach (var op in _batch)
            {
                op.Complete();
            }
        }

        // Anything still queued after a stop is refused rather than left hanging.
        while (reader.TryRead(out var rest))
        {
            rest.Fail(new EngineUnavailableException("The engine has stopped."));
        }
    }

    /// <summary>Waits out the rest of the group-commit window, then applies what arrived meanwhile into the same batch.</summary>
    /// <returns>How many of the operations it added were writes.</returns>
    private int JoinWindow(ChannelReader<Operation> reader, WriteContext context)
    {
        var left = _options.GroupCommitWindow - System.Diagnostics.Stopwatch.GetElapsedTime(_lastCommitStart);
        if (left <= TimeSpan.Zero || _lastCommitWrites < 2)
        {
            return 0;
        }

        PreciseSleep.For(left);
        var writes = 0;
        while (_batch.Count < _options.MaxBatch && reader.TryRead(out var op))
        {
            _batch.Add(op);
            op.Execute(op.IsWrite ? context : null);
            writes += op.IsWrite ? 1 : 0;
        }

        return writes;
    }

    /// <summary>A database journal lost a batch: refuse that batch and everything queued behind it (503), then rebuild the
    /// state from what the journal holds once the database answers again, so nothing that was refused stays in memory.</summary>
    /// <returns>False when the host was stopped before the database came back.</returns>
    private bool Recover(Exception error)
    {
        _recovering = true;
        _feed?.BatchDiscarded();
        _log.LogError(error, "Journal commit failed; refusing writes and rebuilding the state from the journal when it is reachable.");
        foreach (var op in _batch)
        {
            op.Fail(new EngineUnavailableException("The journal could not be written; nothing of this request was kept."));
        }

        while (true)
        {
            while (_queue.Reader.TryRead(out var queued))
            {
                queued.Fail(new EngineUnavailableException("The journal is unavailable; retry shortly."));
            }

            if (_queue.Reader.Completion.IsCompleted)
            {
                return false;
            }

            try
            {
                // Replayed aside and swapped in whole: readers off the engine thread (authentication) never see a half-built state.
                var rebuilt = new HostState(_state.EngineOptions);
                ReplayJournal(rebuilt);
                _state.ReplaceWith(rebuilt);
                _recovering = false;
                _log.LogWarning("Journal reachable again: replayed {Records} records, state hash {Hash:x16}.", ReplayedRecords, ReplayedStateHash);
                return true;
            }
            catch (IOException)
            {
                Thread.Sleep(200);
            }
        }
    }

    /// <summary>Stops taking work, drains the queue, writes a checkpoint and flushes the journal.</summary>
    public void Stop()
    {
        if (!_ready)
        {
            return;
        }

        _expiryTimer?.Dispose();
        _queue.Writer.TryComplete();
        WakeIfIdle();
        _thread?.Join();
        if (_fault is null)
        {
            Span<byte> checkpoint = stackalloc byte[16];
            BitConverter.TryWriteBytes(checkpoint, _state.Engine.LastSequence);
            BitConverter.TryWriteBytes(checkpoint[8..], _state.Engine.ComputeStateHash());
            _journal.Append(JournalRecordType.Checkpoint, checkpoint);
            _journal.Commit();
        }

        _ready = false;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop();
        _expiryTimer?.Dispose();
        _journal.Dispose();
        _wake.Dispose();
    }

    /// <summary>What an operation can do on the engine thread: apply engine commands and host records, both journaled.</summary>
    public sealed class WriteContext
    {
        private readonly EngineHost _host;

        internal WriteContext(EngineHost host) => _host = host;

        /// <summary>The host state (read it freely; change it only through <see cref="Apply"/> and <see cref="Record"/>).</summary>
        public HostState State => _host._state;

        /// <summary>The timestamp the next command will carry (Unix ms, never decreasing).</summary>
        public long Now => Math.Max(_host._lastTimestamp, _host._time.GetUtcNow().ToUnixTimeMilliseconds() + _host._state.ClockOffsetMs);

        /// <summary>Stamps <paramref name="command"/> with the next sequence number and the clock, applies and journals it.</summary>
        public EngineOutcome Apply(Command command)
        {
            var code = ApplyForCode(command);
            return new EngineOutcome(code, _host._state.Engine.Events.ToArray());
        }

        /// <summary>Like <see cref="Apply"/> for a caller that needs only the result code: the events are not copied out
        /// (they stay readable in the engine's <see cref="Engine.Events"/> until the next command).</summary>
        /// <remarks>The copy cost every order request about a tenth of its allocation, for events nobody on the order path read.</remarks>
        public RejectCode ApplyForCode(Command command)
        {
            var host = _host;
            var stamped = command with { Sequence = host._state.Engine.LastSequence + 1, Timestamp = Now };
            host._lastTimestamp = stamped.Timestamp;
            var code = host._state.Apply(stamped);
            CommandCodec.Encode(stamped, host._commandBuffer);
            host._journal.Append(JournalRecordType.EngineCommand, host._commandBuffer);
            host._feed?.CommandApplied(host._state, stamped, host._state.Engine.Events);
            return code;
        }

        /// <summary>Applies and journals a change to host state.</summary>
        public void Record(HostRecord record)
        {
            var host = _host;
            host._state.ApplyRecord(record);
            var buffer = host._recordBuffer;
            buffer.ResetWrittenCount();
            record.Serialize(buffer);
            host._journal.Append(JournalRecordType.HostRecord, buffer.WrittenSpan);
            if (buffer.Capacity > 64 * 1024)
            {
                // A rare big record (a liquidity configuration) must not pin its buffer for the life of the host.
                host._recordBuffer = new(256);
            }
        }

        internal bool ExpireDueOrders()
        {
            if (State.Engine.NextExpiration > Now)
            {
                return false;
            }

            Apply(Command.AdvanceTime(0, 0));
            return true;
        }
    }

    private abstract class Operation
    {
        protected Operation(bool write) => IsWrite = write;

        public bool IsWrite { get; }

        public abstract void Execute(WriteContext? context);

        public abstract void Complete();

        public abstract void Fail(Exception error);
    }

    private sealed class Operation<T>(Func<WriteContext?, T> body, bool write) : Operation(write)
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private Exception? _error;

        public Task<T> Task => _completion.Task;

        public override void Execute(WriteContext? context)
        {
            try
            {
                _result = body(context);
            }
            catch (Exception ex)
            {
                // An operation must validate before it changes state; an exception here is a bug surfaced to its caller.
                _error = ex;
            }
        }

        public override void Complete()
        {
            if (_error is not null)
            {
                _completion.TrySetException(_error);
            }
            else
            {
                _completion.TrySetResult(_result!);
            }
        }

        public override void Fail(Exception error) => _completion.TrySetException(error);
    }
}

/// <summary>The engine cannot take work now (queue full, stopped, or journal failure): answered as 503.</summary>
public sealed class EngineUnavailableException(string message) : Exception(message);

/// <summary>What one engine command did: its result code and a copy of its events.</summary>
/// <param name="Code">None when carried out.</param>
/// <param name="Events">The events, copied out of the engine's reusable buffer.</param>
public sealed record EngineOutcome(RejectCode Code, EngineEvent[] Events)
{
    /// <summary>Whether the command was carried out.</summary>
    public bool Accepted => Code == RejectCode.None;
}
