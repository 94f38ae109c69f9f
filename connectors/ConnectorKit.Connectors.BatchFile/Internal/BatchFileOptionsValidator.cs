using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.BatchFile.Internal;

internal sealed class BatchFileOptionsValidator : IValidateOptions<BatchFileOptions>
{
    private const string Section = "ConnectorKit:Connectors:batch-file";

    public ValidateOptionsResult Validate(string? name, BatchFileOptions options)
    {
        var failures = new List<string>();
        foreach (var (key, value) in new[]
        {
            (nameof(options.OutboxDirectory), options.OutboxDirectory),
            (nameof(options.InboxDirectory), options.InboxDirectory),
            (nameof(options.QuarantineDirectory), options.QuarantineDirectory),
            (nameof(options.ProcessedDirectory), options.ProcessedDirectory),
            (nameof(options.StateDirectory), options.StateDirectory),
        })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"{Section}:{key} is required: the directory the connector uses for it.");
            }
        }

        var directories = new[] { options.OutboxDirectory, options.InboxDirectory, options.QuarantineDirectory, options.ProcessedDirectory, options.StateDirectory }
            .Where(d => !string.IsNullOrWhiteSpace(d)).Select(d => Path.GetFullPath(d)).ToList();
        if (directories.Distinct(StringComparer.Ordinal).Count() != directories.Count)
        {
            failures.Add($"{Section}: the outbox, inbox, quarantine, processed and state directories must all differ.");
        }

        foreach (var (key, value) in new[] { (nameof(options.SenderCode), options.SenderCode), (nameof(options.BankCode), options.BankCode) })
        {
            if (string.IsNullOrEmpty(value) || !value.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c)) || value.Length > 16)
            {
                failures.Add($"{Section}:{key} must be 1 to 16 upper-case ASCII letters or digits (it is part of file names); got '{value}'.");
            }
        }

        if (options.CutOffTime < TimeSpan.Zero || options.CutOffTime >= TimeSpan.FromDays(1))
        {
            failures.Add($"{Section}:CutOffTime must be a time of day (00:00:00 to 23:59:59); got {options.CutOffTime}.");
        }

        if (options.BusinessUtcOffset < TimeSpan.FromHours(-14) || options.BusinessUtcOffset > TimeSpan.FromHours(14))
        {
            failures.Add($"{Section}:BusinessUtcOffset must be between -14:00 and +14:00; got {options.BusinessUtcOffset}.");
        }

        if (options.InboxPollInterval <= TimeSpan.Zero || options.NotificationRetryInterval <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:InboxPollInterval and NotificationRetryInterval must be positive.");
        }

        if (options.FileTransfer.Address is not { IsAbsoluteUri: true } address || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{Section}:FileTransfer:Address is required: the absolute http(s) base address of the bank's file-transfer API.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
