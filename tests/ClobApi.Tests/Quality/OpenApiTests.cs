using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Polysim.ClobApi.Tests.Quality;

/// <summary>The OpenAPI document describes every mapped route, in the wire's own field names, and /docs serves it.</summary>
public sealed partial class OpenApiTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(QualityKit.Settings());

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Every_mapped_route_appears_in_openapi_v1_json_with_its_method()
    {
        var documented = await DocumentedOperationsAsync();
        var missing = MappedRoutes()
            .SelectMany(r => r.Methods.Select(m => (r.Pattern, Method: m)))
            .Where(op => !documented.Contains(Key(op.Method, op.Pattern)))
            .Select(op => $"{op.Method} {op.Pattern}")
            .ToList();

        Assert.True(missing.Count == 0, "Routes missing from /openapi/v1.json:\n  " + string.Join("\n  ", missing));
        Assert.Contains(Key("POST", "/v1/orders"), documented);
        Assert.Contains(Key("GET", "/healthz"), documented);
    }

    [Fact]
    public void Every_route_carries_a_summary_and_a_documented_response()
    {
        var lacking = new List<string>();
        foreach (var route in MappedRoutes())
        {
            var gaps = new List<string>();
            if (route.Endpoint.Metadata.GetMetadata<IEndpointSummaryMetadata>() is not { Summary.Length: > 0 })
            {
                gaps.Add("WithSummary");
            }

            if (!route.Endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().Any(p => p.Type is not null && p.Type != typeof(void)))
            {
                gaps.Add("Produces<T>");
            }

            if (gaps.Count > 0)
            {
                lacking.Add($"{string.Join("/", route.Methods)} {route.Pattern}: no {string.Join(", no ", gaps)}");
            }
        }

        Assert.True(lacking.Count == 0, "Routes without OpenAPI metadata:\n  " + string.Join("\n  ", lacking));
    }

    [Fact]
    public async Task Request_and_response_schemas_use_the_wires_snake_case_field_names()
    {
        using var client = _server.Client();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        var camel = new List<string>();
        foreach (var schema in schemas.EnumerateObject())
        {
            if (!schema.Value.TryGetProperty("properties", out var properties))
            {
                continue;
            }

            foreach (var property in properties.EnumerateObject())
            {
                // Polymarket's own bodies are camelCase on the wire (tokenId, makerAmount, orderID), so those schemas keep them.
                if (property.Name.Any(char.IsUpper) && !schema.Name.StartsWith("Polymarket", StringComparison.Ordinal)
                    && schema.Name is not "CancelOrderRequest")
                {
                    camel.Add($"{schema.Name}.{property.Name}");
                }
            }
        }

        Assert.True(camel.Count == 0, "Schema fields not spelled as on the wire:\n  " + string.Join("\n  ", camel.Take(40)));
        var order = schemas.GetProperty("NativeOrderRequest").GetProperty("properties");
        Assert.True(order.TryGetProperty("token_id", out _), "NativeOrderRequest has no token_id");
        Assert.True(order.TryGetProperty("client_order_id", out _), "NativeOrderRequest has no client_order_id");
    }

    [Fact]
    public async Task Docs_serve_the_interactive_reference_page_of_the_document()
    {
        using var client = _server.Client();
        var response = await client.GetAsync("/docs");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<html", html, StringComparison.OrdinalIgnoreCase);
        // The page loads the document by a URL relative to the site root, and its scripts relative to itself.
        Assert.Contains("\"openapi/v1.json\"", html, StringComparison.Ordinal);
        var page = response.RequestMessage!.RequestUri!;
        foreach (Match script in ScriptSource().Matches(html))
        {
            var asset = await client.GetAsync(new Uri(page, script.Groups["src"].Value));
            Assert.True(asset.StatusCode == HttpStatusCode.OK, $"{script.Groups["src"].Value}: {(int)asset.StatusCode}");
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json")).StatusCode);
    }

    private async Task<HashSet<string>> DocumentedOperationsAsync()
    {
        using var client = _server.Client();
        var response = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var operations = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                operations.Add(Key(operation.Name, path.Name));
            }
        }

        return operations;
    }

    /// <summary>Every route endpoint the app maps, except the document and the reference page themselves.</summary>
    private List<(string Pattern, string[] Methods, RouteEndpoint Endpoint)> MappedRoutes()
    {
        var source = _server.Services.GetRequiredService<EndpointDataSource>();
        var routes = new List<(string, string[], RouteEndpoint)>();
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? string.Empty).TrimStart('/');
            if (pattern.StartsWith("/openapi/", StringComparison.Ordinal) || pattern.StartsWith("/docs", StringComparison.Ordinal))
            {
                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.ToArray() ?? ["*"];
            routes.Add((pattern, methods, endpoint));
        }

        Assert.True(routes.Count > 40, $"only {routes.Count} routes found");
        return routes;
    }

    /// <summary>"get /v1/keys/{id}" for a method and a route template, with constraints and trailing slashes removed.</summary>
    private static string Key(string method, string pattern)
    {
        var path = Constraint().Replace(pattern, "{${name}}").TrimEnd('/');
        return method.ToUpperInvariant() + " " + (path.Length == 0 ? "/" : path);
    }

    [GeneratedRegex("<script[^>]*\\ssrc=\"(?<src>[^\"]+)\"")]
    private static partial Regex ScriptSource();

    [GeneratedRegex(@"\{\*{0,2}(?<name>[A-Za-z_][A-Za-z0-9_]*)[^}]*\}")]
    private static partial Regex Constraint();
}
