using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Media.Stun;

namespace Switchboard.Media.Ice;

/// <summary>
/// The ICE-lite side of one WebRTC media stream (RFC 8445 sections 2.5 and 6.1.1): always controlled,
/// never sends checks, answers the browser's Binding requests (section 7.3), takes the pair the
/// browser nominates with USE-CANDIDATE, and watches consent freshness on it (RFC 7675).
/// </summary>
/// <remarks>
/// Sans-IO: datagrams and timestamps go in; responses (into a caller buffer), events and the next
/// wake-up time come out. <c>now</c> is any monotonic clock, e.g. <c>timeProvider.GetElapsedTime(origin)</c>;
/// the agent never reads a clock. Not thread-safe: one owner (the leg's loop) drives it. After every
/// input, call <see cref="Poll"/> for the next wake-up and drain <see cref="TryDequeueEvent"/>.
/// Lite agents key incoming checks with their own password, so the remote password is never used
/// on this side; the remote ufrag checks the second half of USERNAME.
/// </remarks>
public sealed class IceLiteAgent : IDisposable
{
    /// <summary>A response buffer at least this large always fits any answer the agent writes.</summary>
    public const int MinResponseBufferSize = 256;

    private const int MaxUnknownReported = 16;

    private readonly IceLiteOptions _options;
    private readonly ILogger _logger;
    private byte[] _localUfrag;
    private StunIntegrityKey _localKey;
    private readonly Queue<IceEvent> _events = new(4);
    private TimeSpan _connectDeadline;
    private byte[]? _remoteUfrag;
    private TransportAddress _selected;
    private TimeSpan _selectedLastValid;
    private IceAgentState _state;

    private long _answered;
    private long _nominations;
    private long _badRequest;
    private long _unauthenticated;
    private long _unknownAttribute;
    private long _roleConflict;
    private long _malformed;
    private long _badFingerprint;
    private long _notRequest;
    private long _droppedAfterFailure;

    /// <param name="localCredentials">Usually <see cref="IceCredentials.Generate"/>; the same go into the answer through <see cref="IceSdp"/>.</param>
    /// <param name="now">Start of the connect timeout.</param>
    /// <param name="options">Timeouts; defaults per RFC 7675.</param>
    /// <param name="logger">State changes at Debug, rejected checks at Trace, addresses redacted.</param>
    public IceLiteAgent(IceCredentials localCredentials, TimeSpan now, IceLiteOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(localCredentials);
        LocalCredentials = localCredentials;
        _options = options ?? new IceLiteOptions();
        _localUfrag = Encoding.ASCII.GetBytes(localCredentials.Ufrag);
        _localKey = new StunIntegrityKey(Encoding.ASCII.GetBytes(localCredentials.Password));
        _connectDeadline = now + _options.ConnectTimeout;
        _logger = logger ?? NullLogger.Instance;
    }

    public IceCredentials LocalCredentials { get; private set; }

    /// <summary>How many ICE restarts this agent took (<see cref="Restart"/>).</summary>
    public int Restarts { get; private set; }

    public IceCredentials? RemoteCredentials { get; private set; }

    public IceAgentState State => _state;

    /// <summary>Where media goes: the selected pair's remote endpoint, or null before nomination and after failure.</summary>
    public TransportAddress? SelectedEndpoint => _state == IceAgentState.Connected ? _selected : null;

    public IceCounters Counters => new(
        _answered, _nominations, _badRequest, _unauthenticated, _unknownAttribute, _roleConflict,
        _malformed, _badFingerprint, _notRequest, _droppedAfterFailure);

    /// <summary>The ufrag and password of the remote offer (RFC 8839 section 5.4).</summary>
    public void SetRemoteCredentials(IceCredentials remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        RemoteCredentials = remote;
        _remoteUfrag = Encoding.ASCII.GetBytes(remote.Ufrag);
    }

    /// <summary>From the offer's a=ice-ufrag and a=ice-pwd; false (and nothing changed) if they break the grammar.</summary>
    public bool TrySetRemoteCredentials(string? ufrag, string? password)
    {
        if (!IceCredentials.TryCreate(ufrag, password, out IceCredentials? remote))
        {
            return false;
        }

        SetRemoteCredentials(remote);
        return true;
    }

