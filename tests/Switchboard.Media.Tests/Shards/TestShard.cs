using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Media.Shards;

namespace Switchboard.Media.Tests.Shards;

/// <summary>One real shard (epoll over UDP, system clock) shared by the socket-level leg tests, as the server has.</summary>
internal static class TestShard
{
    public static MediaShard Shared { get; } = new(0, UdpMediaNetwork.Instance, TimeProvider.System, NullLogger.Instance);
}
