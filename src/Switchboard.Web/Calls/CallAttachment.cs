using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Calls;

namespace Switchboard.Web.Calls;

/// <summary>What happened to a call when its socket let go of it (<see cref="CallAttachment.Detach"/>).</summary>
internal enum DetachOutcome
{
    /// <summary>The call waits for the page to resume it, for the grace period.</summary>
    Detached,

    /// <summary>Another socket of the page already took the call over: nothing to do.</summary>
    Superseded,

    /// <summary>The call is over (or the page hung up): hang up as before.</summary>
    Ended,
}

/// <summary>
/// The popup's call as the engine sees it (its <see cref="ICallObserver"/>), across call sockets: the socket that
/// placed the call, then each socket that resumed it. When the socket drops without <c>ended</c>, the call is kept
/// for a grace period (<see cref="Hosting.WebOptions.ResumeGrace"/>) and hung up as before if no page comes back;
/// events meanwhile are remembered as the call's state, which the resuming socket gets in one <c>resumed</c>
/// message. Called from the call's loop (events) and from request threads (attach, detach): a small lock guards
/// the few fields, never on a media path.
/// </summary>
internal sealed partial class CallAttachment : ICallObserver
{
    private readonly Lock _gate = new();
    private readonly ResumableCalls _tokens;
    private readonly TimeProvider _time;
    private readonly TimeSpan _grace;
    private readonly ILogger _log;
    private ICallSocket? _socket;
    private ITimer? _graceTimer;
    private string? _tokenKey;
    private string? _callId;
    private string? _answerSdp;
    private bool _ringing;
    private bool _connected;
    private bool _ended;

    public CallAttachment(ICallSocket socket, ResumableCalls tokens, TimeProvider time, TimeSpan grace, ILogger log)
    {
        _socket = socket;
        _tokens = tokens;
        _time = time;
        _grace = grace;
        _log = log;
    }

    /// <summary>The engine's handle of the call, set right after it started.</summary>
    public ICallControl? Call { get; set; }

    public ValueTask OnTryingAsync(string callId)
    {
        var token = _tokens.Issue(this);
        lock (_gate)
        {
            _callId = callId;
        }

        return Current?.PostAsync(new { type = "trying", callId, resume = token }) ?? ValueTask.CompletedTask;
    }

    public ValueTask OnRingingAsync()
    {
        lock (_gate)
        {
            _ringing = true;
        }

        return Current?.PostAsync(new { type = "ringing" }) ?? ValueTask.CompletedTask;
    }

    public ValueTask OnAnswerSdpAsync(string sdp)
    {
        lock (_gate)
        {
            _answerSdp = sdp;
        }

        return Current?.PostAsync(new { type = "answer", sdp }) ?? ValueTask.CompletedTask;
    }

    public ValueTask OnConnectedAsync()
    {
        lock (_gate)
        {
            _connected = true;
        }

        return Current?.PostAsync(new { type = "connected" }) ?? ValueTask.CompletedTask;
    }

    /// <summary>The caller's place in a queue (docs/signalling.md, <c>queue</c>): the popup shows "You are number N in the queue".</summary>
    public ValueTask OnQueuePositionAsync(int place) => Current?.PostAsync(new { type = "queue", position = place }) ?? ValueTask.CompletedTask;

    public async ValueTask OnEndedAsync(CallEndReason reason)
    {
        ICallSocket? socket;
        lock (_gate)
        {
            _ended = true;
            socket = _socket;
            _graceTimer?.Dispose();
            _graceTimer = null;
        }

        _tokens.Forget(this);
        if (socket is not null)
        {
            await socket.EndAsync(reason);
        }
    }

    public bool HasEnded
    {
        get
        {
            lock (_gate)
            {
                return _ended;
            }
        }
    }

    /// <summary>Called by <see cref="ResumableCalls"/> only: the hash of the token in force, swapped for <paramref name="key"/>.</summary>
    public string? SwapTokenKey(string? key)
    {
        lock (_gate)
        {
            var previous = _tokenKey;
            _tokenKey = key;
            return previous;
        }
    }

    /// <summary>
    /// <paramref name="socket"/> closed. If it still held the call and the call is not over, the call waits for the
    /// page for the grace period, then is hung up as <c>hangup</c> (docs/signalling.md, "Network changes").
    /// </summary>
    public DetachOutcome Detach(ICallSocket socket)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return DetachOutcome.Ended;
            }

            if (!ReferenceEquals(_socket, socket))
            {
                return DetachOutcome.Superseded;
            }

            _socket = null;
            _graceTimer = _time.CreateTimer(_ => GiveUp(), null, _grace, Timeout.InfiniteTimeSpan);
        }

        LogDetached(_log, _callId, _grace);
        return DetachOutcome.Detached;
    }

    /// <summary>
    /// A socket that redeemed this call's token takes it over: the socket before it (if the PBX had not noticed it
    /// drop) is let go, the grace timer stops, and the page gets a fresh token and the call's state. False when the
    /// call ended meanwhile.
    /// </summary>
    public async ValueTask<bool> AttachAsync(ICallSocket socket)
    {
        ICallSocket? previous;
        string state;
        string? answerSdp;
        lock (_gate)
        {
            if (_ended)
            {
                return false;
            }

            previous = _socket;
            _socket = socket;
            _graceTimer?.Dispose();
            _graceTimer = null;
            state = _connected ? "connected" : _ringing ? "ringing" : "connecting";
            answerSdp = _answerSdp;
        }

        var resumed = new { type = "resumed", callId = _callId, state, resume = _tokens.Issue(this), sdp = answerSdp };
        if (previous is not null && !ReferenceEquals(previous, socket))
        {
            previous.Abandon();
        }

        LogResumed(_log, _callId);
        await socket.PostAsync(resumed);
        return true;
    }

    private ICallSocket? Current
    {
        get
        {
            lock (_gate)
            {
                return _socket;
            }
        }
    }

    private void GiveUp()
    {
        lock (_gate)
        {
            if (_socket is not null || _ended)
            {
                return;
            }

            _graceTimer?.Dispose();
            _graceTimer = null;
        }

        LogGaveUp(_log, _callId, _grace);
        _tokens.Forget(this);
        Call?.Hangup();
    }

    [LoggerMessage(EventId = 3014, Level = LogLevel.Information, Message = "Call {CallId}: its socket dropped; kept {Grace} for the page to resume it")]
    private static partial void LogDetached(ILogger logger, string? callId, TimeSpan grace);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Information, Message = "Call {CallId}: the page resumed it on a new socket")]
    private static partial void LogResumed(ILogger logger, string? callId);

    [LoggerMessage(EventId = 3016, Level = LogLevel.Information, Message = "Call {CallId}: not resumed within {Grace}; hanging up")]
    private static partial void LogGaveUp(ILogger logger, string? callId, TimeSpan grace);
}
