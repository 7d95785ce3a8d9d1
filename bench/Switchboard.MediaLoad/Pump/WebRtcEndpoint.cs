using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Media.Demux;
using Switchboard.Media.Dtls;
using Switchboard.Media.Srtp;
using Switchboard.Media.Stun;

namespace Switchboard.MediaLoad.Pump;

/// <summary>
/// The browser's side of one WebRTC call, reduced to what the relay sees: ICE connectivity checks (a controlling
/// full agent towards the PBX's ICE-lite answer, RFC 8445), DTLS datagrams handed to the BouncyCastle client while it
/// shakes hands, then SRTP both ways. Checks repeat every 100 ms until answered, then every 5 s as consent
/// freshness (RFC 7675), or the PBX would end the call after 30 s.
/// </summary>
internal sealed class WebRtcEndpoint : MediaEndpoint
{
    private const uint HostPriority = 2_130_706_431;
    private static readonly long CheckInterval = Stopwatch.Frequency / 10;
    private static readonly long ConsentInterval = Stopwatch.Frequency * 5;
    private readonly TaskCompletionSource _iceConnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ulong _tieBreaker = (ulong)RandomNumberGenerator.GetInt32(int.MaxValue) << 16;
    private byte[] _username = [];
    private byte[] _password = [];
    private volatile bool _checking;
    private volatile BouncyCastleDtlsEndpoint? _dtls;
    private volatile SrtpSession? _srtp;
    private long _nextCheck;

    public WebRtcEndpoint()
        : base(sendDirection: 0, IPAddress.Loopback)
    {
    }

    /// <summary>Completes at the first binding success response.</summary>
    public Task IceConnected => _iceConnected.Task;

    /// <summary>Starts checks towards the answer's candidate with its credentials (USERNAME is "theirs:ours").</summary>
    public void StartIce(IPEndPoint remote, string remoteUfrag, string remotePassword, string localUfrag)
    {
        ConnectTo(remote);
        _username = Encoding.ASCII.GetBytes(remoteUfrag + ":" + localUfrag);
        _password = Encoding.ASCII.GetBytes(remotePassword);
        _checking = true;
    }

    /// <summary>While set, DTLS datagrams go to this client; cleared once the keys are out.</summary>
    public BouncyCastleDtlsEndpoint? Dtls
    {
        get => _dtls;
        set => _dtls = value;
    }

    public SrtpSession? Srtp
    {
        get => _srtp;
        set => _srtp = value;
    }

    /// <summary>Sends a datagram off the pump thread (DTLS flights from the handshake worker); UDP sends are atomic.</summary>
    public void SendControl(ReadOnlySpan<byte> datagram) => Send(datagram, stats: null);

    public override void OnDatagram(Span<byte> datagram, long now, PumpStats stats)
    {
        var kind = MediaDemux.Classify(datagram);
        switch (kind)
        {
            case DatagramKind.Stun:
                if (StunMessage.TryParse(datagram, out var message) == StunParseStatus.Ok && message.Class == StunClass.SuccessResponse)
                {
                    _iceConnected.TrySetResult();
                }

                break;
            case DatagramKind.Dtls:
                _dtls?.OnDatagram(datagram);
                break;
            case DatagramKind.Rtp when _srtp is { } srtp:
                if (srtp.UnprotectRtp(datagram, datagram.Length, out var plainLength) == SrtpResult.Ok)
                {
                    OnRtp(datagram[..plainLength], now, stats);
                }
                else
                {
                    stats.Unexpected++;
                }

                break;
            default:
                OnOther(kind, stats);
                break;
        }
    }

    public override void OnTick(Span<byte> scratch, Span<byte> payload, long now, LoadPhase phase, PumpStats stats)
    {
        if (_checking && now >= _nextCheck)
        {
            SendCheck(scratch, stats);
            _nextCheck = now + (_iceConnected.Task.IsCompleted ? ConsentInterval : CheckInterval);
        }

        if (!Sending || !phase.Sending || _srtp is not { } srtp)
        {
            return;
        }

        Stamp(payload, now, phase, stats, SendDirection);
        var length = WriteRtp(scratch, payload);
        if (srtp.ProtectRtp(scratch, length, out var protectedLength) == SrtpResult.Ok)
        {
            Send(scratch[..protectedLength], stats);
        }
        else
        {
            stats.SendErrors++;
        }
    }

    public override void Stop()
    {
        _checking = false;
        base.Stop();
    }

    public override void Dispose()
    {
        _checking = false;
        base.Dispose();
        _dtls?.Dispose();
        _srtp?.Dispose();
    }

    private void SendCheck(Span<byte> scratch, PumpStats stats)
    {
        Span<byte> transactionId = stackalloc byte[StunConstants.TransactionIdLength];
        RandomNumberGenerator.Fill(transactionId);
        var writer = new StunWriter(scratch, StunConstants.BindingRequest, transactionId);
        writer.AddUsername(_username);
        writer.AddIceControlling(_tieBreaker);
        writer.AddUseCandidate();
        writer.AddPriority(HostPriority);
        writer.AddMessageIntegrity(_password);
        writer.AddFingerprint();
        Send(writer.Written, stats);
    }
}
