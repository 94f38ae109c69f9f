using System.Text.Json.Nodes;
using ConnectorKit.Connectors.Http;
using ConnectorKit.Connectors.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Connectors.Tests.Http;

public interface ITestBank
{
    HttpClient Http { get; }
}

internal sealed class TestBank(HttpClient http) : ITestBank
{
    public HttpClient Http => http;
}

/// <summary>A service provider holding one bank client pointed at the fixture's WireMock, with fast test settings.</summary>
internal sealed class BankHttpTestHost : IAsyncDisposable
{
    public const string BankId = "test-bank";

    private readonly ServiceProvider provider;

    public BankHttpTestHost(WireMockServer server, Action<BankHttpOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddBankHttpClient<ITestBank, TestBank>(BankId, o =>
            {
                o.BaseDelay = TimeSpan.FromMilliseconds(10);
                o.MaxDelay = TimeSpan.FromMilliseconds(100);
                o.Timeout = TimeSpan.FromSeconds(10);
                o.TotalTimeout = TimeSpan.FromSeconds(20);
                configure?.Invoke(o);
            })
            .ConfigureHttpClient(c => c.BaseAddress = server.BaseAddress);
        provider = services.BuildServiceProvider();
        Client = provider.GetRequiredService<ITestBank>().Http;
    }

    public HttpClient Client { get; }

    public ValueTask DisposeAsync() => provider.DisposeAsync();

    /// <summary>A mapping answering in turn as <paramref name="responses"/> say, through a scenario; the last one repeats.</summary>
    public static async Task StubSequenceAsync(WireMockServer server, HttpMethod method, string path, params JsonObject[] responses)
    {
        var scenario = "seq-" + Guid.NewGuid().ToString("N");
        for (var i = 0; i < responses.Length; i++)
        {
            var mapping = new JsonObject
            {
                ["scenarioName"] = scenario,
                ["requiredScenarioState"] = i == 0 ? "Started" : $"step-{i}",
                ["request"] = new JsonObject { ["method"] = method.Method, ["urlPath"] = path },
                ["response"] = responses[i],
            };
            if (i < responses.Length - 1)
            {
                mapping["newScenarioState"] = $"step-{i + 1}";
            }

            await server.AddMappingAsync(mapping.ToJsonString());
        }
    }

    public static JsonObject Status(int status, string? retryAfter = null)
    {
        var response = new JsonObject { ["status"] = status };
        if (retryAfter is not null)
        {
            response["headers"] = new JsonObject { ["Retry-After"] = retryAfter };
        }

        return response;
    }

    public static JsonObject Fault(string fault) => new() { ["fault"] = fault };
}
