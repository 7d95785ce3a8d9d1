using System.Diagnostics;
using Switchboard.Media.Demux;
using Switchboard.Media.Dtls;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// The DTLS record intake of an established association (RFC 9147 section 4, RFC 7983 demultiplexing):
/// every input that the media port's demultiplexer calls DTLS is handed to a real server endpoint's
/// <see cref="IDtlsEndpoint.OnDatagram"/>, which queues it and drives BouncyCastle's record layer on this
/// thread, and the answers are drained. Bad input is a dropped datagram (false) or an ended association.
/// </summary>
/// <remarks>
/// An input that ends the association (a record the layer fails on, a fatal alert) needs a new one for the
/// next input. A full handshake with a live client cost about 5 ms (two ECDHE key pairs and agreements, two
/// ECDSA signatures and two verifications, two pool workers), and its edges, recorded from two threads at
/// once, differed on every run, so AFL kept every input that ended the association and the target ran at a
/// few hundred executions a second. Instead one real handshake is recorded at start
/// (<see cref="DtlsTranscript"/>) and replayed into a new server endpoint (<see cref="DtlsAssociation"/>):
/// the same class, options and hand-over as in the PBX, without a client, on fixed-seed crypto
/// (<see cref="FixedSeedDtlsCrypto"/>), and off AFL's map (<see cref="UncountedCoverage"/>). The handshake
/// itself is not what this target fuzzes. Figures: docs/benchmarks-fuzz.md.
/// </remarks>
public sealed class DtlsTarget : IFuzzTarget, IDisposable
{
    public const string TargetName = "dtls";

    private static readonly TimeSpan HandshakeBound = TimeSpan.FromSeconds(20);
    private readonly byte[] _outgoing = new byte[DtlsLimits.MaxDatagramSize];
    private readonly DtlsHandshakePool _pool;
    private readonly DtlsTranscript _transcript;
    private DtlsAssociation _association;

    private DtlsTarget(DtlsHandshakePool pool, DtlsTranscript transcript)
    {
        _pool = pool;
        _transcript = transcript;
        _association = UncountedCoverage.Run(MakeAssociation);
    }

    public string Name => TargetName;

    /// <summary>Records the handshake (client and server each hold a worker while it runs) and makes the first association, off AFL's map.</summary>
    public static Task<DtlsTarget> CreateAsync()
    {
        var pool = new DtlsHandshakePool(maxWorkers: 2, name: "fuzz-dtls");
        try
        {
            var transcript = UncountedCoverage.Run(() => DtlsTranscript.RecordAsync(pool, HandshakeBound).GetAwaiter().GetResult());
            return Task.FromResult(new DtlsTarget(pool, transcript));
        }
        catch
        {
            pool.Dispose();
            throw;
        }
    }

    public void Run(ReadOnlySpan<byte> input)
    {
        if (MediaDemux.Classify(input) != DatagramKind.Dtls)
        {
            return;
        }

        var server = _association.Server;
        _ = server.OnDatagram(input);
        while (server.TryDequeueOutgoing(_outgoing, out var length))
        {
            if (length <= 0 || length > _outgoing.Length)
            {
                throw new FuzzInvariantException($"dequeued a datagram of {length} bytes");
            }
        }

        if (_association.Ended)
        {
            // An input that ends the association is fine; the next input needs a live one again. It is
            // made now, off AFL's map (see UncountedCoverage), so that no input's run includes a handshake.
            var ended = _association;
            _association = UncountedCoverage.Run(() =>
            {
                ended.Dispose();
                return MakeAssociation();
            });
        }
    }

    private DtlsAssociation MakeAssociation()
    {
        var association = DtlsAssociation.Replay(_transcript, _pool, HandshakeBound, _outgoing);
        WaitForIdleWorkers();
        return association;
    }

    /// <summary>A worker returns to its queue just after the hand-over; its last steps stay off AFL's map too (bounded wait).</summary>
    private void WaitForIdleWorkers()
    {
        var started = Stopwatch.GetTimestamp();
        var spin = default(SpinWait);
        while (_pool.BusyCount != 0 && Stopwatch.GetElapsedTime(started) < HandshakeBound)
        {
            spin.SpinOnce();
        }
    }

    public void Dispose()
    {
        _association.Dispose();
        _pool.Dispose();
    }
}
