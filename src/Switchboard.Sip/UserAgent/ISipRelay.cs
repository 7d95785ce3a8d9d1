using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.UserAgent;

/// <summary>
/// Messages the element forwards as a proxy instead of handling as a user agent (RFC 3261 section 16): asked for each
/// well-formed message before transaction matching, on the core's loop. True when the relay took the message (forwarded,
/// answered or dropped it); the core then does nothing more with it.
/// </summary>
public interface ISipRelay
{
    bool TryRelay(SipMessage message, in SipFlow flow);
}
