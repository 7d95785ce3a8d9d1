using System.Net;

namespace Switchboard.Sip.Transport;

/// <summary>
/// One party on an <see cref="InMemorySipNetwork"/>: an <see cref="ISipTransport"/> at a fake address that speaks
/// every transport kind. Messages it sends reach the destination's receiver later, on the network's delivery loop.
/// </summary>
public sealed class InMemorySipEndpoint : ISipTransport
{
    private readonly InMemorySipNetwork _network;
    private volatile ISipReceiver? _receiver;

    internal InMemorySipEndpoint(InMemorySipNetwork network, string name, IPEndPoint address)
    {
        _network = network;
        Name = name;
        Address = address;
    }

    public string Name { get; }

    public IPEndPoint Address { get; }

    internal ISipReceiver? Receiver => _receiver;

    /// <summary>Where this endpoint's incoming messages and closed flows go; until then they are dropped.</summary>
    public void Attach(ISipReceiver receiver) => _receiver = receiver ?? throw new ArgumentNullException(nameof(receiver));

    public bool TrySend(in SipFlow flow, ReadOnlySpan<byte> message) => _network.Send(this, flow, message);

    public SipFlow? CreateFlow(SipTransportKind transport, IPEndPoint remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        if (!transport.IsReliable()) return new SipFlow(transport, Address, remote);
        var id = _network.OpenConnectionId(transport, Address, remote);
        if (id == 0 && transport is SipTransportKind.Ws or SipTransportKind.Wss) return null;
        return new SipFlow(transport, Address, remote, id);
    }

    /// <summary>A name written as this endpoint's sent-by instead of its address (as <c>--sip-advertise</c> does); null: the address.</summary>
    public string? AdvertisedHost { get; set; }

    public string? SentBy(SipTransportKind transport) =>
        AdvertisedHost is null ? Address.ToString() : $"{AdvertisedHost}:{Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    public override string ToString() => $"{Name} {Address}";
}
