using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Media;
using Switchboard.Pbx.Routing;
using Switchboard.Pbx.Services;

namespace Switchboard.Pbx.Calls;

/// <summary>
/// Starts calls and keeps track of the live ones. Each call is owned by its own serialized loop
/// (<see cref="Call"/>); the engine only starts, lists and, at shutdown, ends them.
/// </summary>
public sealed partial class CallEngine : IAsyncDisposable
{
    private readonly DialPlan _dialPlan;
    private readonly ICallRecordStore _records;
    private readonly WebRtcMedia _media;
    private readonly ServiceOptions _services;
    private readonly MediaSetupStats _setupStats;
    private readonly TimeProvider _time;
    private readonly ILogger<CallEngine> _log;
    private readonly ConcurrentDictionary<string, Call> _calls = new(StringComparer.Ordinal);

    public CallEngine(DialPlan dialPlan, ICallRecordStore records, WebRtcMedia media, ServiceOptions services, MediaSetupStats setupStats,
        TimeProvider time, ILogger<CallEngine> log)
    {
        _setupStats = setupStats;
        _dialPlan = dialPlan;
        _records = records;
        _media = media;
        _services = services;
        _time = time;
        _log = log;
    }

    public int ActiveCalls => _calls.Count;

    public ICallControl Start(CallRequest request, ICallObserver observer)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var call = new Call(id, request, observer, this);
        _calls[id] = call;
        call.Run();
        return call;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var call in _calls.Values)
        {
            call.EndByPbx();
        }

        await Task.WhenAll(_calls.Values.Select(c => c.Completion));
    }

    private void Forget(Call call) => _calls.TryRemove(call.CallId, out _);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Call {CallId}: {From} dials {Destination} ({Origin})")]
    private static partial void LogStart(ILogger logger, string callId, string from, string destination, string origin);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Call {CallId} ended: {Reason} by {EndedBy}, route {Route}")]
    private static partial void LogEnd(ILogger logger, string callId, string reason, string endedBy, string route);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Call {CallId}: DTMF {Digit} for {DurationMs} ms")]
    private static partial void LogDigit(ILogger logger, string callId, char digit, int durationMs);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Call {CallId}: media {What} {Detail}")]
    private static partial void LogMedia(ILogger logger, string callId, string what, string? detail);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Call {CallId}: no media leg: {Error}")]
    private static partial void LogLegRefused(ILogger logger, string callId, Switchboard.Media.WebRtc.WebRtcLegError error);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Debug, Message = "Call {CallId}: media {Kind}")]
    private static partial void LogLegEvent(ILogger logger, string callId, Switchboard.Media.WebRtc.WebRtcLegEventKind kind);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Call {CallId} failed")]
    private static partial void LogFailure(ILogger logger, Exception exception, string callId);
}
