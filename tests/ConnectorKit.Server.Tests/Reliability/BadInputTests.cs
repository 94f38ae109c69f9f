using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Contracts.V1;
using ConnectorKit.Grpc;
using ConnectorKit.Server.Services;
using ConnectorKit.Server.Storage;
using ConnectorKit.Server.Tests.Infrastructure;
using Google.Protobuf;
using Google.Rpc;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectorKit.Server.Tests.Reliability;

/// <summary>
/// Bad input sent to a real bank (SQLite): hand-built frames over HTTP/2 for the wire, the generated clients for
/// bad messages. Each case gets the status the gRPC spec gives it, changes nothing stored, and the bank keeps serving:
/// INTERNAL for broken framing, a compressed flag without grpc-encoding, bad gzip and bad protobuf (the spec's
/// protocol errors); UNIMPLEMENTED for an encoding the server does not support; RESOURCE_EXHAUSTED above the receive
/// limit, compressed or not; INVALID_ARGUMENT for messages that parse but break the contract's rules.
/// </summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private const string SubmitPath = "/connectorkit.v1.LoanApplicationsService/SubmitApplication";
    private const string PushPath = "/connectorkit.v1.CreditDataService/PushCreditProfile";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "ck-badinput-" + Guid.NewGuid().ToString("N"));
    private RecordingPlatform _platform = null!;
    private BankServerHost _bank = null!;
    private GrpcChannel _channel = null!;
    private HttpClient _http = null!;

    private IConnectorKitStore Store => _bank.Services.GetRequiredService<IConnectorKitStore>();

    private LoanApplicationsService.LoanApplicationsServiceClient Applications => new(_channel);

    private CreditDataService.CreditDataServiceClient CreditData => new(_channel);

    public async Task InitializeAsync()
    {
        _platform = await RecordingPlatform.StartAsync().WaitAsync(Timeout);
        _bank = await BankServerHost.StartAsync(options =>
        {
            options.Store = StoreKind.Sqlite;
            options.DataDirectory = _dataDirectory;
            options.Platform.Address = _platform.Address;
        }).WaitAsync(Timeout);
        _channel = _bank.CreateChannel();
        _http = new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = true }) { BaseAddress = _bank.Address, Timeout = Timeout };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _channel.Dispose();
        await _bank.DisposeAsync().AsTask().WaitAsync(Timeout);
        await _platform.DisposeAsync().AsTask().WaitAsync(Timeout);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    public static TheoryData<string, StatusCode> WireCases => new()
    {
        { "empty body", StatusCode.Internal },
        { "truncated header", StatusCode.Internal },
        { "length prefix longer than the body", StatusCode.Internal },
        { "two messages on a unary call", StatusCode.Internal },
        { "compressed flag without grpc-encoding", StatusCode.Internal },
        { "invalid compressed flag", StatusCode.Internal },
        { "invalid gzip", StatusCode.Internal },
        { "unsupported grpc-encoding", StatusCode.Unimplemented },
        { "invalid protobuf", StatusCode.Internal },
        { "length prefix above the receive limit", StatusCode.ResourceExhausted },
        { "gzip inflating above the receive limit", StatusCode.ResourceExhausted },
    };

    [Theory]
    [MemberData(nameof(WireCases))]
    public async Task SubmitApplication_BadFraming_DocumentedStatusNothingStoredAndServerServes(string scenario, StatusCode expected)
    {
        var request = SampleData.Submit(SampleData.CreditCode(81_001));
        var (body, headers) = BadBody(scenario, request.ToByteArray());
        var before = await SnapshotAsync(request.EnterpriseCreditCode);

        var (httpStatus, grpcStatus, message) = await SendRawAsync(SubmitPath, body, headers).WaitAsync(Timeout);

        Assert.True(httpStatus == HttpStatusCode.OK, $"{scenario}: HTTP {(int)httpStatus}");
        Assert.True(grpcStatus == ((int)expected).ToString(System.Globalization.CultureInfo.InvariantCulture), $"{scenario}: grpc-status {grpcStatus} ({message}), expected {expected}");
        Assert.Equal(before, await SnapshotAsync(request.EnterpriseCreditCode));
        await AssertServesAsync();
    }

    [Fact]
    public async Task PushCreditProfile_InvalidProtobufOverRawHttp2_InternalAndNoProfileStored()
    {
        var profile = SampleData.Profile(SampleData.CreditCode(81_002), 1);
        var payload = new PushCreditProfileRequest { Profile = profile }.ToByteArray();
        // Cut inside the nested profile: every length-delimited field now claims more bytes than remain.
        var truncated = payload[..(payload.Length / 2)];

        var (_, grpcStatus, message) = await SendRawAsync(PushPath, Frame(truncated), null).WaitAsync(Timeout);

        Assert.True(grpcStatus == "13", $"grpc-status {grpcStatus} ({message})");
        Assert.Empty(await Store.GetProfilesAsync(profile.Enterprise.CreditCode).WaitAsync(Timeout));
        await AssertServesAsync();
    }

    [Fact]
    public async Task SubmitApplication_HugeMetadata_RefusedCleanlyAndServerServes()
    {
        var request = SampleData.Submit(SampleData.CreditCode(81_003));
        var before = await SnapshotAsync(request.EnterpriseCreditCode);
        // Kestrel allows 32 KiB of request headers by default; this is four times that.
        var headers = new[] { ("x-huge", new string('a', 128 * 1024)) };

        var outcome = await SendRawOutcomeAsync(SubmitPath, Frame(request.ToByteArray()), headers).WaitAsync(Timeout);

        Assert.True(outcome is not null && (outcome.StartsWith("refused", StringComparison.Ordinal) || outcome == "HTTP 431"), $"a call with 128 KiB of metadata was not refused below gRPC: {outcome}");
        Assert.Equal(before, await SnapshotAsync(request.EnterpriseCreditCode));
        await AssertServesAsync();
    }

    [Fact]
    public async Task SubmitApplication_HugeMetadataFromGeneratedClient_RpcExceptionAndServerServes()
    {
        var request = SampleData.Submit(SampleData.CreditCode(81_004));
        var before = await SnapshotAsync(request.EnterpriseCreditCode);
        var metadata = new Metadata { { "x-huge", new string('b', 128 * 1024) } };

        var error = await Assert.ThrowsAsync<RpcException>(() => Applications.SubmitApplicationAsync(request, metadata).ResponseAsync).WaitAsync(Timeout);

        // Kestrel ends the connection with COMPRESSION_ERROR; the spec maps that HTTP/2 error to INTERNAL.
        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal(before, await SnapshotAsync(request.EnterpriseCreditCode));
        await AssertServesAsync();
    }

    [Fact]
    public async Task SubmitApplication_UnknownProductEnumValue_InvalidArgumentNamingProduct()
    {
        var request = SampleData.Submit(SampleData.CreditCode(81_005));
        request.Product = (ProductType)999;
        var before = await SnapshotAsync(request.EnterpriseCreditCode);

        var error = await Assert.ThrowsAsync<RpcException>(() => Applications.SubmitApplicationAsync(request).ResponseAsync).WaitAsync(Timeout);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(error.GetDetail<BadRequest>()!.FieldViolations, v => v.Field == "product");
        Assert.Equal(before, await SnapshotAsync(request.EnterpriseCreditCode));
        await AssertServesAsync();
    }

    [Fact]
    public async Task PushCreditProfile_UnknownGradeEnumValue_InvalidArgumentNamingGradeAndNothingStored()
    {
        var profile = SampleData.Profile(SampleData.CreditCode(81_006), 1);
        profile.Grade = (CreditGrade)77;

        var error = await Assert.ThrowsAsync<RpcException>(() => CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = profile }).ResponseAsync).WaitAsync(Timeout);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(error.GetDetail<BadRequest>()!.FieldViolations, v => v.Field == "profile.grade");
        Assert.Empty(await Store.GetProfilesAsync(profile.Enterprise.CreditCode).WaitAsync(Timeout));
        await AssertServesAsync();
    }

    [Theory]
    [InlineData("")]
    [InlineData("91310110666007217")]
    [InlineData("91310110666007217TX")]
    [InlineData("91310110666007217t")]
    [InlineData(SampleData.BadCheckCode)]
    [InlineData("9131011066600721７T")]
    [InlineData("913101106660072I7T")]
    public async Task SubmitApplication_InvalidCreditCode_InvalidArgumentAndNothingStored(string code)
    {
        var request = SampleData.Submit(SampleData.CreditCode(81_007));
        request.EnterpriseCreditCode = code;
        var before = await SnapshotAsync(SampleData.CreditCode(81_007));

        var error = await Assert.ThrowsAsync<RpcException>(() => Applications.SubmitApplicationAsync(request).ResponseAsync).WaitAsync(Timeout);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(error.GetDetail<BadRequest>()!.FieldViolations, v => v.Field == "enterprise_credit_code");
        Assert.Equal(before, await SnapshotAsync(SampleData.CreditCode(81_007)));
        await AssertServesAsync();
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(0L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    [InlineData(1_000_000_001L)]
    public async Task SubmitApplication_BadRequestedAmount_InvalidArgumentAndNothingStored(long unitsMinor)
    {
        var request = SampleData.Submit(SampleData.CreditCode(81_008));
        request.RequestedAmount = new Money { UnitsMinor = unitsMinor, CurrencyCode = "CNY" };
        var before = await SnapshotAsync(request.EnterpriseCreditCode);

        var error = await Assert.ThrowsAsync<RpcException>(() => Applications.SubmitApplicationAsync(request).ResponseAsync).WaitAsync(Timeout);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(error.GetDetail<BadRequest>()!.FieldViolations, v => v.Field.StartsWith("requested_amount", StringComparison.Ordinal));
        Assert.Equal(before, await SnapshotAsync(request.EnterpriseCreditCode));
        await AssertServesAsync();
    }

    [Fact]
    public async Task PushCreditProfile_NegativeAnnualRevenue_InvalidArgumentAndNothingStored()
    {
        var profile = SampleData.Profile(SampleData.CreditCode(81_009), 1);
        profile.Enterprise.AnnualRevenue = new Money { UnitsMinor = -1, CurrencyCode = "CNY" };

        var error = await Assert.ThrowsAsync<RpcException>(() => CreditData.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = profile }).ResponseAsync).WaitAsync(Timeout);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(error.GetDetail<BadRequest>()!.FieldViolations, v => v.Field.StartsWith("profile.enterprise.annual_revenue", StringComparison.Ordinal));
        Assert.Empty(await Store.GetProfilesAsync(profile.Enterprise.CreditCode).WaitAsync(Timeout));
    }

    [Theory]
    [InlineData(1_000_000L)]
    [InlineData(long.MaxValue)]
    public async Task DisburseAsync_TrancheOverflowingTheTotal_RefusedAndTotalUnchanged(long approvedUnitsMinor)
    {
        var submitted = await Applications.SubmitApplicationAsync(SampleData.Submit(SampleData.CreditCode(81_010))).ResponseAsync.WaitAsync(Timeout);
        var id = submitted.Application.ApplicationId;
        await _bank.Decisions.ApproveAsync(id, new ApprovedTerms { Amount = new Money { UnitsMinor = approvedUnitsMinor, CurrencyCode = "CNY" }, AnnualRateBp = 385, TermMonths = 36 }).WaitAsync(Timeout);
        await _bank.Decisions.DisburseAsync(id, new Money { UnitsMinor = 500, CurrencyCode = "CNY" }, "6222020200112233445").WaitAsync(Timeout);

        // 500 + long.MaxValue wraps to a negative total, which a plain "total > approved" check lets through.
        await Assert.ThrowsAsync<ApplicationTransitionException>(() => _bank.Decisions.DisburseAsync(id, new Money { UnitsMinor = long.MaxValue, CurrencyCode = "CNY" }, "6222020200112233445")).WaitAsync(Timeout);

        var stored = await Applications.GetApplicationAsync(new GetApplicationRequest { ApplicationId = id }).ResponseAsync.WaitAsync(Timeout);
        Assert.Equal(500, stored.Application.DisbursedTotal.UnitsMinor);
        Assert.Single(stored.Application.Timeline, t => t.State == ApplicationState.Disbursed);
    }

    /// <summary>Everything a bad submission or push could have touched: applications per state and the enterprise's profiles.</summary>
    private async Task<string> SnapshotAsync(string creditCode)
    {
        var parts = new List<string>();
        foreach (var state in Enum.GetValues<ApplicationState>())
        {
            var list = await Store.ListApplicationsAsync(state, 10_000).WaitAsync(Timeout);
            parts.Add($"{state}={list.Count}");
        }

        parts.Add("profiles=" + (await Store.GetProfilesAsync(creditCode).WaitAsync(Timeout)).Count);
        return string.Join(";", parts);
    }

    private async Task AssertServesAsync()
    {
        var request = SampleData.Submit(SampleData.CreditCode(89_000 + Random.Shared.Next(999)));

        var reply = await Applications.SubmitApplicationAsync(request).ResponseAsync.WaitAsync(Timeout);

        Assert.Equal(ApplicationState.Submitted, reply.Application.State);
    }

    private static (byte[] Body, (string, string)[]? Headers) BadBody(string scenario, byte[] valid) => scenario switch
    {
        "empty body" => ([], null),
        "truncated header" => (Frame(valid)[..3], null),
        "length prefix longer than the body" => (Frame(valid)[..^10], null),
        "two messages on a unary call" => ([.. Frame(valid), .. Frame(valid)], null),
        "compressed flag without grpc-encoding" => (Frame(Gzip(valid), flag: 1), null),
        "invalid compressed flag" => (Frame(valid, flag: 2), null),
        "invalid gzip" => (Frame([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02], flag: 1), [("grpc-encoding", "gzip")]),
        "unsupported grpc-encoding" => (Frame(valid, flag: 1), [("grpc-encoding", "snappy")]),
        "invalid protobuf" => (Frame([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), null),
        "length prefix above the receive limit" => (FrameAnnouncing(5 * 1024 * 1024, valid), null),
        "gzip inflating above the receive limit" => (Frame(Gzip(new byte[5 * 1024 * 1024]), flag: 1), [("grpc-encoding", "gzip")]),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };

    private static byte[] Frame(byte[] payload, byte flag = 0) => FrameAnnouncing((uint)payload.Length, payload, flag);

    private static byte[] FrameAnnouncing(uint length, byte[] payload, byte flag = 0)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>One gRPC call by hand over h2c; grpc-status from the trailers or, for Trailers-Only, the headers.</summary>
    private async Task<(HttpStatusCode Http, string? GrpcStatus, string? GrpcMessage)> SendRawAsync(string path, byte[] body, (string Name, string Value)[]? headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await response.Content.ReadAsByteArrayAsync();
        string? Find(string name) => response.TrailingHeaders.TryGetValues(name, out var t) ? t.First()
            : response.Headers.TryGetValues(name, out var h) ? h.First() : null;
        return (response.StatusCode, Find("grpc-status"), Find("grpc-message"));
    }

    /// <summary>As <see cref="SendRawAsync"/>, but a refusal below gRPC (an HTTP error or a reset stream) is an outcome too.</summary>
    private async Task<string?> SendRawOutcomeAsync(string path, byte[] body, (string Name, string Value)[]? headers)
    {
        try
        {
            var (http, grpcStatus, _) = await SendRawAsync(path, body, headers);
            return grpcStatus ?? $"HTTP {(int)http}";
        }
        catch (HttpRequestException ex)
        {
            return "refused: " + ex.Message;
        }
    }
}
