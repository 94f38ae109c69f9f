using Google.Protobuf;

namespace ConnectorKit.Grpc;

/// <summary>A call ended with a non-OK status. Carries the status, the trailers and any rich error details.</summary>
public class RpcException : Exception
{
    /// <summary>The trailer that carries a serialized <c>google.rpc.Status</c>.</summary>
    public const string StatusDetailsTrailerName = "grpc-status-details-bin";

    private Google.Rpc.Status? _richStatus;
    private bool _richStatusDecoded;

    public RpcException(Status status)
        : this(status, Metadata.Empty, null)
    {
    }

    public RpcException(Status status, string? message)
        : this(status, Metadata.Empty, message)
    {
    }

    public RpcException(Status status, Metadata trailers, string? message = null)
        : base(message ?? $"Status(StatusCode=\"{status.StatusCode}\", Detail=\"{status.Detail}\")", status.DebugException)
    {
        Status = status;
        Trailers = trailers ?? throw new ArgumentNullException(nameof(trailers));
    }

    /// <summary>Builds an exception whose trailers carry <paramref name="richStatus"/> in <c>grpc-status-details-bin</c>.</summary>
    public RpcException(Google.Rpc.Status richStatus)
        : this(new Status((StatusCode)(richStatus ?? throw new ArgumentNullException(nameof(richStatus))).Code, richStatus.Message), TrailersFor(richStatus))
    {
        _richStatus = richStatus;
        _richStatusDecoded = true;
    }

    public Status Status { get; }

    public StatusCode StatusCode => Status.StatusCode;

    /// <summary>Trailers received (client side) or to send (server side).</summary>
    public Metadata Trailers { get; }

    /// <summary>The decoded <c>grpc-status-details-bin</c> trailer, or null when absent or unreadable.</summary>
    public Google.Rpc.Status? RichStatus
    {
        get
        {
            if (!_richStatusDecoded)
            {
                _richStatus = DecodeRichStatus(Trailers);
                _richStatusDecoded = true;
            }

            return _richStatus;
        }
    }

    /// <summary>The first detail of type <typeparamref name="T"/> in <see cref="RichStatus"/>, or null.</summary>
    public T? GetDetail<T>()
        where T : class, IMessage<T>, new()
    {
        var rich = RichStatus;
        if (rich is null)
        {
            return null;
        }

        var descriptor = new T().Descriptor;
        foreach (var any in rich.Details)
        {
            if (any.Is(descriptor))
            {
                return any.Unpack<T>();
            }
        }

        return null;
    }

    private static Metadata TrailersFor(Google.Rpc.Status richStatus)
    {
        var trailers = new Metadata();
        trailers.Add(StatusDetailsTrailerName, richStatus.ToByteArray());
        return trailers;
    }

    private static Google.Rpc.Status? DecodeRichStatus(Metadata trailers)
    {
        var bytes = trailers.GetValueBytes(StatusDetailsTrailerName);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            return Google.Rpc.Status.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
