using System.Collections;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Polysim.ClobApi.Projections;

/// <summary>An append-only sequence addressed by absolute position whose oldest items can be dropped, kept in chunks small
/// enough to stay off the large-object heap.</summary>
/// <remarks>
/// A <see cref="List{T}"/> that doubles allocates, zeroes and copies everything it holds in one go, on the engine thread:
/// measured under load, each doubling of a projection's list or dictionary past a few megabytes stalled every request
/// behind it for 10–50 ms, and dropping a list's oldest tenth shifted all the rest. Here an append allocates (or reuses) one
/// chunk of at most 64 KB when the last is full and dropping the oldest releases whole chunks, so every operation costs
/// the same however long the log grows. Positions never shift: position 0 is the first item ever added.
/// </remarks>
/// <typeparam name="T">The item; a value type keeps the items inline, with no object each for the GC to trace.</typeparam>
public sealed class ChunkedLog<T> : IReadOnlyCollection<T>
{
    private const int ChunkBytes = 64 * 1024;

    private readonly int _shift;
    private readonly int _mask;

    // The chunks in use, oldest first, as a ring whose length is a power of two; _head is the ring slot of the chunk that
    // holds position First. A chunk covers positions [n·L, (n+1)·L) for its chunk number n.
    private T[][] _ring = [];
    private int _head;
    private int _chunks;
    private T[]? _spare;

    /// <summary>An empty log.</summary>
    public ChunkedLog()
    {
        var perChunk = Math.Max(1, ChunkBytes / Math.Max(1, Unsafe.SizeOf<T>()));
        _shift = BitOperations.Log2((uint)perChunk);
        _mask = (1 << _shift) - 1;
    }

    /// <summary>Items per chunk (a power of two).</summary>
    public int ChunkLength => 1 << _shift;

    /// <summary>Absolute position of the oldest item kept.</summary>
    public long First { get; private set; }

    /// <summary>Absolute position after the newest item (items ever added).</summary>
    public long End { get; private set; }

    /// <summary>Items kept.</summary>
    public int Count => (int)(End - First);

    /// <summary>The item at an absolute position in [<see cref="First"/>, <see cref="End"/>).</summary>
    public ref readonly T this[long position]
    {
        get
        {
            if (position < First || position >= End)
            {
                throw new ArgumentOutOfRangeException(nameof(position), position, $"Kept positions are [{First}, {End}).");
            }

            return ref Chunk(position)[(int)position & _mask];
        }
    }

    /// <summary>Appends an item at position <see cref="End"/>.</summary>
    public void Add(in T item)
    {
        if (_chunks == 0 || ((int)End & _mask) == 0)
        {
            AddChunk();
        }

        _ring[(_head + _chunks - 1) & (_ring.Length - 1)][(int)End & _mask] = item;
        End++;
    }

    /// <summary>Appends an item and then drops the oldest until at most <paramref name="capacity"/> are kept.</summary>
    public void Add(in T item, int capacity)
    {
        Add(item);
        if (Count > capacity)
        {
            DropBefore(End - capacity);
        }
    }

    /// <summary>Forgets every item before <paramref name="position"/> (at most <see cref="End"/>).</summary>
    public void DropBefore(long position)
    {
        if (position <= First)
        {
            return;
        }

        if (position > End)
        {
            throw new ArgumentOutOfRangeException(nameof(position), position, $"Only positions up to {End} exist.");
        }

        First = position;
        var keep = ChunksFor(First, End);
        while (_chunks > keep)
        {
            Release(_ring[_head]);
            _ring[_head] = null!;
            _head = (_head + 1) & (_ring.Length - 1);
            _chunks--;
        }
    }

    /// <summary>The items oldest first.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private long ChunkNumber(long position) => position >> _shift;

    private int ChunksFor(long first, long end) => end == first ? 0 : (int)(ChunkNumber(end - 1) - ChunkNumber(first) + 1);

    private T[] Chunk(long position) =>
        _ring[(_head + (int)(ChunkNumber(position) - ChunkNumber(First))) & (_ring.Length - 1)];

    private void AddChunk()
    {
        if (_chunks == _ring.Length)
        {
            // The ring holds references only (8 bytes a chunk), so even a log of millions of items keeps it small.
            var grown = new T[Math.Max(4, _ring.Length * 2)][];
            for (var i = 0; i < _chunks; i++)
            {
                grown[i] = _ring[(_head + i) & (_ring.Length - 1)];
            }

            _ring = grown;
            _head = 0;
        }

        var chunk = _spare ?? new T[1 << _shift];
        _spare = null;
        _ring[(_head + _chunks) & (_ring.Length - 1)] = chunk;
        _chunks++;
    }

    private void Release(T[] chunk)
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(chunk);
        }

        // One spare is enough for a log that appends and drops at the same pace.
        _spare = chunk;
    }

    /// <summary>Walks the items oldest first.</summary>
    public struct Enumerator : IEnumerator<T>
    {
        private readonly ChunkedLog<T> _log;
        private readonly long _end;
        private long _position;

        internal Enumerator(ChunkedLog<T> log)
        {
            _log = log;
            _end = log.End;
            _position = log.First - 1;
        }

        /// <inheritdoc />
        public readonly T Current => _log[_position];

        readonly object? IEnumerator.Current => Current;

        /// <inheritdoc />
        public bool MoveNext() => ++_position < _end;

        /// <inheritdoc />
        public void Reset() => _position = _log.First - 1;

        /// <inheritdoc />
        public readonly void Dispose()
        {
        }
    }
}
