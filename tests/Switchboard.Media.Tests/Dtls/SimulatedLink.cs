using Switchboard.Media.Dtls;

namespace Switchboard.Media.Tests.Dtls;

/// <summary>
/// What happens to the datagrams going one way over a <see cref="SimulatedLink"/>. Indices count
/// the datagrams the sender handed to the link in this direction, from 0.
/// </summary>
internal sealed class LinkDirection
{
    private readonly List<byte[]> _held = [];
    private int _nextIndex;
    private bool _reverseDone;

    /// <summary>Every datagram the sender produced, before any loss or reordering.</summary>
    public List<byte[]> Sent { get; } = [];

    /// <summary>Every datagram delivered to the receiver.</summary>
    public List<byte[]> Delivered { get; } = [];

    /// <summary>Drop a datagram (by index and content) instead of delivering it.</summary>
    public Func<int, byte[], bool>? Drop { get; set; }

    /// <summary>Drops the first datagram that <paramref name="match"/> accepts, once; true in <see cref="DroppedOnce"/> after.</summary>
    public void DropFirst(Func<byte[], bool> match) =>
        Drop = (_, datagram) =>
        {
            if (DroppedOnce || !match(datagram))
            {
                return false;
            }

            DroppedOnce = true;
            return true;
        };

    /// <summary>The datagram of <see cref="DropFirst"/> was dropped.</summary>
    public bool DroppedOnce { get; private set; }

    /// <summary>Deliver every datagram twice.</summary>
    public bool Duplicate { get; set; }

    /// <summary>Hold the first N surviving datagrams and deliver them in reverse order.</summary>
    public int ReverseFirst { get; set; }

    /// <summary>Send each DTLS record of a datagram as its own datagram.</summary>
    public bool SplitRecords { get; set; }

    /// <summary>Pack the datagrams drained together into as few datagrams as fit in 1200 bytes.</summary>
    public bool Coalesce { get; set; }

    public int DroppedCount { get; private set; }

    /// <summary>Applies the policy to one drained batch, in order; returns what to deliver now.</summary>
    public List<byte[]> Process(List<byte[]> batch)
    {
        var survivors = new List<byte[]>();
        foreach (byte[] datagram in batch)
        {
            int index = _nextIndex++;
            Sent.Add(datagram);
            if (Drop?.Invoke(index, datagram) == true)
            {
                DroppedCount++;
                continue;
            }

            if (SplitRecords)
            {
                survivors.AddRange(DtlsRecords.Split(datagram));
            }
            else
            {
                survivors.Add(datagram);
            }
        }

        if (ReverseFirst > 0 && !_reverseDone)
        {
            _held.AddRange(survivors);
            if (_held.Count < ReverseFirst)
            {
                return [];
            }

            survivors = [.. _held.Take(ReverseFirst).Reverse(), .. _held.Skip(ReverseFirst)];
            _held.Clear();
            _reverseDone = true;
        }

        if (Coalesce)
        {
            survivors = CoalesceDatagrams(survivors);
        }

        var output = new List<byte[]>();
        foreach (byte[] datagram in survivors)
        {
            output.Add(datagram);
            if (Duplicate)
            {
                output.Add(datagram);
            }
        }

        Delivered.AddRange(output);
        return output;
    }

    private static List<byte[]> CoalesceDatagrams(List<byte[]> datagrams)
    {
        var result = new List<byte[]>();
        var current = new List<byte>();
        foreach (byte[] d in datagrams)
        {
            if (current.Count > 0 && current.Count + d.Length > 1200)
            {
                result.Add([.. current]);
                current.Clear();
            }

            current.AddRange(d);
        }

        if (current.Count > 0)
        {
            result.Add([.. current]);
        }

        return result;
    }
}

/// <summary>
/// An in-memory datagram link between two endpoints, playing the owner of both: one pump loop
/// drains each endpoint's outgoing queue when it signals, applies the direction's policy and
/// hands the datagrams to the other endpoint. No sockets.
/// </summary>
internal sealed class SimulatedLink : IAsyncDisposable
{
    private readonly IDtlsEndpoint _client;
    private readonly IDtlsEndpoint _server;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private Task? _pump;

    public SimulatedLink(IDtlsEndpoint client, IDtlsEndpoint server)
    {
        _client = client;
        _server = server;
        client.OutgoingAvailable += Wake;
        server.OutgoingAvailable += Wake;
    }

    public LinkDirection ClientToServer { get; } = new();

    public LinkDirection ServerToClient { get; } = new();

    public void Start() => _pump = Task.Run(PumpAsync);

    private void Wake() => _wake.Release();

