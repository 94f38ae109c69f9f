using System.Text;
using ConnectorKit.Connectors.OpenPlatform.Tests.Infrastructure;

namespace ConnectorKit.Connectors.OpenPlatform.Tests;

public sealed class MappingFilesTests
{
    [Fact]
    public void MappingFiles_EveryGatewayAnswer_SignedByTheTestBankKeyOverItsExactContent()
    {
        using var bank = TestBank.BankRing();
        using var connector = Connectors.Signing.GatewayKeyRing.Create(new()
        {
            PrivateKeyPem = TestBank.ConnectorPrivatePem,
            PeerPublicKeys = { new() { KeyId = "bank-test-1", Pem = TestBank.BankPublicPem } },
        });
        if (Environment.GetEnvironmentVariable(MappingSigner.ResignVariable) == "1")
        {
            MappingSigner.Resign(MappingSigner.SourceFolder(), bank);
        }

        var folder = Environment.GetEnvironmentVariable(MappingSigner.ResignVariable) == "1" ? MappingSigner.SourceFolder() : TestBank.MappingsFolder;
        var bodies = MappingSigner.SignedBodies(folder).ToList();
        var stale = bodies.Where(b => !connector.TryVerify(Encoding.UTF8.GetBytes(b.Content), b.Signature, out _))
            .Select(b => $"{Path.GetFileName(b.File)}: {b.Content}").ToList();

        Assert.True(bodies.Count >= 10, $"only {bodies.Count} signed answers found");
        Assert.True(stale.Count == 0, $"Stale signatures (set {MappingSigner.ResignVariable}=1 and run this test to regenerate):\n" + string.Join("\n", stale));
    }
}
