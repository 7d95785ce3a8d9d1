using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;
using Switchboard.Pbx.Services;

namespace Switchboard.Pbx.Routing;

/// <summary>Where a dialled number leads, as the dial plan decides it.</summary>
public abstract record Route
{
    /// <summary>The word the call record keeps for this route.</summary>
    public abstract string Name { get; }

    public sealed record NotFound : Route
    {
        public override string Name => "none";
    }

    public sealed record NotPermitted(string Why) : Route
    {
        public override string Name => "denied";
    }

    public sealed record ToExtension(Extension Target) : Route
    {
        public override string Name => "extension";
    }

    public sealed record ToService(BuiltInService Service) : Route
    {
        public override string Name => Service switch
        {
            BuiltInService.Echo => "service:echo",
            BuiltInService.Ivr => "service:ivr",
            BuiltInService.QueueLogin => "service:queue-login",
            BuiltInService.QueueLogout => "service:queue-logout",
            _ => "service:dtmf-test",
        };
    }

    /// <summary>A call queue of the caller's domain, dialled by its number (docs/queues.md).</summary>
    public sealed record ToQueueLine(Queues.QueueDefinition Queue) : Route
    {
        public override string Name => Queues.QueueDefinition.DestinationPrefix + Queue.Name;
    }

    /// <summary>Out through a trunk: <see cref="Number"/> is already rewritten by the dial rule that chose it.</summary>
    public sealed record ToTrunk(string Trunk, string Number, NumberClass Class) : Route
    {
        public override string Name => "trunk:" + Trunk;
    }
}
