using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.Http.Internal;

/// <summary>Rejects options Polly or the rate limiter would refuse, so a bad configuration fails at start-up.</summary>
internal sealed class BankHttpOptionsValidator : IValidateOptions<BankHttpOptions>
{
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(1);
    private static readonly TimeSpan MinBreakerWindow = TimeSpan.FromMilliseconds(500);

    public ValidateOptionsResult Validate(string? name, BankHttpOptions options)
    {
        var errors = new List<string>();
        if (options.Timeout < MinTimeout || options.Timeout > MaxTimeout)
        {
            errors.Add($"Timeout must be between 10 ms and 1 day; it is {options.Timeout}.");
        }

        if (options.TotalTimeout < MinTimeout || options.TotalTimeout > MaxTimeout)
        {
            errors.Add($"TotalTimeout must be between 10 ms and 1 day; it is {options.TotalTimeout}.");
        }

        if (options.MaxRetryAttempts < 0)
        {
            errors.Add("MaxRetryAttempts must not be negative.");
        }

        if (options.BaseDelay < TimeSpan.Zero || options.MaxDelay < options.BaseDelay)
        {
            errors.Add("BaseDelay must not be negative and MaxDelay must not be shorter than BaseDelay.");
        }

        if (options.MaxRetryAfter < TimeSpan.Zero)
        {
            errors.Add("MaxRetryAfter must not be negative.");
        }

        if (options.BreakerFailureRatio is <= 0 or > 1)
        {
            errors.Add("BreakerFailureRatio must be above 0 and at most 1.");
        }

        if (options.BreakerMinimumThroughput < 2)
        {
            errors.Add("BreakerMinimumThroughput must be at least 2.");
        }

        if (options.BreakerSamplingDuration < MinBreakerWindow || options.BreakerBreakDuration < MinBreakerWindow)
        {
            errors.Add("BreakerSamplingDuration and BreakerBreakDuration must be at least 0.5 seconds.");
        }

        if (options.RateLimitPerSecond is <= 0)
        {
            errors.Add("RateLimitPerSecond must be positive, or null for no limit.");
        }

        return errors.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors.Select(e => $"Bank HTTP client '{name}': {e}"));
    }
}
