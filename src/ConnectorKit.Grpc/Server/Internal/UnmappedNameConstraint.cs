using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace ConnectorKit.Grpc.Server.Internal;

/// <summary>
/// Keeps an UNIMPLEMENTED fallback route away from the names that have a real endpoint. Routing evaluates
/// <see cref="IParameterLiteralNodeMatchingPolicy"/> once, when it builds its matcher, so a call to a mapped method
/// meets one candidate instead of three and routing captures no values for it (no route-value dictionaries or
/// substrings per call). Any other segment, the names that reach a fallback at all, is accepted.
/// </summary>
internal sealed class UnmappedNameConstraint(Func<string, bool> isMapped) : IRouteConstraint, IParameterLiteralNodeMatchingPolicy
{
    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) => true;

    public bool MatchesLiteral(string parameterName, string literal) => !isMapped(literal);
}
