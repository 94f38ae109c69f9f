using Microsoft.Extensions.Logging;

namespace ConnectorKit.Server.Validation.Internal;

internal static partial class Log
{
    [LoggerMessage(
        EventId = 1001,
        EventName = "CreditCodeCheckCharacterAccepted",
        Level = LogLevel.Warning,
        Message = "Accepted credit code {MaskedCreditCode} in {Field} although its check character is wrong (GB 32100-2015), because CreditCodePolicy is AcceptWithWarning")]
    public static partial void AcceptedCreditCodeWithWrongCheckCharacter(ILogger logger, string maskedCreditCode, string field);
}
