namespace ConnectorKit.Connectors.Testing;

/// <summary>A bank endpoint a <see cref="WireMockFaults"/> fault is put on.</summary>
/// <param name="BodyMatches">
/// A regular expression the whole request body must match (WireMock's <c>matches</c>), for banks that serve several
/// operations on one URL and name the operation in the body; null matches any body.
/// </param>
public sealed record WireMockEndpoint(HttpMethod Method, string UrlPath, string? BodyMatches = null);
