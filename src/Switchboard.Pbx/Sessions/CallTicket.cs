using Switchboard.Pbx.Directory;

namespace Switchboard.Pbx.Sessions;

/// <summary>
/// The right to open one call WebSocket: who calls, and, for a signed link, the only destination it may
/// dial (spec 2.3). Null <see cref="OnlyDestination"/> means the dial plan decides.
/// </summary>
public sealed record CallTicket(Extension Caller, string? OnlyDestination, string Origin, DateTimeOffset ExpiresAt);
