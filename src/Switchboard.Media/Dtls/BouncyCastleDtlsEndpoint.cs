using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Switchboard.Media.Dtls;

/// <summary>
/// <see cref="IDtlsEndpoint"/> on BouncyCastle's DTLS 1.2. BouncyCastle's handshake is blocking, so
/// it runs on a worker of a bounded <see cref="DtlsHandshakePool"/>:
/// <see cref="DtlsServerProtocol.Accept(TlsServer, DatagramTransport)"/> or
/// <see cref="DtlsClientProtocol.Connect"/> against a transport fed by a bounded queue. Once it
/// completes, the worker hands the record layer to the owner and goes back to the pool: from then on
/// <see cref="OnDatagram"/> feeds the datagram to the <see cref="DtlsTransport"/> at once, on the
/// owner's thread and without waiting (a retransmitted final flight from the peer is answered,
/// RFC 6347 section 4.2.4; alerts and close_notify end the association), and <see cref="Close"/>
/// queues close_notify the same way. The owner's thread never waits for the network.
/// </summary>
/// <remarks>
/// A server takes a worker only when the first datagram (the ClientHello) arrives, so a browser that
/// never shows up costs its deadline, not a worker. Phase changes happen under a small lock that is
/// never held while calling out (BouncyCastle, event handlers): the owner may meet it only for the
/// few instructions of a hand-over.
/// </remarks>
public sealed class BouncyCastleDtlsEndpoint : IDtlsEndpoint, IQueueTransportOwner, IDtlsHandshakeJob
{
    /// <summary>
    /// The wait passed to <see cref="DtlsTransport.Receive(Span{byte}, int)"/> after the handshake. It
    /// never elapses in practice: the transport ends every receive at once when its queue is empty.
    /// Not 0, which BouncyCastle reads as "no limit".
    /// </summary>
    private const int NonBlockingReceiveWaitMillis = 1000;

    private readonly DtlsEndpointOptions _options;
    private readonly DtlsHandshakePool _pool;
    private readonly ILogger _logger;
    private readonly DatagramQueue _incoming;
    private readonly DatagramQueue _outgoing;
    private readonly QueueDatagramTransport _transport;
    private readonly HandshakeOutcome _outcome = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _close = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private volatile Phase _phase;
    private bool _driving;
    private CancellationTokenSource? _deadline;
    private CancellationTokenRegistration _deadlineRegistration;
    private CancellationTokenSource? _handshakeCancellation;
    private int _released;
    private volatile bool _disposed;
    private volatile bool _closeRequested;
    private volatile bool _nonBlocking;
    private DtlsTransport? _dtls;
    private long _startTimestamp;
    private long _runTimestamp;
    private long _firstDatagramTimestamp;
    private long _ignoredApplicationData;
    private long _invalidRecordsDropped;

    private BouncyCastleDtlsEndpoint(DtlsRole role, DtlsEndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Role = role;
        _options = options;
        _pool = options.HandshakePool ?? DtlsHandshakePool.Shared;
        _logger = options.Logger ?? NullLogger.Instance;
        _incoming = new DatagramQueue(options.IncomingQueueCapacity);
        _outgoing = new DatagramQueue(options.OutgoingQueueCapacity);
        _transport = new QueueDatagramTransport(_incoming, _outgoing, options.MaxOutgoingDatagramSize, this);
    }

    /// <summary>Where the endpoint is; changed only under <see cref="_gate"/>.</summary>
    private enum Phase
    {
        /// <summary>Not started. Datagrams are queued for the handshake.</summary>
        Created,

        /// <summary>A started server waiting for its first datagram; it holds no worker.</summary>
        AwaitingPeer,

        /// <summary>Waiting in the pool's queue; the deadline runs.</summary>
        Queued,

        /// <summary>A pool worker runs the handshake and, after it, drains what arrived meanwhile.</summary>
        Running,

        /// <summary>The owner drives the record layer in <see cref="OnDatagram"/> and <see cref="Close"/>.</summary>
        Established,

        /// <summary>Failed, closed or disposed.</summary>
        Ended,
    }

