namespace ConnectorKit.Connectors.Auth;

/// <summary>
/// OAuth 2.0 client credentials (RFC 6749 §4.4) for one bank client, named after it; validated at start-up.
/// The client authenticates with HTTP Basic (<c>client_secret_basic</c>, §2.3.1).
/// </summary>
public sealed class OAuth2ClientCredentialsOptions
{
    /// <summary>The token endpoint, absolute (e.g. <c>https://bank.example/oauth2/token</c>). Required.</summary>
    public Uri? TokenEndpoint { get; set; }

    /// <summary>Required.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>Required. Never logged.</summary>
    public string ClientSecret { get; set; } = string.Empty;

    /// <summary>Space-separated scopes to ask for; none by default.</summary>
    public string? Scope { get; set; }

    /// <summary>
    /// How long before expiry a token is renewed, so a call never leaves with a token about to lapse. A token that lives
    /// no longer than the margin is renewed at half its life.
    /// </summary>
    /// <value>60 seconds.</value>
    public TimeSpan RefreshMargin { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Limit on one token request.</summary>
    /// <value>10 seconds.</value>
    public TimeSpan TokenTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
