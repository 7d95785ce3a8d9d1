using System.Text.Json;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Switchboard.Pbx.Calls;

namespace Switchboard.Storage.Redis;

/// <summary>
/// Live calls shared between nodes through Redis (docs/scale-out.md, "Live calls across nodes"): each node writes the
/// JSON list of its calls to <c>live:NODE</c> with a short expiry, and listens on <c>hangup:NODE</c> for administrators'
/// hang-ups made on other nodes. The portal reads the others' lists with SCAN; no call ever waits for Redis.
/// </summary>
public sealed class RedisLiveCalls : ISharedLiveCalls
{
    private readonly RedisSharedState _redis;
    private readonly ILogger _log;

    /// <param name="node">This node's name: the store's (<c>StoreDatabase.Node</c>), so the portal shows one name per node.</param>
    public RedisLiveCalls(RedisSharedState redis, string node, ILogger<RedisLiveCalls> log)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        _redis = redis;
        Node = node;
        _log = log;
    }

    public string Node { get; }

    public void Publish(IReadOnlyList<LiveCall> calls, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(calls);
        try
        {
            _redis.Database.StringSet(_redis.Key("live", Node), JsonSerializer.Serialize(calls), lifetime, flags: CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is RedisException or ObjectDisposedException)
        {
            RedisLog.LiveCallsNotShared(_log, e.Message);
        }
    }

    public async Task<IReadOnlyList<NodeLiveCall>> LoadOthersAsync(CancellationToken ct = default)
    {
        var found = new List<NodeLiveCall>();
        try
        {
            await foreach (var (node, value) in _redis.ScanStringsAsync("live", ct))
            {
                if (node.Length > 0 && node != Node && Parse(value) is { } calls)
                {
                    found.AddRange(calls.Select(c => new NodeLiveCall(node, c)));
                }
            }
        }
        catch (Exception e) when (e is RedisException or ObjectDisposedException)
        {
            // The portal then shows this node's calls and what it read so far, rather than an error.
            RedisLog.LiveCallsNotRead(_log, e.Message);
        }

        return found;
    }

    public void RequestHangUp(string node, string callId)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentException.ThrowIfNullOrEmpty(callId);
        try
        {
            _redis.Database.Publish(_redis.Channel("hangup:" + node), callId, CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is RedisException or ObjectDisposedException)
        {
            RedisLog.HangUpNotSent(_log, callId, node, e.Message);
        }
    }

    public IDisposable SubscribeHangUps(Action<string> onRequest)
    {
        ArgumentNullException.ThrowIfNull(onRequest);
        var queue = _redis.Connection.GetSubscriber().Subscribe(_redis.Channel("hangup:" + Node));
        queue.OnMessage(message =>
        {
            if (message.Message.ToString() is { Length: > 0 } callId)
            {
                onRequest(callId);
            }
        });
        return new ChannelSubscription(queue);
    }

    /// <summary>A node's list; null when the text is not what <see cref="Publish"/> writes (then none of it is shown).</summary>
    private List<LiveCall>? Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<List<LiveCall>>(json) is { } calls && calls.TrueForAll(c => c is { CallId.Length: > 0, Domain: not null }) ? calls : null;
        }
        catch (JsonException e)
        {
            RedisLog.BadLiveCalls(_log, e.Message);
            return null;
        }
    }
}
