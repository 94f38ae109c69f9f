namespace ConnectorKit.Connectors.Auth;

/// <summary>
/// The token endpoint refused the client's credentials or answered something that is not a bearer token: a
/// configuration fault that retrying does not cure. Transient failures (network, 5xx, 429) surface as
/// <see cref="HttpRequestException"/> instead, so the bank client's retries and error mapping treat them as such.
/// </summary>
public sealed class OAuth2TokenException : Exception
{
    public OAuth2TokenException(string message, int? httpStatus = null, string? error = null)
        : base(message)
    {
        HttpStatus = httpStatus;
        Error = error;
    }

    /// <summary>The token endpoint's HTTP status, when it answered.</summary>
    public int? HttpStatus { get; }

    /// <summary>The OAuth <c>error</c> code it gave (e.g. <c>invalid_client</c>), when it gave one.</summary>
    public string? Error { get; }
}
