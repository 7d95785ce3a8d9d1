namespace Switchboard.Pbx.Registrar;

/// <summary>
/// The registrations every node of a cluster sees (docs/scale-out.md, "Calls across nodes"): each node shares the
/// bindings its registrar holds, and takes in the others', so a call on any node reaches a phone that registered
/// through another. A UDP binding is shared as it is (any node can send to its address from its own socket); a TCP, TLS
/// or WebSocket binding is a connection only its node holds, so it is shared as reached through that node's hop
/// (<see cref="Cluster.HopBindings"/>): every shared binding is a UDP address and a Path.
/// </summary>
public interface ISharedRegistrations
{
    /// <summary>
    /// Shares this node's bindings of an extension as they stand now, in their shared form (UDP flows only), replacing
    /// what it shared before (an empty list withdraws them). Never blocks and never throws: the registrar runs on the SIP
    /// endpoint's loop.
    /// </summary>
    void Publish(long extensionId, IReadOnlyList<ContactBinding> udpBindings);

    /// <summary>What the other nodes share now, unexpired at <paramref name="now"/>: read once at start.</summary>
    Task<IReadOnlyList<NodeBindings>> LoadAsync(DateTimeOffset now, CancellationToken ct = default);

    /// <summary>Calls <paramref name="onChange"/> each time another node shares a change; disposing stops it.</summary>
    IDisposable Subscribe(Action<NodeBindings> onChange);
}

/// <summary>
/// One node's shared bindings of one extension. Each binding's flow names UDP and the remote address only; the taker
/// makes a flow of its own to that address before it uses the binding.
/// </summary>
public sealed record NodeBindings(string Node, long ExtensionId, IReadOnlyList<ContactBinding> Bindings);
