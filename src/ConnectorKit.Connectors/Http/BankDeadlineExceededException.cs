namespace ConnectorKit.Connectors.Http;

/// <summary>The call to the bank, retries included, ran past <see cref="BankHttpOptions.TotalTimeout"/>.</summary>
public sealed class BankDeadlineExceededException : TimeoutException
{
    /// <summary>Creates the exception for a call that ran past <paramref name="totalTimeout"/>.</summary>
    public BankDeadlineExceededException(TimeSpan totalTimeout, Exception? innerException = null)
        : base($"The bank did not answer within the total time-out of {totalTimeout.TotalSeconds:0.###} s.", innerException)
        => TotalTimeout = totalTimeout;

    /// <summary>The limit that passed.</summary>
    public TimeSpan TotalTimeout { get; }
}
