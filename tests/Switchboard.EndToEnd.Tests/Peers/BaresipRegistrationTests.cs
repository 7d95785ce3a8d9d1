using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>
/// The account line for a registering agent (AOR in our domain, every request through the PBX as
/// outbound proxy), checked against a stand-in registrar that answers each REGISTER with one status.
/// </summary>
public sealed class BaresipRegistrationTests
{
    [Fact]
    public async Task Agent_registers_its_domain_address_through_the_outbound_proxy()
    {
        using var test = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var registrar = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await using var agent = await StartRegisteringAsync(registrar, test.Token);

        var register = await AnswerOneAsync(registrar, "200 OK", test.Token);
        await agent.WaitRegisteredAsync();

        Assert.StartsWith("REGISTER sip:demo.local", register, StringComparison.Ordinal);
        Assert.Contains("<sip:201@demo.local>", register, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_registration_surfaces_its_status()
    {
        using var test = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var registrar = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await using var agent = await StartRegisteringAsync(registrar, test.Token);

        await AnswerOneAsync(registrar, "403 Forbidden", test.Token);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => agent.WaitRegisteredAsync());
        Assert.Contains("403", refused.Message, StringComparison.Ordinal);
    }

    private static Task<BaresipAgent> StartRegisteringAsync(UdpClient registrar, CancellationToken ct) =>
        BaresipAgent.StartAsync(
            new BaresipOptions
            {
                User = "201",
                Domain = "demo.local",
                Registrar = $"127.0.0.1:{((IPEndPoint)registrar.Client.LocalEndPoint!).Port}",
                Password = "pw",
            },
            ct);

    /// <summary>Receives one REGISTER and answers it (RFC 3261 section 8.2.6: headers copied, a To tag added).</summary>
    private static async Task<string> AnswerOneAsync(UdpClient registrar, string status, CancellationToken ct)
    {
        var received = await registrar.ReceiveAsync(ct);
        var request = Encoding.UTF8.GetString(received.Buffer);
        var lines = request.Split("\r\n");
        var response = new StringBuilder().Append("SIP/2.0 ").Append(status).Append("\r\n");
        foreach (var line in lines)
        {
            if (line.StartsWith("Via:", StringComparison.OrdinalIgnoreCase) || line.StartsWith("From:", StringComparison.OrdinalIgnoreCase)
                || line.StartsWith("Call-ID:", StringComparison.OrdinalIgnoreCase) || line.StartsWith("CSeq:", StringComparison.OrdinalIgnoreCase)
                || line.StartsWith("Contact:", StringComparison.OrdinalIgnoreCase))
            {
                response.Append(line).Append("\r\n");
            }
            else if (line.StartsWith("To:", StringComparison.OrdinalIgnoreCase))
            {
                response.Append(line).Append(";tag=registrar\r\n");
            }
        }

        response.Append("Expires: 300\r\nContent-Length: 0\r\n\r\n");
        await registrar.SendAsync(Encoding.UTF8.GetBytes(response.ToString()), received.RemoteEndPoint, ct);
        return request;
    }
}
