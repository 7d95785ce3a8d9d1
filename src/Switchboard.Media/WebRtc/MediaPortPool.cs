using System.Net;
using Switchboard.Media.Shards;

namespace Switchboard.Media.WebRtc;

/// <summary>
/// Hands out UDP sockets bound to ports of the configured range, one per leg. The OS is the
/// authority on which ports are free: we try to bind, starting after the last port handed out.
/// The ports come from <paramref name="network"/>: the host's UDP stack, or a simulated network in tests.
/// </summary>
public sealed class MediaPortPool
{
    private readonly MediaOptions _options;
    private readonly IMediaNetwork _network;
    private int _next;

    public MediaPortPool(MediaOptions options, IMediaNetwork? network = null)
    {
        _network = network ?? UdpMediaNetwork.Instance;
        ArgumentNullException.ThrowIfNull(options);
        if (options.PortMin is < 1 or > 65535 || options.PortMax < options.PortMin || options.PortMax > 65535)
        {
            throw new ArgumentException($"The media port range {options.PortMin}-{options.PortMax} is not valid.", nameof(options));
        }

        _options = options;
        _next = options.PortMin;
    }

    public MediaOptions Options => _options;

    public IMediaNetwork Network => _network;

    /// <summary>A bound socket, or null when every port of the range is taken.</summary>
    public IMediaSocket? Rent()
    {
        var size = _options.PortMax - _options.PortMin + 1;
        for (var i = 0; i < size; i++)
        {
            var port = _options.PortMin + (int)((uint)(Interlocked.Increment(ref _next) - _options.PortMin) % (uint)size);
            if (_network.TryBind(new IPEndPoint(_options.BindAddress, port)) is { } socket)
            {
                return socket;
            }
        }

        return null;
    }
}
