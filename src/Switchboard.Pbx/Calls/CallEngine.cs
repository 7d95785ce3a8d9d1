using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Media;
using Switchboard.Pbx.Routing;
using Switchboard.Pbx.Services;
using Switchboard.Pbx.Sip;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Calls;

/// <summary>
/// Starts calls and keeps track of the live ones. Each call is owned by its own serialized loop
/// (<see cref="Call"/>); the engine only starts, lists and, at shutdown, ends them.
/// </summary>
public sealed partial class CallEngine : ISipCallAcceptor, IAsyncDisposable
{
    private readonly DialPlan _dialPlan;
    private readonly ICallRecordStore _records;
    private readonly WebRtcMedia _media;
    private readonly ServiceOptions _services;
    private readonly MediaSetupStats _setupStats;
    private readonly TimeProvider _time;
    private readonly ILogger<CallEngine> _log;
    private readonly CallOptions _options;
    private readonly ISipLocations _locations;
    private readonly Trunks.TrunkService? _trunks;
    private readonly Policy.CallPolicy? _policy;
    private readonly Ivr.IvrRuntime _ivr;
    private readonly Queues.QueueService? _queues;
    private SipEndpoint? _sip;
    private readonly ConcurrentDictionary<string, Call> _calls = new(StringComparer.Ordinal);

    private readonly CallStarts _starts = new();

    /// <summary>Set-up and answer times as they happen, for metrics; null records none.</summary>
    private readonly Diagnostics.PbxHistograms? _histograms;
    private bool _refusesNewCalls;
    private readonly long[] _ended = new long[Enum.GetValues<CallEndReason>().Length];

    public CallEngine(DialPlan dialPlan, ICallRecordStore records, WebRtcMedia media, ServiceOptions services, MediaSetupStats setupStats,
        CallOptions options, ISipLocations locations, TimeProvider time, ILogger<CallEngine> log, Trunks.TrunkService? trunks = null,
        Policy.CallPolicy? policy = null, Ivr.IvrRuntime? ivr = null, Diagnostics.PbxHistograms? histograms = null,
        Queues.QueueService? queues = null)
    {
        _histograms = histograms;
        _queues = queues;
        _ivr = ivr ?? Ivr.IvrRuntime.Demo();
        _trunks = trunks;
        _policy = policy;
        _options = options;
        _locations = locations;
        _setupStats = setupStats;
        _dialPlan = dialPlan;
        _records = records;
        _media = media;
        _services = services;
        _time = time;
        _log = log;
    }

    public int ActiveCalls => _calls.Count;

    /// <summary>Calls started since start, whatever became of them (the metrics' <c>switchboard_calls_started_total</c>).</summary>
    public long CallsStarted => _starts.Total;

    /// <summary>Calls started in the last 60 seconds (the admin overview).</summary>
    public int CallsInLastMinute => _starts.InLastMinute(_time.GetUtcNow());

    /// <summary>Media loss, jitter and MOS of the finished calls' legs, summed for metrics (docs/media.md, "Call quality").</summary>
    public QualityCounters Quality { get; } = new();

    /// <summary>Calls ended since start, per reason (the metrics' <c>switchboard_calls_ended_total{reason}</c>).</summary>
    public IEnumerable<(CallEndReason Reason, long Count)> EndedByReason
    {
        get
        {
            for (var i = 0; i < _ended.Length; i++)
            {
                yield return ((CallEndReason)i, Volatile.Read(ref _ended[i]));
            }
        }
    }

    /// <summary>True once <see cref="RefuseNewCalls"/> ran: the node is draining (docs/scale-out.md, "Drain").</summary>
    public bool RefusesNewCalls => Volatile.Read(ref _refusesNewCalls);

    /// <summary>From now on a new call (a browser's: SIP's are refused by the endpoint) ends at once as <c>shutdown</c>; calls up go on.</summary>
    public void RefuseNewCalls() => Volatile.Write(ref _refusesNewCalls, true);

    /// <summary>Calls to extensions ring their phones through this endpoint (set once, at start-up).</summary>
    public void AttachSip(SipEndpoint sip) => _sip = sip;

