namespace ConnectorKit.Examples.BankServer;

/// <summary>
/// The sandbox: a conformance-driver endpoint that makes decisions and payments happen on request, for the
/// conformance suite's server mode. Off by default; never turn it on in production.
/// </summary>
public sealed class SandboxOptions
{
    /// <summary>Maps the driver under <c>/sandbox</c>. <value>Default false.</value></summary>
    public bool Enabled { get; set; }

    /// <summary>The bearer token the driver's caller must send; required when enabled.</summary>
    public string? Token { get; set; }

    /// <summary>The account tranches are paid to. <value>Default a sandbox card number.</value></summary>
    public string ReceivingAccount { get; set; } = "6222020200112233445";
}
