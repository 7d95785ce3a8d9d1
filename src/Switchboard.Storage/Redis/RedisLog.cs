using Microsoft.Extensions.Logging;

namespace Switchboard.Storage.Redis;

internal static partial class RedisLog
{
    [LoggerMessage(EventId = 7501, Level = LogLevel.Warning, Message = "Redis connection to {EndPoint} failed ({Failure}); shared limits fall back to this node's own counts")]
    public static partial void ConnectionFailed(ILogger logger, System.Net.EndPoint? endPoint, StackExchange.Redis.ConnectionFailureType failure);

    [LoggerMessage(EventId = 7502, Level = LogLevel.Information, Message = "Redis connection to {EndPoint} restored")]
    public static partial void ConnectionRestored(ILogger logger, System.Net.EndPoint? endPoint);

    [LoggerMessage(EventId = 7503, Level = LogLevel.Warning, Message = "Redis: a shared lockout message could not be read: {Message}")]
    public static partial void BadLockoutMessage(ILogger logger, string message);

    [LoggerMessage(EventId = 7504, Level = LogLevel.Warning, Message = "Redis: renewing {Count} call leases failed: {Error}")]
    public static partial void RenewFailed(ILogger logger, int count, string error);

    [LoggerMessage(EventId = 7505, Level = LogLevel.Warning, Message = "Redis: a call lease could not be released ({Error}); it lapses by itself")]
    public static partial void ReleaseFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 7506, Level = LogLevel.Warning, Message = "Redis: login failures could not be cleared ({Error}); they lapse with their window")]
    public static partial void ClearFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 7507, Level = LogLevel.Warning, Message = "Redis: the registrations of extension {ExtensionId} could not be shared ({Error}); other nodes reach them after the next REGISTER")]
    public static partial void PublishFailed(ILogger logger, long extensionId, string error);

    [LoggerMessage(EventId = 7508, Level = LogLevel.Warning, Message = "Redis: a shared registration message could not be read: {Message}")]
    public static partial void BadRegistrationMessage(ILogger logger, string message);

    [LoggerMessage(EventId = 7509, Level = LogLevel.Warning, Message = "Redis: this node's live calls could not be shared ({Error}); the portals of other nodes miss them until the next second")]
    public static partial void LiveCallsNotShared(ILogger logger, string error);

    [LoggerMessage(EventId = 7510, Level = LogLevel.Warning, Message = "Redis: the hang-up of call {CallId} could not be sent to node {Node} ({Error})")]
    public static partial void HangUpNotSent(ILogger logger, string callId, string node, string error);

    [LoggerMessage(EventId = 7511, Level = LogLevel.Warning, Message = "Redis: another node's live calls could not be read: {Message}")]
    public static partial void BadLiveCalls(ILogger logger, string message);

    [LoggerMessage(EventId = 7512, Level = LogLevel.Warning, Message = "Redis: the other nodes' live calls could not be read ({Error}); the portal shows this node's")]
    public static partial void LiveCallsNotRead(ILogger logger, string error);
}
