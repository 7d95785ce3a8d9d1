using Org.BouncyCastle.Tls;

namespace Switchboard.Media.Dtls;

/// <summary>
/// BouncyCastle's blocking <see cref="DatagramTransport"/> on top of our two queues. Only the
/// endpoint's worker thread calls it. Receive blocks on the incoming queue; when the endpoint is
/// stopped (deadline, Close, Dispose) the wait is canceled and Receive throws, which is the only
/// way to get BouncyCastle out of its receive loops.
/// </summary>
internal sealed class QueueDatagramTransport : DatagramTransport
{
    private readonly DatagramQueue _incoming;
    private readonly DatagramQueue _outgoing;
    private readonly int _sendLimit;
    private readonly IQueueTransportOwner _owner;
    private volatile bool _closedByProtocol;

    public QueueDatagramTransport(DatagramQueue incoming, DatagramQueue outgoing, int sendLimit, IQueueTransportOwner owner)
    {
        _incoming = incoming;
        _outgoing = outgoing;
        _sendLimit = sendLimit;
        _owner = owner;
    }

    /// <summary>BouncyCastle closed the transport (after close_notify, a fatal alert, or our Close).</summary>
    public bool ClosedByProtocol => _closedByProtocol;

    public int GetReceiveLimit() => DtlsLimits.MaxDatagramSize;

    public int GetSendLimit() => _sendLimit;

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    /// <summary>A <paramref name="waitMillis"/> of 0 means "no limit", as BouncyCastle uses it.</summary>
    public int Receive(Span<byte> buffer, int waitMillis)
    {
        if (_closedByProtocol)
        {
            throw new DtlsTransportStoppedException("The DTLS transport was closed.");
        }

        try
        {
            return _incoming.TryDequeue(buffer, waitMillis <= 0 ? Timeout.Infinite : waitMillis, _owner.ReceiveCancellation, out int length)
                ? length
                : -1;
        }
        catch (OperationCanceledException)
        {
            _owner.OnReceiveCanceled();
            throw new DtlsTransportStoppedException("The DTLS endpoint was stopped.");
        }
        catch (ObjectDisposedException)
        {
            throw new DtlsTransportStoppedException("The DTLS endpoint was disposed.");
        }
    }

    public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

    public void Send(ReadOnlySpan<byte> buffer)
    {
        if (_owner.DropOutgoing)
        {
            return;
        }

        if (_outgoing.TryEnqueue(buffer))
        {
            _owner.OnOutgoingQueued();
        }
    }

    public void Close() => _closedByProtocol = true;
}

/// <summary>What the transport needs from its endpoint.</summary>
internal interface IQueueTransportOwner
{
    /// <summary>Fires when the receive must stop (deadline during the handshake, Close, Dispose).</summary>
    CancellationToken ReceiveCancellation { get; }

    /// <summary>True once the owner is gone: nothing more is sent.</summary>
    bool DropOutgoing { get; }

    /// <summary>Called on the worker thread when a receive was canceled, before it throws.</summary>
    void OnReceiveCanceled();

    void OnOutgoingQueued();
}

/// <summary>Thrown into BouncyCastle to end a blocking receive.</summary>
#pragma warning disable CA1032 // Internal control-flow exception: only these constructors are needed.
internal sealed class DtlsTransportStoppedException(string message) : IOException(message);
#pragma warning restore CA1032
