using System.Collections.Concurrent;
using System.Security.Cryptography;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Security;

namespace Switchboard.Pbx.Sessions;

/// <summary>
/// Single-use, short-lived call tickets: a popup that logged in without "Remember" gets one ticket, so its session
/// ends with the popup (spec 2.4). Held in memory on one node; with several nodes (<see cref="ISharedTickets"/>) where
/// every node can take them.
/// </summary>
public sealed class TicketIssuer
{
    private const int MaxOutstanding = 10_000;
    private readonly ConcurrentDictionary<string, CallTicket> _tickets = new(StringComparer.Ordinal);
    private readonly SecurityOptions _options;
    private readonly TimeProvider _time;
    private readonly ISharedTickets? _shared;

    public TicketIssuer(SecurityOptions options, TimeProvider time, ISharedTickets? shared = null)
    {
        _options = options;
        _time = time;
        _shared = shared;
    }

    /// <param name="token">The call token that allowed the ticket, if one did (docs/tokens.md).</param>
    public async Task<string> IssueAsync(Extension caller, string? onlyDestination, string origin, TicketToken? token = null, CancellationToken ct = default)
    {
        if (_shared is null)
        {
            return Issue(caller, onlyDestination, origin, token);
        }

        var id = SessionService.Base64Url(RandomNumberGenerator.GetBytes(24));
        await _shared.StoreAsync(id, new CallTicket(caller, onlyDestination, origin, _time.GetUtcNow() + _options.TicketLifetime) { Token = token }, ct);
        return id;
    }

    /// <summary>Takes the ticket out (it is single-use); null if unknown, already taken or expired.</summary>
    public async Task<CallTicket?> RedeemAsync(string? id, CancellationToken ct = default)
    {
        if (_shared is null || string.IsNullOrEmpty(id))
        {
            return Redeem(id);
        }

        var ticket = await _shared.TakeAsync(id, ct);
        return ticket is not null && ticket.ExpiresAt > _time.GetUtcNow() ? ticket : null;
    }

    private string Issue(Extension caller, string? onlyDestination, string origin, TicketToken? token)
    {
        var now = _time.GetUtcNow();
        if (_tickets.Count >= MaxOutstanding)
        {
            foreach (var (key, ticket) in _tickets)
            {
                if (ticket.ExpiresAt <= now)
                {
                    _tickets.TryRemove(key, out _);
                }
            }
        }

        var id = SessionService.Base64Url(RandomNumberGenerator.GetBytes(24));
        _tickets[id] = new CallTicket(caller, onlyDestination, origin, now + _options.TicketLifetime) { Token = token };
        return id;
    }

    private CallTicket? Redeem(string? id)
    {
        if (string.IsNullOrEmpty(id) || !_tickets.TryRemove(id, out var ticket))
        {
            return null;
        }

        return ticket.ExpiresAt > _time.GetUtcNow() ? ticket : null;
    }
}
