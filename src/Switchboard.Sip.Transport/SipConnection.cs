using System.Net;
using System.Threading.Channels;

namespace Switchboard.Sip.Transport;

/// <summary>
/// One connection-oriented flow (TCP, TLS or WebSocket): its identity, its bounded send queue drained by one writer
/// loop, its idle clock and a close that happens once. Reading and writing are the subclasses' loops.
/// </summary>
internal abstract class SipConnection : IDisposable
{
    private static readonly byte[] Pong = "\r\n"u8.ToArray();
    private readonly Channel<byte[]> _outbound;
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private volatile IPEndPoint _local;
    private long _lastActivity;
    private int _closeReason = -1;

    protected SipConnection(long id, SipTransportKind kind, IPEndPoint local, IPEndPoint remote, bool inbound, int sendQueueLimit, TimeProvider time)
    {
        Id = id;
        Kind = kind;
        Remote = remote;
        Inbound = inbound;
        _local = local;
        _time = time;
        _lastActivity = time.GetTimestamp();
        _outbound = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(sendQueueLimit)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public long Id { get; }

    public SipTransportKind Kind { get; }

    public IPEndPoint Remote { get; }

    public bool Inbound { get; }

    /// <summary>The flow as the SIP endpoint sees it; the local address is known only once an outbound connect completes.</summary>
    public SipFlow Flow => new(Kind, _local, Remote, Id);

    public bool IsClosed => Volatile.Read(ref _closeReason) >= 0;

    public SipConnectionCloseReason CloseReason => (SipConnectionCloseReason)Math.Max(0, Volatile.Read(ref _closeReason));

    /// <summary>Set by the hub once the loops have finished and the flow is unregistered.</summary>
    public Task Completion { get; set; } = Task.CompletedTask;

    protected CancellationToken Stopping => _stop.Token;

    protected ChannelReader<byte[]> Outbound => _outbound.Reader;

    /// <summary>Copies <paramref name="message"/> into the send queue; false when closed or the queue is full.</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> message) => !IsClosed && _outbound.Writer.TryWrite(message.ToArray());

    /// <summary>Answers a CRLF CRLF keep-alive ping with a CRLF pong (RFC 5626 section 4.4.1).</summary>
    protected bool TryEnqueuePong() => !IsClosed && _outbound.Writer.TryWrite(Pong);

    public bool IsIdleAt(long timestamp, TimeSpan idleTimeout) =>
        _time.GetElapsedTime(Volatile.Read(ref _lastActivity), timestamp) >= idleTimeout;

    /// <summary>Closes once; the first reason wins. Both loops see the cancellation and end.</summary>
    public void Close(SipConnectionCloseReason reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, (int)reason, -1) != -1) return;
        _outbound.Writer.TryComplete();
        _stop.Cancel();
    }

    /// <summary>Called by the hub after the loops ended; the close reason is set by then, so no later Close touches the token.</summary>
    public void Dispose()
    {
        Close(SipConnectionCloseReason.Shutdown);
        _stop.Dispose();
    }

    /// <summary>
    /// Runs the writer beside the reader; when the reader ends, for whatever reason (even a receiver that threw),
    /// the connection closes and the writer ends with it.
    /// </summary>
    protected async Task RunLoopsAsync(Func<Task> read, Func<Task> write)
    {
        var writer = write();
        try
        {
            await read().ConfigureAwait(false);
        }
        finally
        {
            Close(SipConnectionCloseReason.IoError);
            await writer.ConfigureAwait(false);
        }
    }

    protected void SetLocal(IPEndPoint local) => _local = local;

    protected void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());
}
