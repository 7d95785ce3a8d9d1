using System.Collections.Concurrent;
using Switchboard.Media.Stun;
using Switchboard.Media.WebRtc;

namespace Switchboard.Media.Tests.WebRtc;

/// <summary>
/// Datagrams in flight between two addresses, with loss and reordering from a seeded random source.
/// Senders may be any thread (the DTLS workers send too); the test's loop delivers.
/// </summary>
internal sealed class SimulatedNetwork
{
    private readonly ConcurrentQueue<Datagram> _inFlight = new();
    private readonly Random _random;
    private readonly Lock _randomGate = new();

    public SimulatedNetwork(int seed) => _random = new Random(seed);

    /// <summary>Probability that a datagram is lost.</summary>
    public double Loss { get; set; }

    /// <summary>While false, nothing is lost or reordered: a phase the test keeps clean (it says why).</summary>
    public bool Lossy { get; set; } = true;

    public int Dropped { get; private set; }

    public IDatagramSender SenderFor(TransportAddress from) => new Endpoint(this, from);

    /// <summary>Takes what is in flight, in a shuffled order (reordering), for delivery.</summary>
    public List<Datagram> TakeReordered()
    {
        var batch = new List<Datagram>();
        while (_inFlight.TryDequeue(out var d))
        {
            batch.Add(d);
        }

        if (Lossy)
        {
            lock (_randomGate)
            {
                _random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch));
            }
        }

        return batch;
    }

    private void Enqueue(ReadOnlySpan<byte> data, TransportAddress from, TransportAddress to)
    {
        lock (_randomGate)
        {
            if (Lossy && _random.NextDouble() < Loss)
            {
                Dropped++;
                return;
            }
        }

        _inFlight.Enqueue(new Datagram(data.ToArray(), from, to));
    }

    internal sealed record Datagram(byte[] Data, TransportAddress From, TransportAddress To);

    private sealed class Endpoint(SimulatedNetwork network, TransportAddress from) : IDatagramSender
    {
        public void Send(ReadOnlySpan<byte> datagram, TransportAddress destination) => network.Enqueue(datagram, from, destination);
    }
}
