using System.Net;
using System.Net.Sockets;

namespace ConnectorKit.Conformance.Tests.ServerMode;

/// <summary>
/// The reference bank as a sandbox for server mode: gRPC over h2c and the sandbox driver over HTTP/1.1 on ports
/// Kestrel picks, callbacks to <see cref="CallbackPort"/> (where the suite's sink will listen), two platform tokens.
/// </summary>
public sealed class ReferenceBankProcess : IAsyncDisposable
{
    public const string BankId = "reference-bank";
    public const string Token = "platform-token-0123456789abcdef";
    public const string OtherToken = "other-platform-token-0123456789";
    public const string DriverToken = "sandbox-driver-token-0123456789";

    private readonly Examples.BankServer.Tests.ReferenceBankProcess _bank;

    private ReferenceBankProcess(Examples.BankServer.Tests.ReferenceBankProcess bank, int callbackPort)
    {
        _bank = bank;
        CallbackPort = callbackPort;
    }

    public Uri GrpcAddress => _bank.Address;

    public Uri DriverAddress => new(_bank.Addresses[1], "sandbox/");

    public int CallbackPort { get; }

    public static async Task<ReferenceBankProcess> StartAsync()
    {
        var callbackPort = FreePort();
        var bank = await Examples.BankServer.Tests.ReferenceBankProcess.StartAsync(
            BankId,
            new Uri($"http://127.0.0.1:{callbackPort}"),
            "--Kestrel:Endpoints:Sandbox:Url=http://127.0.0.1:0",
            "--Kestrel:Endpoints:Sandbox:Protocols=Http1",
            "--ConnectorKit:Server:Platform:BaseRetryDelay=00:00:00.100",
            "--ConnectorKit:Server:Platform:MaxRetryDelay=00:00:01",
            $"--ConnectorKit:Server:Authentication:BearerTokens:{Token}=platform-a",
            $"--ConnectorKit:Server:Authentication:BearerTokens:{OtherToken}=platform-b",
            "--Sandbox:Enabled=true",
            "--Sandbox:Token=" + DriverToken);
        return new ReferenceBankProcess(bank, callbackPort);
    }

    public ValueTask DisposeAsync() => _bank.DisposeAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
