using System.Globalization;

namespace Polysim.LoadGenerator;

/// <summary>Command-line options of the load generator.</summary>
internal sealed record Options
{
    public double Rate { get; init; } = 10_000;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan BaselineDuration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>embedded | embedded+redis | postgres+redis.</summary>
    public string Mode { get; init; } = "embedded";

    /// <summary>A running server to drive instead of starting one.</summary>
    public Uri? Url { get; init; }

    public string AdminKey { get; init; } = "adm_loadgen_operator_key";

    public int Accounts { get; init; } = 8;

    public int Markets { get; init; } = 4;

    public int Connections { get; init; } = 256;

    /// <summary>Percentages of resting placements and cancels; the rest are marketable orders.</summary>
    public int RestPercent { get; init; } = 50;

    public int CancelPercent { get; init; } = 35;

    public string Configuration { get; init; } = "Release";

    public string? ServerDll { get; init; }

    public string? Redis { get; init; } = Environment.GetEnvironmentVariable("ConnectionStrings__Redis");

    public string? Postgres { get; init; } = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres");

    /// <summary>Extra server arguments (repeatable <c>--server-arg key=value</c>).</summary>
    public List<string> ServerArgs { get; init; } = [];

    /// <summary>Extra environment variables of the started server (repeatable <c>--server-env NAME=value</c>).</summary>
    public List<string> ServerEnv { get; init; } = [];

    public string? JsonOut { get; init; }

    /// <summary>Prefix of per-phase CSV files of every request's planned time and latency (<c>--timeline PATH</c>).</summary>
    public string? TimelineOut { get; init; }

    /// <summary>Where the started server's data directory is made (default: the temp directory).</summary>
    public string DataRoot { get; init; } = Path.GetTempPath();

    public bool SkipBaseline { get; init; }

    /// <summary>The trivial request of the baseline phase.</summary>
    public string BaselinePath { get; init; } = "/healthz";

    public ulong Seed { get; init; } = 42;

    public const string Usage = """
        Polysim open-loop HTTP load generator.

          dotnet benchmarks/LoadGenerator/bin/Release/net10.0/Polysim.LoadGenerator.dll [options]

          --rate R              orders per second offered (fixed arrival rate; default 10000)
          --duration S          measured seconds (default 60)
          --warmup S            unmeasured seconds of the same mix first (default 10)
          --baseline-duration S seconds of GET /healthz at the same rate, measured the same way (default 20)
          --no-baseline         skip the baseline phase
          --baseline-path P     GET path of the baseline (default /healthz; e.g. /v1/account/balance adds key
                                authentication and the rate limiter, sent with the trading accounts' keys)
          --mode M              embedded | embedded+redis | postgres+redis (default embedded); the server is started
                                as a child process with the connection strings of the mode (--redis/--postgres or
                                ConnectionStrings__Redis / ConnectionStrings__Postgres)
          --url U               drive a running server instead (it must have --Polysim:AdminKey = --admin-key, raised
                                enterprise tier limits and Polysim:TradeWriteConcurrency; see docs/PERFORMANCE.md)
          --admin-key K         operator key (default adm_loadgen_operator_key)
          --accounts N          trading accounts (default 8)        --markets N   markets (default 4)
          --connections N       HTTP connections (default 256)
          --mix REST,CANCEL     percent of resting placements and cancels; the rest are marketable (default 50,35)
          --configuration C     build configuration of the server to start (default Release)
          --server-dll PATH     server assembly to start (default src/ClobApi/bin/<C>/net10.0/Polysim.ClobApi.dll)
          --server-arg K=V      extra server setting (repeatable), e.g. --server-arg Logging:LogLevel:Default=Error
          --data-root DIR       parent of the started server's data directory (default the temp directory; the
                                journal fsyncs every batch there, so the disk's fsync latency is in every order's)
          --server-env N=V      extra environment variable of the started server (repeatable), e.g.
                                --server-env DOTNET_gcServer=0
          --json PATH           also write the results as JSON
          --timeline PATH       also write every request's planned send time and latency, µs, to PATH.<phase>.csv
          --seed N              seed of the request mix (default 42)
        """;

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            double Number() => double.Parse(Next(), CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--rate" => o with { Rate = Number() },
                "--duration" => o with { Duration = TimeSpan.FromSeconds(Number()) },
                "--warmup" => o with { Warmup = TimeSpan.FromSeconds(Number()) },
                "--baseline-duration" => o with { BaselineDuration = TimeSpan.FromSeconds(Number()) },
                "--no-baseline" => o with { SkipBaseline = true },
                "--baseline-path" => o with { BaselinePath = Next() },
                "--mode" => o with { Mode = Next() },
                "--url" => o with { Url = new Uri(Next()) },
                "--admin-key" => o with { AdminKey = Next() },
                "--accounts" => o with { Accounts = (int)Number() },
                "--markets" => o with { Markets = (int)Number() },
                "--connections" => o with { Connections = (int)Number() },
                "--mix" => ParseMix(o, Next()),
                "--configuration" => o with { Configuration = Next() },
                "--server-dll" => o with { ServerDll = Next() },
                "--server-arg" => o with { ServerArgs = [.. o.ServerArgs, Next()] },
                "--server-env" => o with { ServerEnv = [.. o.ServerEnv, Next()] },
                "--redis" => o with { Redis = Next() },
                "--postgres" => o with { Postgres = Next() },
                "--json" => o with { JsonOut = Next() },
                "--timeline" => o with { TimelineOut = Next() },
                "--data-root" => o with { DataRoot = Next() },
                "--seed" => o with { Seed = ulong.Parse(Next(), CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        if (o.Mode is not ("embedded" or "embedded+redis" or "postgres+redis"))
        {
            throw new ArgumentException($"--mode {o.Mode}: expected embedded, embedded+redis or postgres+redis");
        }

        return o;
    }

    private static Options ParseMix(Options o, string text)
    {
        var parts = text.Split(',');
        var rest = int.Parse(parts[0], CultureInfo.InvariantCulture);
        var cancel = int.Parse(parts[1], CultureInfo.InvariantCulture);
        return rest + cancel > 100 ? throw new ArgumentException("--mix: REST + CANCEL must be at most 100") : o with { RestPercent = rest, CancelPercent = cancel };
    }
}
