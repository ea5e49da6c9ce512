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

var app = PolysimServer.Build(args);
await app.RunAsync();
