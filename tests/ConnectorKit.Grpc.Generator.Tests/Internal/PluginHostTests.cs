using ConnectorKit.Grpc.Generator.Internal;
using Google.Protobuf;
using Google.Protobuf.Compiler;
using Google.Protobuf.Reflection;
using FileOptions = Google.Protobuf.Reflection.FileOptions;

namespace ConnectorKit.Grpc.Generator.Tests.Internal;

/// <summary>The plugin fed hand-built requests, for cases the MSBuild-compiled test protos do not cover.</summary>
public sealed class PluginHostTests
{
    [Fact]
    public void Generate_ServiceFile_WritesOneFileNamedLikeGrpcTools()
    {
        var response = PluginHost.Generate(Request(OrdersFile()));

        var file = Assert.Single(response.File);
        Assert.Equal("ShopOrdersGrpc.cs", file.Name);
        Assert.False(response.HasError);
    }

    [Fact]
    public void Generate_AnyRequest_DeclaresProto3OptionalSupport()
    {
        var response = PluginHost.Generate(Request(OrdersFile()));

        Assert.Equal((ulong)CodeGeneratorResponse.Types.Feature.Proto3Optional, response.SupportedFeatures);
    }

    [Fact]
    public void Generate_NoServerOption_WritesClientButNoServerSide()
    {
        var code = GenerateSingle(OrdersFile(), "no_server");

        Assert.Contains("public partial class OrdersClient", code, StringComparison.Ordinal);
        Assert.DoesNotContain("OrdersBase", code, StringComparison.Ordinal);
        Assert.DoesNotContain("BindService", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_NoClientOption_WritesServerSideButNoClient()
    {
        var code = GenerateSingle(OrdersFile(), "no_client");

        Assert.Contains("public abstract partial class OrdersBase", code, StringComparison.Ordinal);
        Assert.Contains("public static void BindService<TService>", code, StringComparison.Ordinal);
        Assert.DoesNotContain("OrdersClient", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_InternalAccessOption_MakesTheServiceClassInternal()
    {
        var code = GenerateSingle(OrdersFile(), "internal_access");

        Assert.Contains("internal static partial class Orders", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_NestedAndImportedMessages_UseProtocClassNames()
    {
        var shared = new FileDescriptorProto
        {
            Name = "common/shared.proto",
            Package = "common",
            Options = new FileOptions { CsharpNamespace = "Acme.Common" },
            MessageType = { new DescriptorProto { Name = "Money" } },
        };
        var orders = OrdersFile();
        orders.Dependency.Add(shared.Name);
        orders.Service[0].Method.Add(new MethodDescriptorProto { Name = "Price", InputType = ".shop.v1.Order.Line", OutputType = ".common.Money" });

        var code = GenerateSingle([shared, orders]);

        Assert.Contains("global::ConnectorKit.Grpc.Method<global::Shop.V1.Order.Types.Line, global::Acme.Common.Money> __Method_Price", code, StringComparison.Ordinal);
        Assert.Contains("global::Shop.V1.ShopOrdersReflection.Descriptor.Services[0]", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_NoPackageAndNoNamespaceOption_WritesNoNamespaceBlock()
    {
        var file = new FileDescriptorProto
        {
            Name = "bare.proto",
            MessageType = { new DescriptorProto { Name = "Thing" } },
            Service = { new ServiceDescriptorProto { Name = "Things", Method = { new MethodDescriptorProto { Name = "Get", InputType = ".Thing", OutputType = ".Thing" } } } },
        };

        var code = GenerateSingle(file);

        Assert.DoesNotContain("namespace ", code, StringComparison.Ordinal);
        Assert.Contains("static readonly string __ServiceName = \"Things\";", code, StringComparison.Ordinal);
        Assert.Contains("global::ConnectorKit.Grpc.Marshallers.ForProtobuf(global::Thing.Parser)", code, StringComparison.Ordinal);
        Assert.Contains("global::BareReflection.Descriptor.Services[0]", code, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_FileWithoutServices_WritesACommentOnlyFile()
    {
        var file = new FileDescriptorProto { Name = "only_messages.proto", Package = "x", MessageType = { new DescriptorProto { Name = "M" } } };

        var response = PluginHost.Generate(Request(file));

        var generated = Assert.Single(response.File);
        Assert.Equal("OnlyMessagesGrpc.cs", generated.Name);
        Assert.All(generated.Content.TrimEnd('\n').Split('\n'), line => Assert.StartsWith("//", line));
    }

    [Fact]
    public void Generate_RpcLeadingComment_BecomesTheMethodSummary()
    {
        var file = OrdersFile();
        file.SourceCodeInfo = new SourceCodeInfo
        {
            Location = { new SourceCodeInfo.Types.Location { Path = { 6, 0, 2, 0 }, LeadingComments = " Places an order if stock > 0.\n" } },
        };

        var code = GenerateSingle(file);

        Assert.Contains(
            "/// <summary>\n            /// Places an order if stock &gt; 0.\n            /// </summary>\n            [global::System.CodeDom.Compiler.GeneratedCode(\"ConnectorKit.Grpc.Generator\", null)]\n            public virtual global::System.Threading.Tasks.Task<global::Shop.V1.Order> Place(",
            code,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_UnknownMessageType_ReportsAnErrorAndNoFiles()
    {
        var file = OrdersFile();
        file.Service[0].Method[0].InputType = ".shop.v1.Missing";

        var response = PluginHost.Generate(Request(file));

        Assert.Empty(response.File);
        Assert.Contains(".shop.v1.Missing", response.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_SerializedRequest_WritesAResponseProtocCanParse()
    {
        using var input = new MemoryStream(Request(OrdersFile(), "no_client").ToByteArray());
        using var output = new MemoryStream();

        PluginHost.Run(input, output);

        var response = CodeGeneratorResponse.Parser.ParseFrom(output.ToArray());
        Assert.Equal("ShopOrdersGrpc.cs", Assert.Single(response.File).Name);
    }

    private static FileDescriptorProto OrdersFile() => new()
    {
        Name = "shop/shop_orders.proto",
        Package = "shop.v1",
        MessageType =
        {
            new DescriptorProto { Name = "Order", NestedType = { new DescriptorProto { Name = "Line" } } },
        },
        Service =
        {
            new ServiceDescriptorProto
            {
                Name = "Orders",
                Method = { new MethodDescriptorProto { Name = "Place", InputType = ".shop.v1.Order", OutputType = ".shop.v1.Order" } },
            },
        },
    };

    private static CodeGeneratorRequest Request(FileDescriptorProto file, string parameter = "") => Request([file], parameter);

    private static CodeGeneratorRequest Request(FileDescriptorProto[] files, string parameter = "") => new()
    {
        Parameter = parameter,
        FileToGenerate = { files[^1].Name },
        ProtoFile = { files },
    };

    private static string GenerateSingle(FileDescriptorProto file, string parameter = "") => GenerateSingle([file], parameter);

    private static string GenerateSingle(FileDescriptorProto[] files, string parameter = "")
    {
        var response = PluginHost.Generate(Request(files, parameter));
        Assert.False(response.HasError, response.Error);
        return Assert.Single(response.File).Content;
    }
}
