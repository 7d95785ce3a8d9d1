using System.Net;
using Switchboard.Sip.Parsing;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.Transport.Tests;

public sealed class SipConnectionTests
{
    private static readonly IPEndPoint Here = new(IPAddress.Loopback, 5060);
    private static readonly IPEndPoint There = new(IPAddress.Loopback, 5070);

    [Fact]
    public void The_send_queue_refuses_beyond_its_limit_and_everything_after_close()
    {
        using var connection = new SipStreamConnection(
            7, SipTransportKind.Tcp, Here, There, inbound: false, new SipTransportOptions { SendQueueLimit = 2 }, new SipStreamFramer(), TimeProvider.System);

        Assert.True(connection.TryEnqueue("a"u8));
        Assert.True(connection.TryEnqueue("b"u8));
        Assert.False(connection.TryEnqueue("c"u8));
        Assert.Equal(new SipFlow(SipTransportKind.Tcp, Here, There, 7), connection.Flow);

        connection.Close(SipConnectionCloseReason.Idle);
        connection.Close(SipConnectionCloseReason.IoError);

        Assert.True(connection.IsClosed);
        Assert.Equal(SipConnectionCloseReason.Idle, connection.CloseReason);
        Assert.False(connection.TryEnqueue("d"u8));
    }
}
