using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Polysim.ClobApi.Tests.Durability;

/// <summary>Runs an external program to completion and fails loudly with its output when it exits non-zero.</summary>
internal static class Run
{
    public static async Task<string> CommandAsync(string file, IEnumerable<string> args, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(cancel.Token);
        var output = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', info.ArgumentList)} exited {process.ExitCode}:\n{output}");
        }

        return output;
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static bool IsRoot => Environment.UserName == "root";
}

/// <summary>A PostgreSQL cluster of a test's own (initdb in a temp directory, pg_ctl on a free loopback port), so the test can
/// stop and start it without disturbing the shared CI cluster other tests use.</summary>
/// <remarks>Binaries come from POLYSIM_PG_BIN (scripts/test.sh exports it) or the newest /usr/lib/postgresql/*/bin. As root,
/// PostgreSQL runs as the <c>postgres</c> user through runuser, as scripts/test.sh does.</remarks>
internal sealed class PrivateCluster : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _root;

    private PrivateCluster(string bin, string root, int port)
    {
        _bin = bin;
        _root = root;
        Port = port;
    }

    public int Port { get; }

    private string DataDir => Path.Combine(_root, "data");

    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=5;Command Timeout=15";

    public static async Task<PrivateCluster> StartAsync()
    {
        var bin = FindBinaries();
        var root = Path.Combine(Path.GetTempPath(), "polysim-pg-" + Guid.NewGuid().ToString("n")[..12]);
        Directory.CreateDirectory(root);
        if (Run.IsRoot)
        {
            await Run.CommandAsync("chown", ["postgres:", root]);
        }

        var cluster = new PrivateCluster(bin, root, Run.FreePort());
        await cluster.AsPostgresAsync("initdb", ["-D", cluster.DataDir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync"]);
        await cluster.StartServerAsync();
        return cluster;
    }

    /// <summary>Creates an empty database on the cluster; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var setup = new Npgsql.NpgsqlConnection(ConnectionString()))
        {
            await setup.OpenAsync();
            await new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", setup).ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    /// <summary>Starts the cluster (again) on its port.</summary>
    public Task StartServerAsync() => AsPostgresAsync("pg_ctl", [
        "-D", DataDir, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60",
        "-o", $"-p {Port} -k {DataDir} -c listen_addresses=127.0.0.1 -c fsync=off", "start"]);

    /// <summary>Stops the cluster; fast mode ends every session, as an operator stopping the database would.</summary>
    public Task StopAsync() => AsPostgresAsync("pg_ctl", ["-D", DataDir, "-w", "-t", "60", "-m", "fast", "stop"]);

    /// <summary>Stops the cluster as a crash would (immediate mode: no shutdown checkpoint, crash recovery at the next start).</summary>
    public Task CrashAsync() => AsPostgresAsync("pg_ctl", ["-D", DataDir, "-w", "-t", "60", "-m", "immediate", "stop"]);

    private Task<string> AsPostgresAsync(string tool, IEnumerable<string> args)
    {
        var path = Path.Combine(_bin, tool);
        return Run.IsRoot
            ? Run.CommandAsync("runuser", ["-u", "postgres", "--", path, .. args], _root)
            : Run.CommandAsync(path, args, _root);
    }

    private static string FindBinaries()
    {
        var configured = Environment.GetEnvironmentVariable("POLYSIM_PG_BIN");
        if (!string.IsNullOrEmpty(configured) && File.Exists(Path.Combine(configured, "pg_ctl")))
        {
            return configured;
        }

        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .LastOrDefault()
            : null;
        return installed ?? throw new InvalidOperationException(
            "PostgreSQL binaries not found: install postgresql (scripts/test.sh does) or set POLYSIM_PG_BIN.");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await AsPostgresAsync("pg_ctl", ["-D", DataDir, "-w", "-m", "immediate", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The built server run as a real child process (<c>dotnet Polysim.ClobApi.dll</c>), so a test can <c>kill -9</c> it.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>src/ClobApi/bin/&lt;configuration&gt;/net10.0/Polysim.ClobApi.dll, the configuration being the test assembly's own
    /// (its output folder is tests/ClobApi.Tests/bin/&lt;configuration&gt;/net10.0/).</summary>
    public static string ServerDll()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Polysim.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException($"No Polysim.sln above {AppContext.BaseDirectory}.");
        }

        var dll = Path.Combine(root.FullName, "src", "ClobApi", "bin", configuration, framework, "Polysim.ClobApi.dll");
        return File.Exists(dll)
            ? dll
            : throw new InvalidOperationException($"The server is not built at {dll}: build the solution in {configuration} first.");
    }

    /// <summary>Starts the server on a free port and waits until /readyz answers 200.</summary>
    /// <param name="dataDir">Polysim:DataDir.</param>
    /// <param name="postgres">ConnectionStrings:Postgres, or null for the embedded file journal.</param>
    /// <param name="settings">Further configuration keys.</param>
    public static async Task<ServerProcess> StartAsync(string dataDir, string? postgres, IReadOnlyDictionary<string, string?> settings)
    {
        var port = Run.FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDir,
        };
        // The mode is what this test says, not what the environment of the test run happens to carry.
        info.Environment.Remove("ConnectionStrings__Postgres");
        info.Environment.Remove("ConnectionStrings__Redis");
        info.Environment["DOTNET_gcServer"] = "0";
        string[] args =
        [
            ServerDll(), "--urls", $"http://127.0.0.1:{port}", "--Polysim:DataDir", dataDir, "--Polysim:AdminKey", TestServer.AdminKey,
            "--Polysim:SeedDemo", "false", "--Logging:LogLevel:Default", "Warning", "--ConnectionStrings:Postgres", postgres ?? string.Empty,
        ];
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in settings)
        {
            info.ArgumentList.Add("--" + key);
            info.ArgumentList.Add(value ?? string.Empty);
        }

        Directory.CreateDirectory(dataDir);
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the server.");
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {process.ExitCode} while starting:\n{server.Output}");
            }

            try
            {
                if ((await probe.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        await server.DisposeAsync();
        throw new TimeoutException($"The server did not become ready:\n{server.Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>SIGKILL: no drain, no checkpoint, no flush beyond what each commit already made durable.</summary>
    public void Kill9()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    public HttpClient Client(string? apiKey = null, bool admin = false)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        }

        if (admin)
        {
            client.DefaultRequestHeaders.Add("X-Admin-Key", TestServer.AdminKey);
        }

        return client;
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill9();
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
