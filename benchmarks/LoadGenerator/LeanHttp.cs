using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Polysim.LoadGenerator;

/// <summary>One planned request: its kind, its account and its bytes on the wire.</summary>
/// <param name="Kind">An index into <see cref="Workload.KindNames"/>.</param>
/// <param name="Account">The trading account whose key it carries.</param>
/// <param name="Bytes">The whole request, or for a cancel the part after the order id.</param>
/// <param name="CancelId">For a cancel, the id spliced after <c>DELETE /v1/orders/</c>.</param>
internal readonly record struct Request(int Kind, int Account, byte[] Bytes, byte[]? CancelId)
{
    private static ReadOnlySpan<byte> DeletePrefix => "DELETE /v1/orders/"u8;

    /// <summary>The bytes to send; a cancel is assembled in <paramref name="scratch"/>.</summary>
    public ReadOnlySpan<byte> Wire(byte[] scratch)
    {
        if (CancelId is null)
        {
            return Bytes;
        }

        DeletePrefix.CopyTo(scratch);
        CancelId.CopyTo(scratch, DeletePrefix.Length);
        Bytes.CopyTo(scratch, DeletePrefix.Length + CancelId.Length);
        return scratch.AsSpan(0, DeletePrefix.Length + CancelId.Length + Bytes.Length);
    }
}

/// <summary>Turns a finished response into the request's result (ok, expected refusal or error).</summary>
internal delegate Result Classifier(in Request request, int status, ReadOnlySpan<byte> code, ReadOnlySpan<byte> body);

/// <summary>Where a connection's response stands after a read.</summary>
internal enum ReadState
{
    Pending,
    Complete,
    Closed,
}

/// <summary>A keep-alive HTTP/1.1 connection that carries one request at a time (no pipelining, like a browser or an
/// SDK), on a non-blocking socket watched by the client's epoll set.</summary>
internal sealed class HttpConnection : IDisposable
{
    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;

    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    private readonly Socket _socket;
    private readonly int _fd;
    private byte[] _buffer = new byte[8192];
    private int _filled;
    private int _codeStart;
    private int _codeLength;
    private int _bodyStart;
    private int _bodyLength;

    public HttpConnection(int id, Socket socket)
    {
        Id = id;
        _socket = socket;
        _fd = (int)socket.Handle;
        // SO_TIMESTAMPNS: the kernel stamps each received segment, so an answer's latency ends when it reached this
        // socket, not when this thread got round to reading it (the loop reads answers when it wakes to send).
        socket.SetRawSocketOption(1, 35, BitConverter.GetBytes(1));
    }

    public int Id { get; }

    public int Fd => _fd;

    /// <summary>Scratch space to assemble a request whose bytes are not prepared whole (a cancel).</summary>
    public byte[] Scratch { get; } = new byte[1024];

    /// <summary>The request in flight and its planned send time (Stopwatch ticks).</summary>
    public Request InFlight { get; set; }

    public long Planned { get; set; }

    public bool Busy { get; set; }

    public bool Closed { get; set; }

    public int Status { get; private set; }

    /// <summary>The server asked to close after this response (Connection: close).</summary>
    public bool CloseAfter { get; private set; }

    public ReadOnlySpan<byte> Code => _buffer.AsSpan(_codeStart, _codeLength);

    public ReadOnlySpan<byte> Body => _buffer.AsSpan(_bodyStart, _bodyLength);

    /// <summary>Writes the request; false if the connection is gone.</summary>
    public bool Send(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var sent = _socket.Send(bytes, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                // The send buffer of an idle keep-alive connection holds a whole small request, so this does not happen in
                // practice; waiting here would only make this one request late, and its lateness is in its latency.
                _socket.Poll(1000, SelectMode.SelectWrite);
                continue;
            }

            if (error != SocketError.Success)
            {
                return false;
            }

            bytes = bytes[sent..];
        }