    /// <summary>
    /// Stops the connect timeout until <see cref="RestartConnectTimeout"/>: when we offered, the callee
    /// may ring for minutes before its browser starts checking. Checks are still answered.
    /// </summary>
    public void HoldConnectTimeout()
    {
        if (_state == IceAgentState.Checking)
        {
            _connectDeadline = TimeSpan.MaxValue;
        }
    }

    /// <summary>Runs the connect timeout anew from <paramref name="now"/> while no pair is selected yet (the answer arrived).</summary>
    public void RestartConnectTimeout(TimeSpan now)
    {
        if (_state == IceAgentState.Checking)
        {
            _connectDeadline = now + _options.ConnectTimeout;
        }
    }

    /// <summary>
    /// An ICE restart (RFC 8445 section 9, signalled as in RFC 8839 section 4.4.1.1.1): from now on only
    /// checks with the new credentials are answered, checks with the old ones get 401. The selected pair
    /// keeps carrying media, and its consent timer runs on, until the browser nominates a pair under
    /// the new credentials (section 9: media continues on the previous pair during the restart); a
    /// check on it with the new credentials refreshes its consent. An agent whose connect timeout or
    /// consent ran out stays failed: the session ended with it.
    /// </summary>
    public void Restart(IceCredentials newLocal, IceCredentials newRemote, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(newLocal);
        ArgumentNullException.ThrowIfNull(newRemote);
        _localKey.Dispose();
        LocalCredentials = newLocal;
        _localUfrag = Encoding.ASCII.GetBytes(newLocal.Ufrag);
        _localKey = new StunIntegrityKey(Encoding.ASCII.GetBytes(newLocal.Password));
        SetRemoteCredentials(newRemote);
        Restarts++;
        if (_state == IceAgentState.Checking)
        {
            _connectDeadline = now + _options.ConnectTimeout;
        }

        IceLog.Restarted(_logger, newLocal.Ufrag);
    }

    /// <summary>Releases the HMAC context of the local password.</summary>
    public void Dispose() => _localKey.Dispose();

    public bool TryDequeueEvent(out IceEvent iceEvent) => _events.TryDequeue(out iceEvent);

    /// <summary>Runs the timers due at <paramref name="now"/> and returns when to call again (<see cref="TimeSpan.MaxValue"/>: never).</summary>
    public TimeSpan Poll(TimeSpan now)
    {
        Expire(now);
        return _state switch
        {
            IceAgentState.Checking => _connectDeadline,
            IceAgentState.Connected => _selectedLastValid + _options.ConsentTimeout,
            _ => TimeSpan.MaxValue,
        };
    }

    /// <summary>
    /// Handles one datagram the demultiplexer classified as STUN. When <paramref name="responseLength"/> is
    /// above zero, send <c>response[..responseLength]</c> back to <paramref name="source"/>.
    /// </summary>
    /// <param name="datagram">The whole UDP payload.</param>
    /// <param name="source">Where it came from.</param>
    /// <param name="now">Monotonic time of arrival.</param>
    /// <param name="response">At least <see cref="MinResponseBufferSize"/> bytes.</param>
    /// <param name="responseLength">Bytes of response to send; 0 when the datagram is dropped.</param>
    public IceCheckOutcome HandleStun(ReadOnlySpan<byte> datagram, TransportAddress source, TimeSpan now, Span<byte> response, out int responseLength)
    {
        IceCheckOutcome outcome = HandleStunCore(datagram, source, now, response, out responseLength);
        if (outcome is not (IceCheckOutcome.Answered or IceCheckOutcome.AnsweredNominated))
        {
            IceLog.CheckRejected(_logger, LocalCredentials.Ufrag, new RedactedAddress(source), outcome);
        }

        return outcome;
    }

