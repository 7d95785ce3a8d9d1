using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Sip;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Trunks;

/// <summary>
/// The trunks at run time: loaded from the store at start, their proxies resolved to addresses, one registration
/// loop per trunk that registers (docs/trunks.md). The call engine asks it for the failover order of a domain's
/// trunks; the SIP endpoint asks it whether an INVITE came from a carrier.
/// </summary>
public sealed partial class TrunkService : IAsyncDisposable
{
    private readonly ITrunkStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<TrunkService> _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, TrunkRegistration> _registrations = new();
    private readonly List<Task> _loops = [];
    private IReadOnlyList<(Trunk Trunk, IPEndPoint Address)> _trunks = [];
    private CancellationTokenSource? _generation;
    private SipEndpoint? _sip;

    public TrunkService(ITrunkStore store, TimeProvider time, ILogger<TrunkService> log)
    {
        _store = store;
        _time = time;
        _log = log;
    }

    /// <summary>Loads the trunks and starts registering those that register.</summary>
    public Task StartAsync(SipEndpoint sip, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sip);
        _sip = sip;
        return LoadAsync(ct);
    }

    /// <summary>Reads the trunks again (after <c>trunk add</c> through the admin API): registrations restart.</summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        if (_sip is null)
        {
            return;
        }

        if (_generation is not null)
        {
            await _generation.CancelAsync();
        }

        await Task.WhenAll(_loops);
        _loops.Clear();
        _registrations.Clear();
        await LoadAsync(ct);
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        _generation?.Dispose();
        _generation = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var loaded = new List<(Trunk, IPEndPoint)>();
        foreach (var trunk in await _store.ListAsync(null, ct))
        {
            if (await ResolveAsync(trunk, ct) is not { } address)
            {
                LogUnresolved(_log, trunk.Name, trunk.Proxy);
                continue;
            }

            loaded.Add((trunk, address));
            if (trunk.Transport == SipTransportKind.Tls && !IPAddress.TryParse(trunk.Host, out _) && _sip!.Transport is ISipServerNames names)
            {
                // The carrier's certificate names its host, not the address the name resolved to.
                names.SetServerName(address, trunk.Host);
            }

            if (trunk.Register)
            {
                var registration = new TrunkRegistration(trunk, address, _sip!, _store, _time, _log);
                _registrations[trunk.Id] = registration;
                _loops.Add(registration.RunAsync(_generation.Token));
            }
        }

        _trunks = loaded;
    }

    /// <summary>The trunk named <paramref name="first"/> and then the domain's others, in position order: the failover order.</summary>
    public IReadOnlyList<(Trunk Trunk, IPEndPoint Address)> FailoverOrder(string domain, string first) =>
        _trunks.Where(t => t.Trunk.Domain == domain)
            .OrderBy(t => t.Trunk.Name == first ? -1 : t.Trunk.Position)
            .ToArray();

    /// <summary>
    /// The trunk whose proxy sent this (UDP: address and port; TCP and TLS: the address, since a connection's source port
    /// is any). Never a WebSocket: carriers do not use one (RFC 7118 is for browsers), and a browser or phone.htm on the
    /// carrier's address (a shared NAT, or loopback in tests) would otherwise be taken for the carrier and trusted
    /// without digest.
    /// </summary>
    public Trunk? FromSource(SipFlow flow) =>
        flow.Transport is SipTransportKind.Ws or SipTransportKind.Wss
            ? null
            : _trunks.FirstOrDefault(t => t.Address.Address.Equals(flow.Remote.Address) &&
                                          (flow.IsReliable || t.Address.Port == flow.Remote.Port)).Trunk;

    /// <summary>Whether a trunk's proxy has this address, on any port: the flood guard never limits a carrier.</summary>
    public bool IsTrunkAddress(IPAddress address) => _trunks.Any(t => t.Address.Address.Equals(address));

    /// <summary>Whether the trunk's last REGISTER succeeded (null when it does not register).</summary>
    public bool? IsRegistered(long trunkId) => _registrations.TryGetValue(trunkId, out var r) ? r.Registered : null;

    /// <summary>The last REGISTER's outcome for a trunk that registers; null for one that does not, or before its first answer.</summary>
    public TrunkRegistrationState? RegistrationState(long trunkId) => _registrations.TryGetValue(trunkId, out var r) ? r.Last : null;

    /// <summary>Sends the trunk's next REGISTER now instead of at its time (the portal's test); false for a trunk that does not register.</summary>
    public bool RegisterNow(long trunkId)
    {
        if (!_registrations.TryGetValue(trunkId, out var r))
        {
            return false;
        }

        r.RegisterNow();
        return true;
    }

    public Task<string?> PasswordAsync(Trunk trunk, CancellationToken ct) => _store.GetPasswordAsync(trunk.Id, ct);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_loops);
        _generation?.Dispose();
        _stopping.Dispose();
    }

    private static async Task<IPEndPoint?> ResolveAsync(Trunk trunk, CancellationToken ct)
    {
        if (IPAddress.TryParse(trunk.Host, out var ip))
        {
            return new IPEndPoint(ip, trunk.Port);
        }

        try
        {
            // RFC 3263 would look up NAPTR and SRV first; an A/AAAA record on the given port is what most trunks document.
            var addresses = await Dns.GetHostAddressesAsync(trunk.Host, ct);
            return addresses.Length > 0 ? new IPEndPoint(addresses[0], trunk.Port) : null;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Trunk {Trunk}: proxy {Proxy} does not resolve; the trunk is skipped")]
    private static partial void LogUnresolved(ILogger logger, string trunk, string proxy);
}
