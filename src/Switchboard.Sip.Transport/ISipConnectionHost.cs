using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Transport;

/// <summary>What a connection's read loop reports to the hub that owns it.</summary>
internal interface ISipConnectionHost
{
    /// <summary>One whole message; the bytes are valid only during the call.</summary>
    void Deliver(SipConnection connection, ReadOnlySpan<byte> message);

    /// <summary>A CRLF keep-alive arrived (and was answered if it was a ping).</summary>
    void KeepAliveReceived(SipConnection connection);

    /// <summary>The stream or message cannot be framed; the connection is closing.</summary>
    void FrameRejected(SipConnection connection, SipParseError error);
}
