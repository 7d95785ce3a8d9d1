using Switchboard.Pbx.Directory;

namespace Switchboard.Pbx.Sessions;

/// <summary>
/// The right to open one call WebSocket: who calls, and, for a signed link, the only destination it may
/// dial (spec 2.3). Null <see cref="OnlyDestination"/> means the dial plan decides.
/// </summary>
public sealed record CallTicket(Extension Caller, string? OnlyDestination, string Origin, DateTimeOffset ExpiresAt)
{
    /// <summary>Set when a call token allowed the ticket: the token is used up when the call starts (docs/tokens.md).</summary>
    public TicketToken? Token { get; init; }
}

/// <summary>The call token behind a ticket: its hash (to use it up), its label (for the record) and its call cap.</summary>
public sealed record TicketToken(byte[] Hash, string? Label, TimeSpan? MaxDuration);
