using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Polysim.ClobApi.Api;
using Polysim.ClobApi.Hosting;

namespace Polysim.ClobApi.Seeding;

/// <summary>The lines printed once the server listens: URL, API reference, operator key and demo key, ready to paste.</summary>
public sealed class StartupBanner(
    IServer server, IConfiguration configuration, OperatorKey operatorKey, DataDirectory dataDirectory, HostState state, ILogger<StartupBanner> log)
{
    /// <summary>Whether this start seeded the data directory.</summary>
    public bool SeededThisStart { get; set; }

    /// <summary>The listening base URL (the first address; a wildcard host shown as localhost).</summary>
    public string BaseUrl
    {
        get
        {
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? PolysimServer.DefaultUrl;
            var uri = new UriBuilder(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
            if (uri.Host is "0.0.0.0" or "[::]" or "::")
            {
                uri.Host = "localhost";
            }

            return uri.Uri.GetLeftPart(UriPartial.Authority);
        }
    }

    /// <summary>The demo account's key from the data directory, when that key still authenticates.</summary>
    public string? DemoKey
    {
        get
        {
            var path = Path.Combine(dataDirectory.Path, DemoSeed.DemoKeyFile);
            if (!File.Exists(path))
            {
                return null;
            }

            var secret = File.ReadAllText(path).Trim();
            return secret.Length > 0 && state.Accounts.FindKeyBySecret(secret) is { Revoked: false } ? secret : null;
        }
    }

    /// <summary>The banner text.</summary>
    public string Compose()
    {
        var url = BaseUrl;
        var configured = !string.IsNullOrWhiteSpace(configuration["Polysim:AdminKey"]);
        var demoKey = DemoKey;
        var sb = new StringBuilder();
        sb.AppendLine(SeededThisStart ? "Polysim is ready; the fresh data directory was seeded with demo markets." : "Polysim is ready.");
        sb.AppendLine($"  URL:            {url}");
        sb.AppendLine($"  API reference:  {url}/docs");
        sb.AppendLine(configured
            ? "  Operator key:   the value of Polysim:AdminKey (send it as X-Admin-Key)"
            : $"  Operator key:   {operatorKey.Value}   (send it as X-Admin-Key)");
        if (demoKey is not null)
        {
            sb.AppendLine($"  Demo API key:   {demoKey}   (send it as X-API-Key)");
            sb.AppendLine($"  Try:            curl -H \"X-API-Key: {demoKey}\" {url}/v1/markets");
        }
        else
        {
            sb.AppendLine($"  Demo API key:   none (open an account: curl -X POST -H \"X-Admin-Key: <operator key>\" -H \"Content-Type: application/json\" -d '{{}}' {url}/v1/admin/accounts)");
        }

        return sb.ToString().TrimEnd();
    }

    /// <summary>Logs the banner.</summary>
    public void Print()
    {
        var text = Compose();
        log.LogInformation("{Banner}", text);
    }
}
