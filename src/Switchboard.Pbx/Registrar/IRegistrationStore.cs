namespace Switchboard.Pbx.Registrar;

/// <summary>
/// Keeps UDP registrations across a restart (docs/sip-registrar.md, "Restarts"), as Kamailio's usrloc does with a
/// database: the registrar hands over an extension's bindings each time they change, the host reads them back at start.
/// </summary>
public interface IRegistrationStore
{
    /// <summary>
    /// Queues the extension's UDP bindings as they stand now, replacing what is stored for it (an empty list removes
    /// them). Never blocks and never throws: the registrar runs on the SIP endpoint's loop. A change that could not be
    /// written costs only that a restart brings back the previous bindings, or none.
    /// </summary>
    void Save(long extensionId, IReadOnlyList<ContactBinding> udpBindings);

    /// <summary>
    /// The stored bindings still unexpired at <paramref name="now"/>, each extension's in its stored order. Their flows
    /// name UDP and the phone's address; the local end is not stored (it is this process's socket), so the host makes
    /// each flow anew before it puts the binding back.
    /// </summary>
    Task<IReadOnlyList<ContactBinding>> LoadAsync(DateTimeOffset now, CancellationToken ct = default);
}
