using ConnectorKit.Server.Security.Internal;
using ConnectorKit.Server.Tests.Security.Infrastructure;

namespace ConnectorKit.Server.Tests.Security;

public sealed class ClientCertificateValidatorTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    [Fact]
    public void Validate_CaSignedClientCertificate_AcceptedAsSubjectCommonName()
    {
        var validator = new ClientCertificateValidator(CaOnly());

        var check = validator.Validate(certificates.Client);

        Assert.True(check.IsValid, check.Failure);
        Assert.Equal(TestCertificates.ClientPlatformId, check.PlatformId);
    }

    [Fact]
    public void Validate_CertificateFromAnotherCa_Refused()
    {
        var validator = new ClientCertificateValidator(CaOnly());

        var check = validator.Validate(certificates.OtherCaClient);

        Assert.False(check.IsValid);
        Assert.Contains("does not chain", check.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ExpiredCertificate_RefusedAsExpired()
    {
        var validator = new ClientCertificateValidator(CaOnly());

        var check = validator.Validate(certificates.ExpiredClient);

        Assert.False(check.IsValid);
        Assert.Contains("expired", check.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ClockPastTheCertificatesEnd_Refused()
    {
        var clock = new FakeTimeProvider(certificates.Client.NotAfter.ToUniversalTime().AddMinutes(1));
        var validator = new ClientCertificateValidator(CaOnly(), clock);

        var check = validator.Validate(certificates.Client);

        Assert.False(check.IsValid);
    }

    [Fact]
    public void Validate_ExpiredButPinnedCertificate_StillRefused()
    {
        var options = new ServerAuthenticationOptions { PinnedClientCertificates = { [TestCertificates.Sha256Thumbprint(certificates.ExpiredClient)] = "pinned" } };
        var validator = new ClientCertificateValidator(options);

        var check = validator.Validate(certificates.ExpiredClient);

        Assert.False(check.IsValid);
    }

    [Fact]
    public void Validate_PinWrittenLowercaseWithColons_Accepted()
    {
        var hex = TestCertificates.Sha256Thumbprint(certificates.OtherCaClient).ToLowerInvariant();
        var pin = string.Join(":", Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2)));
        var validator = new ClientCertificateValidator(new ServerAuthenticationOptions { PinnedClientCertificates = { [pin] = "pinned-platform" } });

        var check = validator.Validate(certificates.OtherCaClient);

        Assert.True(check.IsValid, check.Failure);
        Assert.Equal("pinned-platform", check.PlatformId);
    }

    [Fact]
    public void Validate_ServerOnlyCertificateOfTheSameCa_Refused()
    {
        var validator = new ClientCertificateValidator(CaOnly());

        var check = validator.Validate(certificates.Server);

        Assert.False(check.IsValid);
    }

    [Fact]
    public void Validate_TheCaCertificateItself_Refused()
    {
        var validator = new ClientCertificateValidator(CaOnly());

        var check = validator.Validate(certificates.Authority);

        Assert.False(check.IsValid);
    }

    [Fact]
    public void Constructor_PinThatIsNotSha256_Throws()
    {
        var options = new ServerAuthenticationOptions { PinnedClientCertificates = { ["ABCDEF"] = "p" } };

        Assert.Throws<InvalidOperationException>(() => new ClientCertificateValidator(options));
    }

    private ServerAuthenticationOptions CaOnly() => new() { ClientCertificateCaPath = certificates.AuthorityPemPath };
}
