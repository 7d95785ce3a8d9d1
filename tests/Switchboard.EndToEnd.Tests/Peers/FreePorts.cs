using System.Net;
using System.Net.Sockets;

namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>
/// Ports on 127.0.0.1 that were free when probed, for programs that cannot be told to bind port 0
/// (baresip). Never hands out the same port twice in one test process, so parallel agents do not race
/// each other; another process can still take one between the probe and the bind, which is rare.
/// </summary>
public static class FreePorts
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<int> Handed = [];

    /// <summary>A TCP port free on 127.0.0.1.</summary>
    public static int Tcp() => Take(1, udpToo: false);

    /// <summary>
    /// A SIP port: UDP and TCP free on it and on the next port (baresip's TLS listener takes port+1
    /// when its TLS support is built in, which is why instances are spaced 2 apart).
    /// </summary>
    public static int Sip() => Take(2, udpToo: true);

    private static int Take(int count, bool udpToo)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            int first;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                first = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            if (first + count > IPEndPoint.MaxPort) continue;
            var range = Enumerable.Range(first, count).ToArray();
            lock (Gate)
            {
                if (range.Any(Handed.Contains) || !range.All(p => TcpFree(p) && (!udpToo || UdpFree(p)))) continue;
                foreach (var port in range) Handed.Add(port);
            }

            return first;
        }

        throw new InvalidOperationException("no free port range on 127.0.0.1 after 200 probes");
    }

    private static bool TcpFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool UdpFree(int port)
    {
        try
        {
            using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
