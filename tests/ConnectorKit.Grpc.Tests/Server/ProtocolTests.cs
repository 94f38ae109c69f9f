using ConnectorKit.Grpc.Internal;

namespace ConnectorKit.Grpc.Tests.Server;

public sealed class ProtocolTests
{
    [Theory]
    [InlineData("\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n")]
    [InlineData("统一社会信用代码校验位错误：91350100M0001TGQXM")]
    [InlineData("100% sure")]
    [InlineData("plain")]
    public void PercentEncoding_RoundTrip_ReturnsOriginalAndSendsOnlyPrintableAscii(string message)
    {
        var encoded = PercentEncoding.Encode(message);

        Assert.All(encoded, c => Assert.InRange(c, (char)0x20, (char)0x7E));
        Assert.Equal(message, PercentEncoding.Decode(encoded));
    }

    [Fact]
    public void PercentEncoding_MalformedEscape_IsKeptAsIs()
    {
        var decoded = PercentEncoding.Decode("50%% off %zz %4");

        Assert.Equal("50%% off %zz %4", decoded);
    }

    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("250m", 2_500_000L)]
    [InlineData("7u", 70L)]
    [InlineData("500n", 5L)]
    public void GrpcTimeout_ValidHeader_ParsesToTicks(string header, long ticks)
    {
        var ok = GrpcTimeout.TryParse(header, out var timeout);

        Assert.True(ok);
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("123456789S")]
    [InlineData("10x")]
    [InlineData("-1S")]
    public void GrpcTimeout_InvalidHeader_IsRejected(string header)
    {
        Assert.False(GrpcTimeout.TryParse(header, out _));
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(1.5)]
    [InlineData(90)]
    [InlineData(86_400 * 400)]
    public void GrpcTimeout_Format_RoundTripsWithinUnitAndFitsEightDigits(double seconds)
    {
        var timeout = TimeSpan.FromSeconds(seconds);

        var header = GrpcTimeout.Format(timeout);

        Assert.True(header.Length <= 9, header);
        Assert.True(GrpcTimeout.TryParse(header, out var parsed));
        Assert.True(parsed >= timeout, $"{header} is shorter than {timeout}");
    }

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc;charset=utf-8", true)]
    [InlineData("application/grpc-web", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void IsGrpcContentType_Value_RecognisesGrpcOnly(string? contentType, bool expected)
    {
        Assert.Equal(expected, GrpcProtocol.IsGrpcContentType(contentType));
    }

    [Theory]
    [InlineData(400, StatusCode.Internal)]
    [InlineData(401, StatusCode.Unauthenticated)]
    [InlineData(403, StatusCode.PermissionDenied)]
    [InlineData(404, StatusCode.Unimplemented)]
    [InlineData(429, StatusCode.Unavailable)]
    [InlineData(503, StatusCode.Unavailable)]
    [InlineData(500, StatusCode.Unknown)]
    public void FromHttpStatus_HttpCode_MapsPerGrpcTable(int httpStatus, StatusCode expected)
    {
        Assert.Equal(expected, GrpcProtocol.FromHttpStatus(httpStatus));
    }
}
