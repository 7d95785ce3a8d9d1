using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Calls;

namespace Switchboard.Server.Hosting;

/// <summary>
/// Shares this node's live calls with the other nodes (docs/scale-out.md, "Live calls across nodes"): once a second,
/// when the list changed, and at least every <see cref="Refresh"/> even when it did not, so the entry, which lives for
/// <see cref="Lifetime"/>, lapses only when the node is gone. Takes the hang-ups other nodes' administrators ask of it.
/// </summary>
public sealed partial class SharedLiveCallPublisher(ISharedLiveCalls shared, CallEngine calls, TimeProvider time,
    ILogger<SharedLiveCallPublisher> log) : IHostedService, IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Three missed refreshes: a node busy for a moment does not blink out of the list.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(6);

    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private ITimer? _timer;
    private IDisposable? _subscription;
    private IReadOnlyList<LiveCall> _published = [];
    private DateTimeOffset _publishedAt = DateTimeOffset.MinValue;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = shared.SubscribeHangUps(callId =>
        {
            // The asking node checked the administrator's domain against the call's shared picture.
            if (calls.HangUpByAdmin(callId, domain: null))
            {
                LogHangUp(log, callId);
            }
        });
        _timer = time.CreateTimer(_ => Tick(), null, TimeSpan.Zero, Interval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        _subscription?.Dispose();
        // Gone at once rather than after the lifetime: a stopped node has no calls.
        shared.Publish([], TimeSpan.FromMilliseconds(1));
        return Task.CompletedTask;
    }

    private void Tick()
    {
        // A timer tick may overlap a slow one; the lock keeps the published picture and its time together.
        lock (_gate)
        {
            var now = time.GetUtcNow();
            var current = calls.LiveCalls(domain: null);
            if (now - _publishedAt < Refresh && SamePictures(current, _published))
            {
                return;
            }

            shared.Publish(current, Lifetime);
            _published = current;
            _publishedAt = now;
        }
    }

    /// <summary>Each call takes a new picture of itself whenever it changes, so unchanged means the same objects.</summary>
    private static bool SamePictures(IReadOnlyList<LiveCall> a, IReadOnlyList<LiveCall> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!ReferenceEquals(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _subscription?.Dispose();
    }

    [LoggerMessage(EventId = 7025, Level = LogLevel.Information, Message = "Call {CallId} ended on an administrator's hang-up made on another node")]
    private static partial void LogHangUp(ILogger logger, string callId);
}
