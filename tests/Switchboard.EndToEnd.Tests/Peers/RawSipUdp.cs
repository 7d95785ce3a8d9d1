using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>
/// A bare SIP endpoint on a UDP socket bound to 127.0.0.1:0, speaking text: for requests a real UA
/// will not send (a P-Asserted-Identity of our choosing) and for checking exactly what arrives.
/// </summary>
public sealed class RawSipUdp : IDisposable
{
    private readonly UdpClient socket = new(new IPEndPoint(IPAddress.Loopback, 0));

    public int Port => ((IPEndPoint)socket.Client.LocalEndPoint!).Port;

    /// <summary>host:port to put into Via and Contact.</summary>
    public string HostPort => $"127.0.0.1:{Port}";

    /// <summary>Sends <paramref name="message"/>; its lines may end in \n, they are sent as \r\n.</summary>
    public async Task SendAsync(string message, IPEndPoint to, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        var wire = message.ReplaceLineEndings("\r\n");
        await socket.SendAsync(Encoding.UTF8.GetBytes(wire), to, ct);
    }

    /// <summary>The next datagram that satisfies <paramref name="match"/> (others are skipped), within <paramref name="timeout"/>.</summary>
    public async Task<string> ReceiveAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(match);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var datagram = await socket.ReceiveAsync(deadline.Token);
                var text = Encoding.UTF8.GetString(datagram.Buffer);
                if (match(text)) return text;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"no matching SIP message on {HostPort} within {timeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>A header's value in a message (first occurrence, case-insensitive name), or null.</summary>
    public static string? Header(string message, string name)
    {
        ArgumentNullException.ThrowIfNull(message);
        foreach (var line in message.Split("\r\n"))
        {
            if (line.Length == 0) break;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals(name, StringComparison.OrdinalIgnoreCase)) return line[(colon + 1)..].Trim();
        }

        return null;
    }

    /// <summary>The status code of a response, or null for a request.</summary>
    public static int? StatusCode(string message) =>
        message.StartsWith("SIP/2.0 ", StringComparison.Ordinal) && int.TryParse(message.AsSpan(8, 3), System.Globalization.CultureInfo.InvariantCulture, out var code)
            ? code
            : null;

    public void Dispose() => socket.Dispose();
}
