using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ConnectorKit.Connectors.Webhooks;
using Microsoft.AspNetCore.Http;

namespace ConnectorKit.Connectors.Tests.Webhooks;

public sealed class StandardWebhookVerifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 2, 0, 0, TimeSpan.Zero);
    private static readonly string Current = "whsec_" + Convert.ToBase64String(Encoding.ASCII.GetBytes("current-secret-for-webhook-tests"));
    private static readonly string Previous = "whsec_" + Convert.ToBase64String(Encoding.ASCII.GetBytes("previous-secret-for-webhook-test"));
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"type":"application.decided","data":{"external_id":"app-1"}}""");

    private readonly ManualClock clock = new(Now);

    [Fact]
    public void Sign_AnyMessage_IsBase64HmacSha256OfIdDotTimestampDotBody()
    {
        var key = Convert.FromBase64String(Current["whsec_".Length..]);
        var content = Encoding.UTF8.GetBytes("msg_1." + Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + ".").Concat(Body).ToArray();

        var signature = new StandardWebhookSigner(Current).Sign("msg_1", Now, Body);

        Assert.Equal("v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content)), signature);
    }

    [Fact]
    public void Verify_SignedDelivery_Valid()
    {
        var headers = new StandardWebhookSigner(Current).CreateHeaders("msg_1", Now, Body);

        var result = Verifier(Current).Verify(headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"], Body);

        Assert.True(result.IsValid);
        Assert.Equal("msg_1", result.MessageId);
        Assert.Equal(200, result.SuggestedHttpStatus);
    }

    [Fact]
    public void Verify_BodyChangedAfterSigning_InvalidSignature401()
    {
        var headers = new StandardWebhookSigner(Current).CreateHeaders("msg_1", Now, Body);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Body).Replace("app-1", "app-2", StringComparison.Ordinal));

        var result = Verifier(Current).Verify(headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"], tampered);

        Assert.Equal(WebhookVerificationStatus.InvalidSignature, result.Status);
        Assert.Equal(401, result.SuggestedHttpStatus);
    }

    [Fact]
    public void Verify_IdSwappedForAnotherMessage_InvalidSignature()
    {
        var headers = new StandardWebhookSigner(Current).CreateHeaders("msg_1", Now, Body);

        var result = Verifier(Current).Verify("msg_2", headers["webhook-timestamp"], headers["webhook-signature"], Body);

        Assert.Equal(WebhookVerificationStatus.InvalidSignature, result.Status);
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void Verify_TimestampBeyondToleranceEitherWay_OutOfTolerance(int offsetSeconds)
    {
        var sentAt = Now.AddSeconds(offsetSeconds);
        var headers = new StandardWebhookSigner(Current).CreateHeaders("msg_1", sentAt, Body);

        var result = Verifier(Current).Verify(headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"], Body);

        Assert.Equal(WebhookVerificationStatus.TimestampOutOfTolerance, result.Status);
        Assert.Equal(401, result.SuggestedHttpStatus);
    }

    [Theory]
    [InlineData(-299)]
    [InlineData(299)]
    public void Verify_TimestampWithinToleranceEitherWay_Valid(int offsetSeconds)
    {
        var headers = new StandardWebhookSigner(Current).CreateHeaders("msg_1", Now.AddSeconds(offsetSeconds), Body);

        var result = Verifier(Current).Verify(headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"], Body);

        Assert.True(result.IsValid);
    }

    [Fact]
    public void Verify_SeveralSignaturesOnlyOneValid_Valid()
    {
        var valid = new StandardWebhookSigner(Current).Sign("msg_1", Now, Body);
        var header = "v1,bm90LWEtc2lnbmF0dXJl v1a,c29tZXRoaW5nLWVsc2U= " + valid + " v2,Zm9v";

        var result = Verifier(Current).Verify("msg_1", Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), header, Body);

        Assert.True(result.IsValid);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Verify_DuringKeyRotation_EitherConfiguredSecretAccepted(bool signedWithPrevious)
    {
        var headers = new StandardWebhookSigner(signedWithPrevious ? Previous : Current).CreateHeaders("msg_1", Now, Body);

        var result = Verifier(Previous, Current).Verify(headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"], Body);

        Assert.True(result.IsValid);
    }

    [Fact]
    public void Verify_SignedWithRetiredSecretNoLongerConfigured_InvalidSignature()
    {
        var headers = new StandardWebhookSigner(Previous).CreateHeaders("msg_1", Now, Body);

        var result = Verifier(Current).Verify(headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"], Body);

        Assert.Equal(WebhookVerificationStatus.InvalidSignature, result.Status);
    }

    [Theory]
    [InlineData(null, "1795312800", "v1,abc")]
    [InlineData("msg_1", "", "v1,abc")]
    [InlineData("msg_1", "1795312800", " ")]
    public void Verify_HeaderMissing_MissingHeaders400(string? id, string? timestamp, string? signature)
    {
        var result = Verifier(Current).Verify(id, timestamp, signature, Body);

        Assert.Equal(WebhookVerificationStatus.MissingHeaders, result.Status);
        Assert.Equal(400, result.SuggestedHttpStatus);
    }

    [Theory]
    [InlineData("2026-11-22T02:00:00Z")]
    [InlineData("-5")]
    [InlineData("1795312800.5")]
    public void Verify_TimestampNotWholeSeconds_Malformed400(string timestamp)
    {
        var result = Verifier(Current).Verify("msg_1", timestamp, "v1,abc", Body);

        Assert.Equal(WebhookVerificationStatus.MalformedTimestamp, result.Status);
        Assert.Equal(400, result.SuggestedHttpStatus);
    }

    [Fact]
    public async Task VerifyAsync_RequestBodyOverLimit_BodyTooLarge413()
    {
        var context = Request(new byte[2048], new StandardWebhookSigner(Current).CreateHeaders("msg_1", Now, new byte[2048]));
        var verifier = new StandardWebhookVerifier(new StandardWebhookOptions { Secrets = [Current], MaxBodyBytes = 1024 }, clock);

        var result = await verifier.VerifyAsync(context.Request).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(WebhookVerificationStatus.BodyTooLarge, result.Status);
        Assert.Equal(413, result.SuggestedHttpStatus);
    }

    [Fact]
    public async Task VerifyAsync_SignedRequest_ValidWithTheBodyItRead()
    {
        var context = Request(Body, new StandardWebhookSigner(Current).CreateHeaders("msg_1", Now, Body));

        var result = await Verifier(Current).VerifyAsync(context.Request).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(result.IsValid);
        Assert.Equal(Body, result.Body.ToArray());
    }

    [Theory]
    [InlineData("c2VjcmV0LXdpdGhvdXQtcHJlZml4LTEyMzQ1Njc4")]
    [InlineData("whsec_not*base64")]
    [InlineData("whsec_c2hvcnQ=")]
    public void WebhookSecret_Malformed_FormatExceptionThatDoesNotRepeatIt(string text)
    {
        var error = Assert.Throws<FormatException>(() => WebhookSecret.Parse(text));

        Assert.DoesNotContain(text, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WebhookSecret_ToString_HidesTheKey()
    {
        var secret = WebhookSecret.Parse(Current);

        Assert.Equal("whsec_****", secret.ToString());
    }

    private StandardWebhookVerifier Verifier(params string[] secrets) => new(new StandardWebhookOptions { Secrets = secrets }, clock);

    private static DefaultHttpContext Request(byte[] body, IReadOnlyDictionary<string, string> headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Body = new MemoryStream(body);
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context;
    }
}
