using ConnectorKit.Connectors.Signing;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.OpenPlatform.Internal;

/// <summary>Start-up checks, so a wrong key or URL stops the host instead of failing every call.</summary>
internal sealed class OpenPlatformOptionsValidator : IValidateOptions<OpenPlatformOptions>
{
    private const string Section = "ConnectorKit:Connectors:open-platform";

    public ValidateOptionsResult Validate(string? name, OpenPlatformOptions options)
    {
        var problems = new List<string>();
        if (options.GatewayUrl is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add($"{Section}:GatewayUrl must be an absolute http(s) URL, e.g. https://openapi.bank.example/gateway.do.");
        }

        if (string.IsNullOrWhiteSpace(options.AppId))
        {
            problems.Add($"{Section}:AppId is required: the app id the bank issued.");
        }

        if (string.IsNullOrWhiteSpace(options.NotifyPath) || !options.NotifyPath.StartsWith('/'))
        {
            problems.Add($"{Section}:NotifyPath must start with '/'.");
        }

        if (options.NotifyTimestampTolerance <= TimeSpan.Zero || options.NotifyTimestampTolerance > TimeSpan.FromHours(1))
        {
            problems.Add($"{Section}:NotifyTimestampTolerance must be above zero and at most one hour.");
        }

        if (options.MaxAttempts is < 1 or > 10)
        {
            problems.Add($"{Section}:MaxAttempts must be 1 to 10.");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.MaxRetryAfter < TimeSpan.Zero)
        {
            problems.Add($"{Section}:RetryDelay and MaxRetryAfter must not be negative.");
        }

        if (options.ProfileBatchSize is < 1 or > 1000)
        {
            problems.Add($"{Section}:ProfileBatchSize must be 1 to 1000.");
        }

        try
        {
            GatewayKeyRing.Create(options.Keys).Dispose();
        }
        catch (ArgumentException e)
        {
            // The ring names settings relative to Keys; the message never holds key material.
            problems.Add($"{Section}:Keys: " + e.Message.Replace(" (Parameter 'options')", string.Empty, StringComparison.Ordinal));
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