    private async Task PumpAsync()
    {
        var buffer = new byte[DtlsLimits.MaxDatagramSize];
        try
        {
            while (true)
            {
                await _wake.WaitAsync(_stop.Token).ConfigureAwait(false);
                Transfer(_client, ClientToServer, _server, buffer);
                Transfer(_server, ServerToClient, _client, buffer);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private static void Transfer(IDtlsEndpoint from, LinkDirection direction, IDtlsEndpoint to, byte[] buffer)
    {
        var batch = new List<byte[]>();
        while (from.TryDequeueOutgoing(buffer, out int length))
        {
            batch.Add(buffer.AsSpan(0, length).ToArray());
        }

        if (batch.Count == 0)
        {
            return;
        }

        foreach (byte[] datagram in direction.Process(batch))
        {
            to.OnDatagram(datagram);
        }
    }

    /// <summary>Stops the pump: from then on the test moves datagrams itself, on its own thread. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _client.OutgoingAvailable -= Wake;
        _server.OutgoingAvailable -= Wake;
        await _stop.CancelAsync();
        if (_pump is not null)
        {
            await _pump;
        }

        _wake.Dispose();
    }
}

/// <summary>Just enough DTLS record parsing (RFC 6347 section 4.1, 4.2.2) to inspect test traffic.</summary>
internal static class DtlsRecords
{
    public const int HeaderLength = 13;

    public readonly record struct Record(byte ContentType, ushort Epoch, int Offset, int Length);

    public readonly record struct HandshakeFragment(byte MessageType, ushort MessageSeq, int MessageLength, int FragmentOffset, int FragmentLength);

    public static List<Record> Parse(byte[] datagram)
    {
        var records = new List<Record>();
        int at = 0;
        while (at + HeaderLength <= datagram.Length)
        {
            int length = datagram[at + 11] << 8 | datagram[at + 12];
            if (at + HeaderLength + length > datagram.Length)
            {
                break;
            }

            records.Add(new Record(datagram[at], (ushort)(datagram[at + 3] << 8 | datagram[at + 4]), at, HeaderLength + length));
            at += HeaderLength + length;
        }

        return records;
    }

    /// <summary>A DTLS 1.2 record (RFC 6347 section 4.1) with an all-zero fragment of <paramref name="length"/> bytes.</summary>
    public static byte[] Build(byte type, ushort epoch, int length)
    {
        var record = new byte[13 + length];
        record[0] = type;
        record[1] = 0xFE;
        record[2] = 0xFD;
        record[3] = (byte)(epoch >> 8);
        record[4] = (byte)epoch;
        record[10] = 7;
        record[11] = (byte)(length >> 8);
        record[12] = (byte)length;
        return record;
    }

    /// <summary>True when the datagram carries an epoch-1 handshake record: a Finished (RFC 6347 section 4.1).</summary>
    public static bool HasEpoch1Handshake(byte[] datagram) =>
        Parse(datagram).Any(r => r is { ContentType: 22, Epoch: 1 });

    /// <summary>
    /// Junk a demultiplexer could pass on (first byte 20..63) that is no valid DTLS record: a length
    /// that does not match, a TLS (not DTLS) version, an unknown content type, a truncated header.
    /// </summary>
    public static byte[][] Junk() =>
    [
        [22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 50, 1, 0, 0],
        [22, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0],
        [63, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0],
        [23, 1, 2],
    ];

    public static List<byte[]> Split(byte[] datagram) =>
        [.. Parse(datagram).Select(r => datagram.AsSpan(r.Offset, r.Length).ToArray())];

    /// <summary>The handshake fragment header of a plaintext (epoch 0) handshake record, if it is one.</summary>
    public static HandshakeFragment? Handshake(byte[] datagram, Record record)
    {
        if (record.ContentType != 22 || record.Epoch != 0 || record.Length < HeaderLength + 12)
        {
            return null;
        }

        ReadOnlySpan<byte> h = datagram.AsSpan(record.Offset + HeaderLength, 12);
        return new HandshakeFragment(
            h[0],
            (ushort)(h[4] << 8 | h[5]),
            h[1] << 16 | h[2] << 8 | h[3],
            h[6] << 16 | h[7] << 8 | h[8],
            h[9] << 16 | h[10] << 8 | h[11]);
    }

    /// <summary>All ClientHello fragments in the datagrams, in the order they appear.</summary>
    public static List<HandshakeFragment> ClientHelloFragments(IEnumerable<byte[]> datagrams) =>
        [.. datagrams.SelectMany(d => Parse(d).Select(r => Handshake(d, r)))
            .Where(f => f is { MessageType: 1 })
            .Select(f => f!.Value)];
}
