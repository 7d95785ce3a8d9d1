using Microsoft.Extensions.Time.Testing;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Security;
using Switchboard.Pbx.Sessions;
using Switchboard.Storage.Redis;
using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Redis;

/// <summary>Call tickets shared through a real Redis: issued by one node, taken once by any (docs/scale-out.md, "Redis").</summary>
public sealed class SharedTicketsTests : IAsyncLifetime
{
    private static readonly Extension Admin = new(7, "example.com", "100", "Alice", DateTimeOffset.UnixEpoch) { Role = ExtensionRole.Admin };
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly RedisNodes _nodes = new("tickets");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _nodes.CloseAsync();
    }

    [Fact]
    public async Task A_ticket_issued_by_one_node_is_taken_once_by_another_with_everything_it_carries()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        var c = await NodeAsync();

        var id = await a.IssueAsync(Admin, onlyDestination: "*43", origin: "link");
        var results = await Task.WhenAll(b.RedeemAsync(id), c.RedeemAsync(id));

        var ticket = Assert.Single(results, t => t is not null)!;
        Assert.Equal(Admin, ticket.Caller);
        Assert.Equal(ExtensionRole.Admin, ticket.Caller.Role);
        Assert.Equal("*43", ticket.OnlyDestination);
        Assert.Equal("link", ticket.Origin);
        Assert.Null(await a.RedeemAsync(id));
        Assert.Null(await b.RedeemAsync("not-a-ticket"));
        Assert.Null(await b.RedeemAsync(null));
    }

    [Fact]
    public async Task A_call_tokens_ticket_keeps_the_token_it_must_use_up()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        var id = await a.IssueAsync(Admin, "2000", "token", new TicketToken([1, 2, 3], "shop", TimeSpan.FromMinutes(5)));

        var token = (await b.RedeemAsync(id))!.Token!;
        Assert.Equal([1, 2, 3], token.Hash);
        Assert.Equal("shop", token.Label);
        Assert.Equal(TimeSpan.FromMinutes(5), token.MaxDuration);
    }

    [Fact]
    public async Task An_expired_ticket_is_refused_and_the_ticket_itself_is_not_stored_in_clear()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        var id = await a.IssueAsync(Admin, onlyDestination: null, origin: "web");

        var server = _nodes.Connections[0].Connection.GetServers().Single();
        var keys = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: _nodes.Prefix + "*"))
        {
            keys.Add(key.ToString());
        }

        Assert.Single(keys);
        Assert.DoesNotContain(id, keys[0], StringComparison.Ordinal);

        _time.Advance(new SecurityOptions().TicketLifetime + TimeSpan.FromSeconds(1));
        Assert.Null(await b.RedeemAsync(id));
    }

    private async Task<TicketIssuer> NodeAsync()
    {
        var connection = await _nodes.ConnectAsync();
        return new TicketIssuer(new SecurityOptions(), _time, new RedisTickets(connection, _time));
    }
}
