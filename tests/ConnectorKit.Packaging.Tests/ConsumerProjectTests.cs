using System.Security.Cryptography;
using ConnectorKit.Connectors.Testing;
using ConnectorKit.Examples.BankServer.Tests;
using ConnectorKit.Packaging.Tests.Infrastructure;

namespace ConnectorKit.Packaging.Tests;

/// <summary>
/// A platform team's first program, built from the packages alone in a fresh folder with its own NuGet cache, calling
/// the reference bank (a real process) through the packaged client.
/// </summary>
public sealed class ConsumerProjectTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private static readonly string[] Packages = ["ConnectorKit.Client", "ConnectorKit.Contracts", "ConnectorKit.Connectors"];
    private readonly TempDirectory _temp = new("ck-consumer-");
    private ReferenceBankProcess? _bank;

    public async Task InitializeAsync()
    {
        // Callbacks go to a port nobody listens on: this program only calls the bank.
        _bank = await ReferenceBankProcess.StartAsync(SampleData.BankId, new Uri("http://127.0.0.1:9")).WaitAsync(Timeout);
    }

    [Fact]
    public async Task FreshProject_ReferencingThePackages_BuildsAndCallsTheReferenceBank()
    {
        var project = WriteConsumerProject();
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = _temp.Combine("nuget-packages") };

        var build = await CommandLine.RunAsync(CommandLine.Dotnet, ["build", project, "-c", "Release", "-nologo"], _temp.Path, Timeout, environment);
        Assert.True(build.ExitCode == 0, build.Describe());
        var run = await CommandLine.RunAsync(CommandLine.Dotnet,
            [_temp.Combine("consumer", "bin", "Release", "net10.0", "Consumer.dll"), _bank!.Address.ToString()], _temp.Path, Timeout);

        Assert.True(run.ExitCode == 0, run.Describe());
        var lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("pushed Applied", lines);
        var submitted = Assert.Single(lines, l => l.StartsWith("submitted ", StringComparison.Ordinal))["submitted ".Length..];
        Assert.False(string.IsNullOrWhiteSpace(submitted));
        Assert.Single(lines, l => l.StartsWith($"read {submitted} ", StringComparison.Ordinal));
        Assert.Contains("unknown application NotFound", lines);
        Assert.Contains("protos shipped True", lines);
        Assert.All(Packages, id => Assert.Equal(Sha512(Shipped.Package(id)), RestoredSha512(id)));
    }

    public async Task DisposeAsync()
    {
        if (_bank is not null)
        {
            await _bank.DisposeAsync();
        }

        _temp.Dispose();
    }

    private string WriteConsumerProject()
    {
        var directory = Directory.CreateDirectory(_temp.Combine("consumer")).FullName;
        // Our packages only from the folder the pack step wrote; everything else from the packages this repository
        // restored, so the build needs no network and no ConnectorKit package can come from anywhere else.
        File.WriteAllText(_temp.Combine("nuget.config"),
            $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="connectorkit" value="{Shipped.PackagesDirectory}" />
                <add key="dependencies" value="{Shipped.NuGetPackageRoot}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="connectorkit"><package pattern="ConnectorKit.*" /></packageSource>
                <packageSource key="dependencies"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(directory, "Consumer.csproj"),
            $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                {string.Join("\n    ", Packages.Select(id => $"<PackageReference Include=\"{id}\" Version=\"{Shipped.Version}\" />"))}
              </ItemGroup>
              <ItemGroup>
                <AssemblyAttribute Include="System.Reflection.AssemblyMetadataAttribute">
                  <_Parameter1>ConnectorKitProtoRoot</_Parameter1>
                  <_Parameter2>$(ConnectorKitProtoRoot)</_Parameter2>
                </AssemblyAttribute>
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"),
            """
            using System.Reflection;
            using ConnectorKit.Client;
            using ConnectorKit.Connectors.Testing;
            using ConnectorKit.Contracts.V1;
            using ConnectorKit.Grpc;
            using Microsoft.Extensions.DependencyInjection;

            var services = new ServiceCollection();
            services.AddLogging();
            services.AddConnectorKitClient(o => o.Banks["reference-bank"] = new BankConnectionOptions { Address = new Uri(args[0]) });
            await using var provider = services.BuildServiceProvider();
            var bank = provider.GetRequiredService<IConnectorKitClientFactory>().For("reference-bank");

            var code = SampleData.CreditCode(Random.Shared.Next(1, 1_000_000));
            var pushed = await bank.PushCreditProfileAsync(new PushCreditProfileRequest { Profile = SampleData.Profile(code, 1) });
            Console.WriteLine($"pushed {pushed.Outcome}");
            var submitted = await bank.SubmitApplicationAsync(SampleData.Submit(code, amountYuan: 1_000_000));
            Console.WriteLine($"submitted {submitted.Application.ApplicationId}");
            var read = await bank.GetApplicationAsync(new GetApplicationRequest { ApplicationId = submitted.Application.ApplicationId });
            Console.WriteLine($"read {read.Application.ApplicationId} {read.Application.State}");
            try
            {
                await bank.GetApplicationAsync(new GetApplicationRequest { ApplicationId = "no-such-application" });
                Console.WriteLine("unknown application found");
            }
            catch (RpcException e)
            {
                Console.WriteLine($"unknown application {e.StatusCode}");
            }

            var protoRoot = typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ConnectorKitProtoRoot").Value!;
            Console.WriteLine($"protos shipped {File.Exists(Path.Combine(protoRoot, "connectorkit", "v1", "loan_applications.proto"))}");
            """);
        return Path.Combine(directory, "Consumer.csproj");
    }

    private static string Sha512(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToBase64String(SHA512.HashData(stream));
    }

    /// <summary>The hash NuGet recorded for the package it restored into this test's own cache.</summary>
    private string RestoredSha512(string id)
    {
        var lower = id.ToLowerInvariant();
        return File.ReadAllText(_temp.Combine("nuget-packages", lower, Shipped.Version, $"{lower}.{Shipped.Version}.nupkg.sha512")).Trim();
    }
}
