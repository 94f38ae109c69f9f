using System.IO.Abstractions;
using ConnectorKit.Connectors.BatchFile.Internal;
using ConnectorKit.Connectors.Files;
using ConnectorKit.Connectors.Http;
using ConnectorKit.Server;
using ConnectorKit.Server.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.BatchFile;

/// <summary>
/// A bank that works in daily files: accepted requests are spooled to disk, published as request files at the
/// cut-off (<see cref="IBatchCutOff"/>), and the bank's return files (<see cref="IBatchReturnFiles"/>) become
/// LoanEvents. Decisions arrive with the next return file, not in real time.
/// </summary>
public sealed class BatchFileConnector : BankConnector
{
    /// <summary>The name configuration selects it by.</summary>
    public const string ConnectorName = "batch-file";

    public override string Name => ConnectorName;

    /// <summary>
    /// Everything but <see cref="ConnectorCapabilities.RealTimeEvents"/> and <see cref="ConnectorCapabilities.OnlineSubmission"/>:
    /// decisions and disbursements come in daily files, and a submit is spooled, not sent to the bank during the call.
    /// Quote is answered by the server's pricing policy (this bank has no online calculator).
    /// </summary>
    public override ConnectorCapabilities Capabilities
        => ConnectorCapabilities.Quote | ConnectorCapabilities.Withdraw | ConnectorCapabilities.PartialDisbursement | ConnectorCapabilities.RevokeConsent;

    public override void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<BatchFileOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BatchFileOptions>, BatchFileOptionsValidator>());
        services.TryAddSingleton<IFileSystem, FileSystem>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new BatchFilePublisher(sp.GetRequiredService<IFileSystem>()));
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<BatchFileOptions>>().Value;
            return new BatchFileInbox(sp.GetRequiredService<IFileSystem>(), new BatchFileInboxOptions
            {
                InboxDirectory = o.InboxDirectory,
                QuarantineDirectory = o.QuarantineDirectory,
                ProcessedDirectory = o.ProcessedDirectory,
                Layouts = BankLayouts.Returns,
                ExpectedReceiver = o.SenderCode,
            }, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<RequestSpool>();
        services.AddSingleton<TransferNotifications>();
        services.AddSingleton<BatchCutOff>();
        services.AddSingleton<IBatchCutOff>(sp => sp.GetRequiredService<BatchCutOff>());
        services.AddSingleton<IBatchReturnFiles>(sp => new ReturnFileProcessor(
            sp.GetRequiredService<BatchFileInbox>(),
            sp.GetRequiredService<IBankSignals>(),
            sp.GetRequiredService<IConnectorKitStore>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ReturnFileProcessor>>()));
        services.AddSingleton<IBankBackend, BatchFileBackend>();
        services.AddHostedService<BatchSchedules>();

        var transfer = configuration.GetSection(nameof(BatchFileOptions.FileTransfer));
        services.AddBankHttpClient<IFileTransferClient, FileTransferClient>("batch-file-transfer", transfer.GetSection(nameof(FileTransferOptions.Http)))
            .ConfigureHttpClient((sp, client) =>
            {
                var address = sp.GetRequiredService<IOptions<BatchFileOptions>>().Value.FileTransfer.Address;
                if (address is not null)
                {
                    client.BaseAddress = new Uri(address.ToString().TrimEnd('/') + "/");
                }
            });
    }
}