    /// <summary>A phone's authenticated INVITE: the Request-URI's user is the number it dials.</summary>
    public void OnInvite(InviteServerTransaction transaction, SipRequest invite, SipFlow flow, Extension caller)
    {
        var destination = Uri.UnescapeDataString(invite.RequestUri.User ?? "");
        var offer = System.Text.Encoding.UTF8.GetString(invite.Body.Span);
        Start(new CallRequest(caller, destination, offer, "sip", null) { Sip = new SipInvite(transaction, invite, flow) }, null);
    }

    /// <summary>
    /// An INVITE from a carrier (trusted by its source address, not by digest): the DID it is for picks the
    /// destination; the caller is the external number, in the trunk's domain.
    /// </summary>
    public void OnTrunkInvite(InviteServerTransaction transaction, SipRequest invite, SipFlow flow, Trunks.Trunk trunk)
    {
        var did = Uri.UnescapeDataString(invite.RequestUri.User ?? invite.To.Uri.User ?? "");
        var destination = trunk.DidMap.TryGetValue(did, out var mapped) ? mapped : did;
        var number = Uri.UnescapeDataString(invite.From.Uri.User ?? "anonymous");
        var caller = new Extension(0, trunk.Domain, number, invite.From.DisplayName ?? number, _time.GetUtcNow());
        var offer = System.Text.Encoding.UTF8.GetString(invite.Body.Span);
        Start(new CallRequest(caller, destination, offer, $"trunk:{trunk.Name}:{did}", null) { Sip = new SipInvite(transaction, invite, flow) }, null);
    }

    public ICallControl Start(CallRequest request, ICallObserver? observer)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        _starts.Add(_time.GetUtcNow());
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

    [LoggerMessage(EventId = 2013, Level = LogLevel.Information, Message = "Call {CallId}: {Side} browser leg {Traffic}")]
    internal static partial void LogWebTraffic(ILogger logger, string callId, string side, WebRtcEnd traffic);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Call {CallId}: media {What} {Detail}")]
    internal static partial void LogMedia(ILogger logger, string callId, string what, string? detail);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Call {CallId}: no media leg: {Error}")]
    private static partial void LogLegRefused(ILogger logger, string callId, Switchboard.Media.WebRtc.WebRtcLegError error);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Debug, Message = "Call {CallId}: media {Kind}")]
    internal static partial void LogLegEvent(ILogger logger, string callId, Switchboard.Media.WebRtc.WebRtcLegEventKind kind);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information, Message = "Call {CallId}: a phone refused with {Status}")]
    internal static partial void LogBranchFailed(ILogger logger, string callId, int status);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Debug, Message = "Call {CallId}: re-INVITE, hold state {State}")]
    internal static partial void LogHold(ILogger logger, string callId, Switchboard.Media.Sdp.SdpHoldState state);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Call {CallId}: out through trunk {Trunk}")]
    private static partial void LogTrunkAttempt(ILogger logger, string callId, string trunk);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "Call {CallId}: the IVR transfers to {Destination}")]
    private static partial void LogTransfer(ILogger logger, string callId, string destination);

    [LoggerMessage(EventId = 2016, Level = LogLevel.Information, Message = "Call {CallId}: the {Transferor} transfers the other party to {Destination} (REFER)")]
    private static partial void LogReferTransfer(ILogger logger, string callId, string transferor, string destination);

    [LoggerMessage(EventId = 2017, Level = LogLevel.Information, Message = "Call {CallId}: a browser's re-INVITE that changes more than the direction is refused (488)")]
    private static partial void LogReofferRefused(ILogger logger, string callId);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Debug, Message = "Call {CallId}: {State}")]
    private static partial void LogState(ILogger logger, string callId, CallState state);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Information, Message = "Call {CallId}: the browser restarted ICE")]
    private static partial void LogIceRestarted(ILogger logger, string callId);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Information, Message = "Call {CallId}: the browser's re-offer refused ({Reason}); the call goes on")]
    private static partial void LogIceRestartRefused(ILogger logger, string callId, Switchboard.Media.WebRtc.WebRtcLegError reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Call {CallId} failed")]
    private static partial void LogFailure(ILogger logger, Exception exception, string callId);
}
