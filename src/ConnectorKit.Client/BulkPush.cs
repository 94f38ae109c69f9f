using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Client;

/// <summary>Progress of a bulk push: profiles written to a stream and profiles the bank acknowledged (positions in the caller's sequence).</summary>
public readonly record struct BulkPushProgress(long Sent, long Acknowledged);

/// <summary>Outcome of <see cref="ConnectorKitBankClient.PushCreditProfilesAsync"/>.</summary>
public sealed class BulkPushResult
{
    public long Applied { get; init; }

    /// <summary>Profiles the bank already held at the same or a newer version, on a chunk's first attempt.</summary>
    public long Stale { get; init; }

    /// <summary>
    /// Stale answers in chunks re-sent after a failed stream: almost always profiles the failed attempt had already applied
    /// (the contract reports only counts, so a profile that was stale anyway is counted here too when its chunk was re-sent).
    /// </summary>
    public long AppliedByEarlierAttempt { get; init; }

    public long Rejected { get; init; }

    /// <summary>Rejections as the bank reported them (it may cap the list), with <c>Index</c> mapped to the position in the caller's sequence.</summary>
    public IReadOnlyList<ProfileRejection> Rejections { get; init; } = [];

    /// <summary>Stream calls made, counting re-sent chunks.</summary>
    public int Attempts { get; init; }

    public int Chunks { get; init; }
}
