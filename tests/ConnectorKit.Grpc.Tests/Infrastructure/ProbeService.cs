using ConnectorKit.Grpc.Tests.Probe;

namespace ConnectorKit.Grpc.Tests.Infrastructure;

/// <summary>The probe service; one instance per server, so tests can see what its handlers observed.</summary>
public sealed class ProbeService : Probe.Probe.ProbeBase
{
    /// <summary>Completes with the handler's token state once WaitForCancellation's token fires.</summary>
    public TaskCompletionSource<(bool Cancelled, DateTime Deadline)> CancellationObserved { get; private set; } = NewObservation();

    public void Reset() => CancellationObserved = NewObservation();

    public override Task<ProbeReply> Echo(ProbeRequest request, ServerCallContext context)
    {
        var keys = string.Join(",", context.RequestHeaders.Select(e => e.IsBinary ? $"{e.Key}={Convert.ToHexString(e.ValueBytes)}" : $"{e.Key}={e.Value}"));
        context.ResponseTrailers.Add("echo-text-bin", System.Text.Encoding.UTF8.GetBytes(request.Text));
        return Task.FromResult(new ProbeReply { Text = $"{request.Text}|{keys}|{context.Method}" });
    }

    public override Task<ProbeReply> Throw(ProbeRequest request, ServerCallContext context)
        => throw new InvalidOperationException(request.Text);

    public override Task<ProbeReply> FailRich(ProbeRequest request, ServerCallContext context)
        => throw RichStatus.InvalidArgument("The request is invalid.", ("text", "must not be '" + request.Text + "'"));

    public override async Task<ProbeReply> WaitForCancellation(ProbeRequest request, ServerCallContext context)
    {
        var observed = CancellationObserved;
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            observed.TrySetResult((context.CancellationToken.IsCancellationRequested, context.Deadline));
            throw;
        }

        return new ProbeReply();
    }

    public override async Task<ProbeReply> Collect(IAsyncStreamReader<ProbeRequest> requestStream, ServerCallContext context)
    {
        var count = 0;
        var texts = new List<string>();
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            if (request.Text == "fail")
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "bank busy, try later"));
            }

            count++;
            texts.Add(request.Text);
        }

        return new ProbeReply { Count = count, Text = string.Join(",", texts) };
    }

    public override async Task Count(ProbeRequest request, IServerStreamWriter<ProbeReply> responseStream, ServerCallContext context)
    {
        for (var i = 1; i <= request.Count; i++)
        {
            await responseStream.WriteAsync(new ProbeReply { Count = i });
        }
    }

    public override async Task Chat(IAsyncStreamReader<ProbeRequest> requestStream, IServerStreamWriter<ProbeReply> responseStream, ServerCallContext context)
    {
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(new ProbeReply { Text = request.Text });
        }
    }

    private static TaskCompletionSource<(bool, DateTime)> NewObservation() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
