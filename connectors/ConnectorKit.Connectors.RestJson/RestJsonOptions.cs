using ConnectorKit.Connectors.Http;

namespace ConnectorKit.Connectors.RestJson;

/// <summary>The REST/JSON bank connector's settings, bound from <c>ConnectorKit:Connectors:rest-json</c> and validated at start-up.</summary>
public sealed class RestJsonOptions
{
    /// <summary>The bank API's base address, e.g. <c>https://openapi.bank.example/</c>. Required.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>The OAuth2 token endpoint.</summary>
    /// <value><c>oauth2/token</c> under <see cref="BaseAddress"/>.</value>
    public Uri? TokenEndpoint { get; set; }

    /// <summary>OAuth2 client id. Required.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>OAuth2 client secret. Required; never logged.</summary>
    public string ClientSecret { get; set; } = string.Empty;

    /// <summary>OAuth2 scopes, space-separated.</summary>
    /// <value><c>applications profiles quotes</c>.</value>
    public string? Scope { get; set; } = "applications profiles quotes";

    /// <summary>How long before expiry the access token is renewed.</summary>
    /// <value>60 seconds.</value>
    public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromSeconds(60);

    public RestJsonWebhookOptions Webhook { get; set; } = new();

    public RestJsonPollingOptions Polling { get; set; } = new();

    /// <summary>Time-outs, retries, breaker and rate limit of calls to the bank (section <c>Http</c>).</summary>
    public BankHttpOptions Http { get; set; } = new();
}

/// <summary>Where the bank's webhooks arrive and how they are verified (section <c>Webhook</c>).</summary>
public sealed class RestJsonWebhookOptions
{
    /// <summary>The path on the bank-facing endpoint.</summary>
    /// <value><c>/webhooks/rest-json</c>.</value>
    public string Path { get; set; } = "/webhooks/rest-json";

    /// <summary>Signing secrets, <c>whsec_&lt;base64&gt;</c>; list old and new while the bank rotates. At least one.</summary>
    public List<string> Secrets { get; set; } = [];

    /// <summary>Allowed distance of <c>webhook-timestamp</c> from now, either way.</summary>
    /// <value>5 minutes.</value>
    public TimeSpan Tolerance { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>The catch-up poll of open applications (section <c>Polling</c>).</summary>
public sealed class RestJsonPollingOptions
{
    /// <value>true.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>Pause between two rounds.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most applications read per state per round, oldest first.</summary>
    /// <value>100.</value>
    public int BatchSize { get; set; } = 100;
}
