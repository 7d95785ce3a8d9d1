using Microsoft.Extensions.Logging;

namespace Switchboard.Pbx.Policy;

/// <summary>Log lines of the call policy, event ids 7401-7410. The dialled number is not logged (it is personal data).</summary>
internal static partial class PolicyLog
{
    [LoggerMessage(EventId = 7401, Level = LogLevel.Warning, Message = "Refused a {Class} call from {Number}@{Domain} ({Origin}): {Reason}")]
    public static partial void Denied(ILogger logger, NumberClass @class, string number, string domain, string origin, PolicyDenial reason);
}
