using ConnectorKit.Grpc.Generator.Internal;

// protoc runs the plugin with a CodeGeneratorRequest on stdin and reads a CodeGeneratorResponse from stdout.
// Problems in the .proto are reported inside the response, so protoc prints them with the file name.
using var input = Console.OpenStandardInput();
using var output = Console.OpenStandardOutput();
PluginHost.Run(input, output);
return 0;
