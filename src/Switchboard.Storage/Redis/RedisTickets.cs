using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using StackExchange.Redis;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Sessions;

namespace Switchboard.Storage.Redis;

/// <summary>
/// Call tickets in Redis (docs/scale-out.md, "Redis"), so that the node which opens a popup's call WebSocket need not be
/// the one that logged it in. The key is a hash of the ticket, not the ticket itself (a credential stays out of the
/// shared store, as session tokens do in the database); the entry expires with the ticket, and GETDEL takes it out
/// atomically, so a ticket is used once whichever nodes race for it.
/// </summary>
public sealed class RedisTickets : ISharedTickets
{
    private readonly RedisSharedState _redis;
    private readonly TimeProvider _time;

    public RedisTickets(RedisSharedState redis, TimeProvider time)
    {
        _redis = redis;
        _time = time;
    }

    public async Task StoreAsync(string id, CallTicket ticket, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var lifetime = ticket.ExpiresAt - _time.GetUtcNow();
        if (lifetime <= TimeSpan.Zero)
        {
            return;
        }

        var entry = new Entry(ticket.Caller.Id, ticket.Caller.Domain, ticket.Caller.Number, ticket.Caller.DisplayName, ticket.Caller.CreatedAt,
            ticket.Caller.Role, ticket.OnlyDestination, ticket.Origin, ticket.ExpiresAt, ticket.Token?.Hash, ticket.Token?.Label, ticket.Token?.MaxDuration);
        await _redis.Database.StringSetAsync(Key(id), JsonSerializer.Serialize(entry), lifetime).WaitAsync(ct);
    }

    public async Task<CallTicket?> TakeAsync(string id, CancellationToken ct = default)
    {
        var value = await _redis.Database.StringGetDeleteAsync(Key(id)).WaitAsync(ct);
        if (!value.HasValue || JsonSerializer.Deserialize<Entry>(value.ToString()) is not { } e)
        {
            return null;
        }

        var caller = new Extension(e.Id, e.Domain, e.Number, e.DisplayName, e.CreatedAt) { Role = e.Role };
        return new CallTicket(caller, e.OnlyDestination, e.Origin, e.ExpiresAt)
        {
            Token = e.TokenHash is { } hash ? new TicketToken(hash, e.TokenLabel, e.TokenMaxDuration) : null,
        };
    }

    private RedisKey Key(string id) => _redis.Key("ticket", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id))));

    private sealed record Entry(long Id, string Domain, string Number, string DisplayName, DateTimeOffset CreatedAt, ExtensionRole Role,
        string? OnlyDestination, string Origin, DateTimeOffset ExpiresAt, byte[]? TokenHash, string? TokenLabel, TimeSpan? TokenMaxDuration);
}
