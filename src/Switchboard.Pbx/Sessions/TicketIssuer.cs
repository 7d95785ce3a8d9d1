using System.Collections.Concurrent;
using System.Security.Cryptography;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Security;

namespace Switchboard.Pbx.Sessions;

/// <summary>
/// Single-use, short-lived call tickets held in memory: a popup that logged in without "Remember"
/// gets one ticket, so its session ends with the popup (spec 2.4).
/// </summary>
public sealed class TicketIssuer
{
    private const int MaxOutstanding = 10_000;
    private readonly ConcurrentDictionary<string, CallTicket> _tickets = new(StringComparer.Ordinal);
    private readonly SecurityOptions _options;
    private readonly TimeProvider _time;

    public TicketIssuer(SecurityOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    public string Issue(Extension caller, string? onlyDestination, string origin) => Issue(caller, onlyDestination, origin, null);

    public string Issue(Extension caller, string? onlyDestination, string origin, TicketToken? token)
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

    /// <summary>Takes the ticket out (it is single-use); null if unknown or expired.</summary>
    public CallTicket? Redeem(string? id)
    {
        if (string.IsNullOrEmpty(id) || !_tickets.TryRemove(id, out var ticket))
        {
            return null;
        }

        return ticket.ExpiresAt > _time.GetUtcNow() ? ticket : null;
    }
}
