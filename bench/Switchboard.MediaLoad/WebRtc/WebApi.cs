using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;

namespace Switchboard.MediaLoad.WebRtc;

/// <summary>
/// The PBX's public web side, as the popup uses it: <c>POST /api/login</c> for a single-use ticket, then the call
/// WebSocket <c>/api/call?ticket=</c> (docs/signalling.md). The PBX limits auth requests per client address
/// (300 a minute), so calls are spread over source addresses 127.0.0.2, .3, ... at most
/// <see cref="CallsPerAddress"/> calls (two requests each) per address.
/// </summary>
internal sealed class WebApi : IDisposable
{
    public const int CallsPerAddress = 60;
    private readonly Uri _base;
    private readonly Dictionary<int, (HttpClient Http, HttpMessageInvoker Invoker)> _clients = [];
    private readonly Lock _lock = new();

    public WebApi(IPEndPoint http) => _base = new Uri($"http://{http}/");

    /// <summary>Logs in as <paramref name="account"/> (no remembered session) from the call's source address; the ticket.</summary>
    public async Task<string?> LoginAsync(int callIndex, string account, string password, CancellationToken ct)
    {
        var http = ClientFor(callIndex).Http;
        using var response = await http.PostAsJsonAsync(new Uri("api/login", UriKind.Relative), new { account, password, remember = false, lang = "en" }, ct);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return body.RootElement.TryGetProperty("ticket", out var ticket) ? ticket.GetString() : null;
    }

    /// <summary>Opens the call WebSocket with <paramref name="ticket"/> from the call's source address.</summary>
    public async Task<ClientWebSocket> OpenCallSocketAsync(int callIndex, string ticket, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        try
        {
            var uri = new Uri($"ws://{_base.Authority}/api/call?ticket={Uri.EscapeDataString(ticket)}");
            await socket.ConnectAsync(uri, ClientFor(callIndex).Invoker, ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var (http, invoker) in _clients.Values)
        {
            http.Dispose();
            invoker.Dispose();
        }
    }

    private (HttpClient Http, HttpMessageInvoker Invoker) ClientFor(int callIndex)
    {
        var key = callIndex / CallsPerAddress;
        lock (_lock)
        {
            if (!_clients.TryGetValue(key, out var clients))
            {
                var source = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"127.0.{key / 250}.{2 + (key % 250)}"));
                clients = (new HttpClient(Handler(source)) { BaseAddress = _base }, new HttpMessageInvoker(Handler(source)));
                _clients[key] = clients;
            }

            return clients;
        }
    }

    /// <summary>A handler whose connections leave from <paramref name="source"/> (any 127/8 address works on lo).</summary>
    private static SocketsHttpHandler Handler(IPAddress source) => new()
    {
        UseCookies = false,
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
