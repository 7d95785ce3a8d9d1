using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Switchboard.Media.Dtls;

/// <summary>
/// <see cref="IDtlsEndpoint"/> on BouncyCastle's DTLS 1.2. BouncyCastle's handshake and record
/// layer are blocking, so each endpoint owns one background thread that runs
/// <see cref="DtlsServerProtocol.Accept(TlsServer, DatagramTransport)"/> or
/// <see cref="DtlsClientProtocol.Connect"/> against a transport fed by a bounded queue, and then
/// keeps reading the resulting <see cref="DtlsTransport"/> (retransmitted flights, alerts,
/// close_notify) until the endpoint is closed or disposed. The owner's thread never waits.
/// </summary>
public sealed class BouncyCastleDtlsEndpoint : IDtlsEndpoint, IQueueTransportOwner
{
    private readonly DtlsEndpointOptions _options;
    private readonly ILogger _logger;
    private readonly DatagramQueue _incoming;
    private readonly DatagramQueue _outgoing;
    private readonly QueueDatagramTransport _transport;
    private readonly HandshakeOutcome _outcome = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _close = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _deadline;
    private CancellationTokenSource? _handshakeCancellation;
    private CancellationTokenSource? _establishedCancellation;
    private volatile CancellationTokenSource? _receiveCancellation;
    private int _started;
    private volatile bool _disposed;
    private volatile bool _closeRequested;
    private volatile bool _established;
    private DtlsTransport? _dtls;
    private bool _localCloseSent;
    private long _startTimestamp;
    private long _firstDatagramTimestamp;

    private BouncyCastleDtlsEndpoint(DtlsRole role, DtlsEndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Role = role;
        _options = options;
        _logger = options.Logger ?? NullLogger.Instance;
        _incoming = new DatagramQueue(options.IncomingQueueCapacity);
        _outgoing = new DatagramQueue(options.OutgoingQueueCapacity);
        _transport = new QueueDatagramTransport(_incoming, _outgoing, options.MaxOutgoingDatagramSize, this);
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

    /// <summary>Datagrams dropped on the way in (queue full or too large).</summary>
    public long DroppedIncoming => _incoming.Dropped;

    /// <summary>Datagrams dropped on the way out (the owner did not drain in time).</summary>
    public long DroppedOutgoing => _outgoing.Dropped;

    /// <summary>Completes when the worker thread has ended (after failure, close, or dispose).</summary>
    public Task Completion => _exited.Task;

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
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The DTLS endpoint was already started.");
        }

        _startTimestamp = Stopwatch.GetTimestamp();
        _deadline = new CancellationTokenSource(_options.HandshakeTimeout, _options.TimeProvider);
        _handshakeCancellation = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, _close.Token, _deadline.Token);
        _establishedCancellation = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, _close.Token);
        _receiveCancellation = _handshakeCancellation;
        DtlsLog.Started(_logger, Role, _options.HandshakeTimeout);

        var worker = new Thread(Run)
        {
            IsBackground = true,
            Name = Role == DtlsRole.Server ? "dtls-server" : "dtls-client",
        };
        worker.Start();
    }

    /// <inheritdoc />
    public bool OnDatagram(ReadOnlySpan<byte> datagram)
    {
        if (_disposed)
        {
            return false;
        }

        if (_incoming.TryEnqueue(datagram))
        {
            if (Volatile.Read(ref _firstDatagramTimestamp) == 0)
            {
                Interlocked.CompareExchange(ref _firstDatagramTimestamp, Stopwatch.GetTimestamp(), 0);
            }

            return true;
        }

        DtlsLog.IncomingDropped(_logger, Role, datagram.Length);
        return false;
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
        if (_disposed || _closeRequested)
        {
            return;
        }

        _closeRequested = true;
        _close.Cancel();
    }

    /// <summary>Stops the worker promptly without waiting for it; no event is raised afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stop.Cancel();
        if (Volatile.Read(ref _started) == 0)
        {
            Cleanup();
            _exited.TrySetResult();
        }
    }

    /// <summary>Stops the worker and waits for it to end.</summary>
    public async ValueTask DisposeAsync()
    {
        Dispose();
        await _exited.Task.ConfigureAwait(false);
    }

    CancellationToken IQueueTransportOwner.ReceiveCancellation =>
        _receiveCancellation?.Token ?? _stop.Token;

    bool IQueueTransportOwner.DropOutgoing => _disposed;

    void IQueueTransportOwner.OnReceiveCanceled()
    {
        // Runs on the worker, inside BouncyCastle's receive. For an orderly close of an established
        // association we close the DtlsTransport from here, on the one thread that uses it: that
        // queues close_notify (RFC 5246 section 7.2.1) before the receive ends with an exception.
        if (_established && _closeRequested && !_disposed && !_localCloseSent && _dtls is not null)
        {
            _localCloseSent = true;
            _dtls.Close();
        }
    }

    void IQueueTransportOwner.OnOutgoingQueued() => Raise(OutgoingAvailable);

    private void Run()
    {
        try
        {
            if (Handshake())
            {
                ReadUntilClosed();
            }
        }
        finally
        {
            Cleanup();
            _exited.TrySetResult();
        }
    }

    /// <summary>Runs the blocking handshake. True when it completed and the keys were delivered.</summary>
    private bool Handshake()
    {
        var crypto = new BcTlsCrypto(new SecureRandom());
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

        _established = true;
        _receiveCancellation = _establishedCancellation;
        _deadline?.Dispose();

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
    /// Keeps the record layer running after the handshake: BouncyCastle answers a retransmitted
    /// final flight from the peer (RFC 6347 section 4.2.4) and processes alerts only while someone
    /// reads. WebRTC sends no DTLS application data here (no data channels), so any is dropped.
    /// </summary>
    private void ReadUntilClosed()
    {
        DtlsTransport dtls = _dtls!;
        var buffer = new byte[DtlsLimits.MaxDatagramSize];
        try
        {
            while (true)
            {
                int received = dtls.Receive(buffer, 0, buffer.Length, 0);
                if (received >= 0)
                {
                    DtlsLog.IgnoredApplicationData(_logger, Role, received);
                }
            }
        }
#pragma warning disable CA1031 // The association ends with a Closed event whatever BouncyCastle throws.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (_disposed)
            {
                return;
            }

            DtlsClosed closed = ClassifyClose(e);
            DtlsLog.AssociationClosed(_logger, Role, closed.Kind, closed.Alert, closed.Message);
            Raise(Closed, closed);
        }
    }

    private DtlsFailure ClassifyHandshakeFailure(Exception e)
    {
        if (_closeRequested)
        {
            return new DtlsFailure(DtlsFailureKind.Canceled, null, "Closed before the handshake completed.");
        }

        if (_deadline is { IsCancellationRequested: true } || e is TlsTimeoutException)
        {
            return new DtlsFailure(DtlsFailureKind.Timeout, null,
                $"No completed handshake within {_options.HandshakeTimeout.TotalSeconds:0.###} s.");
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

    private void Cleanup()
    {
        _receiveCancellation = null;
        _handshakeCancellation?.Dispose();
        _establishedCancellation?.Dispose();
        _deadline?.Dispose();
        _incoming.Dispose();
        if (_disposed)
        {
            _outgoing.Dispose();
        }
    }
}
