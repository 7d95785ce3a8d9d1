namespace Switchboard.Sip.Transport;

/// <summary>Why a connection closed, for the log and the counters.</summary>
public enum SipConnectionCloseReason
{
    PeerClosed,
    Idle,
    FramingError,
    MessageTooLarge,
    HandshakeFailed,
    ConnectFailed,
    IoError,
    Shutdown,
}
