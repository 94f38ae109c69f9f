using ConnectorKit.Grpc;
using ConnectorKit.Server.Outbox.Internal;

namespace ConnectorKit.Server.Tests.Outbox;

public sealed class DeliveryPolicyTests
{
    [Theory]
    [InlineData(StatusCode.OK, "Complete")]
    [InlineData(StatusCode.Unavailable, "Retry")]
    [InlineData(StatusCode.DeadlineExceeded, "Retry")]
    [InlineData(StatusCode.ResourceExhausted, "Retry")]
    [InlineData(StatusCode.Unknown, "Retry")]
    [InlineData(StatusCode.Internal, "Retry")]
    [InlineData(StatusCode.Aborted, "Retry")]
    [InlineData(StatusCode.Cancelled, "Retry")]
    [InlineData(StatusCode.DataLoss, "Retry")]
    [InlineData(StatusCode.Unauthenticated, "RetryConfigurationFault")]
    [InlineData(StatusCode.Unimplemented, "RetryConfigurationFault")]
    [InlineData(StatusCode.InvalidArgument, "DeadLetter")]
    [InlineData(StatusCode.FailedPrecondition, "DeadLetter")]
    [InlineData(StatusCode.PermissionDenied, "DeadLetter")]
    [InlineData(StatusCode.NotFound, "DeadLetter")]
    [InlineData(StatusCode.AlreadyExists, "DeadLetter")]
    [InlineData(StatusCode.OutOfRange, "DeadLetter")]
    public void Classify_Status_GivesTheDocumentedVerdict(StatusCode code, string expected)
    {
        var verdict = DeliveryPolicy.Classify(code);

        Assert.Equal(Enum.Parse<DeliveryVerdict>(expected), verdict);
    }

    [Fact]
    public void Classify_EveryStatusCode_HasAnExplicitName()
    {
        var names = Enum.GetValues<StatusCode>().Select(DeliveryPolicy.Name).ToList();

        Assert.All(names, n => Assert.Matches("^[A-Z_]+$", n));
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal("FAILED_PRECONDITION", DeliveryPolicy.Name(StatusCode.FailedPrecondition));
    }
}
