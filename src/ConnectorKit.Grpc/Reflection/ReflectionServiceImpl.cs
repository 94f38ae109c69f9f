using ConnectorKit.Grpc.Server.Internal;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using global::Grpc.Reflection.V1;

namespace ConnectorKit.Grpc.Reflection;

/// <summary>
/// Server reflection (<c>grpc.reflection.v1</c>): lists the mapped services and serves the file descriptors
/// that define them, so tools such as <c>buf curl</c> and <c>grpcurl</c> can call them without the .proto files.
/// </summary>
public sealed class ReflectionServiceImpl : ServerReflection.ServerReflectionBase
{
    private readonly GrpcServiceRegistry _registry;
    private Index? _index;

    internal ReflectionServiceImpl(GrpcServiceRegistry registry) => _registry = registry;

    public override async Task ServerReflectionInfo(IAsyncStreamReader<ServerReflectionRequest> requestStream, IServerStreamWriter<ServerReflectionResponse> responseStream, ServerCallContext context)
    {
        var sent = new HashSet<string>(StringComparer.Ordinal);
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(Answer(requestStream.Current, sent)).ConfigureAwait(false);
        }
    }

    internal ServerReflectionResponse Answer(ServerReflectionRequest request, HashSet<string> alreadySent)
    {
        var index = _index ??= new Index(_registry.Descriptors);
        var response = new ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request.Clone() };
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                var list = new ListServiceResponse();
                foreach (var name in index.ServiceNames)
                {
                    list.Service.Add(new ServiceResponse { Name = name });
                }

                response.ListServicesResponse = list;
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                SetFile(response, index.FindFile(request.FileByFilename), alreadySent, $"File '{request.FileByFilename}' not found.");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                SetFile(response, index.FindSymbol(request.FileContainingSymbol), alreadySent, $"Symbol '{request.FileContainingSymbol}' not found.");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                SetError(response, StatusCode.NotFound, $"Extension {request.FileContainingExtension.ContainingType}({request.FileContainingExtension.ExtensionNumber}) not found.");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                if (index.HasMessage(request.AllExtensionNumbersOfType))
                {
                    response.AllExtensionNumbersResponse = new ExtensionNumberResponse { BaseTypeName = request.AllExtensionNumbersOfType };
                }
                else
                {
                    SetError(response, StatusCode.NotFound, $"Type '{request.AllExtensionNumbersOfType}' not found.");
                }

                break;
            default:
                SetError(response, StatusCode.InvalidArgument, "The reflection request names no question.");
                break;
        }

        return response;
    }

    private static void SetFile(ServerReflectionResponse response, FileDescriptor? file, HashSet<string> alreadySent, string notFound)
    {
        if (file is null)
        {
            SetError(response, StatusCode.NotFound, notFound);
            return;
        }

        // The file itself always goes out; its dependencies only once per stream.
        var files = new FileDescriptorResponse();
        var pending = new Stack<FileDescriptor>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { file.Name };
        files.FileDescriptorProto.Add(file.SerializedData);
        alreadySent.Add(file.Name);
        foreach (var dependency in file.Dependencies)
        {
            pending.Push(dependency);
        }

        while (pending.Count > 0)
        {
            var next = pending.Pop();
            if (!seen.Add(next.Name) || !alreadySent.Add(next.Name))
            {
                continue;
            }

            files.FileDescriptorProto.Add(next.SerializedData);
            foreach (var dependency in next.Dependencies)
            {
                pending.Push(dependency);
            }
        }

        response.FileDescriptorResponse = files;
    }

    private static void SetError(ServerReflectionResponse response, StatusCode code, string message)
        => response.ErrorResponse = new ErrorResponse { ErrorCode = (int)code, ErrorMessage = message };

    private sealed class Index
    {
        private readonly Dictionary<string, FileDescriptor> _files = new(StringComparer.Ordinal);
        private readonly Dictionary<string, FileDescriptor> _symbols = new(StringComparer.Ordinal);
        private readonly HashSet<string> _messages = new(StringComparer.Ordinal);

        public Index(IReadOnlyList<ServiceDescriptor> services)
        {
            ServiceNames = [.. services.Select(s => s.FullName).Order(StringComparer.Ordinal)];
            foreach (var service in services)
            {
                AddFile(service.File);
            }
        }

        public IReadOnlyList<string> ServiceNames { get; }

        public FileDescriptor? FindFile(string name) => _files.GetValueOrDefault(name);

        public FileDescriptor? FindSymbol(string symbol) => _symbols.GetValueOrDefault(symbol.TrimStart('.'));

        public bool HasMessage(string name) => _messages.Contains(name.TrimStart('.'));

        private void AddFile(FileDescriptor file)
        {
            if (!_files.TryAdd(file.Name, file))
            {
                return;
            }

            foreach (var service in file.Services)
            {
                _symbols[service.FullName] = file;
                foreach (var method in service.Methods)
                {
                    _symbols[method.FullName] = file;
                }
            }

            foreach (var message in file.MessageTypes)
            {
                AddMessage(message, file);
            }

            foreach (var enumType in file.EnumTypes)
            {
                _symbols[enumType.FullName] = file;
            }

            foreach (var dependency in file.Dependencies)
            {
                AddFile(dependency);
            }
        }

        private void AddMessage(MessageDescriptor message, FileDescriptor file)
        {
            _symbols[message.FullName] = file;
            _messages.Add(message.FullName);
            foreach (var nested in message.NestedTypes)
            {
                AddMessage(nested, file);
            }

            foreach (var enumType in message.EnumTypes)
            {
                _symbols[enumType.FullName] = file;
            }
        }
    }
}

/// <summary>
/// Server reflection under its older name, <c>grpc.reflection.v1alpha</c>, which many tools still try first.
/// The messages are the same on the wire, so it answers through the v1 implementation.
/// </summary>
public sealed class ReflectionV1AlphaServiceImpl : global::Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionBase
{
    private readonly ReflectionServiceImpl _v1;

    public ReflectionV1AlphaServiceImpl(ReflectionServiceImpl v1) => _v1 = v1;

    public override async Task ServerReflectionInfo(IAsyncStreamReader<global::Grpc.Reflection.V1Alpha.ServerReflectionRequest> requestStream, IServerStreamWriter<global::Grpc.Reflection.V1Alpha.ServerReflectionResponse> responseStream, ServerCallContext context)
    {
        var sent = new HashSet<string>(StringComparer.Ordinal);
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            var request = ServerReflectionRequest.Parser.ParseFrom(requestStream.Current.ToByteString());
            var answer = _v1.Answer(request, sent);
            await responseStream.WriteAsync(global::Grpc.Reflection.V1Alpha.ServerReflectionResponse.Parser.ParseFrom(answer.ToByteString())).ConfigureAwait(false);
        }
    }
}
