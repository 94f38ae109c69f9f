using System.Collections.Concurrent;
using System.Threading.Channels;
using global::Grpc.Health.V1;
using static global::Grpc.Health.V1.HealthCheckResponse.Types;

namespace ConnectorKit.Grpc.Health;

/// <summary>
/// The standard <c>grpc.health.v1.Health</c> service. The server as a whole ("") and every mapped service
/// report SERVING until set otherwise with <see cref="SetStatus"/>.
/// </summary>
public sealed class HealthServiceImpl : global::Grpc.Health.V1.Health.HealthBase
{
    private readonly ConcurrentDictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Channel<ServingStatus>, string> _watchers = new();

    public HealthServiceImpl() => _statuses[string.Empty] = ServingStatus.Serving;

    /// <summary>Sets the status of a service ("" for the server as a whole) and tells its watchers.</summary>
    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        _statuses[service] = status;
        Notify(service, status);
    }

    /// <summary>Forgets a service; Check answers NOT_FOUND for it and watchers see SERVICE_UNKNOWN.</summary>
    public void ClearStatus(string service)
    {
        _statuses.TryRemove(service, out _);
        Notify(service, ServingStatus.ServiceUnknown);
    }

    public override Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        if (_statuses.TryGetValue(request.Service, out var status))
        {
            return Task.FromResult(new HealthCheckResponse { Status = status });
        }

        throw new RpcException(new Status(StatusCode.NotFound, $"Service '{request.Service}' is unknown to the health service."));
    }

    public override async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        var channel = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        _watchers[channel] = request.Service;
        try
        {
            var last = _statuses.TryGetValue(request.Service, out var current) ? current : ServingStatus.ServiceUnknown;
            await responseStream.WriteAsync(new HealthCheckResponse { Status = last }).ConfigureAwait(false);
            while (await channel.Reader.WaitToReadAsync(context.CancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var next))
                {
                    if (next != last)
                    {
                        last = next;
                        await responseStream.WriteAsync(new HealthCheckResponse { Status = next }).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The watcher left; ending the call is the normal way out of Watch.
        }
        finally
        {
            _watchers.TryRemove(channel, out _);
        }
    }

    internal void MarkServing(string service) => _statuses.TryAdd(service, ServingStatus.Serving);

    private void Notify(string service, ServingStatus status)
    {
        foreach (var (channel, watched) in _watchers)
        {
            if (watched == service)
            {
                channel.Writer.TryWrite(status);
            }
        }
    }
}
