using System.Text;
using ConnectorKit.Connectors.Signing;

namespace ConnectorKit.Connectors.Tests.Signing;

public sealed class GatewaySignatureTests
{
    private const string Path = "/gateway.do";

    private static List<KeyValuePair<string, string>> Request() =>
    [
        new("app_id", "10000001"),
        new("method", "loan.apply.submit"),
        new("msg_id", "m-1"),
        new("format", "json"),
        new("charset", "utf-8"),
        new("sign_type", "RSA2"),
        new("timestamp", "2026-11-22 09:30:00"),
        new("biz_content", """{"out_biz_no":"app-1","amount":500000000,"purpose":"流动资金 & 设备"}"""),
    ];

    [Fact]
    public void SignedText_ParametersShuffled_SameTextSortedByKeyWithoutSign()
    {
        var parameters = Request();
        var shuffled = parameters.AsEnumerable().Reverse().Append(new("sign", "ignored")).ToList();

        var text = GatewaySignature.SignedText(Path, parameters);
        var again = GatewaySignature.SignedText(Path, shuffled);

        Assert.Equal(text, again);
        Assert.Equal(
            """/gateway.do?app_id=10000001&biz_content={"out_biz_no":"app-1","amount":500000000,"purpose":"流动资金 & 设备"}&charset=utf-8&format=json&method=loan.apply.submit&msg_id=m-1&sign_type=RSA2&timestamp=2026-11-22 09:30:00""",
            text);
    }

    [Fact]
    public void TryVerify_SignedThenShuffled_VerifiesWithTheSignersPublicKey()
    {
        using var ours = TestKeys.Ring(TestKeys.Ours, null, TestKeys.BankOld.Public);
        using var bankView = TestKeys.Ring(TestKeys.BankOld, null, TestKeys.Ours.Public);
        var signed = GatewaySignature.Sign(ours, Path, Request()).Reverse().ToList();

        var valid = GatewaySignature.TryVerify(bankView, Path, signed, out var keyId);

        Assert.True(valid);
        Assert.Equal("k0", keyId);
    }

    [Fact]
    public void TryVerify_AnyParameterOrPathChanged_Refused()
    {
        using var ours = TestKeys.Ring(TestKeys.Ours, null, TestKeys.BankOld.Public);
        using var bankView = TestKeys.Ring(TestKeys.BankOld, null, TestKeys.Ours.Public);
        var signed = GatewaySignature.Sign(ours, Path, Request()).ToList();
        var variants = new List<(string Path, List<KeyValuePair<string, string>> Form)> { ("/gateway.do2", signed) };
        for (var i = 0; i < signed.Count; i++)
        {
            if (signed[i].Key == GatewaySignature.SignParameter)
            {
                continue;
            }

            var changed = signed.ToList();
            changed[i] = new(changed[i].Key, changed[i].Value + "0");
            variants.Add((Path, changed));
        }

        variants.Add((Path, [.. signed, new("extra", "1")]));
        variants.Add((Path, signed.Where(p => p.Key != GatewaySignature.SignParameter).ToList()));
        variants.Add((Path, [.. signed, new(GatewaySignature.SignParameter, signed.Single(p => p.Key == GatewaySignature.SignParameter).Value)]));

        var accepted = variants.Where(v => GatewaySignature.TryVerify(bankView, v.Path, v.Form, out _)).ToList();

        Assert.Equal(12, variants.Count);
        Assert.Empty(accepted);
    }

    [Fact]
    public void Verify_ResponseWithAnyByteChanged_Refused()
    {
        using var bank = TestKeys.Ring(TestKeys.BankOld, null, TestKeys.Ours.Public);
        using var ours = TestKeys.Ring(TestKeys.Ours, null, TestKeys.BankOld.Public);
        var body = Encoding.UTF8.GetBytes(GatewayResponse.CreateSigned(bank, """{"apply_no":"AP1","return_code":0,"return_msg":"成功"}"""));
        var refused = 0;

        for (var i = 0; i < body.Length; i++)
        {
            var tampered = body.ToArray();
            tampered[i] ^= 0x01;
            try
            {
                GatewayResponse.Verify(ours, tampered);
            }
            catch (GatewaySignatureException)
            {
                refused++;
            }
        }

        Assert.Equal(body.Length, refused);
        Assert.Equal("AP1", GatewayResponse.Verify(ours, body).Parse().RootElement.GetProperty("apply_no").GetString());
    }

    [Fact]
    public void Verify_ContentWithEscapesAndSpacing_VerifiedOverRawBytesNotReserialised()
    {
        using var bank = TestKeys.Ring(TestKeys.BankOld, null, TestKeys.Ours.Public);
        using var ours = TestKeys.Ring(TestKeys.Ours, null, TestKeys.BankOld.Public);
        const string content = """{ "return_msg" : "\u6210\u529f", "return_code":0 }""";
        var body = $$"""{"sign":"{{bank.Sign(content)}}", "response_biz_content":{{content}} }""";

        var response = GatewayResponse.Verify(ours, Encoding.UTF8.GetBytes(body));

        Assert.Equal(content, Encoding.UTF8.GetString(response.Content.Span));
        Assert.Equal("成功", response.Parse().RootElement.GetProperty("return_msg").GetString());
    }

    [Fact]
    public void CreateSigned_UnicodeContent_RoundTripsByteForByte()
    {
        using var bank = TestKeys.Ring(TestKeys.BankOld, null, TestKeys.Ours.Public);
        using var ours = TestKeys.Ring(TestKeys.Ours, null, TestKeys.BankOld.Public);
        const string content = """{"name":"上海测试科技有限公司","note":"融资担保 ✓ 𠀀","return_code":0}""";

        var body = GatewayResponse.CreateSigned(bank, content);
        var response = GatewayResponse.Verify(ours, Encoding.UTF8.GetBytes(body));

        Assert.Equal(Encoding.UTF8.GetBytes(content), response.Content.ToArray());
        Assert.Equal("融资担保 ✓ 𠀀", response.Parse().RootElement.GetProperty("note").GetString());
    }

    [Theory]
    [InlineData("""{"response_biz_content":{"return_code":0}}""")]
    [InlineData("""{"response_biz_content":{"return_code":0},"sign":""}""")]
    [InlineData("""{"response_biz_content":{"return_code":0},"sign":"not base64!"}""")]
    [InlineData("""{"return_code":0,"sign":"AAAA"}""")]
    [InlineData("""{"response_biz_content":"{}","sign":"AAAA"}""")]
    [InlineData("<html>502 Bad Gateway</html>")]
    public void Verify_UnsignedOrNotAnEnvelope_Refused(string body)
    {
        using var ours = TestKeys.Ring(TestKeys.Ours, null, TestKeys.BankOld.Public);

        var error = Assert.Throws<GatewaySignatureException>(() => GatewayResponse.Verify(ours, Encoding.UTF8.GetBytes(body)));

        Assert.NotEmpty(error.Message);
    }

    [Fact]
    public void Verify_SecondContentMemberAfterTheSignedOne_Refused()
    {
        using var bank = TestKeys.Ring(TestKeys.BankOld, null, TestKeys.Ours.Public);
        using var ours = TestKeys.Ring(TestKeys.Ours, null, TestKeys.BankOld.Public);
        var signed = GatewayResponse.CreateSigned(bank, """{"return_code":1}""");
        var smuggled = signed[..^1] + ""","response_biz_content":{"return_code":0}}""";

        Assert.Throws<GatewaySignatureException>(() => GatewayResponse.Verify(ours, Encoding.UTF8.GetBytes(smuggled)));
    }
}
