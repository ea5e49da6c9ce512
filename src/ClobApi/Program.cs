using Polysim.ClobApi;

if (args.Length > 0 && args[0] == "demo")
{
    EngineDemo.Run();
    return;
}

var app = PolysimServer.Build(args);
await app.RunAsync();
