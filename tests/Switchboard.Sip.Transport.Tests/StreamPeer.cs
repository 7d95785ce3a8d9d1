using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Switchboard.Sip.Transport.Tests;

/// <summary>A raw TCP peer of the hub with bounded reads.</summary>
internal sealed class StreamPeer : IAsyncDisposable
{
    private readonly TcpClient _client;

    private StreamPeer(TcpClient client, Stream stream)
    {
        _client = client;
        Stream = stream;
    }

    public Stream Stream { get; }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_client.Client.LocalEndPoint!;

    public static async Task<StreamPeer> ConnectAsync(int port)
    {
        var client = new TcpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(RecordingReceiver.Timeout);
        return new StreamPeer(client, client.GetStream());
    }

    public static StreamPeer Accepted(TcpClient client) => new(client, client.GetStream());

    public async Task WriteAsync(string text)
    {
        await Stream.WriteAsync(Encoding.UTF8.GetBytes(text));
        await Stream.FlushAsync();
    }

    /// <summary>Reads exactly <paramref name="length"/> bytes, or fewer if the stream ends.</summary>
    public static async Task<string> ReadAsync(Stream stream, int length)
    {
        var buffer = new byte[length];
        var read = 0;
        using var timeout = new CancellationTokenSource(RecordingReceiver.Timeout);
        while (read < length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), timeout.Token);
            if (n == 0) break;
            read += n;
        }
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    public Task<string> ReadAsync(int length) => ReadAsync(Stream, length);

    /// <summary>True when the peer closed: the next read returns 0 bytes.</summary>
    public async Task<bool> ClosedByRemoteAsync()
    {
        using var timeout = new CancellationTokenSource(RecordingReceiver.Timeout);
        var buffer = new byte[256];
        try
        {
            while (true)
            {
                if (await Stream.ReadAsync(buffer, timeout.Token) == 0) return true;
            }
        }
        catch (IOException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        _client.Dispose();
    }
}
