using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;
using Switchboard.Pbx.Services;

namespace Switchboard.Pbx.Routing;

/// <summary>
/// Resolves what an extension dialled, as a desk phone would (spec 2.6). Internal numbers first:
/// built-in services, then the caller's own domain's extensions. Anything else is external and goes to the
/// <see cref="CallPolicy"/> (classes, allow-list, limits, dial rules), when there is one; without it, not found.
/// </summary>
public sealed class DialPlan
{
    private readonly IDirectoryStore _directory;
    private readonly ServiceOptions _services;
    private readonly CallPolicy? _policy;
    private readonly Queues.QueueDirectory _queues;

    public DialPlan(IDirectoryStore directory, ServiceOptions services)
        : this(directory, services, null)
    {
    }

    public DialPlan(IDirectoryStore directory, ServiceOptions services, CallPolicy? policy)
        : this(directory, services, policy, null)
    {
    }

    public DialPlan(IDirectoryStore directory, ServiceOptions services, CallPolicy? policy, Queues.QueueDirectory? queues)
    {
        _queues = queues ?? Queues.QueueDirectory.Empty;
        _directory = directory;
        _services = services;
        _policy = policy;
    }

    /// <summary>
    /// Without the call's origin: a signed link when <paramref name="onlyDestination"/> is set, else treated as the
    /// popup, the stricter of the other two (the click-to-call allow-list applies).
    /// </summary>
    public Task<Route> ResolveAsync(Extension caller, string destination, string? onlyDestination, CancellationToken ct = default) =>
        ResolveAsync(caller, destination, onlyDestination is null ? CallOrigin.Web : CallOrigin.Link, onlyDestination, ct);

    /// <param name="origin"><c>web</c>, <c>link</c> or <c>sip</c>, as in <c>CallRequest.Origin</c>.</param>
    public async Task<Route> ResolveAsync(Extension caller, string destination, string origin, string? onlyDestination, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        // A signed link grants exactly its own destination (spec 2.3), whatever the dial plan would allow.
        if (onlyDestination is not null && !string.Equals(onlyDestination, destination, StringComparison.Ordinal))
        {
            return new Route.NotPermitted("link is for another destination");
        }

        if (!Names.IsDialString(destination))
        {
            return new Route.NotFound();
        }

        if (destination == _services.EchoNumber)
        {
            return new Route.ToService(BuiltInService.Echo);
        }

        if (destination == _services.DtmfTestNumber)
        {
            return new Route.ToService(BuiltInService.DtmfTest);
        }

        if (destination == _services.IvrNumber)
        {
            return new Route.ToService(BuiltInService.Ivr);
        }

        if (destination == _services.QueueLoginNumber)
        {
            return new Route.ToService(BuiltInService.QueueLogin);
        }

        if (destination == _services.QueueLogoutNumber)
        {
            return new Route.ToService(BuiltInService.QueueLogout);
        }

        // A queue's number is an internal number like an extension's (no rule, class or limit applies).
        if (_queues.FindByNumber(caller.Domain, destination) is { } queue)
        {
            return new Route.ToQueueLine(queue);
        }

        if (Names.IsExtensionNumber(destination) &&
            await _directory.FindExtensionAsync(caller.Domain, destination, ct) is { } target)
        {
            return new Route.ToExtension(target);
        }

        return _policy is null ? new Route.NotFound() : await _policy.DecideAsync(caller, destination, origin, ct);
    }
}
