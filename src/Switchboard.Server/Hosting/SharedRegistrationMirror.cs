using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Registrar;
using Switchboard.Sip.Transport;

namespace Switchboard.Server.Hosting;

/// <summary>
/// Keeps the other nodes' shared registrations in this node's location service (docs/scale-out.md, "Calls across
/// nodes"): subscribes first, so no change slips between the two, then reads what is shared already. Each binding gets a
/// flow from this node's own UDP socket to the same remote address (a phone's, the proxy's in front that added a Path,
/// or the holding node's, whose hop carries the call over the phone's connection).
/// </summary>
public sealed partial class SharedRegistrationMirror(ISharedRegistrations shared, LocationService locations, TimeProvider time,
    ILogger<SharedRegistrationMirror> log) : IDisposable
{
    private IDisposable? _subscription;

    public async Task StartAsync(SipTransportHub hub, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(hub);
        _subscription = shared.Subscribe(change => Apply(hub, change));
        var known = await shared.LoadAsync(time.GetUtcNow(), ct);
        var count = 0;
        foreach (var change in known)
        {
            Apply(hub, change);
            count += change.Bindings.Count;
        }

        LogLoaded(log, count, known.Count);
    }

    private void Apply(SipTransportHub hub, NodeBindings change)
    {
        var bindings = change.Bindings
            .Select(b => hub.CreateFlow(SipTransportKind.Udp, b.Flow.Remote) is { } flow ? b with { Flow = flow } : null)
            .OfType<ContactBinding>().ToList();
        locations.ApplyRemote(change.Node, change.ExtensionId, bindings);
    }

    public void Dispose() => _subscription?.Dispose();

    [LoggerMessage(EventId = 7024, Level = LogLevel.Information, Message = "Took in {Bindings} registrations of {Extensions} extensions shared by other nodes")]
    private static partial void LogLoaded(ILogger logger, int bindings, int extensions);
}
