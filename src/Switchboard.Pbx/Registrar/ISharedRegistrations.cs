namespace Switchboard.Pbx.Registrar;

/// <summary>
/// The registrations every node of a cluster sees (docs/scale-out.md, "Calls across nodes"): each node shares the UDP
/// bindings its registrar holds, and takes in the others', so a call on any node reaches a phone that registered
/// through another. Only UDP bindings are shared: a UDP flow is an address any node can send to from its own socket,
/// while a TCP, TLS or WebSocket binding is a connection only its node holds.
/// </summary>
public interface ISharedRegistrations
{
    /// <summary>
    /// Shares this node's UDP bindings of an extension as they stand now, replacing what it shared before (an empty
    /// list withdraws them). Never blocks and never throws: the registrar runs on the SIP endpoint's loop.
    /// </summary>
    void Publish(long extensionId, IReadOnlyList<ContactBinding> udpBindings);

    /// <summary>What the other nodes share now, unexpired at <paramref name="now"/>: read once at start.</summary>
    Task<IReadOnlyList<NodeBindings>> LoadAsync(DateTimeOffset now, CancellationToken ct = default);

    /// <summary>Calls <paramref name="onChange"/> each time another node shares a change; disposing stops it.</summary>
    IDisposable Subscribe(Action<NodeBindings> onChange);
}

/// <summary>
/// One node's UDP bindings of one extension. Each binding's flow names UDP and the remote address only; the taker
/// makes a flow of its own to that address before it uses the binding.
/// </summary>
public sealed record NodeBindings(string Node, long ExtensionId, IReadOnlyList<ContactBinding> Bindings);
