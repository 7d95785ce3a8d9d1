using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;

namespace Switchboard.Sip.Transport;

/// <summary>
/// A loopback SIP network for whole-PBX tests: named endpoints at fake addresses, one serialized delivery loop (never
/// inside <see cref="ISipTransport.TrySend"/>, so receivers may send from their callbacks without re-entrancy), and for
/// UDP seeded loss, duplication and reordering. Connection-kind flows (TCP, TLS, WS, WSS) are reliable and in order,
/// with a connection id per pair of endpoints and kind, shared by both ends.
/// </summary>
public sealed class InMemorySipNetwork : IAsyncDisposable
{
    private readonly Channel<Envelope> _queue = Channel.CreateUnbounded<Envelope>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<IPEndPoint, InMemorySipEndpoint> _endpoints = new();
    private readonly ConcurrentDictionary<(SipTransportKind, IPEndPoint, IPEndPoint), long> _connections = new();
    private readonly Random _random;
    private readonly Task _pump;
    private Envelope? _held;
    private Exception? _receiverFailure;
    private long _lastConnectionId;
    private long _pending;
    private long _delivered;
    private long _lost;

    public InMemorySipNetwork(int seed = 1)
    {
        _random = new Random(seed);
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Share of UDP datagrams dropped, 0 to 1. Read by the delivery loop at each datagram.</summary>
    public double LossRate { get; set; }

    /// <summary>Share of UDP datagrams delivered twice.</summary>
    public double DuplicateRate { get; set; }

    /// <summary>Share of UDP datagrams held back and delivered after the next one.</summary>
    public double ReorderRate { get; set; }

    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Datagrams lost to <see cref="LossRate"/> or sent to nobody.</summary>
    public long Lost => Interlocked.Read(ref _lost);

    public InMemorySipEndpoint AddEndpoint(string name, IPEndPoint address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var endpoint = new InMemorySipEndpoint(this, name, address);
        if (!_endpoints.TryAdd(address, endpoint)) throw new ArgumentException($"{address} is taken.", nameof(address));
        return endpoint;
    }

    /// <summary>Closes the connection <paramref name="flow"/> is on: both ends hear <see cref="ISipReceiver.OnFlowClosed"/>.</summary>
    public void CloseConnection(in SipFlow flow)
    {
        if (!flow.IsReliable || !_connections.TryRemove(Key(flow.Transport, flow.Local, flow.Remote), out var id)) return;
        Enqueue(new Envelope(EnvelopeKind.Close, flow with { ConnectionId = id }, []));
    }

    /// <summary>
    /// Completes when every message sent so far, and every message the receivers sent in reply from their callbacks,
    /// has been delivered (or lost). Rethrows the first exception a receiver threw.
    /// </summary>
    public async Task WhenIdleAsync(CancellationToken ct = default)
    {
        do
        {
            var marker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _queue.Writer.TryWrite(new Envelope(EnvelopeKind.Marker, default, [], marker));
            await marker.Task.WaitAsync(ct).ConfigureAwait(false);
        }
        while (Interlocked.Read(ref _pending) > 0);
        if (_receiverFailure is { } failure) throw new InvalidOperationException("A receiver threw during delivery.", failure);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
    }

    internal long OpenConnectionId(SipTransportKind transport, IPEndPoint from, IPEndPoint to) =>
        _connections.TryGetValue(Key(transport, from, to), out var id) ? id : 0;

    internal bool Send(InMemorySipEndpoint from, in SipFlow flow, ReadOnlySpan<byte> message)
    {
        var remote = flow.Remote;
        if (!flow.IsReliable)
        {
            Enqueue(new Envelope(EnvelopeKind.Message, new SipFlow(flow.Transport, from.Address, remote), message.ToArray()));
            return true;
        }
        var key = Key(flow.Transport, from.Address, remote);
        var isWebSocket = flow.Transport is SipTransportKind.Ws or SipTransportKind.Wss;
        long id;
        if (isWebSocket && flow.ConnectionId != 0)
        {
            // A WebSocket is never reopened by the sender: a gone connection fails the send (ISipTransport.TrySend).
            if (!_connections.TryGetValue(key, out id) || id != flow.ConnectionId) return false;
        }
        else
        {
            if (!_endpoints.ContainsKey(remote)) return false;
            id = _connections.GetOrAdd(key, _ => Interlocked.Increment(ref _lastConnectionId));
        }
        Enqueue(new Envelope(EnvelopeKind.Message, new SipFlow(flow.Transport, from.Address, remote, id), message.ToArray()));
        return true;
    }

    /// <summary>The same key from both ends of a pair.</summary>
    private static (SipTransportKind, IPEndPoint, IPEndPoint) Key(SipTransportKind transport, IPEndPoint a, IPEndPoint b) =>
        string.CompareOrdinal(a.ToString(), b.ToString()) <= 0 ? (transport, a, b) : (transport, b, a);

    private void Enqueue(Envelope envelope)
    {
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(envelope)) Interlocked.Decrement(ref _pending);
    }

    private async Task PumpAsync()
    {
        await foreach (var envelope in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            switch (envelope.Kind)
            {
                case EnvelopeKind.Marker:
                    ReleaseHeld();
                    envelope.Done!.TrySetResult();
                    break;
                case EnvelopeKind.Close:
                    Deliver(envelope);
                    break;
                default:
                    if (envelope.Flow.IsReliable) Deliver(envelope);
                    else Impair(envelope);
                    break;
            }
        }
        ReleaseHeld();
    }

    /// <summary>The UDP impairments, decided here on the one delivery loop so a seed gives the same run every time.</summary>
    private void Impair(Envelope datagram)
    {
        if (_random.NextDouble() < LossRate)
        {
            Interlocked.Increment(ref _lost);
            Interlocked.Decrement(ref _pending);
            return;
        }
        if (_random.NextDouble() < DuplicateRate)
        {
            Interlocked.Increment(ref _pending);
            Deliver(datagram);
        }
        if (_held is null && _random.NextDouble() < ReorderRate)
        {
            _held = datagram;
            return;
        }
        Deliver(datagram);
        ReleaseHeld();
    }

    private void ReleaseHeld()
    {
        if (_held is not { } held) return;
        _held = null;
        Deliver(held);
    }

    /// <summary>Hands one envelope to the receiving side; the flow is turned round to be seen from there.</summary>
    private void Deliver(Envelope envelope)
    {
        var flow = envelope.Flow;
        try
        {
            if (envelope.Kind == EnvelopeKind.Close)
            {
                DeliverClose(flow, flow.Local);
                DeliverClose(flow with { Local = flow.Remote, Remote = flow.Local }, flow.Remote);
                return;
            }
            if (!_endpoints.TryGetValue(flow.Remote, out var to) || to.Receiver is not { } receiver)
            {
                Interlocked.Increment(ref _lost);
                return;
            }
            receiver.OnReceived(flow with { Local = flow.Remote, Remote = flow.Local }, envelope.Bytes);
            Interlocked.Increment(ref _delivered);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _receiverFailure ??= e;
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    private void DeliverClose(in SipFlow seenFrom, IPEndPoint at)
    {
        if (_endpoints.TryGetValue(at, out var endpoint)) endpoint.Receiver?.OnFlowClosed(seenFrom);
    }

    private enum EnvelopeKind
    {
        Message,
        Close,
        Marker,
    }

    private sealed record Envelope(EnvelopeKind Kind, SipFlow Flow, byte[] Bytes, TaskCompletionSource? Done = null);
}
