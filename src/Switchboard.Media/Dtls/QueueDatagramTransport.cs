using Org.BouncyCastle.Tls;

namespace Switchboard.Media.Dtls;

/// <summary>
/// BouncyCastle's <see cref="DatagramTransport"/> on top of our two queues, in two modes.
/// <list type="bullet">
/// <item>During the handshake (a pool worker runs Accept/Connect), Receive blocks on the incoming
/// queue; when the endpoint is stopped (deadline, Close, Dispose) the wait is canceled and Receive
/// throws, which is the only way to get BouncyCastle out of its handshake loops.</item>
/// <item>After it (<see cref="IQueueTransportOwner.NonBlocking"/>), the owner drives the record
/// layer and Receive never waits: it returns a queued datagram, or, when the queue is empty, throws
/// <see cref="DtlsTransportDrainedException"/> so that <see cref="DtlsTransport.Receive(Span{byte}, int)"/>
/// returns -1 at once (see that exception for why a plain -1 would not do).</item>
/// </list>
/// One thread at a time calls it: the worker, then the owner.
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

    /// <summary>Non-blocking mode: set when a receive found the queue empty; the driver resets it.</summary>
    public bool Drained { get; set; }

    /// <summary>Receives that found the queue empty in non-blocking mode (one per drive, not a spin).</summary>
    public long DrainedCount { get; private set; }

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

        if (_owner.NonBlocking)
        {
            if (_incoming.TryDequeue(buffer, out int queued))
            {
                return queued;
            }

            Drained = true;
            DrainedCount++;
            throw new DtlsTransportDrainedException();
        }

        try
        {
            return _incoming.TryDequeue(buffer, waitMillis <= 0 ? Timeout.Infinite : waitMillis, _owner.ReceiveCancellation, out int length)
                ? length
                : -1;
        }
        catch (OperationCanceledException)
        {
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
    /// <summary>Fires when a blocking receive must stop (deadline, Close, Dispose during the handshake).</summary>
    CancellationToken ReceiveCancellation { get; }

    /// <summary>True once the handshake is over: receives never wait.</summary>
    bool NonBlocking { get; }

    /// <summary>True once the owner is gone: nothing more is sent.</summary>
    bool DropOutgoing { get; }

    void OnOutgoingQueued();
}

/// <summary>Thrown into BouncyCastle to end a blocking receive.</summary>
#pragma warning disable CA1032 // Internal control-flow exception: only these constructors are needed.
internal sealed class DtlsTransportStoppedException(string message) : IOException(message);
#pragma warning restore CA1032

/// <summary>
/// Thrown by the transport in non-blocking mode when its queue is empty, to end
/// <see cref="DtlsTransport.Receive(Span{byte}, int)"/> at once. In BouncyCastle 2.7 a transport that
/// returns -1 does not end it: <c>DtlsRecordLayer.Receive</c> loops, reading the wall clock, until
/// its wait has elapsed (at least 1 ms of spinning; a wait of 0 means "forever"), and its
/// <c>ReceiveDatagram</c> swallows <see cref="TlsTimeoutException"/> for the same loop. Every other
/// exception makes <see cref="DtlsTransport"/> fail the association, except a bad_record_mac
/// <see cref="TlsFatalAlert"/> when the peer's <c>IgnoreCorruptDtlsRecords</c> is true, which it
/// turns into -1 with no state change. So our peers set that flag (costless: the record layer
/// already drops records with a bad MAC silently, RFC 6347 section 4.1.2.7) and this is that alert.
/// It is thrown only when BouncyCastle's own record queue is empty too (it reads the transport only
/// then), so nothing is half-processed. A test holds this to one empty receive per drive.
/// </summary>
#pragma warning disable CA1032 // Internal control-flow exception: only this constructor is needed.
internal sealed class DtlsTransportDrainedException() : TlsFatalAlert(Org.BouncyCastle.Tls.AlertDescription.bad_record_mac, "Transport queue empty (not an alert).");
#pragma warning restore CA1032
