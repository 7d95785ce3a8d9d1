using Switchboard.Media.Stun;

namespace Switchboard.Media.Ice;

public enum IceEventKind : byte
{
    /// <summary>A nominated pair became the selected one: send media to <see cref="IceEvent.RemoteEndpoint"/> from now on.</summary>
    SelectedPairChanged = 1,

    /// <summary>RFC 7675: no valid check on the selected pair within the consent timeout; stop sending to it. Terminal.</summary>
    ConsentExpired,

    /// <summary>No pair was nominated within the connect timeout. Terminal.</summary>
    ConnectTimeout,
}

/// <summary>
/// One output event of the agent. <see cref="RemoteEndpoint"/> is default for <see cref="IceEventKind.ConnectTimeout"/>.
/// <see cref="At"/> is the <c>now</c> of the call that noticed it: a timeout is noticed at the first
/// <c>Poll</c> or <c>HandleStun</c> at or after its deadline.
/// </summary>
public readonly record struct IceEvent(IceEventKind Kind, TransportAddress RemoteEndpoint, TimeSpan At);

public enum IceAgentState : byte
{
    /// <summary>Answering checks, nothing nominated yet.</summary>
    Checking = 0,

    /// <summary>A pair is selected and has consent.</summary>
    Connected,

    /// <summary>Consent expired or the connect timeout passed; checks are dropped. A restart does not revive it: the session ended with it.</summary>
    Failed,
}

/// <summary>What <see cref="IceLiteAgent.HandleStun"/> did with one datagram.</summary>
public enum IceCheckOutcome : byte
{
    /// <summary>A valid check: a Binding success response was written.</summary>
    Answered = 0,

    /// <summary>A valid check with USE-CANDIDATE: success response written, pair nominated.</summary>
    AnsweredNominated,

    /// <summary>400 written: USERNAME or MESSAGE-INTEGRITY missing, PRIORITY missing, or not a Binding request.</summary>
    BadRequest,

    /// <summary>401 written: unknown USERNAME or MESSAGE-INTEGRITY did not verify with the local password.</summary>
    Unauthenticated,

    /// <summary>420 written with UNKNOWN-ATTRIBUTES.</summary>
    UnknownAttribute,

    /// <summary>487 written: the peer claims the controlled role too; a lite agent never becomes controlling.</summary>
    RoleConflict,

    /// <summary>Not a well-formed STUN message; dropped.</summary>
    DroppedMalformed,

    /// <summary>FINGERPRINT absent (when required) or wrong; dropped (RFC 8489 section 7.3).</summary>
    DroppedBadFingerprint,

    /// <summary>A response or an indication (a keepalive, RFC 8445 section 11); nothing to answer.</summary>
    DroppedNotRequest,

    /// <summary>The agent has failed (consent expired or connect timeout); dropped.</summary>
    DroppedAgentFailed,
}

/// <summary>Counters of an agent's lifetime, for metrics and the call's diagnostics.</summary>
public readonly record struct IceCounters(
    long Answered,
    long Nominations,
    long BadRequest,
    long Unauthenticated,
    long UnknownAttribute,
    long RoleConflict,
    long Malformed,
    long BadFingerprint,
    long NotRequest,
    long DroppedAfterFailure);
