using System.Net.Http.Headers;
using ConnectorKit.Grpc.Internal;

namespace ConnectorKit.Grpc.Tests.Client;

public sealed class HeaderMetadataTests
{
    [Theory]
    [InlineData(new byte[] { 0xab }, "qw")]
    [InlineData(new byte[] { 0xab, 0xcd }, "q80")]
    [InlineData(new byte[] { 0xab, 0xcd, 0xef }, "q83v")]
    public void AddRequestHeaders_BinaryValue_SendsBase64WithoutPadding(byte[] value, string expected)
    {
        using var request = new HttpRequestMessage();

        HeaderMetadata.AddRequestHeaders(request.Headers, new Metadata { { "x-data-bin", value } });

        Assert.Equal(expected, Assert.Single(request.Headers.NonValidated["x-data-bin"]));
    }

    [Fact]
    public void Read_ReservedAndCustomHeaders_KeepsOnlyCustomMetadata()
    {
        using var response = new HttpResponseMessage();
        response.Headers.TryAddWithoutValidation("grpc-status", "0");
        response.Headers.TryAddWithoutValidation("grpc-encoding", "gzip");
        response.Headers.TryAddWithoutValidation("date", "Sat, 21 Nov 2026 23:00:00 GMT");
        response.Headers.TryAddWithoutValidation("x-request-id", "abc");
        response.Headers.TryAddWithoutValidation("x-list-bin", "qw==,q80");
        response.Headers.TryAddWithoutValidation("grpc-status-details-bin", "CAM");

        var metadata = HeaderMetadata.Read(response.Headers);

        Assert.Equal(["x-request-id", "x-list-bin", "x-list-bin", "grpc-status-details-bin"], metadata.Select(e => e.Key));
        Assert.Equal([new byte[] { 0xab }, new byte[] { 0xab, 0xcd }], metadata.GetAll("x-list-bin").Select(e => e.ValueBytes));
        Assert.True(metadata.IsReadOnly);
    }

    [Fact]
    public void Read_ValueThatCannotBeMetadata_IsSkipped()
    {
        using var response = new HttpResponseMessage();
        response.Headers.TryAddWithoutValidation("x-broken-bin", "!!!");
        response.Headers.TryAddWithoutValidation("x-fine", "ok");

        var metadata = HeaderMetadata.Read(response.Headers);

        var entry = Assert.Single(metadata);
        Assert.Equal("x-fine", entry.Key);
    }

    [Theory]
    [InlineData("13", StatusCode.Internal)]
    [InlineData("0", StatusCode.OK)]
    [InlineData("nope", StatusCode.Unknown)]
    public void TryGetStatus_StatusHeader_ParsesCode(string value, StatusCode expected)
    {
        using var response = new HttpResponseMessage();
        response.Headers.TryAddWithoutValidation("grpc-status", value);

        Assert.True(HeaderMetadata.TryGetStatus(response.Headers, out var status));

        Assert.Equal(expected, status.StatusCode);
    }

    [Fact]
    public void TryGetStatus_NoStatusHeader_ReturnsFalse()
    {
        using var response = new HttpResponseMessage();

        Assert.False(HeaderMetadata.TryGetStatus(response.Headers, out _));
    }
}
