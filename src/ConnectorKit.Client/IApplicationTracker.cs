using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Client;

/// <summary>
/// The platform's record of the applications it submitted: which bank holds each one, and its timeline as the
/// bank's callbacks arrive. The typed LoanApplications client records every successful submit here (when one is
/// registered); the callback receiver uses it to refuse events about unknown or foreign applications.
/// </summary>
public interface IApplicationTracker
{
    /// <summary>Records a submitted application under its bank. Idempotent: recording the same application again changes nothing.</summary>
    Task RecordSubmittedAsync(string bankId, Application application, DateTimeOffset submittedAt, CancellationToken cancellationToken = default);
}
