using Microsoft.Extensions.Logging;

namespace Switchboard.Sip.Transactions;

/// <summary>Source-generated log messages of the transaction layer (state changes at Debug).</summary>
internal static partial class SipTransactionLog
{
    [LoggerMessage(EventId = 5101, Level = LogLevel.Debug, Message = "Transaction {Kind} {Method} {Branch} created")]
    public static partial void Created(ILogger logger, string kind, string method, string branch);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Debug, Message = "Transaction {Method} {Branch} terminated")]
    public static partial void Terminated(ILogger logger, string method, string branch);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Debug, Message = "Transaction {Method} {Branch} timed out")]
    public static partial void TimedOut(ILogger logger, string method, string branch);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Debug, Message = "No transaction for {Kind} {Method} {Branch}")]
    public static partial void Unmatched(ILogger logger, NetworkDispatchKind kind, string method, string branch);
}
