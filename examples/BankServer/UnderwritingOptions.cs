using System.ComponentModel.DataAnnotations;
using ConnectorKit.Contracts.V1;

namespace ConnectorKit.Examples.BankServer;

/// <summary>The reference bank's underwriting rule and disbursement plan. Section <c>Underwriting</c>.</summary>
public sealed class UnderwritingOptions
{
    /// <summary>How often new applications are looked for. <value>Default 200 ms.</value></summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Score from which an application may be approved (0..1000). <value>Default 600.</value></summary>
    [Range(0, 1000)]
    public int ApproveFromScore { get; set; } = 600;

    /// <summary>Score from which a low-scoring application is asked for more information instead of rejected. <value>Default 500.</value></summary>
    [Range(0, 1000)]
    public int MoreInfoFromScore { get; set; } = 500;

    /// <summary>Grades never approved. <value>Default POOR.</value></summary>
    public List<CreditGrade> RejectedGrades { get; set; } = [CreditGrade.Poor];

    /// <summary>Highest approved amount per grade, in CNY.</summary>
    public Dictionary<CreditGrade, long> MaxAmountYuanByGrade { get; set; } = new()
    {
        [CreditGrade.Excellent] = 10_000_000,
        [CreditGrade.Good] = 6_000_000,
        [CreditGrade.Fair] = 2_000_000,
    };

    /// <summary>Extra approvable amount per innovation point, in CNY. <value>Default 10,000.</value></summary>
    public long YuanPerInnovationPoint { get; set; } = 10_000;

    /// <summary>Tranches an approved amount is paid in. <value>Default 2.</value></summary>
    [Range(1, 12)]
    public int Tranches { get; set; } = 2;

    /// <summary>Wait between approval and the first tranche, and between tranches. <value>Default 300 ms.</value></summary>
    public TimeSpan TrancheInterval { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>The enterprise's receiving account used by the demo; masked before it is stored or sent.</summary>
    public string DemoReceivingAccount { get; set; } = "6222020200112233445";
}