    private IceCheckOutcome HandleStunCore(ReadOnlySpan<byte> datagram, TransportAddress source, TimeSpan now, Span<byte> response, out int responseLength)
    {
        if (response.Length < MinResponseBufferSize)
        {
            throw new ArgumentException($"The response buffer needs {MinResponseBufferSize} bytes.", nameof(response));
        }

        if (!source.IsValid)
        {
            throw new ArgumentException("No source address.", nameof(source));
        }

        responseLength = 0;
        Expire(now);
        if (_state == IceAgentState.Failed)
        {
            _droppedAfterFailure++;
            return IceCheckOutcome.DroppedAgentFailed;
        }

        if (StunMessage.TryParse(datagram, out StunMessage request) != StunParseStatus.Ok)
        {
            _malformed++;
            return IceCheckOutcome.DroppedMalformed;
        }

        if (request.Class != StunClass.Request)
        {
            _notRequest++;
            return IceCheckOutcome.DroppedNotRequest;
        }

        // RFC 8489 section 7.3: a FINGERPRINT that does not match means this is not STUN at all.
        StunCheck fingerprint = request.CheckFingerprint();
        if (fingerprint == StunCheck.Invalid || (fingerprint == StunCheck.Absent && _options.RequireFingerprint))
        {
            _badFingerprint++;
            return IceCheckOutcome.DroppedBadFingerprint;
        }

        // RFC 8489 section 6.3.1: an unknown method in a request is a 400.
        if (request.Method != StunMethod.Binding)
        {
            _badRequest++;
            responseLength = WriteError(response, request, StunErrorCodes.BadRequest, "Bad Request", authenticated: false);
            return IceCheckOutcome.BadRequest;
        }

        // RFC 8489 section 9.1.3, short-term credentials.
        if (!request.TryGetUsername(out ReadOnlySpan<byte> username) || !request.HasMessageIntegrity)
        {
            _badRequest++;
            responseLength = WriteError(response, request, StunErrorCodes.BadRequest, "Bad Request", authenticated: false);
            return IceCheckOutcome.BadRequest;
        }

        if (!IsOurUsername(username) || request.CheckMessageIntegrity(_localKey) != StunCheck.Valid)
        {
            _unauthenticated++;
            responseLength = WriteError(response, request, StunErrorCodes.Unauthenticated, "Unauthenticated", authenticated: false);
            return IceCheckOutcome.Unauthenticated;
        }

        // RFC 8489 section 6.3.1, after authentication.
        if (request.UnknownComprehensionRequiredCount > 0)
        {
            _unknownAttribute++;
            responseLength = WriteError(response, request, StunErrorCodes.UnknownAttribute, "Unknown Attribute", authenticated: true);
            return IceCheckOutcome.UnknownAttribute;
        }

        // RFC 8445 section 7.3.1.1: both sides controlled. A lite agent is controlled by definition
        // (section 6.1.1) and cannot switch, so it always answers 487 and lets the peer switch.
        if (request.TryGetIceControlled(out _))
        {
            _roleConflict++;
            responseLength = WriteError(response, request, StunErrorCodes.RoleConflict, "Role Conflict", authenticated: true);
            return IceCheckOutcome.RoleConflict;
        }

        // RFC 8445 section 7.1.1: every check carries PRIORITY.
        if (!request.TryGetPriority(out _))
        {
            _badRequest++;
            responseLength = WriteError(response, request, StunErrorCodes.BadRequest, "Bad Request", authenticated: true);
            return IceCheckOutcome.BadRequest;
        }

        responseLength = WriteSuccess(response, request, source);
        _answered++;
        bool nominated = request.HasUseCandidate;
        Accept(source, nominated, now);
        return nominated ? IceCheckOutcome.AnsweredNominated : IceCheckOutcome.Answered;
    }

    /// <summary>
    /// For a media port shared by several legs: the local ufrag a Binding request is addressed to (the part
    /// of USERNAME before the colon), to find the agent that owns it. False for anything else. The agent
    /// still checks the whole request.
    /// </summary>
    public static bool TryGetTargetUfrag(ReadOnlySpan<byte> datagram, out ReadOnlySpan<byte> localUfrag)
    {
        localUfrag = default;
        if (StunMessage.TryParse(datagram, out StunMessage message) != StunParseStatus.Ok
            || message.Class != StunClass.Request
            || !message.TryGetUsername(out ReadOnlySpan<byte> username))
        {
            return false;
        }

        int colon = username.IndexOf((byte)':');
        if (colon <= 0)
        {
            return false;
        }

        localUfrag = username[..colon];
        return true;
    }