    /// <summary>A DTLS server endpoint (we answered with <c>a=setup:passive</c>).</summary>
    public static BouncyCastleDtlsEndpoint CreateServer(DtlsEndpointOptions options) => new(DtlsRole.Server, options);

    /// <summary>A DTLS client endpoint (we are <c>a=setup:active</c>).</summary>
    public static BouncyCastleDtlsEndpoint CreateClient(DtlsEndpointOptions options) => new(DtlsRole.Client, options);

    /// <inheritdoc />
    public DtlsRole Role { get; }

    /// <summary>
    /// Stopwatch time to completion, once completed: from <see cref="Start"/> for a client; for a
    /// server from the first datagram received (or <see cref="Start"/>, if that came later).
    /// </summary>
    public TimeSpan? HandshakeDuration { get; private set; }

    /// <summary>Stopwatch time the handshake waited in the pool's queue before a worker took it.</summary>
    public TimeSpan? QueuedDuration { get; private set; }

    /// <summary>Datagrams dropped on the way in (queue full or too large).</summary>
    public long DroppedIncoming => _incoming.Dropped;

    /// <summary>Datagrams dropped on the way out (the owner did not drain in time).</summary>
    public long DroppedOutgoing => _outgoing.Dropped;

    /// <summary>DTLS application data records received after the handshake and dropped (WebRTC audio has no data channel).</summary>
    public long IgnoredApplicationData => Interlocked.Read(ref _ignoredApplicationData);

    /// <summary>Datagrams dropped after the handshake for a protected record too short to be one (<see cref="DtlsRecordCheck"/>).</summary>
    public long InvalidRecordsDropped => Interlocked.Read(ref _invalidRecordsDropped);

    /// <summary>True while the owner drives the record layer (handshake done, not ended).</summary>
    public bool IsEstablished => _phase == Phase.Established;

    /// <summary>
    /// Completes when no pool worker will touch this endpoint again and no event from one is running:
    /// after the hand-over to the owner, a failure, or dispose.
    /// </summary>
    public Task Completion => _exited.Task;

    /// <summary>Test probe: receives that found the transport's queue empty after the handshake.</summary>
    internal long DrainedReceives => _transport.DrainedCount;

    /// <summary>Test hook, owner's thread, established only: sends DTLS application data (which a peer of ours drops and counts).</summary>
    internal void SendApplicationDataForTests(ReadOnlySpan<byte> data)
    {
        if (_phase != Phase.Established)
        {
            throw new InvalidOperationException("Not established.");
        }

        _dtls!.Send(data);
    }

    /// <inheritdoc />
    public event Action? OutgoingAvailable;

    /// <inheritdoc />
    public event Action<DtlsSrtpKeys>? HandshakeCompleted;

    /// <inheritdoc />
    public event Action<DtlsFailure>? Failed;

    /// <inheritdoc />
    public event Action<DtlsClosed>? Closed;

    /// <inheritdoc />
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        bool submit;
        lock (_gate)
        {
            if (_phase != Phase.Created)
            {
                throw new InvalidOperationException("The DTLS endpoint was already started or closed.");
            }

            _startTimestamp = Stopwatch.GetTimestamp();
            _deadline = new CancellationTokenSource(_options.HandshakeTimeout, _options.TimeProvider);
            _handshakeCancellation = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, _close.Token, _deadline.Token);

