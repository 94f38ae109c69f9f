using System.Security.Cryptography;
using ConnectorKit.Connectors;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Grpc;
using ConnectorKit.Grpc.Security;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Conformance.Targets;

/// <summary>
/// Connector mode: the connector in-process behind the gateway, WireMock with its mappings as the bank, and a
/// callback recorder as the platform, all on loopback ports. Two platform tokens are configured, so tenancy and
/// authentication are checked too.
/// </summary>
public sealed class ConnectorTarget : IConformanceTarget
{
    private const string BankIdValue = "bank-conformance";

    private readonly WireMockServer _wireMock;
    private readonly ConnectorGatewayHost _gateway;
    private readonly GrpcChannel _channel;
    private readonly IConnectorTestBank _bank;
    private readonly string _workDirectory;

    private ConnectorTarget(IConnectorTestKit kit, WireMockServer wireMock, ConnectorGatewayHost gateway, CallbackRecorder callbacks, IConnectorTestBank bank, string workDirectory, string token, string otherToken)
    {
        Name = "connector " + kit.Connector.Name;
        Capabilities = kit.Connector.Capabilities;
        _wireMock = wireMock;
        _gateway = gateway;
        _bank = bank;
        _workDirectory = workDirectory;
        Callbacks = callbacks;
        _channel = gateway.CreateChannel();
        var invoker = _channel.CreateCallInvoker();
        CallInvoker = invoker.Intercept(new BearerTokenInterceptor(token));
        OtherPlatform = invoker.Intercept(new BearerTokenInterceptor(otherToken));
        Anonymous = invoker;
    }

    public string Name { get; }

    public string BankId => BankIdValue;

    public ConnectorCapabilities Capabilities { get; }

    public CallInvoker CallInvoker { get; }

    public CallbackRecorder Callbacks { get; }

    public IBankDriver Driver => _bank;

    public IBankJournal? Journal => _bank;

    public IBankFaults? Faults => _bank;

    public CallInvoker? OtherPlatform { get; }

    public CallInvoker? Anonymous { get; }

    /// <summary>Starts WireMock (or uses <paramref name="wireMockUrl"/>), the platform's recorder and the gateway.</summary>
    /// <param name="logging">Where the gateway's logs go; none by default.</param>
    public static async Task<ConnectorTarget> StartAsync(IConnectorTestKit kit, Uri? wireMockUrl = null, CancellationToken cancellationToken = default, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(kit);
        var workDirectory = Directory.CreateTempSubdirectory("ck-conformance-").FullName;
        // The recorder starts while the WireMock JVM does: the JVM's start-up is the longest wait of a connector run.
        var starting = wireMockUrl is null ? WireMockServer.StartAsync(QuickStart(), cancellationToken) : Task.FromResult(WireMockServer.Connect(wireMockUrl));
        var recording = CallbackRecorder.StartAsync(cancellationToken);
        WireMockServer? wireMock = null;
        CallbackRecorder? callbacks = null;
        try
        {
            wireMock = await starting.ConfigureAwait(false);
            callbacks = await recording.ConfigureAwait(false);
            await wireMock.ResetAsync(cancellationToken).ConfigureAwait(false);
            await wireMock.LoadMappingsFromDirectoryAsync(kit.MappingsDirectory, cancellationToken).ConfigureAwait(false);
            var token = NewToken();
            var otherToken = NewToken();
            var settings = new Dictionary<string, string?>(kit.Settings(wireMock.BaseAddress, workDirectory))
            {
                ["ConnectorKit:Server:BankId"] = BankIdValue,
                ["ConnectorKit:Server:DataDirectory"] = Path.Combine(workDirectory, "gateway"),
                ["ConnectorKit:Server:Platform:Address"] = callbacks.Address.ToString(),
                ["ConnectorKit:Server:Platform:PollInterval"] = "00:00:00.050",
                ["ConnectorKit:Server:Platform:BaseRetryDelay"] = "00:00:00.100",
                ["ConnectorKit:Server:Platform:MaxRetryDelay"] = "00:00:01",
                [$"ConnectorKit:Server:Authentication:BearerTokens:{token}"] = "platform-conformance",
                [$"ConnectorKit:Server:Authentication:BearerTokens:{otherToken}"] = "platform-other",
            };
            var gateway = await ConnectorGatewayHost.StartAsync(kit.Connector, settings, logging: logging, cancellationToken: cancellationToken).ConfigureAwait(false);
            var bank = kit.CreateBank(new ConnectorTestEnvironment(wireMock, gateway, workDirectory));
            return new ConnectorTarget(kit, wireMock, gateway, callbacks, bank, workDirectory, token, otherToken);
        }
        catch
        {
            // Whichever of the two started is stopped, also when the other failed to.
            callbacks ??= await recording.ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default).ConfigureAwait(false);
            wireMock ??= await starting.ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default).ConfigureAwait(false);
            if (callbacks is not null)
            {
                await callbacks.DisposeAsync().ConfigureAwait(false);
            }

            if (wireMock is not null)
            {
                await wireMock.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _gateway.DisposeAsync().ConfigureAwait(false);
        await Callbacks.DisposeAsync().ConfigureAwait(false);
        await _wireMock.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a stopping host; the temp folder is cleaned by the OS later.
        }
    }

    /// <summary>
    /// A conformance run sends WireMock a few hundred requests and waits for its start-up: C1 only and the serial
    /// collector halve that start-up (about 2 s instead of 4 s on a 2-core machine) and cost nothing a run notices.
    /// </summary>
    private static WireMockStartOptions QuickStart()
    {
        var options = new WireMockStartOptions();
        options.JvmArguments.Add("-XX:TieredStopAtLevel=1");
        options.JvmArguments.Add("-XX:+UseSerialGC");
        return options;
    }

    private static string NewToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
}
