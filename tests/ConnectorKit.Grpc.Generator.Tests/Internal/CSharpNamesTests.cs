using ConnectorKit.Grpc.Generator.Internal;
using Google.Protobuf.Reflection;
using FileOptions = Google.Protobuf.Reflection.FileOptions;

namespace ConnectorKit.Grpc.Generator.Tests.Internal;

public sealed class CSharpNamesTests
{
    [Theory]
    [InlineData("credit_data.proto", "CreditDataGrpc.cs")]
    [InlineData("health.proto", "HealthGrpc.cs")]
    [InlineData("test.proto", "TestGrpc.cs")]
    [InlineData("grpc/health/v1/health.proto", "HealthGrpc.cs")]
    [InlineData("connectorkit/v1/loan_applications.proto", "LoanApplicationsGrpc.cs")]
    [InlineData("__double__underscore_.proto", "DoubleUnderscoreGrpc.cs")]
    [InlineData("HTTP_api.proto", "HTTPApiGrpc.cs")]
    [InlineData("v1_2fast.proto", "V12fastGrpc.cs")]
    // grpc_csharp_plugin and Grpc.Tools' output prediction both keep dashes and inner dots.
    [InlineData("credit-data.proto", "Credit-dataGrpc.cs")]
    [InlineData("foo.v1_bar.proto", "Foo.v1BarGrpc.cs")]
    public void GrpcFileName_ProtoPath_MatchesGrpcToolsPrediction(string protoPath, string expected)
    {
        var name = CSharpNames.GrpcFileName(protoPath);

        Assert.Equal(expected, name);
    }

    [Theory]
    [InlineData("connectorkit.v1", "Connectorkit.V1")]
    [InlineData("grpc.health.v1", "Grpc.Health.V1")]
    [InlineData("connectorkit.generator_tests.v1", "Connectorkit.GeneratorTests.V1")]
    [InlineData("foo_bar.baz2qux", "FooBar.Baz2Qux")]
    [InlineData("Already.Pascal", "Already.Pascal")]
    [InlineData("", "")]
    public void FileNamespace_NoCsharpNamespaceOption_PascalCasesThePackage(string package, string expected)
    {
        var file = new FileDescriptorProto { Name = "x.proto", Package = package };

        var @namespace = CSharpNames.FileNamespace(file);

        Assert.Equal(expected, @namespace);
    }

    [Theory]
    [InlineData("ConnectorKit.Contracts.V1")]
    [InlineData("")]
    public void FileNamespace_CsharpNamespaceOption_WinsOverThePackage(string option)
    {
        var file = new FileDescriptorProto
        {
            Name = "x.proto",
            Package = "connectorkit.v1",
            Options = new FileOptions { CsharpNamespace = option },
        };

        var @namespace = CSharpNames.FileNamespace(file);

        Assert.Equal(option, @namespace);
    }

    [Theory]
    [InlineData("health.proto", "HealthReflection")]
    [InlineData("grpc/reflection/v1/reflection.proto", "ReflectionReflection")]
    [InlineData("credit_data.proto", "CreditDataReflection")]
    [InlineData("credit-data.proto", "CreditDataReflection")]
    [InlineData("foo.v1_bar.proto", "FooV1BarReflection")]
    [InlineData("v1_2fast.proto", "V12FastReflection")]
    [InlineData("_2fast.proto", "_2FastReflection")]
    public void ReflectionClassUnqualifiedName_ProtoPath_MatchesProtocCSharpOutput(string protoPath, string expected)
    {
        var name = CSharpNames.ReflectionClassUnqualifiedName(protoPath);

        Assert.Equal(expected, name);
    }

    [Theory]
    [InlineData("grpc.health.v1", "health.proto", "global::Grpc.Health.V1.HealthReflection")]
    [InlineData("", "bare.proto", "global::BareReflection")]
    public void ReflectionClassName_FileWithoutOption_IsQualifiedWithTheNamespace(string package, string protoPath, string expected)
    {
        var file = new FileDescriptorProto { Name = protoPath, Package = package };

        var name = CSharpNames.ReflectionClassName(file);

        Assert.Equal(expected, name);
    }

    [Fact]
    public void MarshallerFieldName_NestedMessage_JoinsEveryPartWithUnderscores()
    {
        var name = CSharpNames.MarshallerFieldName(".connectorkit.v1.Outer.Inner");

        Assert.Equal("__Marshaller_connectorkit_v1_Outer_Inner", name);
    }
}
