using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Services;

namespace Switchboard.Pbx.Routing;

/// <summary>
/// Resolves what an extension dialled, as a desk phone would (spec 2.6). Internal numbers first:
/// built-in services, then the caller's own domain's extensions. Trunks join this list in a later stage.
/// </summary>
public sealed class DialPlan
{
    private readonly IDirectoryStore _directory;
    private readonly ServiceOptions _services;

    public DialPlan(IDirectoryStore directory, ServiceOptions services)
    {
        _directory = directory;
        _services = services;
    }

    public async Task<Route> ResolveAsync(Extension caller, string destination, string? onlyDestination, CancellationToken ct = default)
    {
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

        if (Names.IsExtensionNumber(destination) &&
            await _directory.FindExtensionAsync(caller.Domain, destination, ct) is { } target)
        {
            return new Route.ToExtension(target);
        }

        return new Route.NotFound();
    }
}
