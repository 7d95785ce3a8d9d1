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
/// next input. A full handshake with a live client cost about 5 ms (two ECDSA signatures, two verifications,
/// two ECDHE key pairs and agreements, four thread hops), and inputs that end the association are common,
/// so the target ran at a few hundred executions a second. Instead one real handshake is recorded at start
/// (<see cref="DtlsTranscript"/>) and replayed into a new server endpoint (<see cref="DtlsAssociation"/>):
/// the same class, options and hand-over as in the PBX, only without a client to run. The handshake itself
/// runs on a pool worker and is not what this target fuzzes.
/// </remarks>
public sealed class DtlsTarget : IFuzzTarget, IDisposable
{
    public const string TargetName = "dtls";

    private static readonly TimeSpan HandshakeBound = TimeSpan.FromSeconds(20);
    private readonly byte[] _outgoing = new byte[DtlsLimits.MaxDatagramSize];
    private readonly DtlsHandshakePool _pool = new(maxWorkers: 2, name: "fuzz-dtls");
    private readonly DtlsTranscript _transcript;
    private DtlsAssociation _association;

    private DtlsTarget(DtlsTranscript transcript)
    {
        _transcript = transcript;
        _association = DtlsAssociation.Replay(transcript, _pool, HandshakeBound, _outgoing);
    }

    public string Name => TargetName;

    public static async Task<DtlsTarget> CreateAsync()
    {
        using var recorder = new DtlsHandshakePool(maxWorkers: 2, name: "fuzz-dtls-record");
        var transcript = await DtlsTranscript.RecordAsync(recorder, HandshakeBound).ConfigureAwait(false);
        return new DtlsTarget(transcript);
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
            // An input that ends the association is fine; the next input needs a live one again. Made here,
            // not lazily, so that the replay's coverage belongs to the input that caused it.
            _association.Dispose();
            _association = DtlsAssociation.Replay(_transcript, _pool, HandshakeBound, _outgoing);
        }
    }

    public void Dispose()
    {
        _association.Dispose();
        _pool.Dispose();
    }
}
