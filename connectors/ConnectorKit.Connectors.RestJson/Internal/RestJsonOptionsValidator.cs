using ConnectorKit.Connectors.Webhooks;
using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.RestJson.Internal;

internal sealed class RestJsonOptionsValidator : IValidateOptions<RestJsonOptions>
{
    private const string Section = "ConnectorKit:Connectors:rest-json";

    public ValidateOptionsResult Validate(string? name, RestJsonOptions options)
    {
        var errors = new List<string>();
        if (options.BaseAddress is not { IsAbsoluteUri: true } baseAddress || baseAddress.Scheme is not ("http" or "https"))
        {
            errors.Add($"{Section}:BaseAddress must be an absolute http:// or https:// URL.");
        }

        if (options.TokenEndpoint is { IsAbsoluteUri: false })
        {
            errors.Add($"{Section}:TokenEndpoint must be absolute when set.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId) || string.IsNullOrWhiteSpace(options.ClientSecret))
        {
            errors.Add($"{Section}:ClientId and {Section}:ClientSecret are required.");
        }

        if (options.TokenRefreshMargin < TimeSpan.Zero)
        {
            errors.Add($"{Section}:TokenRefreshMargin must not be negative.");
        }

        if (string.IsNullOrWhiteSpace(options.Webhook.Path) || !options.Webhook.Path.StartsWith('/'))
        {
            errors.Add($"{Section}:Webhook:Path must start with '/'.");
        }

        if (options.Webhook.Secrets.Count == 0)
        {
            errors.Add($"{Section}:Webhook:Secrets needs at least one secret (whsec_<base64>).");
        }

        for (var i = 0; i < options.Webhook.Secrets.Count; i++)
        {
            if (!WebhookSecret.TryParse(options.Webhook.Secrets[i], out _, out var error))
            {
                errors.Add($"{Section}:Webhook:Secrets:{i}: {error}");
            }
        }

        if (options.Webhook.Tolerance <= TimeSpan.Zero || options.Webhook.Tolerance > TimeSpan.FromHours(1))
        {
            errors.Add($"{Section}:Webhook:Tolerance must lie above 0 and at most 1 hour.");
        }

        if (options.Polling.Enabled && (options.Polling.Interval < TimeSpan.FromMilliseconds(50) || options.Polling.BatchSize is < 1 or > 1000))
        {
            errors.Add($"{Section}:Polling:Interval must be at least 50 ms and Polling:BatchSize between 1 and 1000.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
