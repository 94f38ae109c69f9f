namespace ConnectorKit.Connectors.Testing;

/// <summary>One request from WireMock's journal: what reached the fake bank.</summary>
/// <param name="Url">Path and query, as the client sent them.</param>
/// <param name="Headers">Case-insensitive; a header sent several times has its values joined with ", ".</param>
/// <param name="Body">The body as text; empty when there was none.</param>
public sealed record WireMockRequest(
    string Method,
    string Url,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    DateTimeOffset LoggedDate)
{
    /// <summary>The id of the mapping that answered, or null when none matched (WireMock's 404).</summary>
    public Guid? StubId { get; init; }

    /// <summary>The URL without its query string.</summary>
    public string UrlPath => Url.IndexOf('?') is var i and >= 0 ? Url[..i] : Url;
}
