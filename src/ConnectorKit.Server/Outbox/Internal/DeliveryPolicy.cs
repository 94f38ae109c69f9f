using ConnectorKit.Grpc;

namespace ConnectorKit.Server.Outbox.Internal;

/// <summary>What the dispatcher does with a message after one delivery attempt.</summary>
internal enum DeliveryVerdict
{
    /// <summary>The platform acknowledged it: remove it from the outbox.</summary>
    Complete,

    /// <summary>A fault that passes (the platform or the network): try again after a back-off.</summary>
    Retry,

    /// <summary>Our configuration is wrong (credentials, endpoint): retry, since the fix is on the bank's side and needs no redrive, and log an error.</summary>
    RetryConfigurationFault,

    /// <summary>The platform refused this message for good: park it in the dead letters, which holds the application's later events.</summary>
    DeadLetter,
}

/// <summary>Maps a gRPC status to a <see cref="DeliveryVerdict"/>, following the LoanEvents service's documented codes.</summary>
internal static class DeliveryPolicy
{
    public static DeliveryVerdict Classify(StatusCode code) => code switch
    {
        StatusCode.OK => DeliveryVerdict.Complete,

        // The contract's refusals: bad input, wrong state or order, another bank's application, unknown application,
        // same event id with a different body. Sending the same bytes again cannot succeed.
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.PermissionDenied or StatusCode.NotFound
            or StatusCode.AlreadyExists or StatusCode.OutOfRange => DeliveryVerdict.DeadLetter,

        // Missing or rejected credentials, or an address that does not serve LoanEvents: every message would fail the
        // same way, and parking them all would need a redrive each once the configuration is fixed.
        StatusCode.Unauthenticated or StatusCode.Unimplemented => DeliveryVerdict.RetryConfigurationFault,

        // UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED (the contract says retry), and UNKNOWN, INTERNAL, ABORTED,
        // CANCELLED, DATA_LOSS: faults of the moment; the platform deduplicates on event id, so a retry is safe.
        _ => DeliveryVerdict.Retry,
    };

    /// <summary>The canonical gRPC name of a status code, e.g. <c>PERMISSION_DENIED</c>.</summary>
    public static string Name(StatusCode code) => code.ToWireName();
}
