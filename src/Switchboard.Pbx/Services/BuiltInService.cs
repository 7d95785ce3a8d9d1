namespace Switchboard.Pbx.Services;

/// <summary>Services the PBX answers itself, reachable by number through the dial plan.</summary>
public enum BuiltInService
{
    /// <summary>Returns the caller's audio: proves microphone, network and media path at once.</summary>
    Echo,

    /// <summary>Records every RFC 4733 digit (with its duration) in the call record.</summary>
    DtmfTest,

    /// <summary>The auto attendant: a spoken menu the keypad drives to an extension or another service (docs/ivr.md).</summary>
    Ivr,

    /// <summary>The caller (an agent) logs in to every queue it is a member of, hears a confirmation, and is hung up on (docs/queues.md).</summary>
    QueueLogin,

    /// <summary>The caller (an agent) logs out of its queues: it is offered no new caller until it logs in again.</summary>
    QueueLogout,
}
