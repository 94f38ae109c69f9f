using ConnectorKit.Grpc;
using Google.Rpc;

namespace ConnectorKit.Server.Validation;

/// <summary>
/// What validating one request found: field violations (INVALID_ARGUMENT) and failed preconditions
/// (FAILED_PRECONDITION, e.g. a consent that is expired or for another bank). Violations take precedence.
/// </summary>
public sealed class ValidationResult
{
    /// <summary>The <c>type</c> of a precondition failure about the enterprise's consent.</summary>
    public const string ConsentPreconditionType = "CONSENT";

    /// <summary>A result with nothing wrong.</summary>
    public static ValidationResult Valid { get; } = new([], []);

    public ValidationResult(
        IEnumerable<(string Field, string Description)> violations,
        IEnumerable<(string Type, string Subject, string Description)> preconditionFailures)
    {
        ArgumentNullException.ThrowIfNull(violations);
        ArgumentNullException.ThrowIfNull(preconditionFailures);

        Violations = [.. violations];
        PreconditionFailures = [.. preconditionFailures];
    }

    /// <summary>Bad fields, in the order found. Field paths use proto names from the request, e.g. <c>profile.dimensions[2].code</c>.</summary>
    public IReadOnlyList<(string Field, string Description)> Violations { get; }

    /// <summary>Preconditions the request failed although well-formed, e.g. type <c>CONSENT</c> with the consent id as subject.</summary>
    public IReadOnlyList<(string Type, string Subject, string Description)> PreconditionFailures { get; }

    public bool IsValid => Violations.Count == 0 && PreconditionFailures.Count == 0;

    /// <summary>One sentence naming the first fault (and how many more there are); empty when valid.</summary>
    public string Message
    {
        get
        {
            if (Violations.Count > 0)
            {
                var (path, description) = Violations[0];
                return $"Invalid request: {path} {description.TrimEnd('.')}{More(Violations.Count)}";
            }

            if (PreconditionFailures.Count > 0)
            {
                return $"{PreconditionFailures[0].Description.TrimEnd('.')}{More(PreconditionFailures.Count)}";
            }

            return string.Empty;
        }
    }

    /// <summary>Field violations put in one status; the rest are counted in a last entry.</summary>
    public const int MaxListedViolations = 20;

    /// <summary>
    /// INVALID_ARGUMENT with a google.rpc.BadRequest listing the violations (at most <see cref="MaxListedViolations"/>)
    /// when there are any; otherwise FAILED_PRECONDITION with a google.rpc.PreconditionFailure listing every failure.
    /// </summary>
    /// <exception cref="InvalidOperationException">The result is valid.</exception>
    public RpcException ToException()
    {
        if (Violations.Count > 0)
        {
            // Peers cap metadata (grpc-js at 8 KB), so the details list the first faults and say how many were left out.
            var listed = Violations.Take(MaxListedViolations).ToList();
            if (Violations.Count > MaxListedViolations)
            {
                listed.Add(("", $"{Violations.Count - MaxListedViolations} more violations not listed"));
            }

            return RichStatus.WithViolations(StatusCode.InvalidArgument, Message, listed);
        }

        if (PreconditionFailures.Count > 0)
        {
            var failure = new PreconditionFailure();
            foreach (var (type, subject, description) in PreconditionFailures)
            {
                failure.Violations.Add(new PreconditionFailure.Types.Violation { Type = type, Subject = subject, Description = description });
            }

            return RichStatus.Create(StatusCode.FailedPrecondition, Message, failure);
        }

        throw new InvalidOperationException("A valid request has no error to report.");
    }

    /// <summary>Throws <see cref="ToException"/> unless the result is valid.</summary>
    /// <exception cref="RpcException">INVALID_ARGUMENT or FAILED_PRECONDITION, as <see cref="ToException"/>.</exception>
    public void ThrowIfInvalid()
    {
        if (!IsValid)
        {
            throw ToException();
        }
    }

    private static string More(int count) => count switch
    {
        1 => ".",
        2 => " (and 1 more problem in the details).",
        _ => $" (and {count - 1} more problems in the details).",
    };
}
