using System.Net;
using System.Net.Sockets;

namespace Switchboard.Media.WebRtc;

/// <summary>
/// Hands out UDP sockets bound to ports of the configured range, one per leg. The OS is the
/// authority on which ports are free: we try to bind, starting after the last port handed out.
/// </summary>
public sealed class MediaPortPool
{
    private readonly MediaOptions _options;
    private int _next;

    public MediaPortPool(MediaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PortMin is < 1 or > 65535 || options.PortMax < options.PortMin || options.PortMax > 65535)
        {
            throw new ArgumentException($"The media port range {options.PortMin}-{options.PortMax} is not valid.", nameof(options));
        }

        _options = options;
        _next = options.PortMin;
    }

    public MediaOptions Options => _options;

    /// <summary>A bound socket, or null when every port of the range is taken.</summary>
    public Socket? Rent()
    {
        var size = _options.PortMax - _options.PortMin + 1;
        for (var i = 0; i < size; i++)
        {
            var port = _options.PortMin + (int)((uint)(Interlocked.Increment(ref _next) - _options.PortMin) % (uint)size);
            var socket = new Socket(_options.BindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                socket.Bind(new IPEndPoint(_options.BindAddress, port));
                return socket;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
            {
                socket.Dispose();
            }
        }

        return null;
    }
}