    private bool IsOurUsername(ReadOnlySpan<byte> username)
    {
        // USERNAME of a check to us is "ourUfrag:theirUfrag" (RFC 8445 section 7.2.2).
        if (username.Length <= _localUfrag.Length + 1
            || !username.StartsWith(_localUfrag)
            || username[_localUfrag.Length] != (byte)':')
        {
            return false;
        }

        ReadOnlySpan<byte> theirs = username[(_localUfrag.Length + 1)..];
        return _remoteUfrag is null || theirs.SequenceEqual(_remoteUfrag);
    }

    /// <summary>
    /// A valid check from <paramref name="source"/>. Checks on the selected pair refresh its consent.
    /// A nomination selects its pair; a later nomination of another pair replaces it (the browser, as
    /// controlling agent, nominates anew after a network change). RFC 8445 section 8.2 would keep the
    /// highest-priority nominated pair instead; following the browser's latest choice is what it expects.
    /// </summary>
    private void Accept(TransportAddress source, bool nominated, TimeSpan now)
    {
        bool isSelected = _state == IceAgentState.Connected && source == _selected;
        if (isSelected)
        {
            _selectedLastValid = now;
        }

        if (!nominated)
        {
            return;
        }

        _nominations++;
        if (isSelected)
        {
            return;
        }

        _selected = source;
        _selectedLastValid = now;
        _state = IceAgentState.Connected;
        _events.Enqueue(new IceEvent(IceEventKind.SelectedPairChanged, source, now));
        IceLog.Selected(_logger, LocalCredentials.Ufrag, new RedactedAddress(source));
    }

    private void Expire(TimeSpan now)
    {
        if (_state == IceAgentState.Checking && now >= _connectDeadline)
        {
            _state = IceAgentState.Failed;
            _events.Enqueue(new IceEvent(IceEventKind.ConnectTimeout, default, now));
            IceLog.ConnectTimeout(_logger, LocalCredentials.Ufrag, _options.ConnectTimeout);
        }
        else if (_state == IceAgentState.Connected && now - _selectedLastValid >= _options.ConsentTimeout)
        {
            // RFC 7675 section 5.1: consent expired; media to this pair must stop.
            _state = IceAgentState.Failed;
            _events.Enqueue(new IceEvent(IceEventKind.ConsentExpired, _selected, now));
            IceLog.ConsentExpired(_logger, LocalCredentials.Ufrag, new RedactedAddress(_selected), _options.ConsentTimeout);
        }
    }

    private int WriteSuccess(Span<byte> response, in StunMessage request, in TransportAddress source)
    {
        var writer = new StunWriter(response, StunConstants.BindingSuccessResponse, request.TransactionId);
        writer.AddXorMappedAddress(source);
        writer.AddMessageIntegrity(_localKey);
        writer.AddFingerprint();
        return writer.Length;
    }

    /// <summary>Error responses carry MESSAGE-INTEGRITY only once the request was authenticated (RFC 8489 section 9.1.3); FINGERPRINT always (RFC 8445 section 7).</summary>
    private int WriteError(Span<byte> response, in StunMessage request, int code, string reason, bool authenticated)
    {
        var writer = new StunWriter(response, StunConstants.BindingErrorResponse, request.TransactionId);
        writer.AddErrorCode(code, reason);
        if (code == StunErrorCodes.UnknownAttribute)
        {
            Span<ushort> unknown = stackalloc ushort[MaxUnknownReported];
            int n = request.CopyUnknownComprehensionRequired(unknown);
            writer.AddUnknownAttributes(unknown[..n]);
        }

        if (authenticated)
        {
            writer.AddMessageIntegrity(_localKey);
        }

        writer.AddFingerprint();
        return writer.Length;
    }
}
