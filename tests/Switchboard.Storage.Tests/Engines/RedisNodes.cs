using Switchboard.Storage.Redis;

namespace Switchboard.Storage.Tests.Engines;

/// <summary>
/// The connections of one test's simulated nodes to the run's Redis, all under one key prefix of the test's own:
/// each <see cref="ConnectAsync"/> is a node's connection; <see cref="CloseAsync"/> (the test's end) closes them all.
/// </summary>
public sealed class RedisNodes(string name)
{
    private readonly List<RedisSharedState> _connections = [];

    public string Prefix { get; } = RedisServer.NewPrefix(name);

    public IReadOnlyList<RedisSharedState> Connections => _connections;

    public async Task<RedisSharedState> ConnectAsync()
    {
        var connection = await RedisServer.ConnectAsync(Prefix);
        _connections.Add(connection);
        return connection;
    }

    public async Task CloseAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }
}
