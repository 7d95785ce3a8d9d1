using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.Transport.Tests;

/// <summary>
/// A hub running one server-side WebSocket (as Kestrel would hand it over) whose client end the test drives; both
/// made by <see cref="WebSocket.CreateFromStream(Stream, bool, string?, TimeSpan)"/> over a loopback TCP pair.
/// </summary>
internal sealed class WebSocketHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(10));
    private TcpClient _clientSocket = null!;
    private TcpClient _serverSocket = null!;
    private WebSocket _server = null!;

    public RecordingReceiver Receiver { get; } = new();

    public SipTransportHub Hub { get; private set; } = null!;

    public WebSocket Client { get; private set; } = null!;

    /// <summary>The hub's <see cref="SipTransportHub.RunWebSocketAsync"/> for this socket.</summary>
    public Task Run { get; private set; } = Task.CompletedTask;

    public IPEndPoint ClientEndPoint => (IPEndPoint)_clientSocket.Client.LocalEndPoint!;

    public CancellationToken Token => _stop.Token;

    public static async Task<WebSocketHarness> StartAsync()
    {
        var harness = new WebSocketHarness();
        await harness.InitializeAsync();
        return harness;
    }

    public Task SendAsync(string text) =>
        Client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, _stop.Token);

    public async Task<(string Text, ValueWebSocketReceiveResult Result)> ReceiveAsync()
    {
        var buffer = new byte[8192];
        var result = await Client.ReceiveAsync(buffer.AsMemory(), _stop.Token).AsTask().WaitAsync(RecordingReceiver.Timeout);
        return (Encoding.UTF8.GetString(buffer, 0, result.Count), result);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Run.WaitAsync(RecordingReceiver.Timeout);
        await Hub.DisposeAsync();
        Client.Dispose();
        _server.Dispose();
        _clientSocket.Dispose();
        _serverSocket.Dispose();
        _stop.Dispose();
    }

    private async Task InitializeAsync()
    {
        Hub = new SipTransportHub(new SipTransportOptions { MaxMessageSize = 4096, WsSentBy = "abc.invalid" });
        await Hub.StartAsync(Receiver, CancellationToken.None);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _clientSocket = new TcpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var connect = _clientSocket.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        _serverSocket = await listener.AcceptTcpClientAsync().WaitAsync(RecordingReceiver.Timeout);
        await connect.WaitAsync(RecordingReceiver.Timeout);
        Client = WebSocket.CreateFromStream(_clientSocket.GetStream(), isServer: false, "sip", Timeout.InfiniteTimeSpan);
        _server = WebSocket.CreateFromStream(_serverSocket.GetStream(), isServer: true, "sip", Timeout.InfiniteTimeSpan);
        Run = Hub.RunWebSocketAsync(_server, (IPEndPoint)_serverSocket.Client.LocalEndPoint!, ClientEndPoint, secure: false, _stop.Token);
    }
}
