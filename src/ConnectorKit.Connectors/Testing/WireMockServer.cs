using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectorKit.Connectors.Testing.Internal;

namespace ConnectorKit.Connectors.Testing;

/// <summary>
/// A WireMock standing in for a bank: either the standalone jar started on a free loopback port, or one already
/// running. Talks to it through WireMock's <c>/__admin</c> API.
/// </summary>
public sealed class WireMockServer : IAsyncDisposable
{
    private const int StartAttempts = 3;
    private static readonly TimeSpan AdminTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient admin;
    private readonly WireMockProcess? process;

    private WireMockServer(Uri baseAddress, WireMockProcess? process)
    {
        BaseAddress = baseAddress;
        this.process = process;
        admin = new HttpClient { BaseAddress = baseAddress, Timeout = AdminTimeout };
    }

    /// <summary>Where stubs answer, ending with '/'; the admin API is under <c>__admin/</c> here.</summary>
    public Uri BaseAddress { get; }

    /// <summary>
    /// Starts the WireMock standalone jar on a free 127.0.0.1 port and waits until <c>/__admin/health</c> answers.
    /// </summary>
    /// <exception cref="InvalidOperationException">The jar or java is missing, or WireMock exited while starting.</exception>
    /// <exception cref="TimeoutException">WireMock did not answer within <see cref="WireMockStartOptions.StartTimeout"/>.</exception>
    public static async Task<WireMockServer> StartAsync(WireMockStartOptions? options = null, CancellationToken ct = default)
    {
        options ??= new WireMockStartOptions();
        var jar = WireMockLocator.FindJar(options.JarPath);
        var java = WireMockLocator.FindJava(options.JavaPath);

        for (var attempt = 1; ; attempt++)
        {
            var process = WireMockProcess.Start(java, jar, options.JvmArguments, options.ExtraArguments);
            var server = new WireMockServer(new Uri($"http://127.0.0.1:{process.Port}/"), process);
            try
            {
                await server.WaitUntilHealthyAsync(process, options.StartTimeout, ct).ConfigureAwait(false);
                return server;
            }
            catch (WireMockExitedException) when (attempt < StartAttempts)
            {
                // Most likely the port picked was taken before the JVM bound it; another free port will do.
                await server.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>Uses a WireMock already running at <paramref name="existing"/>; disposing it leaves that server alone.</summary>
    public static WireMockServer Connect(Uri existing)
    {
        ArgumentNullException.ThrowIfNull(existing);
        if (!existing.IsAbsoluteUri)
        {
            throw new ArgumentException("The WireMock address must be absolute.", nameof(existing));
        }

        var text = existing.GetLeftPart(UriPartial.Path);
        return new WireMockServer(new Uri(text.EndsWith('/') ? text : text + "/"), process: null);
    }

    /// <summary>
    /// Adds every <c>*.json</c> file under <paramref name="folder"/> (subfolders too, in ordinal path order); a file
    /// holds one mapping or <c>{"mappings": [...]}</c>. Returns how many mappings were added.
    /// </summary>
    public async Task<int> LoadMappingsFromDirectoryAsync(string folder, CancellationToken ct = default)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"No WireMock mapping folder at '{folder}'.");
        }

        var count = 0;
        foreach (var file in Directory.GetFiles(folder, "*.json", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
        {
            var node = JsonNode.Parse(await File.ReadAllTextAsync(file, ct).ConfigureAwait(false))
                ?? throw new InvalidDataException($"'{file}' holds no JSON.");
            var mappings = node is JsonObject { } obj && obj["mappings"] is JsonArray list ? list.ToList() : [node];
            foreach (var mapping in mappings)
            {
                if (mapping is not JsonObject)
                {
                    throw new InvalidDataException($"'{file}' holds a mapping that is not a JSON object.");
                }

                await AddMappingAsync(mapping.ToJsonString(), ct).ConfigureAwait(false);
                count++;
            }
        }

        return count;
    }

    /// <summary>Adds one stub mapping in WireMock's JSON form; returns the id WireMock gave it.</summary>
    public async Task<Guid> AddMappingAsync(string json, CancellationToken ct = default)
    {
        var answer = await SendAsync(HttpMethod.Post, "__admin/mappings", json, ct).ConfigureAwait(false);
        return JsonNode.Parse(answer)?["id"]?.GetValue<Guid>()
            ?? throw new InvalidOperationException("WireMock answered a new mapping without an id: " + answer);
    }

    /// <summary>Removes one mapping, such as an injected fault, keeping the others and the journal.</summary>
    public Task RemoveMappingAsync(Guid id, CancellationToken ct = default) => SendAsync(HttpMethod.Delete, $"__admin/mappings/{id}", null, ct);

    /// <summary>Removes every mapping, empties the request journal and puts every scenario back to "Started".</summary>
    public Task ResetAsync(CancellationToken ct = default) => SendAsync(HttpMethod.Post, "__admin/reset", null, ct);

    /// <summary>The request journal, oldest first.</summary>
    public async Task<IReadOnlyList<WireMockRequest>> GetRequestsAsync(CancellationToken ct = default)
    {
        var answer = await SendAsync(HttpMethod.Get, "__admin/requests", null, ct).ConfigureAwait(false);
        var events = JsonNode.Parse(answer)?["requests"]?.AsArray() ?? [];
        var requests = events.Select(e => ToRequest(e?["request"]) with { StubId = StubId(e) }).ToList();
        // The journal lists the newest first.
        requests.Reverse();
        return requests;
    }

    /// <summary>The journal's requests with this method and path (query ignored, compared exactly), oldest first.</summary>
    public async Task<IReadOnlyList<WireMockRequest>> FindRequestsAsync(HttpMethod method, string urlPath, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        var all = await GetRequestsAsync(ct).ConfigureAwait(false);
        return all.Where(r => string.Equals(r.Method, method.Method, StringComparison.OrdinalIgnoreCase)
                              && string.Equals(r.UrlPath, urlPath, StringComparison.Ordinal)).ToList();
    }

    /// <summary>Moves scenario <paramref name="name"/> to <paramref name="state"/>; the scenario must exist in a mapping.</summary>
    public Task SetScenarioStateAsync(string name, string state, CancellationToken ct = default)
        => SendAsync(HttpMethod.Put, $"__admin/scenarios/{Uri.EscapeDataString(name)}/state", new JsonObject { ["state"] = state }.ToJsonString(), ct);

    /// <summary>Puts every scenario back to "Started", keeping mappings and journal.</summary>
    public Task ResetScenariosAsync(CancellationToken ct = default) => SendAsync(HttpMethod.Post, "__admin/scenarios/reset", null, ct);

    /// <summary>Stubs a 200 that comes only after <paramref name="delay"/>, e.g. to go past a client's deadline.</summary>
    public Task<Guid> StubDelayAsync(HttpMethod method, string urlPath, TimeSpan delay, CancellationToken ct = default)
        => AddMappingAsync(Stub(method, urlPath, new JsonObject
        {
            ["status"] = 200,
            ["fixedDelayMilliseconds"] = (long)delay.TotalMilliseconds,
        }), ct);

    /// <summary>Stubs a status such as 429 or 503, with <c>Retry-After</c> in seconds when given.</summary>
    public Task<Guid> StubStatusAsync(
        HttpMethod method, string urlPath, int status, int? retryAfterSeconds = null, string? body = null, CancellationToken ct = default)
    {
        var response = new JsonObject { ["status"] = status };
        if (retryAfterSeconds is { } seconds)
        {
            response["headers"] = new JsonObject { ["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture) };
        }

        if (body is not null)
        {
            response["body"] = body;
        }

        return AddMappingAsync(Stub(method, urlPath, response), ct);
    }

    /// <summary>Stubs one of WireMock's network faults.</summary>
    public Task<Guid> StubFaultAsync(HttpMethod method, string urlPath, WireMockFault fault, CancellationToken ct = default)
        => AddMappingAsync(Stub(method, urlPath, new JsonObject { ["fault"] = FaultName(fault) }), ct);

    /// <summary>Stops the started JVM and its children; a connected server is left running.</summary>
    public async ValueTask DisposeAsync()
    {
        admin.Dispose();
        if (process is not null)
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string Stub(HttpMethod method, string urlPath, JsonObject response)
    {
        ArgumentNullException.ThrowIfNull(method);
        return new JsonObject
        {
            // Priority 1 beats the default of mappings loaded from a folder, so a fault wins over the happy path.
            ["priority"] = 1,
            ["request"] = new JsonObject { ["method"] = method.Method, ["urlPath"] = urlPath },
            ["response"] = response,
        }.ToJsonString();
    }

    private static string FaultName(WireMockFault fault) => fault switch
    {
        WireMockFault.ConnectionResetByPeer => "CONNECTION_RESET_BY_PEER",
        WireMockFault.EmptyResponse => "EMPTY_RESPONSE",
        WireMockFault.MalformedResponseChunk => "MALFORMED_RESPONSE_CHUNK",
        WireMockFault.RandomDataThenClose => "RANDOM_DATA_THEN_CLOSE",
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
    };

    private static Guid? StubId(JsonNode? serveEvent)
        => serveEvent?["stubMapping"]?["id"] is JsonValue id && Guid.TryParse(id.GetValue<string>(), out var guid) ? guid : null;

    private static WireMockRequest ToRequest(JsonNode? request)
    {
        if (request is null)
        {
            throw new InvalidOperationException("WireMock's journal holds an event without a request.");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (request["headers"] is JsonObject sent)
        {
            foreach (var (name, value) in sent)
            {
                headers[name] = value switch
                {
                    JsonArray values => string.Join(", ", values.Select(v => v?.GetValue<string>())),
                    null => string.Empty,
                    _ => value.GetValue<string>(),
                };
            }
        }

        var loggedDate = request["loggedDate"] is JsonValue millis
            ? DateTimeOffset.FromUnixTimeMilliseconds(millis.GetValue<long>())
            : DateTimeOffset.MinValue;
        return new WireMockRequest(
            request["method"]?.GetValue<string>() ?? string.Empty,
            request["url"]?.GetValue<string>() ?? string.Empty,
            headers,
            request["body"]?.GetValue<string>() ?? string.Empty,
            loggedDate);
    }

    private async Task WaitUntilHealthyAsync(WireMockProcess started, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        while (true)
        {
            if (started.HasExited)
            {
                throw new WireMockExitedException("WireMock exited while starting:" + Environment.NewLine + started.RecentOutput);
            }

            try
            {
                using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, probe.Token);
                using var response = await admin.GetAsync("__admin/health", linked.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
            {
                // One probe timed out; the overall deadline has not.
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                break;
            }
        }

        throw new TimeoutException(
            $"WireMock did not answer /__admin/health within {timeout.TotalSeconds:0} s. Its output:" + Environment.NewLine + started.RecentOutput);
    }

    private async Task<string> SendAsync(HttpMethod method, string path, string? json, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }

        using var response = await admin.SendAsync(request, ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"WireMock answered {method} /{path} with {(int)response.StatusCode}: {body}", inner: null, response.StatusCode);
        }

        return body;
    }

    private sealed class WireMockExitedException(string message) : InvalidOperationException(message);
}
