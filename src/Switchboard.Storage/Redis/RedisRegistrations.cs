using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Switchboard.Pbx.Registrar;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Storage.Redis;

/// <summary>
/// Registrations shared between nodes through Redis (docs/scale-out.md, "Calls across nodes"). Each node writes its
/// shared bindings of an extension (UDP ones, and those over its connections in hop form) to <c>reg:EXT:NODE</c>
/// (expiring with the last of them, so a node that died leaves nothing behind for long) and announces the same text on the <c>registrations</c> channel; every node keeps the others'
/// bindings in its location service, read at start with SCAN and kept current by the channel. The call path never
/// waits for Redis: look-ups read the local copy.
/// </summary>
public sealed class RedisRegistrations : ISharedRegistrations
{
    private static readonly IPEndPoint UnknownLocal = new(IPAddress.Any, 0);

    private readonly RedisSharedState _redis;
    private readonly TimeProvider _time;
    private readonly ILogger _log;

    public RedisRegistrations(RedisSharedState redis, TimeProvider time, ILogger<RedisRegistrations> log)
    {
        _redis = redis;
        _time = time;
        _log = log;
    }

    /// <summary>This process's name among the nodes: random per start, so a restarted node's old entries are simply another node's, expiring.</summary>
    public string Node { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public void Publish(long extensionId, IReadOnlyList<ContactBinding> udpBindings)
    {
        ArgumentNullException.ThrowIfNull(udpBindings);
        var now = _time.GetUtcNow();
        var json = JsonSerializer.Serialize(udpBindings.Select(ToEntry).ToArray());
        var key = _redis.Key("reg", extensionId.ToString(CultureInfo.InvariantCulture) + ":" + Node);
        var message = Node + "|" + extensionId.ToString(CultureInfo.InvariantCulture) + "|" + json;
        try
        {
            // Fire and forget: the commands leave in order on the one connection, so the stored value and the announcement agree.
            var lifetime = udpBindings.Count == 0 ? TimeSpan.Zero : udpBindings.Max(b => b.ExpiresAt) - now;
            if (lifetime > TimeSpan.Zero)
            {
                _redis.Database.StringSet(key, json, lifetime, flags: CommandFlags.FireAndForget);
            }
            else
            {
                _redis.Database.KeyDelete(key, CommandFlags.FireAndForget);
            }

            _redis.Database.Publish(_redis.Channel("registrations"), message, CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is RedisException or ObjectDisposedException)
        {
            RedisLog.PublishFailed(_log, extensionId, e.Message);
        }
    }

    public async Task<IReadOnlyList<NodeBindings>> LoadAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        var found = new List<NodeBindings>();
        await foreach (var (name, value) in _redis.ScanStringsAsync("reg", ct))
        {
            var colon = name.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && long.TryParse(name[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var extensionId) &&
                name[(colon + 1)..] is { Length: > 0 } node && node != Node && Parse(extensionId, value) is { } bindings)
            {
                found.Add(new NodeBindings(node, extensionId, [.. bindings.Where(b => b.ExpiresAt > now)]));
            }
        }

        return found;
    }

    public IDisposable Subscribe(Action<NodeBindings> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        var queue = _redis.Connection.GetSubscriber().Subscribe(_redis.Channel("registrations"));
        queue.OnMessage(message =>
        {
            var text = message.Message.ToString();
            var parts = text.Split('|', 3);
            if (parts.Length == 3 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var extensionId) &&
                Parse(extensionId, parts[2]) is { } bindings)
            {
                if (parts[0] != Node)
                {
                    onChange(new NodeBindings(parts[0], extensionId, bindings));
                }
            }
            else
            {
                RedisLog.BadRegistrationMessage(_log, text.Length > 200 ? text[..200] : text);
            }
        });
        return new ChannelSubscription(queue);
    }

    private static Entry ToEntry(ContactBinding b) => new(b.Contact.ToString(), b.Flow.Remote.ToString(), b.ExpiresAt.ToUnixTimeMilliseconds(),
        b.InstanceId, b.RegId, b.CallId, b.CSeq, b.UserAgent, b.Path);

    /// <summary>The bindings a node shared; null when the text is not what <see cref="Publish"/> writes (then nothing of it is taken).</summary>
    private static List<ContactBinding>? Parse(long extensionId, string json)
    {
        Entry[]? entries;
        try
        {
            entries = JsonSerializer.Deserialize<Entry[]>(json);
        }
        catch (JsonException)
        {
            return null;
        }

        var bindings = new List<ContactBinding>();
        foreach (var e in entries ?? [])
        {
            if (e is null || !SipUri.TryParse(e.Contact, out var contact) || !IPEndPoint.TryParse(e.Remote, out var remote) || e.CallId is null)
            {
                return null;
            }

            bindings.Add(new ContactBinding(extensionId, contact, new SipFlow(SipTransportKind.Udp, UnknownLocal, remote),
                DateTimeOffset.FromUnixTimeMilliseconds(e.ExpiresAtMs), e.InstanceId, e.RegId, e.CallId, e.CSeq, e.UserAgent, e.Path));
        }

        return bindings;
    }

    private sealed record Entry(string Contact, string Remote, long ExpiresAtMs, string? InstanceId, int? RegId, string CallId, uint CSeq,
        string? UserAgent, IReadOnlyList<string>? Path);
}