            // A client speaks first; a server needs a worker only once the ClientHello is here.
            submit = Role == DtlsRole.Client || _incoming.Count > 0;
            _phase = submit ? Phase.Queued : Phase.AwaitingPeer;
        }

        DtlsLog.Started(_logger, Role, _options.HandshakeTimeout);
        _deadlineRegistration = _deadline.Token.UnsafeRegister(static state => ((BouncyCastleDtlsEndpoint)state!).OnDeadline(), this);
        if (submit)
        {
            _pool.Enqueue(this);
        }
    }

    /// <inheritdoc />
    public bool OnDatagram(ReadOnlySpan<byte> datagram)
    {
        if (_disposed)
        {
            return false;
        }

        if (_phase != Phase.Established && QueueForHandshake(datagram) is { } queued)
        {
            return queued;
        }

        // Established: ours to drive, now, on this thread. A record BouncyCastle would fail on rather than discard
        // is discarded here (RFC 6347 section 4.1.2.7, DtlsRecordCheck), as a record failing authentication is.
        if (DtlsRecordCheck.HasUndersizedProtectedRecord(datagram, _outcome.MinimumProtectedFragment))
        {
            Interlocked.Increment(ref _invalidRecordsDropped);
            DtlsLog.InvalidRecordDropped(_logger, Role, datagram.Length);
            return true;
        }

        if (!_incoming.TryEnqueue(datagram))
        {
            DtlsLog.IncomingDropped(_logger, Role, datagram.Length);
            return false;
        }

        if (!_driving)
        {
            // A handler that feeds us again from inside the drive only queues: the drive reads on.
            _driving = true;
            try
            {
                DriveRecordLayer();
            }
            finally
            {
                _driving = false;
            }
        }

        return true;
    }

    /// <summary>
    /// Before the hand-over: queues the datagram for the handshake (a server's first one also queues
    /// the handshake in the pool). Null when the association was handed over meanwhile.
    /// </summary>
    private bool? QueueForHandshake(ReadOnlySpan<byte> datagram)
    {
        bool accepted;
        bool submit = false;
        lock (_gate)
        {
            switch (_phase)
            {
                case Phase.Established:
                    return null;
                case Phase.Ended:
                    accepted = false;
                    break;
                default:
                    // The worker reads these until it hands over, which it does under this lock
                    // and only with the queue empty: none is left behind.
                    accepted = _incoming.TryEnqueue(datagram);
                    if (accepted && _phase == Phase.AwaitingPeer)
                    {
                        _phase = Phase.Queued;
                        submit = true;
                    }

                    break;
            }
        }

        if (!accepted)
        {
            DtlsLog.IncomingDropped(_logger, Role, datagram.Length);
            return false;
        }

        NoteFirstDatagram();
        if (submit)
        {
            _pool.Enqueue(this);
        }

        return true;
    }

    /// <inheritdoc />
    public bool TryDequeueOutgoing(Span<byte> destination, out int length)
    {
        if (destination.Length < DtlsLimits.MaxDatagramSize)
        {
            throw new ArgumentException($"The destination must hold {DtlsLimits.MaxDatagramSize} bytes.", nameof(destination));
        }

        return _outgoing.TryDequeue(destination, out length);
    }

    /// <inheritdoc />
    public void Close()
    {
        if (_disposed)
        {
            return;
        }

        Phase was;
        lock (_gate)
        {
            was = _phase;
            if (was == Phase.Running && _closeRequested)
            {
                return;
            }

            _closeRequested = true;
            if (was is Phase.Created or Phase.AwaitingPeer or Phase.Queued)
            {
                _phase = Phase.Ended;
            }
        }

        switch (was)
        {
            case Phase.Created:
                Release();
                break;
            case Phase.AwaitingPeer or Phase.Queued:
                // No worker has it: fail here. A queued job is skipped when a worker reaches it.
                FailWithoutWorker(new DtlsFailure(DtlsFailureKind.Canceled, null, "Closed before the handshake completed."));
                break;
            case Phase.Running:
                // The worker's blocking receive ends; Failed(Canceled), or, if the handshake has
                // just completed, close_notify and Closed(Local) from the worker at the hand-over.
                _close.Cancel();
                break;
            case Phase.Established:
                CloseEstablished();
                break;
            default:
                break;
        }
    }

    /// <summary>Stops promptly without waiting; no event is raised afterwards, nothing more is sent.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stop.Cancel();
        Phase was;
        lock (_gate)
        {
            was = _phase;
            if (was != Phase.Running)
            {
                _phase = Phase.Ended;
            }
        }

        // A running worker ends on its own (its receive was canceled), completes and frees the
        // queues; otherwise no worker uses this endpoint any more.
        if (was is Phase.Created or Phase.AwaitingPeer or Phase.Queued)
        {
            Release();
        }

        if (was != Phase.Running)
        {
            _incoming.Dispose();
            _outgoing.Dispose();
        }
    }

    /// <summary>Disposes, and waits until no pool worker uses the endpoint or raises its events.</summary>
    public async ValueTask DisposeAsync()
    {
        Dispose();
        await _exited.Task.ConfigureAwait(false);
    }

    CancellationToken IQueueTransportOwner.ReceiveCancellation => _handshakeCancellation?.Token ?? _stop.Token;

    bool IQueueTransportOwner.NonBlocking => _nonBlocking;

    /// <summary>
    /// Once the endpoint is gone, or its deadline ended the handshake: BouncyCastle answers the canceled receive with a
    /// fatal internal_error alert, which would tell the peer of a fault that did not happen; we simply stopped waiting.
    /// A deadline that fires after the handshake completed (non-blocking from then on) changes nothing.
    /// </summary>
    bool IQueueTransportOwner.DropOutgoing => _disposed || (!_nonBlocking && _deadline is { IsCancellationRequested: true });

    void IQueueTransportOwner.OnOutgoingQueued() => Raise(OutgoingAvailable);

    void IDtlsHandshakeJob.RunOnWorker()
    {
        lock (_gate)
        {
            if (_phase != Phase.Queued)
            {
                // Ended while queued (deadline, Close, Dispose): whoever ended it completed it.
                return;
            }

            _phase = Phase.Running;
        }

        _runTimestamp = Stopwatch.GetTimestamp();
        QueuedDuration = Stopwatch.GetElapsedTime(_startTimestamp, _runTimestamp);
        try
        {
            if (Handshake())
            {
                HandOver();
            }
        }
        finally
        {
            // Only a bug (an exception out of the above) leaves it Running: end it, so that no
            // datagram waits for a worker that has gone.
            if (_phase == Phase.Running)
            {
                SetEnded();
            }

            Release();
        }
    }

    /// <summary>The deadline timer: a handshake that no worker runs yet fails here; a running one's receive is canceled by the linked token.</summary>
    private void OnDeadline()
    {
        bool fail;
        lock (_gate)
        {
            fail = _phase is Phase.AwaitingPeer or Phase.Queued;
            if (fail)
            {
                _phase = Phase.Ended;
            }
        }

        if (fail)
        {
            FailWithoutWorker(TimeoutFailure());
        }
    }

    private void FailWithoutWorker(DtlsFailure failure)
    {
        if (!_disposed)
        {
            double elapsedMs = Stopwatch.GetElapsedTime(_startTimestamp).TotalMilliseconds;
            DtlsLog.HandshakeFailed(_logger, Role, elapsedMs, failure.Kind, failure.Alert, failure.Message, null);
            Raise(Failed, failure);
        }

        Release();
    }

    /// <summary>Runs the blocking handshake on the worker. True when it completed and the keys were delivered.</summary>
    private bool Handshake()
    {
        var crypto = _options.CryptoForTests?.Invoke() ?? new Native.NativeEcTlsCrypto(new SecureRandom());
        try
        {
            _dtls = Role == DtlsRole.Server
                ? new DtlsServerProtocol().Accept(new SrtpDtlsServer(crypto, _options, _outcome, _handshakeCancellation!.Token), _transport)
                : new DtlsClientProtocol().Connect(new SrtpDtlsClient(crypto, _options, _outcome), _transport);
        }
#pragma warning disable CA1031 // Every library failure becomes a Failed event; nothing may escape the worker.
        catch (Exception e)
#pragma warning restore CA1031
        {
            SetEnded();
            if (!_disposed)
            {
                DtlsFailure failure = ClassifyHandshakeFailure(e);
                double elapsedMs = Stopwatch.GetElapsedTime(_startTimestamp).TotalMilliseconds;
                Exception? logged = failure.Kind == DtlsFailureKind.Internal ? e : null;
                DtlsLog.HandshakeFailed(_logger, Role, elapsedMs, failure.Kind, failure.Alert, failure.Message, logged);

                Raise(Failed, failure);
            }

            return false;
        }

        // From here on no receive waits: the worker drains what is queued, then the owner drives.
        _nonBlocking = true;
        DtlsSrtpKeys keys = _outcome.Keys
            ?? throw new InvalidOperationException("Handshake completed without exporting SRTP keys.");
        long from = Role == DtlsRole.Server ? Math.Max(_startTimestamp, Volatile.Read(ref _firstDatagramTimestamp)) : _startTimestamp;
        TimeSpan duration = Stopwatch.GetElapsedTime(from);
        HandshakeDuration = duration;
        string profileName = DtlsSrtpProfile.Name(keys.SrtpProfileId);
        DtlsLog.Completed(_logger, Role, duration.TotalMilliseconds, profileName, keys.RemoteFingerprint, keys.RemoteFingerprintVerified);

        Raise(HandshakeCompleted, keys);
        return true;
    }

    /// <summary>
    /// Gives the record layer to the owner. Datagrams that arrived after BouncyCastle's last read are
    /// still queued; the worker processes them first (their events come from the worker), and passes
    /// the layer on only with the queue empty, under the lock <see cref="OnDatagram"/> queues under,
    /// so none is left behind and the two threads never use the layer at once.
    /// </summary>
    private void HandOver()
    {
        while (true)
        {
            bool close;
            lock (_gate)
            {
                if (_phase != Phase.Running)
                {
                    return;
                }

                if (_disposed)
                {
                    _phase = Phase.Ended;
                    return;
                }

                close = _closeRequested;
                if (!close && _incoming.Count == 0)
                {
                    _phase = Phase.Established;
                    break;
                }
            }

            if (close)
            {
                // Close() came as the handshake completed: it meant this association.
                CloseEstablished();
                return;
            }

            DriveRecordLayer();
        }

        double queuedMs = QueuedDuration?.TotalMilliseconds ?? 0;
        double runMs = Stopwatch.GetElapsedTime(_runTimestamp).TotalMilliseconds;
        DtlsLog.HandedToOwner(_logger, Role, queuedMs, runMs);
    }

    /// <summary>
    /// Feeds every queued datagram through BouncyCastle's record layer without waiting (the transport
    /// ends each receive when its queue is empty). BouncyCastle answers a retransmitted final flight
    /// itself (RFC 6347 section 4.2.4); an alert or close_notify ends the association here.
    /// </summary>
    private void DriveRecordLayer()
    {
        DtlsTransport dtls = _dtls!;
        Span<byte> plaintext = stackalloc byte[DtlsLimits.MaxDatagramSize];
        try
        {
            _transport.Drained = false;
            while (!_transport.Drained)
            {
                int received = dtls.Receive(plaintext, NonBlockingReceiveWaitMillis);
                if (received >= 0)
                {
                    // No data channels on our WebRTC audio legs: application data has nowhere to go.
                    Interlocked.Increment(ref _ignoredApplicationData);
                    DtlsLog.IgnoredApplicationData(_logger, Role, received);
                }
            }
        }
#pragma warning disable CA1031 // The association ends with a Closed event whatever BouncyCastle throws.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (!_disposed)
            {
                EndAssociation(ClassifyClose(e));
            }
        }
    }

    /// <summary>Queues close_notify (RFC 5246 section 7.2.1) through the record layer, on the calling thread, and ends.</summary>
    private void CloseEstablished()
    {
        _closeRequested = true;
        try
        {
            _dtls!.Close();
        }
#pragma warning disable CA1031 // BouncyCastle ignores send failures while closing; so do we.
        catch (Exception)
#pragma warning restore CA1031
        {
            // Nothing more to send on.
        }

        EndAssociation(new DtlsClosed(DtlsCloseKind.Local, AlertDescription.close_notify, "Closed locally; close_notify queued."));
    }

    private void EndAssociation(DtlsClosed closed)
    {
        lock (_gate)
        {
            if (_phase is not (Phase.Running or Phase.Established))
            {
                return;
            }

            _phase = Phase.Ended;
        }

        DtlsLog.AssociationClosed(_logger, Role, closed.Kind, closed.Alert, closed.Message);
        Raise(Closed, closed);
        _incoming.Dispose();
    }

    private void SetEnded()
    {
        lock (_gate)
        {
            _phase = Phase.Ended;
        }
    }

    private void NoteFirstDatagram()
    {
        if (Volatile.Read(ref _firstDatagramTimestamp) == 0)
        {
            Interlocked.CompareExchange(ref _firstDatagramTimestamp, Stopwatch.GetTimestamp(), 0);
        }
    }

    private DtlsFailure TimeoutFailure() =>
        new(DtlsFailureKind.Timeout, null, $"No completed handshake within {_options.HandshakeTimeout.TotalSeconds:0.###} s.");

    private DtlsFailure ClassifyHandshakeFailure(Exception e)
    {
        if (_closeRequested)
        {
            return new DtlsFailure(DtlsFailureKind.Canceled, null, "Closed before the handshake completed.");
        }

        if (_deadline is { IsCancellationRequested: true } || e is TlsTimeoutException)
        {
            return TimeoutFailure();
        }

        if (_outcome.Failure is { } ours)
        {
            return ours;
        }

        if (_outcome.AlertReceived is { } received && _outcome.AlertReceivedLevel == AlertLevel.fatal)
        {
            return new DtlsFailure(received == AlertDescription.protocol_version ? DtlsFailureKind.ProtocolVersion : DtlsFailureKind.AlertReceived,
                received, "The peer sent a fatal alert: " + AlertDescription.GetText(received));
        }

        if (e is TlsFatalAlert alert)
        {
            short description = alert.AlertDescription;
            return new DtlsFailure(description == AlertDescription.protocol_version ? DtlsFailureKind.ProtocolVersion : DtlsFailureKind.AlertSent,
                description, "Handshake aborted: " + AlertDescription.GetText(description) + " (" + alert.Message + ")");
        }

        return new DtlsFailure(DtlsFailureKind.Internal, _outcome.AlertRaised, e.GetType().Name + ": " + e.Message);
    }

    private DtlsClosed ClassifyClose(Exception e)
    {
        if (_closeRequested)
        {
            return new DtlsClosed(DtlsCloseKind.Local, AlertDescription.close_notify, "Closed locally; close_notify queued.");
        }

        if (_outcome.AlertReceived is { } received)
        {
            return received == AlertDescription.close_notify
                ? new DtlsClosed(DtlsCloseKind.CloseNotify, received, "The peer sent close_notify.")
                : new DtlsClosed(DtlsCloseKind.FatalAlert, received, "The peer sent a fatal alert: " + AlertDescription.GetText(received));
        }

        return new DtlsClosed(DtlsCloseKind.Error, _outcome.AlertRaised, e.GetType().Name + ": " + e.Message);
    }

    private void Raise(Action? handler)
    {
        if (handler is null || _disposed)
        {
            return;
        }

        try
        {
            handler();
        }
#pragma warning disable CA1031 // A throwing handler is the owner's bug; it must not kill the worker.
        catch (Exception e)
#pragma warning restore CA1031
        {
            DtlsLog.HandlerThrew(_logger, Role, e);
        }
    }

    private void Raise<T>(Action<T>? handler, T value)
    {
        if (handler is null || _disposed)
        {
            return;
        }

        try
        {
            handler(value);
        }
#pragma warning disable CA1031 // A throwing handler is the owner's bug; it must not kill the worker.
        catch (Exception e)
#pragma warning restore CA1031
        {
            DtlsLog.HandlerThrew(_logger, Role, e);
        }
    }

    /// <summary>
    /// The end of any pool worker's involvement, called once by whoever ends it (the worker, or the
    /// thread that ended a handshake no worker had taken): frees the deadline and completes
    /// <see cref="Completion"/>. The queues stay for the owner until it disposes.
    /// </summary>
    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        _deadlineRegistration.Dispose();
        _handshakeCancellation?.Dispose();
        _deadline?.Dispose();
        if (_phase == Phase.Ended)
        {
            _incoming.Dispose();
        }

        if (_disposed)
        {
            _outgoing.Dispose();
        }

        _exited.TrySetResult();
    }
}
