using StackExchange.Redis;

namespace Switchboard.Storage.Redis;

/// <summary>A subscription to one channel, ended by disposing it.</summary>
internal sealed class ChannelSubscription(ChannelMessageQueue queue) : IDisposable
{
    public void Dispose() => queue.Unsubscribe();
}
