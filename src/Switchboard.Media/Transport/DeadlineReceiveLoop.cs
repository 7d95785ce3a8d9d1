using System.Net;
using System.Net.Sockets;

namespace Switchboard.Media.Transport;

/// <summary>What a leg's loop does: take a datagram, advance timers, and say whether it is over.</summary>
internal interface IDeadlineLoopOwner
{
    /// <summary>One datagram, in the loop's buffer, from the loop's address.</summary>
    void OnDatagram(int length);

    /// <summary>Advances timers; returns the next deadline (the leg's clock).</summary>
    TimeSpan Poll();

    /// <summary>The leg's clock.</summary>
    TimeSpan Now { get; }

    bool Ended { get; }

    void OnFailure(Exception exception);
}

/// <summary>
/// The receive loop of a media leg: one socket, one owner. It waits for a datagram or the owner's
/// next deadline, whichever comes first (at most <see cref="MaxWait"/>); <see cref="Wake"/> from
/// another thread ends the wait early so a hand-off is seen at once. No allocation per datagram:
/// one timer per deadline, the receive buffer and address reused.
/// </summary>
internal sealed class DeadlineReceiveLoop(Socket socket, TimeProvider time, byte[] buffer, SocketAddress address)
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(1);

    private CancellationTokenSource? _wake;

    public void Wake()
    {
        try
        {
            Volatile.Read(ref _wake)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The loop already moved on to a new wait and will see the hand-off.
        }
    }

    public async Task RunAsync(IDeadlineLoopOwner owner, CancellationToken stopping)
    {
        try
        {
            var next = owner.Poll();
            while (!stopping.IsCancellationRequested && !owner.Ended)
            {
                var wait = next - owner.Now;
                wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxWait ? MaxWait : wait;
                using var wake = new CancellationTokenSource(wait, time);
                Volatile.Write(ref _wake, wake);
                try
                {
                    while (!owner.Ended)
                    {
                        var length = await socket.ReceiveFromAsync(buffer, SocketFlags.None, address, wake.Token);
                        owner.OnDatagram(length);
                    }
                }
                catch (OperationCanceledException)
                {
                    // A deadline or a wake-up.
                }
                catch (SocketException)
                {
                    // ICMP port unreachable from an earlier send surfaces here on Linux; keep going.
                }
                finally
                {
                    Volatile.Write(ref _wake, null);
                }

                next = owner.Poll();
            }
        }
        catch (ObjectDisposedException)
        {
            // Disposed while waiting.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            owner.OnFailure(ex);
        }
    }
}
