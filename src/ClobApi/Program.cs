using Polysim.ClobApi;
using Polysim.ClobApi.Liquidity.Capture;

if (args.Length > 0 && args[0] == "demo")
{
    EngineDemo.Run();
    return;
}

if (args.Length > 0 && args[0] == "capture")
{
    Environment.ExitCode = await CaptureCommand.RunAsync(args[1..]);
    return;
}

// Socket completions run on the runtime's epoll threads instead of being handed to the thread pool: on small VMs a thread
// switch per request costs more than the request's own work (docs/PERFORMANCE.md). The runtime reads this variable once,
// when the first socket is made, so it is set here before anything else; an explicit value in the environment wins.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

var app = PolysimServer.Build(args);
await app.RunAsync();
