namespace ConnectorKit.Connectors;

/// <summary>Contract features a bank may not offer; each absent one is declared, with the reason, in the connector's README.</summary>
[Flags]
public enum ConnectorCapabilities
{
    None = 0,

    /// <summary>QuoteFinancing answers from the bank (or a policy the bank published).</summary>
    Quote = 1,

    /// <summary>WithdrawApplication reaches the bank before the decision.</summary>
    Withdraw = 2,

    /// <summary>A loan may be paid out in several tranches.</summary>
    PartialDisbursement = 4,

    /// <summary>RevokeConsent reaches the bank, which deletes the profile.</summary>
    RevokeConsent = 8,

    /// <summary>Decisions and disbursements arrive within seconds (webhooks, notifications), not in a daily file.</summary>
    RealTimeEvents = 16,

    /// <summary>SubmitApplication reaches the bank's API during the call, so the bank's faults show in its answer (not so for a bank reached by daily files).</summary>
    OnlineSubmission = 32,

    All = Quote | Withdraw | PartialDisbursement | RevokeConsent | RealTimeEvents | OnlineSubmission,
}
