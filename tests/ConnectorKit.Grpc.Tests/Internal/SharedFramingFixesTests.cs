using System.Buffers;
using ConnectorKit.Grpc.Internal;

namespace ConnectorKit.Grpc.Tests.Internal;

/// <summary>Behaviour of shared Internal/ code that the client work fixed.</summary>
public sealed class SharedFramingFixesTests
{
    [Fact]
    public void Complete_WholePayloadAfterSetPayloadLength_WritesOneFrame()
    {
        var output = new ArrayBufferWriter<byte>();
        var context = new FramingSerializationContext();
        context.Initialize(output, compression: null, maxSendSize: null);

        context.SetPayloadLength(3);
        context.Complete([1, 2, 3]);

        Assert.Equal(new byte[] { 0, 0, 0, 0, 3, 1, 2, 3 }, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Decode_RawCharacterOutsideTheBmp_IsKept()
    {
        var decoded = PercentEncoding.Decode("devil 😈 at 100%25");

        Assert.Equal("devil 😈 at 100%", decoded);
    }

    [Fact]
    public void FromHttpStatus_431_IsInternal()
    {
        Assert.Equal(StatusCode.Internal, GrpcProtocol.FromHttpStatus(431));
    }
}
