using System.Net;
using System.Net.Sockets;
using Switchboard.Sip.Messages;

namespace Switchboard.SipLoad;

/// <summary>What the load tools need of loopback: a free port, and waiting until a SIP server started by them answers.</summary>
internal static class Loopback
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);

    public static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public static int FreeUdpPort() => FreePort(SocketType.Dgram, ProtocolType.Udp);

    /// <summary>
    /// Sends OPTIONS every 250 ms until any response comes (RFC 3261 section 11); throws when <paramref name="hasExited"/>
    /// turns true or <paramref name="timeout"/> passes, naming <paramref name="logPath"/>.
    /// </summary>
    public static async Task WaitUntilAnsweringAsync(IPEndPoint sip, Func<bool> hasExited, string logPath, TimeSpan timeout, CancellationToken ct)
    {
        using var socket = new SipUdpSocket();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(timeout);
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiving = Task.Run(() => socket.ReceiveLoopAsync((m, _) => answered.TrySetResult(), stop.Token), stop.Token);
        try
        {
            for (uint cseq = 1; !answered.Task.IsCompleted; cseq++)
            {
                if (hasExited())
                {
                    throw new InvalidOperationException($"The server on {sip} exited before answering; see {logPath}");
                }

                var options = LoadSip.NewRequest(SipMethod.Options, $"sip:{sip}", $"<sip:{sip}>", "probe", "load.invalid", socket.Local, SipIds.NewCallId("probe"), cseq).BuildRequest();
                socket.Send(options, sip);
                try
                {
                    await answered.Task.WaitAsync(ProbeInterval, stop.Token);
                }
                catch (TimeoutException)
                {
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The server on {sip} did not answer OPTIONS within {timeout.TotalSeconds} s; see {logPath}");
        }
        finally
        {
            await stop.CancelAsync();
            await receiving;
        }
    }
}
