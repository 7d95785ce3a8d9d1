using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Transport;

/// <summary>The transports' log lines, EventIds 5201-5220. Connection state at Debug, messages at Trace.</summary>
internal static partial class SipTransportLog
{
    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "SIP {Transport} listening on {Local}")]
    public static partial void Listening(ILogger logger, SipTransportKind transport, EndPoint local);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "SIP UDP receive failed ({Error})")]
    public static partial void UdpReceiveFailed(ILogger logger, SocketError error);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Debug, Message = "SIP UDP datagram of {Length} bytes from {Remote} dropped")]
    public static partial void DatagramDropped(ILogger logger, int length, EndPoint remote);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Debug, Message = "SIP {Transport} connection {Id} with {Remote} opened (inbound {Inbound})")]
    public static partial void ConnectionOpened(ILogger logger, SipTransportKind transport, long id, IPEndPoint remote, bool inbound);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Debug, Message = "SIP {Transport} connection {Id} with {Remote} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, SipTransportKind transport, long id, IPEndPoint remote, SipConnectionCloseReason reason);

    [LoggerMessage(EventId = 5206, Level = LogLevel.Warning, Message = "SIP {Transport} connection {Id} with {Remote} sent an unframable stream ({Error}); closing it")]
    public static partial void FramingError(ILogger logger, SipTransportKind transport, long id, IPEndPoint remote, SipParseError error);

    [LoggerMessage(EventId = 5207, Level = LogLevel.Warning, Message = "SIP {Transport} connection with {Remote} refused: {Max} connections open")]
    public static partial void ConnectionRefused(ILogger logger, SipTransportKind transport, IPEndPoint remote, int max);

    [LoggerMessage(EventId = 5208, Level = LogLevel.Information, Message = "SIP {Transport} connection {Id} with {Remote} could not be established")]
    public static partial void EstablishFailed(ILogger logger, SipTransportKind transport, long id, IPEndPoint remote, Exception exception);

    [LoggerMessage(EventId = 5209, Level = LogLevel.Debug, Message = "SIP {Transport} send queue of connection {Id} is full")]
    public static partial void SendQueueFull(ILogger logger, SipTransportKind transport, long id);

    [LoggerMessage(EventId = 5210, Level = LogLevel.Debug, Message = "SIP UDP send to {Remote} failed ({Error})")]
    public static partial void UdpSendFailed(ILogger logger, IPEndPoint remote, SocketError error);

    [LoggerMessage(EventId = 5211, Level = LogLevel.Warning, Message = "SIP {Transport} accept failed ({Error})")]
    public static partial void AcceptFailed(ILogger logger, SipTransportKind transport, SocketError error);

    [LoggerMessage(EventId = 5212, Level = LogLevel.Trace, Message = "SIP {Transport} message of {Length} bytes from {Remote} on connection {Id}")]
    public static partial void Received(ILogger logger, SipTransportKind transport, int length, IPEndPoint remote, long id);

    [LoggerMessage(EventId = 5213, Level = LogLevel.Trace, Message = "SIP {Transport} keep-alive from {Remote} on connection {Id}")]
    public static partial void KeepAlive(ILogger logger, SipTransportKind transport, IPEndPoint remote, long id);

    [LoggerMessage(EventId = 5214, Level = LogLevel.Debug, Message = "SIP {Transport} send to {Remote} impossible: transport not enabled")]
    public static partial void TransportDisabled(ILogger logger, SipTransportKind transport, IPEndPoint remote);

    [LoggerMessage(EventId = 5215, Level = LogLevel.Debug, Message = "SIP {Transport} connection {Id} is gone; message not sent")]
    public static partial void ConnectionGone(ILogger logger, SipTransportKind transport, long id);

    [LoggerMessage(EventId = 5216, Level = LogLevel.Error, Message = "SIP {Transport} receiver threw on a message from {Remote}; a bug in the receiver")]
    public static partial void ReceiverFailed(ILogger logger, SipTransportKind transport, IPEndPoint remote, Exception exception);
}