        return true;
    }

    /// <summary>Reads what the socket has and says whether the response is whole.</summary>
    public unsafe ReadState Receive()
    {
        const int EAgain = 11;
        const int EIntr = 4;
        byte* control = stackalloc byte[64];
        while (true)
        {
            if (_filled == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            long n;
            fixed (byte* free = &_buffer[_filled])
            {
                var iov = new Native.IoVec { Base = free, Length = (nuint)(_buffer.Length - _filled) };
                var message = new Native.MessageHeader { Iov = &iov, IovLength = 1, Control = control, ControlLength = 64 };
                n = Native.recvmsg(_fd, &message, 0);
                if (n > 0)
                {
                    ReadArrival(&message);
                }
            }

            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EIntr)
                {
                    continue;
                }

                return errno == EAgain ? ReadState.Pending : ReadState.Closed;
            }

            if (n == 0)
            {
                return ReadState.Closed;
            }

            _filled += (int)n;
            if (_filled < _buffer.Length)
            {
                // A short read drained the socket; parse what there is rather than pay for a read that says EAGAIN.
                return Parse() ? ReadState.Complete : ReadState.Pending;
            }
        }
    }

    /// <summary>When the last bytes read reached the socket (kernel receive time stamp, as a Stopwatch timestamp), or
    /// when they were read if the kernel gave no time stamp.</summary>
    public long Arrived { get; private set; }

    /// <summary>Forgets the finished response (the next one starts at the buffer's start: one request at a time).</summary>
    public void Consumed()
    {
        _filled = 0;
        Busy = false;
    }

    public void Dispose() => _socket.Dispose();

    private unsafe void ReadArrival(Native.MessageHeader* message)
    {
        const int SolSocket = 1;
        const int ScmTimestampNs = 35;
        var now = Stopwatch.GetTimestamp();
        Arrived = now;
        var at = (byte*)message->Control;
        var end = at + message->ControlLength;
        while (at + 16 <= end)
        {
            var length = *(nuint*)at;
            if (length < 16)
            {
                return;
            }

            if (*(int*)(at + 8) == SolSocket && *(int*)(at + 12) == ScmTimestampNs && length >= 32)
            {
                // The stamp is CLOCK_REALTIME; how long ago it was, in the Stopwatch's clock, is what the latency needs.
                var stamped = (*(long*)(at + 16) * 1_000_000_000) + *(long*)(at + 24);
                var realNow = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
                var ageNs = Math.Max(0, realNow - stamped);
                Arrived = now - (long)(ageNs * (Stopwatch.Frequency / 1e9));
                return;
            }

            at += (length + 7) & ~(nuint)7;
        }
    }

    private bool Parse()
    {
        var data = _buffer.AsSpan(0, _filled);
        var headerEnd = data.IndexOf(HeaderEnd);
        if (headerEnd < 0)
        {
            return false;
        }

        // "HTTP/1.1 200 OK"
        if (headerEnd < 12 || !Utf8Parser.TryParse(data.Slice(9, 3), out int status, out _))
        {
            throw new InvalidDataException("bad status line: " + System.Text.Encoding.ASCII.GetString(data[..Math.Min(headerEnd, 80)]));
        }

        var contentLength = -1;
        var chunked = false;
        var close = false;
        _codeStart = 0;
        _codeLength = 0;
        var at = data.IndexOf(Crlf) + 2;
        while (at < headerEnd)
        {
            var line = data[at..headerEnd];
            var eol = line.IndexOf(Crlf);
            line = eol < 0 ? line : line[..eol];
            var colon = line.IndexOf((byte)':');
            if (colon > 0)
            {
                var name = line[..colon];
                var value = line[(colon + 1)..].Trim((byte)' ');
                if (name.Length == 14 && Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
                {
                    _ = Utf8Parser.TryParse(value, out contentLength, out _);
                }
                else if (name.Length == 17 && Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
                {
                    chunked = value.IndexOf("chunked"u8) >= 0;
                }
                else if (name.Length == 14 && Ascii.EqualsIgnoreCase(name, "X-Polysim-Code"u8))
                {
                    _codeStart = at + colon + 1 + (line[(colon + 1)..].Length - line[(colon + 1)..].TrimStart((byte)' ').Length);
                    _codeLength = value.Length;
                }
                else if (name.Length == 10 && Ascii.EqualsIgnoreCase(name, "Connection"u8))
                {
                    close = Ascii.EqualsIgnoreCase(value, "close"u8);
                }
            }

            at += line.Length + 2;
        }

        var bodyStart = headerEnd + 4;
        if (chunked)
        {
            if (!Dechunk(bodyStart, out var length))
            {
                return false;
            }

            _bodyLength = length;
        }
        else if (contentLength >= 0)
        {
            if (_filled < bodyStart + contentLength)
            {
                return false;
            }

            _bodyLength = contentLength;
        }
        else
        {
            // Neither framing: a body-less answer (204, 304) as far as this client is concerned.
            _bodyLength = 0;
        }

        _bodyStart = bodyStart;
        Status = status;
        CloseAfter = close;
        return true;
    }

    /// <summary>Checks that the chunked body is whole, then moves the chunks' data together (in place: the data only moves
    /// towards the start, and only once the body is known whole, so a re-parse after a partial read still sees chunks).</summary>
    private bool Dechunk(int start, out int length)
    {
        length = 0;
        for (var pass = 0; pass < 2; pass++)
        {
            var read = start;
            var write = start;
            while (true)
            {
                var rest = _buffer.AsSpan(read, _filled - read);
                var eol = rest.IndexOf(Crlf);
                if (eol < 0)
                {
                    return false;
                }

                var sizeText = rest[..eol];
                var semicolon = sizeText.IndexOf((byte)';');
                if (!Utf8Parser.TryParse(semicolon < 0 ? sizeText : sizeText[..semicolon], out int size, out _, 'X'))
                {
                    throw new InvalidDataException("bad chunk size");
                }

                read += eol + 2;
                if (size == 0)
                {
                    // Trailers (none from Kestrel here) end with an empty line.
                    var tail = _buffer.AsSpan(read, _filled - read);
                    if (tail.Length < 2)
                    {
                        return false;
                    }

                    if (!tail.StartsWith(Crlf) && tail.IndexOf(HeaderEnd) < 0)
                    {
                        return false;
                    }

                    length = write - start;
                    break;
                }

                if (_filled < read + size + 2)
                {
                    return false;
                }

                if (pass == 1)
                {
                    _buffer.AsSpan(read, size).CopyTo(_buffer.AsSpan(write));
                }

                write += size;
                read += size + 2;
            }
        }

        return true;
    }
}

/// <summary>A pool of keep-alive connections to one server and the epoll set that says which of them can be read.</summary>
/// <remarks>
/// One thread drives it (<see cref="OpenLoop"/>): it sends at the planned times and reads the answers in the same loop, so a
/// request costs a send, a receive and a share of an epoll wait, with no thread switch, lock or task. Connections are
/// opened when no idle one is left, up to the maximum, and reused most-recently-idle first (as SocketsHttpHandler does).
/// </remarks>
internal sealed partial class LeanHttpClient : IDisposable
{
    private const int EpollIn = 0x001;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const int MaxEvents = 256;

    // struct epoll_event is packed on x86-64 (12 bytes) and naturally aligned elsewhere (16 bytes).
    private static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    private readonly IPEndPoint _endpoint;
    private readonly int _epoll;
    private readonly List<HttpConnection?> _connections = [];
    private readonly Stack<HttpConnection> _idle = new();
    private readonly byte[] _events = new byte[MaxEvents * 16];
    private int _open;

    public LeanHttpClient(Uri url, int maxConnections)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The load generator's HTTP client waits with epoll (Linux).");
        }

        var host = IPAddress.TryParse(url.Host, out var ip) ? ip : Dns.GetHostAddresses(url.Host)[0];
        _endpoint = new IPEndPoint(host, url.Port);
        MaxConnections = maxConnections;
        _epoll = epoll_create1(0x80000 /* EPOLL_CLOEXEC */);
        if (_epoll < 0)
        {
            throw new InvalidOperationException("epoll_create1 failed: errno " + Marshal.GetLastPInvokeError());
        }
    }

    public int MaxConnections { get; }

    /// <summary>The open connections (closed slots are null).</summary>
    public IReadOnlyList<HttpConnection?> Connections => _connections;

    /// <summary>The connection of an epoll event; null if it was closed since.</summary>
    public HttpConnection? Find(int id) => id < _connections.Count ? _connections[id] : null;

    /// <summary>An idle connection, or a new one while fewer than the maximum are open.</summary>
    public bool TryRent(out HttpConnection connection)
    {
        while (_idle.TryPop(out connection!))
        {
            if (!connection.Closed)
            {
                return true;
            }
        }

        if (_open >= MaxConnections)
        {
            return false;
        }

        connection = Open();
        return true;
    }

    public void Return(HttpConnection connection) => _idle.Push(connection);

    /// <summary>Closes a broken connection; a new one takes its place on demand.</summary>
    public unsafe void Close(HttpConnection connection)
    {
        byte* ev = stackalloc byte[16];
        _ = epoll_ctl(_epoll, EpollCtlDel, connection.Fd, ev);
        connection.Dispose();
        connection.Closed = true;
        _connections[connection.Id] = null;
        _open--;
    }

    /// <summary>Waits up to <paramref name="timeoutNs"/> (0: do not wait) for readable connections; their ids go into
    /// <paramref name="ready"/>.</summary>
    public unsafe int Wait(long timeoutNs, Span<int> ready)
    {
        var timeout = new Native.Timespec { Seconds = timeoutNs / 1_000_000_000, Nanoseconds = timeoutNs % 1_000_000_000 };
        int n;
        fixed (byte* events = _events)
        {
            n = epoll_pwait2(_epoll, events, Math.Min(MaxEvents, ready.Length), &timeout, 0, 0);
        }

        if (n < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == 4 /* EINTR */ ? 0 : throw new InvalidOperationException("epoll_pwait2 failed: errno " + errno);
        }

        for (var i = 0; i < n; i++)
        {
            ready[i] = (int)BitConverter.ToUInt64(_events, (i * EventSize) + DataOffset);
        }

        return n;
    }

    public void Dispose()
    {
        foreach (var c in _connections)
        {
            c?.Dispose();
        }

        _ = close(_epoll);
    }

    private unsafe HttpConnection Open()
    {
        var socket = new Socket(_endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(_endpoint);
        socket.Blocking = false;
        var id = _connections.IndexOf(null);
        if (id < 0)
        {
            id = _connections.Count;
            _connections.Add(null);
        }

        var connection = new HttpConnection(id, socket);
        byte* ev = stackalloc byte[16];
        *(uint*)ev = EpollIn;
        *(ulong*)(ev + DataOffset) = (ulong)id;
        if (epoll_ctl(_epoll, EpollCtlAdd, connection.Fd, ev) != 0)
        {
            throw new InvalidOperationException("epoll_ctl failed: errno " + Marshal.GetLastPInvokeError());
        }

        _connections[id] = connection;
        _open++;
        return connection;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int epoll_ctl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int epoll_pwait2(int epfd, byte* events, int maxevents, Native.Timespec* timeout, nint sigmask, nuint sigsetsize);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}

/// <summary>The libc calls and structures the client needs beyond System.Net.Sockets (Linux, 64-bit).</summary>
internal static unsafe partial class Native
{
    /// <summary>Sleeps for a relative time in CLOCK_MONOTONIC (the Stopwatch's clock on Linux).</summary>
    public static void Sleep(long nanoseconds)
    {
        var span = new Timespec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
        _ = clock_nanosleep(1 /* CLOCK_MONOTONIC */, 0, &span, null);
    }

    [LibraryImport("libc", SetLastError = true)]
    public static partial long recvmsg(int fd, MessageHeader* message, int flags);

    [LibraryImport("libc")]
    private static partial int clock_nanosleep(int clock, int flags, Timespec* request, Timespec* remaining);

    /// <summary>struct timespec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>struct iovec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    /// <summary>struct msghdr.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }
}
