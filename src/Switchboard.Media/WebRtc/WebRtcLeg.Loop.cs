using System.Net;
using System.Net.Sockets;
using Switchboard.Media.Demux;
using Switchboard.Media.Ice;
using Switchboard.Media.Srtp;
using Switchboard.Media.Stun;

namespace Switchboard.Media.WebRtc;

public sealed partial class WebRtcLeg
{
    /// <summary>
    /// The owner loop: receive a datagram or wake at the next deadline, change the cores, then drain
    /// every output (ICE events, DTLS hand-offs, DTMF digits). No allocation per datagram.
    /// </summary>
    private async Task RunAsync()
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                var wait = _ice.Poll(Now) - Now;
                wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxWait ? MaxWait : wait;
                var wake = new CancellationTokenSource(wait, _time);
                Volatile.Write(ref _wake, wake);
                try
                {
                    while (true)
                    {
                        TakeDtlsHandOffs();
                        var length = await _socket.ReceiveFromAsync(_receiveBuffer, SocketFlags.None, _receiveAddress, wake.Token);
                        OnDatagram(length);
                        DrainIce();
                        if (_ended)
                        {
                            return;
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    // A deadline or a wake-up: fall through to the checks below.
                }
                catch (SocketException)
                {
                    // ICMP port unreachable from an earlier send surfaces here on Linux; keep going.
                }
                finally
                {
                    Volatile.Write(ref _wake, null);
                    wake.Dispose();
                }

                TakeDtlsHandOffs();
                _ice.Poll(Now);
                DrainIce();
                DrainDtmf(tick: true);
                if (_ended)
                {
                    return;
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // Disposed while waiting.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogLoopFailed(_log, ex, LocalPort);
            Raise(new WebRtcLegEvent(WebRtcLegEventKind.TransportFailed, Detail: ex.Message));
        }
    }

    private void OnDatagram(int length)
    {
        var datagram = _receiveBuffer.AsSpan(0, length);
        if (!TransportAddress.TryFromSocketAddress(_receiveAddress, out var source))
        {
            Count(dropped: 1);
            return;
        }

        switch (MediaDemux.Classify(datagram))
        {
            case DatagramKind.Stun:
                var outcome = _ice.HandleStun(datagram, source, Now, _stunResponse, out var responseLength);
                if (responseLength > 0)
                {
                    TrySend(_stunResponse.AsSpan(0, responseLength), _receiveAddress);
                }

                if (outcome is IceCheckOutcome.Answered or IceCheckOutcome.AnsweredNominated && _dtlsPeer is null)
                {
                    // The first authenticated check tells us where the browser's DTLS will come from.
                    _dtlsPeer = CopyOf(_receiveAddress);
                }

                break;
            case DatagramKind.Dtls:
                if (_dtlsPeer is { } peer && peer.Equals(_receiveAddress))
                {
                    _dtls.OnDatagram(datagram);
                }
                else
                {
                    Count(dropped: 1);
                }

                break;
            case DatagramKind.Rtp:
                OnSrtp(datagram, source, rtcp: false);
                break;
            case DatagramKind.Rtcp:
                OnSrtp(datagram, source, rtcp: true);
                break;
            default:
                Count(dropped: 1);
                break;
        }
    }

    private void DrainIce()
    {
        while (_ice.TryDequeueEvent(out var e))
        {
            switch (e.Kind)
            {
                case IceEventKind.SelectedPairChanged:
                    _mediaPeerAddress = e.RemoteEndpoint;
                    _mediaPeer = e.RemoteEndpoint.ToIPEndPoint().Serialize();
                    _dtlsPeer = _mediaPeer;
                    LogIceSelected(_log, LocalPort, e.RemoteEndpoint);
                    RaiseConnectedIfReady();
                    break;
                case IceEventKind.ConsentExpired:
                case IceEventKind.ConnectTimeout:
                    End(new WebRtcLegEvent(WebRtcLegEventKind.ConsentLost, Detail: e.Kind.ToString()));
                    break;
                default:
                    break;
            }
        }
    }

    private void TakeDtlsHandOffs()
    {
        if (_srtp is null && Interlocked.Exchange(ref _pendingKeys, null) is { } keys)
        {
            if (SrtpSession.TryCreateFromDtls(keys.SrtpProfileId, keys.KeyingMaterial, keys.IsServer, out var session))
            {
                _srtp = session;
                LogSrtpReady(_log, LocalPort, keys.SrtpProfileId);
                RaiseConnectedIfReady();
            }
            else
            {
                End(new WebRtcLegEvent(WebRtcLegEventKind.TransportFailed, Detail: "unusable SRTP keys"));
            }
        }

        if (_pendingFailure is { } failure)
        {
            _pendingFailure = null;
            End(new WebRtcLegEvent(WebRtcLegEventKind.TransportFailed, Detail: failure));
        }
    }

    private void RaiseConnectedIfReady()
    {
        if (!_connectedRaised && _srtp is not null && _mediaPeer is not null)
        {
            _connectedRaised = true;
            Raise(new WebRtcLegEvent(WebRtcLegEventKind.MediaConnected));
        }
    }

    private void End(WebRtcLegEvent reason)
    {
        if (!_ended)
        {
            _ended = true;
            Raise(reason);
        }
    }

    private static SocketAddress CopyOf(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span.CopyTo(copy.Buffer.Span);
        return copy;
    }
}
