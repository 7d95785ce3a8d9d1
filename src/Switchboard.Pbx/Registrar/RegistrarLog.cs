using System.Net;
using Microsoft.Extensions.Logging;

namespace Switchboard.Pbx.Registrar;

/// <summary>Log lines of the registrar and SIP authentication, event ids 6001-6020. Never a password or a digest response.</summary>
internal static partial class RegistrarLog
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "REGISTER of {Account} from {Remote}: {Added} added, {Bindings} bound, {Expires} s")]
    public static partial void Registered(ILogger logger, string account, IPEndPoint remote, int added, int bindings, long expires);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "REGISTER of {Account} from {Remote} removed {Removed} contact(s), {Bindings} left")]
    public static partial void Removed(ILogger logger, string account, IPEndPoint remote, int removed, int bindings);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "REGISTER of {Account} from {Remote} removed all {Removed} contact(s)")]
    public static partial void RemovedAll(ILogger logger, string account, IPEndPoint remote, int removed);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "Refused sip authentication for {Account} from {Address}: {Reason}")]
    public static partial void AuthRefused(ILogger logger, string account, string address, string reason);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Warning, Message = "REGISTER from {Remote} throttled for {RetryAfter}")]
    public static partial void Throttled(ILogger logger, IPEndPoint remote, TimeSpan retryAfter);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Debug, Message = "Challenged a request for realm {Realm} from {Remote} (stale {Stale})")]
    public static partial void Challenged(ILogger logger, string realm, IPEndPoint remote, bool stale);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Information, Message = "REGISTER from {Remote} refused with {Status}: {Reason}")]
    public static partial void Refused(ILogger logger, IPEndPoint remote, int status, string reason);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Information, Message = "REGISTER of {Account} pushed out {Evicted} least recently refreshed contact(s) at the limit of {Limit}")]
    public static partial void Evicted(ILogger logger, string account, int evicted, int limit);

    [LoggerMessage(EventId = 6009, Level = LogLevel.Debug, Message = "Flow {Flow} closed: {Removed} binding(s) dropped")]
    public static partial void FlowClosed(ILogger logger, global::Switchboard.Sip.Transport.SipFlow flow, int removed);
}
