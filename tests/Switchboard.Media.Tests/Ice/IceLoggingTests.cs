using System.Net;
using Microsoft.Extensions.Logging;
using Switchboard.Media.Ice;
using Switchboard.Media.Stun;

namespace Switchboard.Media.Tests.Ice;

public class IceLoggingTests
{
    [Fact]
    public void State_changes_and_rejections_are_logged_with_redacted_addresses_and_no_password()
    {
        var logger = new ListLogger();
        using var agent = new IceLiteAgent(IceCredentials.Generate(), TimeSpan.Zero, logger: logger);
        BrowserCheck check = BrowserCheck.For(agent.LocalCredentials.Ufrag, agent.LocalCredentials.Password, "Ch1d");
        var v4 = TransportAddress.Create(IPAddress.Parse("192.0.2.77"), 50123);
        var v6 = TransportAddress.Create(IPAddress.Parse("2001:db8:0:1:aaaa:bbbb:cccc:dddd"), 50124);
        byte[] response = new byte[IceLiteAgent.MinResponseBufferSize];

        agent.HandleStun((check with { Password = "wrongwrongwrongwrongwrong" }).Build(), v6, TimeSpan.Zero, response, out _);
        agent.HandleStun((check with { UseCandidate = true }).Build(), v4, TimeSpan.Zero, response, out _);
        agent.Poll(TimeSpan.FromSeconds(30));

        Assert.Equal([3203, 3200, 3201], logger.Entries.Select(e => e.Id));
        Assert.Contains("[2001:db8:0:1:x]:50124", logger.Entries[0].Message, StringComparison.Ordinal);
        Assert.Contains("Unauthenticated", logger.Entries[0].Message, StringComparison.Ordinal);
        Assert.Contains("192.0.2.x:50123", logger.Entries[1].Message, StringComparison.Ordinal);
        Assert.All(logger.Entries, e =>
        {
            Assert.DoesNotContain("192.0.2.77", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("dddd", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(agent.LocalCredentials.Password, e.Message, StringComparison.Ordinal);
        });
    }

    private sealed class ListLogger : ILogger
    {
        public List<(int Id, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((eventId.Id, formatter(state, exception)));
    }
}
