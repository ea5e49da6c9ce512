using System.Runtime.InteropServices;

namespace Polysim.ClobApi.Hosting;

/// <summary>Sleeps for less than a millisecond where the OS can (Thread.Sleep rounds up to whole milliseconds).</summary>
internal static class PreciseSleep
{
    private const int ClockMonotonic = 1;

    /// <summary>Blocks the calling thread for about <paramref name="span"/> (never spinning).</summary>
    public static void For(TimeSpan span)
    {
        if (span <= TimeSpan.Zero)
        {
            return;
        }

        if (OperatingSystem.IsLinux())
        {
            var request = new Timespec { Seconds = span.Ticks / TimeSpan.TicksPerSecond, Nanoseconds = span.Ticks % TimeSpan.TicksPerSecond * 100 };
            // An interrupted sleep just ends early: the caller commits a little sooner.
            _ = ClockNanosleep(ClockMonotonic, 0, ref request, IntPtr.Zero);
            return;
        }

        Thread.Sleep(span);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    // DllImport for the same reason as FileJournal's fdatasync: LibraryImport would need AllowUnsafeBlocks project-wide.
    [DllImport("libc", EntryPoint = "clock_nanosleep")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ClockNanosleep(int clock, int flags, ref Timespec request, IntPtr remain);
}
