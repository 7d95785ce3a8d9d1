namespace Switchboard.Pbx.Sessions;

/// <summary>
/// Call tickets kept where every node can take them (docs/scale-out.md, "Redis"): a popup may log in through one node
/// and open its call WebSocket on another. Absent on a single node, where <see cref="TicketIssuer"/> keeps them in memory.
/// </summary>
public interface ISharedTickets
{
    /// <summary>Keeps <paramref name="ticket"/> under <paramref name="id"/> until it expires.</summary>
    Task StoreAsync(string id, CallTicket ticket, CancellationToken ct = default);

    /// <summary>Takes the ticket out, once, whichever node asks (single use); null when unknown, taken or expired.</summary>
    Task<CallTicket?> TakeAsync(string id, CancellationToken ct = default);
}
