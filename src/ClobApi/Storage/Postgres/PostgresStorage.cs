using System.Text.Json.Serialization;
using Polysim.ClobApi.Hosting;
using Polysim.ClobApi.Http;
using Polysim.ClobApi.Journal;

namespace Polysim.ClobApi.Storage.Postgres;

/// <summary>Selects PostgreSQL storage when <c>ConnectionStrings:Postgres</c> is set (environment:
/// <c>ConnectionStrings__Postgres</c>): the journal goes to the database and a projection writer fills the query tables.</summary>
/// <remarks>Without the setting (or with it empty) nothing here is registered and the embedded file journal stays.</remarks>
public static class PostgresStorage
{
    /// <summary>The configuration key of the connection string.</summary>
    public const string ConnectionStringKey = "ConnectionStrings:Postgres";

    /// <summary>Journal records the projection writer takes per pass (default <see cref="ProjectionWriter.DefaultRowsPerPass"/>).</summary>
    public const string RowsPerPassKey = "Polysim:Postgres:ProjectionRowsPerPass";

    /// <summary>Least time between two projection passes in ms (default <see cref="ProjectionWriter.DefaultPassIntervalMs"/>).</summary>
    public const string PassIntervalKey = "Polysim:Postgres:ProjectionPassIntervalMs";

    /// <summary>Payload bytes of just-committed journal batches kept in memory for the projection writer (default
    /// <see cref="CommittedTail.DefaultCapacityBytes"/>; 0 makes the writer read every record back from the table).</summary>
    public const string CommittedTailBytesKey = "Polysim:Postgres:CommittedTailBytes";

    /// <summary>The connection string, or null in embedded mode.</summary>
    public static string? ConnectionString(IConfiguration configuration)
    {
        var value = configuration[ConnectionStringKey];
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    /// <summary>Registers the PostgreSQL journal and projection writer; false (nothing registered) in embedded mode.</summary>
    public static bool TryAdd(IServiceCollection services, IConfiguration configuration)
    {
        if (ConnectionString(configuration) is not { } connectionString)
        {
            return false;
        }

        var tailBytes = long.TryParse(configuration[CommittedTailBytesKey], out var bytes) ? bytes : CommittedTail.DefaultCapacityBytes;
        services.AddSingleton(_ => new PostgresJournal(connectionString, tailBytes));
        services.AddSingleton<IJournal>(sp => sp.GetRequiredService<PostgresJournal>());
        var rowsPerPass = int.TryParse(configuration[RowsPerPassKey], out var rows) ? rows : ProjectionWriter.DefaultRowsPerPass;
        var interval = int.TryParse(configuration[PassIntervalKey], out var ms) ? ms : ProjectionWriter.DefaultPassIntervalMs;
        services.AddSingleton(sp => new ProjectionWriter(
            connectionString, sp.GetRequiredService<HostState>(), sp.GetRequiredService<PostgresJournal>(), sp.GetRequiredService<ILogger<ProjectionWriter>>(),
            rowsPerPass, interval));
        services.AddHostedService(sp => sp.GetRequiredService<ProjectionWriter>());
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Add(StorageJson.Default));
        return true;
    }

    /// <summary>Maps the operator route that rebuilds the projections (PostgreSQL mode only).</summary>
    public static void MapStorage(WebApplication app)
    {
        if (app.Services.GetService<ProjectionWriter>() is null)
        {
            return;
        }

        var admin = app.MapGroup("/v1/admin").AddEndpointFilter(Api.AdminAccountsEndpoints.RequireAdmin).WithTags("Operator");
        admin.MapPost("/projections/rebuild", async (ProjectionWriter writer) =>
            {
                var position = await writer.RebuildAsync();
                return JsonReply.Json(new ProjectionRebuildReply(position), StorageJson.Default.ProjectionRebuildReply);
            })
            .Produces<ProjectionRebuildReply>()
            .WithSummary("Empties the PostgreSQL query tables and projects the whole journal again.");
    }
}

/// <summary>Reply of the projection rebuild.</summary>
/// <param name="Position">Journal position the rebuilt tables reflect.</param>
public sealed record ProjectionRebuildReply(long Position);

/// <summary>Source-generated JSON metadata for the storage routes.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ProjectionRebuildReply))]
internal sealed partial class StorageJson : JsonSerializerContext;
