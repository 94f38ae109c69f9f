using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Server.Services;

/// <summary>A change the application's state does not allow, e.g. a disbursement before approval. Nothing was changed.</summary>
public sealed class ApplicationTransitionException : Exception
{
    public ApplicationTransitionException(string applicationId, ApplicationState state, string message)
        : base(message)
    {
        ApplicationId = applicationId;
        State = state;
    }

    public string ApplicationId { get; }

    /// <summary>The state the application was in.</summary>
    public ApplicationState State { get; }
}

/// <summary>No application with this id (for this platform).</summary>
public sealed class ApplicationNotFoundException(string applicationId)
    : Exception($"No application '{applicationId}'.")
{
    public string ApplicationId { get; } = applicationId;
}
