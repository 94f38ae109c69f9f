using Google.Protobuf.Reflection;

namespace ConnectorKit.Grpc.Generator.Internal;

/// <summary>
/// Maps every message protoc sent (the files to generate and all they import) from its proto name
/// (<c>.grpc.health.v1.HealthCheckRequest</c>) to the C# class protoc generates for it
/// (<c>global::Grpc.Health.V1.HealthCheckRequest</c>; nested messages live in <c>Outer.Types.Inner</c>).
/// </summary>
internal sealed class TypeNameIndex
{
    private readonly Dictionary<string, string> _csharpNames = new(StringComparer.Ordinal);

    public TypeNameIndex(IEnumerable<FileDescriptorProto> files)
    {
        foreach (var file in files)
        {
            var protoPrefix = file.Package.Length == 0 ? "." : "." + file.Package + ".";
            var @namespace = CSharpNames.FileNamespace(file);
            var csharpPrefix = @namespace.Length == 0 ? "global::" : "global::" + @namespace + ".";
            foreach (var message in file.MessageType)
            {
                Add(message, protoPrefix, csharpPrefix);
            }
        }
    }

    /// <exception cref="GeneratorException">The type was not among the descriptors protoc sent.</exception>
    public string GetCSharpName(string protoTypeName) =>
        _csharpNames.TryGetValue(protoTypeName, out var name)
            ? name
            : throw new GeneratorException($"Message type {protoTypeName} is not defined in any file protoc sent.");

    private void Add(DescriptorProto message, string protoPrefix, string csharpPrefix)
    {
        var csharpName = csharpPrefix + message.Name;
        _csharpNames[protoPrefix + message.Name] = csharpName;
        foreach (var nested in message.NestedType)
        {
            Add(nested, protoPrefix + message.Name + ".", csharpName + ".Types.");
        }
    }
}
