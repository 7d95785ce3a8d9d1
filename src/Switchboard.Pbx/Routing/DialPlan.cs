using Switchboard.Pbx.Directory;

namespace Switchboard.Pbx.Routing;

/// <summary>
/// Resolves what an extension dialled, as a desk phone would (spec 2.6). Internal numbers first:
/// the caller's own domain's extensions. Built-in services and trunks join this list in later stages.
/// </summary>
public sealed class DialPlan
{
    private readonly IDirectoryStore _directory;

    public DialPlan(IDirectoryStore directory) => _directory = directory;

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

        if (Names.IsExtensionNumber(destination) &&
            await _directory.FindExtensionAsync(caller.Domain, destination, ct) is { } target)
        {
            return new Route.ToExtension(target);
        }

        return new Route.NotFound();
    }
}
