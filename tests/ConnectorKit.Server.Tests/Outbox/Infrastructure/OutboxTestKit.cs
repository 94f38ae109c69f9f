using ConnectorKit.Contracts.V1;
using ConnectorKit.Server.Outbox;
using ConnectorKit.Server.Outbox.Internal;
using ConnectorKit.Server.Storage;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Server.Tests.Outbox.Infrastructure;

/// <summary>An application whose callbacks the tests put in the outbox.</summary>
public sealed record SeededApplication(string ApplicationId, IReadOnlyList<string> EventIds);

/// <summary>A started dispatcher with its channel; disposing stops it (once) and releases both.</summary>
public sealed class RunningDispatcher : IAsyncDisposable
{
    private readonly AddressPlatformChannelProvider _channels;
    private bool _stopped;

    private RunningDispatcher(OutboxDispatcher dispatcher, AddressPlatformChannelProvider channels, ListLogger<OutboxDispatcher> log)
    {
        Dispatcher = dispatcher;
        _channels = channels;
        Log = log;
    }

    public OutboxDispatcher Dispatcher { get; }

    public ListLogger<OutboxDispatcher> Log { get; }

    public static async Task<RunningDispatcher> StartAsync(IOutboxStore store, ConnectorKitServerOptions options)
    {
        var wrapped = Options.Create(options);
        var channels = new AddressPlatformChannelProvider(wrapped);
        var log = new ListLogger<OutboxDispatcher>();
        var dispatcher = new OutboxDispatcher(store, channels, wrapped, log);
        await dispatcher.StartAsync(CancellationToken.None).WaitAsync(OutboxTestKit.Timeout);
        return new RunningDispatcher(dispatcher, channels, log);
    }

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await Dispatcher.StopAsync(CancellationToken.None).WaitAsync(OutboxTestKit.Timeout);
        Dispatcher.Dispose();
        _channels.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}

internal static class OutboxTestKit
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public const string BankId = "bank-1";

    public const string DecisionMethod = "/connectorkit.v1.LoanEventsService/NotifyApprovalDecision";

    public const string DisbursementMethod = "/connectorkit.v1.LoanEventsService/NotifyDisbursement";

    /// <summary>Text inside every payload; it must never reach a log.</summary>
    public const string PayloadMarker = "payload-marker-6222021234567890";

    private static readonly DateTimeOffset OccurredAt = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Fast settings: 20 ms polls and first retry delay, retries capped at 200 ms, 5 s per attempt.</summary>
    public static ConnectorKitServerOptions Options(Uri? address, TimeSpan? pollInterval = null, int batchSize = 10) => new()
    {
        BankId = BankId,
        Platform = new PlatformCallbackOptions
        {
            Address = address,
            AttemptTimeout = TimeSpan.FromSeconds(5),
            BaseRetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromMilliseconds(200),
            PollInterval = pollInterval ?? TimeSpan.FromMilliseconds(20),
            BatchSize = batchSize,
        },
    };

    /// <summary>
    /// A new application with <paramref name="events"/> callbacks in the outbox, as the server writes them: odd
    /// sequences an approval decision (more information required), even ones a failed disbursement.
    /// </summary>
    public static async Task<SeededApplication> ApplicationWithEventsAsync(IConnectorKitStore store, int events)
    {
        var applicationId = $"app-{Guid.NewGuid():N}";
        await store.CreateApplicationAsync(new NewApplication(
            applicationId, "platform-a", $"req-{Guid.NewGuid():N}", [1], "91310000MA1K000000", ApplicationState.Submitted, [1], [2], OccurredAt)).WaitAsync(Timeout);
        var messages = Enumerable.Range(1, events).Select(sequence => CallbackFor(applicationId, sequence)).ToList();
        await store.UpdateApplicationAsync(applicationId, current => new ApplicationUpdate(
            ApplicationState.UnderReview, current.Payload, messages, OccurredAt)).WaitAsync(Timeout);
        return new SeededApplication(applicationId, [.. messages.Select(m => m.EventId)]);
    }

    /// <summary>Polls <paramref name="condition"/> every 20 ms until it holds; fails after <paramref name="within"/> (default 20 s).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (!await condition().WaitAsync(Timeout))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }

    public static Task EventuallyAsync(Func<bool> condition, string what, TimeSpan? within = null) =>
        EventuallyAsync(() => Task.FromResult(condition()), what, within);

    public static async Task<bool> OutboxIsEmptyAsync(IOutboxStore store) =>
        (await store.GetOutboxStatsAsync().WaitAsync(Timeout)).Pending == 0;

    /// <summary>The sequences the platform acknowledged for one application, in arrival order.</summary>
    public static IReadOnlyList<long> AcknowledgedSequences(PlatformScript script, string applicationId) =>
        [.. script.Acknowledged.Where(c => c.ApplicationId == applicationId).Select(c => c.Sequence)];

    private static NewOutboxMessage CallbackFor(string applicationId, int sequence)
    {
        var eventId = $"evt-{Guid.NewGuid():N}";
        var header = new EventHeader
        {
            EventId = eventId,
            ApplicationId = applicationId,
            BankId = BankId,
            Sequence = (ulong)sequence,
            OccurredAt = Timestamp.FromDateTimeOffset(OccurredAt.AddMinutes(sequence)),
        };
        if (sequence % 2 == 1)
        {
            var decision = new NotifyApprovalDecisionRequest
            {
                Header = header,
                MoreInfoRequired = new MoreInfoRequest { Message = PayloadMarker, RequestedItems = { "tax records" } },
            };
            return new NewOutboxMessage(eventId, sequence, DecisionMethod, decision.ToByteArray());
        }

        var disbursement = new NotifyDisbursementRequest
        {
            Header = header,
            TrancheNumber = 1,
            Amount = new Money { UnitsMinor = 100_000_00, CurrencyCode = "CNY" },
            Status = DisbursementStatus.Failed,
            FailureReason = PayloadMarker,
            MaskedAccount = "6222 **** **** 1234",
        };
        return new NewOutboxMessage(eventId, sequence, DisbursementMethod, disbursement.ToByteArray());
    }
}
