using Microsoft.Extensions.Options;

namespace ConnectorKit.Client.Internal;

internal sealed class ConnectorKitClientOptionsValidator : IValidateOptions<ConnectorKitClientOptions>
{
    public ValidateOptionsResult Validate(string? name, ConnectorKitClientOptions options)
    {
        var failures = new List<string>();
        if (options.Banks.Count == 0)
        {
            failures.Add("ConnectorKit:Client:Banks must name at least one bank.");
        }

        foreach (var (id, bank) in options.Banks)
        {
            var prefix = $"ConnectorKit:Client:Banks:{id}:";
            if (bank is null)
            {
                failures.Add(prefix + " is empty.");
                continue;
            }

            if (bank.Address is not { IsAbsoluteUri: true } address || address.Scheme is not ("http" or "https"))
            {
                failures.Add(prefix + "Address must be an absolute http:// (h2c) or https:// (TLS) URL.");
            }
            else if (address.Scheme == "http" && (bank.ClientCertificatePath is not null || bank.TrustedCaPath is not null))
            {
                failures.Add(prefix + "ClientCertificatePath and TrustedCaPath need an https Address.");
            }

            if (bank.ClientCertificateKeyPath is not null && bank.ClientCertificatePath is null)
            {
                failures.Add(prefix + "ClientCertificateKeyPath needs ClientCertificatePath.");
            }

            if (bank.DefaultDeadline <= TimeSpan.Zero)
            {
                failures.Add(prefix + "DefaultDeadline must be positive.");
            }

            foreach (var (method, deadline) in bank.MethodDeadlines)
            {
                if (deadline <= TimeSpan.Zero)
                {
                    failures.Add($"{prefix}MethodDeadlines:{method} must be positive.");
                }
            }

            if (bank.BulkChunkSize < 1)
            {
                failures.Add(prefix + "BulkChunkSize must be at least 1.");
            }

            var r = bank.Resilience;
            if (r is null)
            {
                failures.Add(prefix + "Resilience is empty.");
                continue;
            }

            if (r.MaxRetryAttempts < 0 || r.BaseDelay < TimeSpan.Zero || r.MaxDelay < r.BaseDelay)
            {
                failures.Add(prefix + "Resilience needs MaxRetryAttempts >= 0 and 0 <= BaseDelay <= MaxDelay.");
            }

            if (r.BreakerFailureRatio is <= 0 or > 1 || r.BreakerMinimumThroughput < 2
                || r.BreakerSamplingDuration < TimeSpan.FromMilliseconds(500) || r.BreakerBreakDuration < TimeSpan.FromMilliseconds(500))
            {
                failures.Add(prefix + "Resilience breaker needs 0 < FailureRatio <= 1, MinimumThroughput >= 2, SamplingDuration and BreakDuration >= 0.5 s.");
            }

            if (r.MaxConcurrentCalls < 1)
            {
                failures.Add(prefix + "Resilience:MaxConcurrentCalls must be at least 1.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
