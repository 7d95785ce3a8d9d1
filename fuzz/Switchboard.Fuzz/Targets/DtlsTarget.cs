using Switchboard.Media.Demux;
using Switchboard.Media.Dtls;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// The DTLS record intake of an established association (RFC 9147 section 4, RFC 7983 demultiplexing):
/// a real server endpoint and client endpoint complete a handshake once, then every input that the
/// media port's demultiplexer calls DTLS is handed to the server's <see cref="IDtlsEndpoint.OnDatagram"/>,
/// which queues it and drives BouncyCastle's record layer on this thread, and the answers are drained.
/// Bad input is a dropped datagram (false) or an ended association (re-made); nothing may throw.
/// The handshake itself runs on a pool worker and is not fuzzed here.
/// </summary>
public sealed class DtlsTarget : IFuzzTarget, IDisposable
{
    public const string TargetName = "dtls";

    private static readonly TimeSpan HandshakeBound = TimeSpan.FromSeconds(20);
    private readonly byte[] _outgoing = new byte[DtlsLimits.MaxDatagramSize];
    private readonly DtlsHandshakePool _pool = new(maxWorkers: 2, name: "fuzz-dtls");
    private DtlsAssociation? _association;

    private DtlsTarget()
    {
    }

    public string Name => TargetName;

    public static async Task<DtlsTarget> CreateAsync()
    {
        var target = new DtlsTarget();
        target._association = await DtlsAssociation.EstablishAsync(target._pool, HandshakeBound).ConfigureAwait(false);
        return target;
    }

    public void Run(ReadOnlySpan<byte> input)
    {
        if (MediaDemux.Classify(input) != DatagramKind.Dtls)
        {
            return;
        }

        var association = _association!;
        _ = association.Server.OnDatagram(input);
        while (association.Server.TryDequeueOutgoing(_outgoing, out var length))
        {
            if (length <= 0 || length > _outgoing.Length)
            {
                throw new FuzzInvariantException($"dequeued a datagram of {length} bytes");
            }
        }

        if (association.Ended)
        {
            // An input that ends the association is fine; the next input needs a live one again.
            association.Dispose();
            _association = DtlsAssociation.EstablishAsync(_pool, HandshakeBound).GetAwaiter().GetResult();
        }
    }

    public void Dispose()
    {
        _association?.Dispose();
        _pool.Dispose();
    }
}
