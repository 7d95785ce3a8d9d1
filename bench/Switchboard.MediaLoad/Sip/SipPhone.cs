using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Switchboard.Sip.Messages;
using Switchboard.SipLoad;

namespace Switchboard.MediaLoad.Sip;

/// <summary>
/// The phones' SIP over one loopback UDP socket: non-INVITE and INVITE client transactions reduced to "retransmit
/// from T1 = 500 ms, doubling, until a final response" (RFC 3261 section 17.1; a provisional response stops INVITE
/// retransmission), and incoming requests handed to <see cref="OnRequest"/>. Setup traffic only: a task per
/// transaction is fine here, the per-packet path is the media pump's.
/// </summary>
internal sealed class SipPhone : IDisposable
{
    private static readonly TimeSpan T1 = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan T2 = TimeSpan.FromSeconds(4);
    private readonly SipUdpSocket _socket = new();
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    public SipPhone(IPEndPoint pbx) => Pbx = pbx;

    public IPEndPoint Pbx { get; }

    public IPEndPoint Local => _socket.Local;

    /// <summary>Incoming requests (INVITE, ACK, BYE, ...): the handler answers through <see cref="Send"/>.</summary>
    public Action<SipRequest, IPEndPoint>? OnRequest { get; set; }

    /// <summary>Final responses that matched no transaction in progress (retransmitted 200s, late answers).</summary>
    public Action<SipResponse>? OnStrayResponse { get; set; }

    public Task ReceiveLoopAsync(CancellationToken ct) => _socket.ReceiveLoopAsync(OnMessage, ct);

    public void Send(SipMessage message, IPEndPoint to) => _socket.Send(message, to);

    /// <summary>Sends <paramref name="request"/> to the PBX until a final response or <paramref name="timeout"/>; null on timeout.</summary>
    public async Task<SipResponse?> RequestAsync(SipRequest request, TimeSpan timeout, CancellationToken ct)
    {
        var key = Key(request.CallId, request.CSeq.Number, request.CSeq.Method.Name);
        var pending = new Pending();
        _pending[key] = pending;
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(timeout);
            var interval = T1;
            while (true)
            {
                if (!pending.Provisional)
                {
                    _socket.Send(request, Pbx);
                }

                try
                {
                    return await pending.Final.Task.WaitAsync(interval, limit.Token);
                }
                catch (TimeoutException)
                {
                    interval = interval * 2 < T2 ? interval * 2 : T2;
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    return null;
                }
            }
        }
        finally
        {
            _pending.TryRemove(key, out _);
        }
    }

    public void Dispose() => _socket.Dispose();

    private void OnMessage(SipMessage message, IPEndPoint from)
    {
        if (message is SipRequest request)
        {
            OnRequest?.Invoke(request, from);
            return;
        }

        var response = (SipResponse)message;
        if (!_pending.TryGetValue(Key(response.CallId, response.CSeq.Number, response.CSeq.Method.Name), out var pending))
        {
            if (!response.IsProvisional)
            {
                OnStrayResponse?.Invoke(response);
            }

            return;
        }

        if (response.IsProvisional)
        {
            pending.Provisional = response.CSeq.Method == SipMethod.Invite;
        }
        else
        {
            pending.Final.TrySetResult(response);
        }
    }

    private static string Key(string callId, uint cseq, string method) => string.Create(CultureInfo.InvariantCulture, $"{callId} {cseq} {method}");

    private sealed class Pending
    {
        private volatile bool _provisional;

        public TaskCompletionSource<SipResponse> Final { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Provisional
        {
            get => _provisional;
            set => _provisional = value;
        }
    }
}
