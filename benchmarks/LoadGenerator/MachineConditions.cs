using System.Globalization;

namespace Polysim.LoadGenerator;

/// <summary>Facts about the machine, outside the server, that are known to move the latency tail; printed with every run.</summary>
internal static class MachineConditions
{
    private const string DamonRoot = "/sys/kernel/mm/damon/admin/kdamonds";

    /// <summary>The kernel's DAMON access monitors that are running, as "on, sampling every N ms" each; empty when none (or not Linux).</summary>
    /// <remarks>A running monitor wakes every sampling interval and, on a kernel without full preemption, holds a vCPU for a few
    /// milliseconds each time: measured here, that made every ~0.5 s stall of 15–35 ms in the orders phase (docs/PERFORMANCE.md,
    /// session 10).</remarks>
    public static IReadOnlyList<string> DamonMonitors()
    {
        var monitors = new List<string>();
        if (!Directory.Exists(DamonRoot))
        {
            return monitors;
        }

        foreach (var kdamond in Directory.EnumerateDirectories(DamonRoot).Order(StringComparer.Ordinal))
        {
            if (Read(Path.Combine(kdamond, "state")) != "on")
            {
                continue;
            }

            var sampling = Directory.Exists(Path.Combine(kdamond, "contexts"))
                ? Directory.EnumerateDirectories(Path.Combine(kdamond, "contexts"))
                    .Select(c => Read(Path.Combine(c, "monitoring_attrs", "intervals", "sample_us")))
                    .Where(s => long.TryParse(s, CultureInfo.InvariantCulture, out _))
                    .Select(s => $"{long.Parse(s!, CultureInfo.InvariantCulture) / 1000.0:0.#} ms")
                : [];
            monitors.Add($"{Path.GetFileName(kdamond)}: on, sampling every {string.Join(" / ", sampling.DefaultIfEmpty("?"))}");
        }

        return monitors;
    }

    private static string? Read(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
