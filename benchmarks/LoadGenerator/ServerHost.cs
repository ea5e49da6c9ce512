using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Polysim.LoadGenerator;

/// <summary>The Polysim server started as a child process for a run, with a throwaway data directory.</summary>
internal sealed class ServerHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDir;

    private ServerHost(Process process, Uri url, string dataDir)
    {
        _process = process;
        Url = url;
        _dataDir = dataDir;
    }

    public Uri Url { get; }

    public int ProcessId => _process.Id;

    public static async Task<ServerHost> StartAsync(Options options)
    {
        var dll = options.ServerDll ?? Path.Combine(RepoRoot(), "src", "ClobApi", "bin", options.Configuration, "net10.0", "Polysim.ClobApi.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Server not built: {dll} (dotnet build src/ClobApi -c {options.Configuration})");
        }

        var port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        var dataDir = Path.Combine(options.DataRoot, "polysim-loadgen-" + Guid.NewGuid().ToString("n")[..12]);
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        var settings = new List<(string Key, string Value)>
        {
            ("urls", url.ToString().TrimEnd('/')),
            ("Polysim:DataDir", dataDir),
            ("Polysim:AdminKey", options.AdminKey),
            ("Polysim:SeedDemo", "false"),
            ("Logging:LogLevel:Default", "Warning"),
            // The load is many orders per account: lift the per-key limits so the run measures the server, not the limiter
            // (the limiter still runs for every request, in Redis in the redis modes).
            ("Polysim:TradeWriteConcurrency", "100000"),
            ("Polysim:Tiers:enterprise:RequestsPerSecond", "10000000"),
            ("Polysim:Tiers:enterprise:RequestsPerMinute", "600000000"),
            ("ConnectionStrings:Redis", options.Mode.Contains("redis", StringComparison.Ordinal) ? Require(options.Redis, "Redis") : string.Empty),
            ("ConnectionStrings:Postgres", options.Mode.StartsWith("postgres", StringComparison.Ordinal) ? Require(options.Postgres, "Postgres") : string.Empty),
        };
        if (options.Mode.Contains("redis", StringComparison.Ordinal))
        {
            settings.Add(("Polysim:Redis:KeyPrefix", "polysim-loadgen:" + Guid.NewGuid().ToString("n")[..8] + ":"));
        }

        foreach (var extra in options.ServerArgs)
        {
            var eq = extra.IndexOf('=', StringComparison.Ordinal);
            settings.Add((extra[..eq], extra[(eq + 1)..]));
        }

        foreach (var (key, value) in settings)
        {
            info.ArgumentList.Add("--" + key);
            info.ArgumentList.Add(value);
        }

        foreach (var variable in options.ServerEnv)
        {
            var eq = variable.IndexOf('=', StringComparison.Ordinal);
            info.Environment[variable[..eq]] = variable[(eq + 1)..];
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, e) => Echo(e.Data);
        process.ErrorDataReceived += (_, e) => Echo(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new ServerHost(process, url, dataDir);
        using var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {process.ExitCode}");
            }

            try
            {
                if ((await client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode == HttpStatusCode.OK)
                {
                    return host;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        await host.DisposeAsync();
        throw new InvalidOperationException("The server was not ready within 60 s");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Require(string? value, string name) =>
        string.IsNullOrWhiteSpace(value)
            ? throw new ArgumentException($"--mode needs {name}: pass --{name.ToLowerInvariant()} or set ConnectionStrings__{name}")
            : value;

    private static void Echo(string? line)
    {
        if (!string.IsNullOrEmpty(line))
        {
            Console.Error.WriteLine("[server] " + line);
        }
    }

    private static string RepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Polysim.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Polysim.sln not found; pass --server-dll");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
