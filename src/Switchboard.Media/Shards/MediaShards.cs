using Microsoft.Extensions.Logging;

namespace Switchboard.Media.Shards;

/// <summary>The node's shards, one per core by default; a new call goes to the one with the fewest members.</summary>
public sealed class MediaShards : IAsyncDisposable
{
    private readonly MediaShard[] _shards;

    public MediaShards(int count, IMediaNetwork network, TimeProvider time, ILoggerFactory logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var log = logs.CreateLogger<MediaShard>();
        _shards = new MediaShard[count];
        for (var i = 0; i < count; i++)
        {
            _shards[i] = new MediaShard(i, network, time, log);
        }
    }

    public int Count => _shards.Length;

    public IReadOnlyList<MediaShard> All => _shards;

    /// <summary>The least loaded shard now (member counts are read without a lock: a good enough guess).</summary>
    public MediaShard Next()
    {
        var best = _shards[0];
        for (var i = 1; i < _shards.Length; i++)
        {
            if (_shards[i].Members < best.Members)
            {
                best = _shards[i];
            }
        }

        return best;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var shard in _shards)
        {
            await shard.DisposeAsync().ConfigureAwait(false);
        }
    }
}
