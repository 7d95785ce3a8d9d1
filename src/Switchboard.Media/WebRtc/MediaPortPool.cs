using System.Net;
using Switchboard.Media.Shards;

namespace Switchboard.Media.WebRtc;

/// <summary>
/// Hands out UDP sockets bound to ports of the configured range, one per leg, and takes them back when
/// the leg ends. A returned socket stays bound, parked, and goes to a later leg once it has been parked for
/// <see cref="MediaOptions.PortQuarantine"/> (oldest first), with what reached it meanwhile dropped; that
/// saves the socket(), bind() and close() calls and the .NET socket objects every call used to pay for
/// (docs/media.md, "Port pool"). With nothing parked long enough, a new port is bound: the OS is the
/// authority on which ports are free, so we try to bind, starting after the last port tried.
/// The ports come from <paramref name="network"/>: the host's UDP stack, or a simulated network in tests;
/// the quarantine runs on <paramref name="time"/>.
/// </summary>
public sealed partial class MediaPortPool : IDisposable
{
    private readonly MediaOptions _options;
    private readonly IMediaNetwork _network;
    private readonly TimeProvider _time;
    private readonly int _size;
    private int _next;
    private long _opened;
    private int _inUse;

    public MediaPortPool(MediaOptions options, IMediaNetwork? network = null, TimeProvider? time = null)
    {
        _network = network ?? UdpMediaNetwork.Instance;
        _time = time ?? TimeProvider.System;
        ArgumentNullException.ThrowIfNull(options);
        if (options.PortMin is < 1 or > 65535 || options.PortMax < options.PortMin || options.PortMax > 65535)
        {
            throw new ArgumentException($"The media port range {options.PortMin}-{options.PortMax} is not valid.", nameof(options));
        }

        if (options.PortQuarantine < TimeSpan.Zero || options.MaxParkedPorts < 0)
        {
            throw new ArgumentException("The media port quarantine and the parked-port cap cannot be negative.", nameof(options));
        }

        _options = options;
        _size = options.PortMax - options.PortMin + 1;
        _next = options.PortMin;
        _parkedPorts = new bool[_size];
        _maxParked = options.MaxParkedPorts ?? _size / 2;
    }

    public MediaOptions Options => _options;

    public IMediaNetwork Network => _network;

    /// <summary>Sockets bound afresh since start (the rest of the rents reused a parked one).</summary>
    public long Opened => Interlocked.Read(ref _opened);

    /// <summary>
    /// A bound socket, or null when every port of the range is taken. A parked socket past its quarantine
    /// first; else a new port; else, rather than refuse a call, the oldest parked socket even inside its
    /// quarantine (closing it and binding the port again would hand the same port out just the same).
    /// </summary>
    public IMediaSocket? Rent()
    {
        var socket = TryReuse(ignoreQuarantine: false) ?? TryBindNew() ?? TryReuse(ignoreQuarantine: true);
        if (socket is not null)
        {
            Interlocked.Increment(ref _inUse);
        }

        return socket;
    }

    /// <summary>Sockets rented and not yet returned: a leg's, or leaked (a soak checks it falls back to zero when calls end).</summary>
    public int InUse => Volatile.Read(ref _inUse);

    private IMediaSocket? TryBindNew()
    {
        for (var i = 0; i < _size; i++)
        {
            var offset = (int)((uint)(Interlocked.Increment(ref _next) - _options.PortMin) % (uint)_size);

            // Read without the lock: a stale answer costs one failed bind, or skips a port until the next round.
            if (Volatile.Read(ref _parkedPorts[offset]))
            {
                continue;
            }

            if (_network.TryBind(new IPEndPoint(_options.BindAddress, _options.PortMin + offset)) is { } socket)
            {
                Interlocked.Increment(ref _opened);
                return socket;
            }
        }

        return null;
    }
}
