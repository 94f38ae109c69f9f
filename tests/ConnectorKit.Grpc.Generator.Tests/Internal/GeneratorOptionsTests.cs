using ConnectorKit.Grpc.Generator.Internal;

namespace ConnectorKit.Grpc.Generator.Tests.Internal;

public sealed class GeneratorOptionsTests
{
    [Theory]
    [InlineData(null, true, true, false)]
    [InlineData("", true, true, false)]
    [InlineData("no_client", false, true, false)]
    [InlineData("no_server", true, false, false)]
    [InlineData("no_server,internal_access", true, false, true)]
    [InlineData(" no_client , file_suffix=Grpc.cs, base_namespace=Foo ", false, true, false)]
    public void Parse_GrpcOptParameter_SetsFlagsAndIgnoresUnknownOnes(string? parameter, bool client, bool server, bool internalAccess)
    {
        var options = GeneratorOptions.Parse(parameter);

        Assert.Equal(new GeneratorOptions(client, server, internalAccess), options);
    }
}
