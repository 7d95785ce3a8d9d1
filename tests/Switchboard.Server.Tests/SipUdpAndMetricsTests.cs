using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Switchboard.Server.Tests;

/// <summary>
/// The real server reads SIP over UDP on its endpoint's own loop (SipUdpReader): a request of any size a datagram may
/// carry is answered, and /metrics shows what the endpoint and the runtime did.
/// </summary>
/// <remarks>Alone (<see cref="RunsAlone"/>): another server in the process would report into this one's scrape.</remarks>
[Collection(RunsAlone.Name)]
public sealed class SipUdpAndMetricsTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public SipUdpAndMetricsTests(ServerFixture server) => _server = server;

    [Theory]
    [InlineData(0)]
    [InlineData(6000)] // more than a media shard's 2 KB buffer: the SIP loop reads with 64 KB
    public async Task An_options_request_over_udp_is_answered_200_whatever_its_size(int padding)
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var branch = "z9hG4bK" + Guid.NewGuid().ToString("N")[..10];
        var request = string.Join("\r\n",
            "OPTIONS sip:demo.local SIP/2.0",
            $"Via: SIP/2.0/UDP 127.0.0.1:{((IPEndPoint)udp.Client.LocalEndPoint!).Port};branch={branch}",
            "Max-Forwards: 70",
            "From: <sip:probe@demo.local>;tag=p1",
            "To: <sip:demo.local>",
            $"Call-ID: {branch}",
            "CSeq: 1 OPTIONS",
            $"X-Padding: {new string('x', padding)}",
            "Content-Length: 0",
            "", "");
        await udp.SendAsync(Encoding.ASCII.GetBytes(request), new IPEndPoint(IPAddress.Loopback, _server.Host.SipUdpPort!.Value));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var reply = Encoding.ASCII.GetString((await udp.ReceiveAsync(cts.Token)).Buffer);
        Assert.StartsWith("SIP/2.0 200", reply, StringComparison.Ordinal);
        Assert.Contains(branch, reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_show_the_sip_endpoint_and_the_runtime()
    {
        await An_options_request_over_udp_is_answered_200_whatever_its_size(0);
        using var http = new HttpClient { BaseAddress = _server.Host.HttpUrl };
        var text = await http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.True(Value(text, "switchboard_sip_received_total") >= 1);
        Assert.True(Value(text, "switchboard_sip_sent_total") >= 1);

        // The flood guard sits in front of the endpoint with its default limits, and counted the request in.
        Assert.True(Value(text, "switchboard_sip_flood_admitted_total") >= 1);
        Assert.True(Value(text, "switchboard_runtime_allocated_bytes_total") > 0);
        Assert.Matches("switchboard_runtime_gc_collections_total\\{[^}]*generation=\"0\"[^}]*\\} \\d+", text);
        Assert.Matches("switchboard_calls_ended_total\\{[^}]*reason=\"hangup\"[^}]*\\} \\d+", text);
        Assert.True(Value(text, "switchboard_media_ports_in_use") >= 0);
        Assert.True(Value(text, "switchboard_registrations") >= 0);
        Assert.Matches("switchboard_policy_denied_total\\{[^}]*reason=\"extension_per_minute\"[^}]*\\} \\d+", text);
    }

    private static long Value(string metrics, string name)
    {
        // OpenTelemetry's exporter may add its scope labels and a timestamp: name{otel_scope_name="Switchboard"} 12 1765000000000
        var match = Regex.Match(metrics, "^" + Regex.Escape(name) + "(?:\\{[^}]*\\})? (\\d+)(?: \\d+)?\\r?$", RegexOptions.Multiline);
        Assert.True(match.Success, name + " is missing");
        return long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
