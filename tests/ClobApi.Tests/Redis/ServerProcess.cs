using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Polysim.ClobApi.Tests.Redis;

/// <summary>The Polysim server as a child process (<c>dotnet src/ClobApi/bin/&lt;cfg&gt;/net10.0/Polysim.ClobApi.dll</c>).</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    /// <summary>Where it listens.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The server assembly built beside this test assembly's configuration (Debug or Release).</summary>
    public static string ServerDll()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        var framework = dir.Name;
        var configuration = dir.Parent!.Name;
        var root = dir;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Polysim.sln")))
        {
            root = root.Parent;
        }

        var dll = Path.Combine(root?.FullName ?? throw new InvalidOperationException("Polysim.sln not found above the test assembly"),
            "src", "ClobApi", "bin", configuration, framework, "Polysim.ClobApi.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"The server is not built at {dll}");
    }

    /// <summary>Starts a server on a free port with the data directory and settings given, and waits for /readyz.</summary>
    public static async Task<ServerProcess> StartAsync(string dataDir, IReadOnlyDictionary<string, string?> settings)
    {
        var port = RedisKit.FreePort();
        var url = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ServerDll());
        foreach (var arg in new[] { "--urls", url, "--Polysim:DataDir", dataDir, "--Polysim:AdminKey", TestServer.AdminKey, "--Polysim:SeedDemo", "false", "--Logging:LogLevel:Default", "Warning" })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in settings)
        {
            info.ArgumentList.Add("--" + key);
            info.ArgumentList.Add(value ?? string.Empty);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var server = new ServerProcess(process, new Uri(url));
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {process.ExitCode}: {server.Output()}");
            }

            try
            {
                if ((await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        await server.DisposeAsync();
        throw new InvalidOperationException($"The server at {url} was not ready within 60 s: {server.Output()}");
    }

    /// <summary>What the process wrote so far.</summary>
    public string Output()
    {
        lock (_output)
        {
            return string.Join('\n', _output);
        }
    }

    /// <summary>Kills the process (as a crash would) and waits for it to exit.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Count < 200)
            {
                _output.Add(line);
            }
        }
    }
}
