using Microsoft.Extensions.Options;

namespace ConnectorKit.Connectors.Auth.Internal;

internal sealed class OAuth2OptionsValidator : IValidateOptions<OAuth2ClientCredentialsOptions>
{
    public ValidateOptionsResult Validate(string? name, OAuth2ClientCredentialsOptions options)
    {
        var errors = new List<string>();
        if (options.TokenEndpoint is not { IsAbsoluteUri: true } endpoint || endpoint.Scheme is not ("http" or "https"))
        {
            errors.Add("TokenEndpoint must be an absolute http:// or https:// URL.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            errors.Add("ClientId is required.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientSecret))
        {
            errors.Add("ClientSecret is required.");
        }

        if (options.RefreshMargin < TimeSpan.Zero)
        {
            errors.Add("RefreshMargin must not be negative.");
        }

        if (options.TokenTimeout <= TimeSpan.Zero)
        {
            errors.Add("TokenTimeout must be positive.");
        }

        return errors.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors.Select(e => $"OAuth2 client credentials of '{name}': {e}"));
    }
}
