using Google.Protobuf;
using Google.Protobuf.Compiler;

namespace ConnectorKit.Grpc.Generator.Internal;

/// <summary>Turns one protoc plugin request into one response: one generated file per file to generate.</summary>
internal static class PluginHost
{
    /// <summary>proto3 <c>optional</c> fields change nothing in service stubs, so the plugin accepts them.</summary>
    private const ulong SupportedFeatures = (ulong)CodeGeneratorResponse.Types.Feature.Proto3Optional;

    public static void Run(Stream input, Stream output)
    {
        var request = CodeGeneratorRequest.Parser.ParseFrom(input);
        var response = Generate(request);
        response.WriteTo(output);
        output.Flush();
    }

    public static CodeGeneratorResponse Generate(CodeGeneratorRequest request)
    {
        var response = new CodeGeneratorResponse { SupportedFeatures = SupportedFeatures };
        try
        {
            var options = GeneratorOptions.Parse(request.Parameter);
            var types = new TypeNameIndex(request.ProtoFile);
            foreach (var fileName in request.FileToGenerate)
            {
                var file = request.ProtoFile.FirstOrDefault(f => f.Name == fileName)
                    ?? throw new GeneratorException($"protoc did not send the descriptor of {fileName}.");
                response.File.Add(new CodeGeneratorResponse.Types.File
                {
                    Name = CSharpNames.GrpcFileName(file.Name),
                    Content = ServiceGenerator.Generate(file, types, options),
                });
            }
        }
        catch (GeneratorException e)
        {
            response.File.Clear();
            response.Error = e.Message;
        }

        return response;
    }
}

/// <summary>A problem with the input that protoc should report, as opposed to a bug in the plugin.</summary>
internal sealed class GeneratorException(string message) : Exception(message);
