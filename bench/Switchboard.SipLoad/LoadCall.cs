using Switchboard.Sip.Dialogs;
using Switchboard.Sip.Messages;

namespace Switchboard.SipLoad;

internal enum CallPhase
{
    /// <summary>First INVITE sent, waiting for the 401.</summary>
    Challenge,

    /// <summary>INVITE with credentials sent, waiting for 100/180/200.</summary>
    Invite,

    /// <summary>ACK and BYE sent, waiting for the BYE's 200.</summary>
    Bye,
}

/// <summary>One caller-side call; owned by the caller engine's loop (never touched elsewhere).</summary>
internal sealed class LoadCall
{
    public LoadCall(string callId, int socket, SipRequest firstInvite, long startedAt)
    {
        CallId = callId;
        Socket = socket;
        Invite = firstInvite;
        StartedAt = startedAt;
        Outstanding = firstInvite;
    }

    public string CallId { get; }

    public int Socket { get; }

    public long StartedAt { get; }

    public CallPhase Phase { get; set; }

    /// <summary>The INVITE of the current phase (the first, then the one with credentials).</summary>
    public SipRequest Invite { get; set; }

    /// <summary>The ACK of the 401, re-sent when the 401 comes again.</summary>
    public SipRequest? ChallengeAck { get; set; }

    /// <summary>The ACK of the 200, re-sent when the 200 comes again.</summary>
    public SipRequest? Ack { get; set; }

    /// <summary>The request we retransmit until a response for it arrives (RFC 3261 timers A/E); null once answered.</summary>
    public SipRequest? Outstanding { get; set; }

    public long NextRetransmitAt { get; set; }

    public long RetransmitInterval { get; set; }

    /// <summary>The call fails when the current step sees no progress by then.</summary>
    public long StepDeadline { get; set; }

    public SipDialog? Dialog { get; set; }

    /// <summary>The last status received for this call, for failure reports (0: none yet).</summary>
    public int LastStatus { get; set; }
}
