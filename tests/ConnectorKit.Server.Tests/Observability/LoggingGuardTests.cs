using ConnectorKit.Grpc;
using ConnectorKit.Server.Observability;
using ConnectorKit.Server.Tests.Observability.Infrastructure;
using ConnectorKit.Server.Tests.Security.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ConnectorKit.Server.Tests.Observability;

/// <summary>Drives calls full of personal data and a token through both interceptors and searches every log line for them.</summary>
public sealed class LoggingGuardTests
{
    private const string Token = "ck-token-guard-8e7d6c5b4a39281706";
    private const string CreditCode = "91350200MA31XK7217";
    private const string Phone = "13812345678";
    private const string Account = "6222021234567890128";
    private static readonly TimeSpan Timeout = TestServer.Timeout;

    [Fact]
    public async Task Calls_CarryingPersonalDataAndToken_NoLogLineHoldsThemUnmasked()
    {
        var logs = new InMemoryLoggerProvider();
        using var clientLogging = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        using var telemetry = new ConnectorKitServerTelemetry();
        await using var server = await TestServer.StartAsync(new()
        {
            Logs = logs,
            Telemetry = telemetry,
            Authentication = new() { BearerTokens = { [Token] = "platform-a" } },
        });
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { LoggerFactory = clientLogging });
        var text = $"enterprise {CreditCode} phone {Phone} account {Account}";

        foreach (var kind in Enum.GetValues<CallKind>())
        {
            await EchoCalls.CallAsync(channel, kind, Sensitive("Bearer " + Token), text).WaitAsync(Timeout);
        }

        await Assert.ThrowsAsync<RpcException>(() => EchoCalls.CallAsync(channel, CallKind.Unary, Sensitive("Bearer " + Token[..^2] + "00"), text)).WaitAsync(Timeout);
        await Assert.ThrowsAsync<RpcException>(() => EchoCalls.CallAsync(channel, CallKind.Unary, Sensitive("Token " + Token), text)).WaitAsync(Timeout);
        await Assert.ThrowsAsync<RpcException>(() => EchoCalls.CallAsync(channel, CallKind.Unary, Sensitive("Bearer " + Token), EchoService.FailText)).WaitAsync(Timeout);
        await server.DisposeAsync();

        var lines = logs.Lines.Select(line => line.FullText).ToList();
        Assert.Contains(lines, line => line.Contains("91************7217", StringComparison.Ordinal) && line.Contains("138****5678", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("UNAUTHENTICATED", StringComparison.Ordinal));
        Assert.Empty(SensitiveDataGuard.FindLeaks(lines, Token, Token[..^2] + "00"));
    }

    [Fact]
    public void FindLeaks_RawValues_EachDetected()
    {
        string[] lines =
        [
            $"code {CreditCode}",
            $"phone {Phone}",
            $"account {Account}",
            $"token {Token}",
            "masked 91************7217 138****5678 622202*********0128 ****1706",
            "SpanId:7ab47debba83f5dc, TraceId:00000000000000001234567890123456, ParentId:0000000000000000",
            "msg_id 447714f3116849628536340c250f3565 notify N-13812345678x",
        ];

        var leaks = SensitiveDataGuard.FindLeaks(lines, Token);

        Assert.Equal(lines[..4], leaks);
    }

    private static Metadata Sensitive(string authorization) => new()
    {
        { "authorization", authorization },
        { "x-credit-code", CreditCode },
        { "x-phone", Phone },
        { "x-account", Account },
    };
}
