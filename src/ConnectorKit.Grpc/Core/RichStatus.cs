using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;

namespace ConnectorKit.Grpc;

/// <summary>Builds rich errors (<c>google.rpc.Status</c> with typed details) for <see cref="RpcException"/>.</summary>
public static class RichStatus
{
    /// <summary>INVALID_ARGUMENT with one BadRequest field violation per (field, description).</summary>
    public static RpcException InvalidArgument(string message, params (string Field, string Description)[] violations)
        => WithViolations(StatusCode.InvalidArgument, message, violations);

    /// <summary>Any code with a BadRequest detail listing the fields at fault.</summary>
    public static RpcException WithViolations(StatusCode code, string message, IEnumerable<(string Field, string Description)> violations)
    {
        var badRequest = new BadRequest();
        foreach (var (field, description) in violations)
        {
            badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = description });
        }

        return Create(code, message, badRequest);
    }

    /// <summary>A status with an ErrorInfo detail: a stable reason, its domain and extra facts.</summary>
    public static RpcException WithErrorInfo(StatusCode code, string message, string reason, string domain, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var info = new ErrorInfo { Reason = reason, Domain = domain };
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                info.Metadata[key] = value;
            }
        }

        return Create(code, message, info);
    }

    /// <summary>A status whose details are the given messages, packed as Any.</summary>
    public static RpcException Create(StatusCode code, string message, params IMessage[] details)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        foreach (var detail in details)
        {
            status.Details.Add(Any.Pack(detail));
        }

        return new RpcException(status);
    }
}
