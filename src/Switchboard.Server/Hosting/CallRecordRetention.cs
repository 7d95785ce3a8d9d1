using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Calls;

namespace Switchboard.Server.Hosting;

/// <summary>
/// Deletes call records older than the retention, once at start and then every <see cref="Interval"/>,
/// on a timer from the injected <see cref="TimeProvider"/>. One purge runs at a time: a tick that finds
/// the previous one still running skips.
/// </summary>
public sealed partial class CallRecordRetention : IHostedService, IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    private readonly ICallRecordStore _records;
    private readonly TimeProvider _time;
    private readonly ILogger<CallRecordRetention> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private Task _running = Task.CompletedTask;
    private int _disposed;

    /// <param name="retention">How long records are kept; zero or less keeps them for ever.</param>
    public CallRecordRetention(ICallRecordStore records, TimeSpan retention, TimeProvider time, ILogger<CallRecordRetention> logger)
    {
        _records = records;
        _time = time;
        _logger = logger;
        Retention = retention;
    }

    /// <summary>How long records are kept; <see cref="TimeSpan.Zero"/> keeps them for ever.</summary>
    public TimeSpan Retention { get; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Retention > TimeSpan.Zero)
        {
            _timer = _time.CreateTimer(_ => Tick(), null, TimeSpan.Zero, Interval);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync();
        }

        await _stopping.CancelAsync();
        await _running.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <remarks>Idempotent: the container disposes this instance twice, as a singleton and as a hosted service.</remarks>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await StopAsync(CancellationToken.None);
        _stopping.Dispose();
    }

    /// <summary>Deletes what is older than the retention now.</summary>
    /// <returns>How many records were deleted.</returns>
    public async Task<int> PurgeAsync(CancellationToken ct)
    {
        var cutoff = _time.GetUtcNow() - Retention;
        try
        {
            var deleted = await _records.DeleteOlderThanAsync(cutoff, ct);
            LogPurged(_logger, deleted, cutoff);
            return deleted;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A locked or full database must not stop the timer: the next hour tries again.
            LogPurgeFailed(_logger, ex);
            return 0;
        }
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (_running.IsCompleted && !_stopping.IsCancellationRequested)
            {
                _running = PurgeAsync(_stopping.Token);
            }
        }
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Call record retention deleted {Count} records started before {Cutoff}")]
    private static partial void LogPurged(ILogger logger, int count, DateTimeOffset cutoff);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Call record retention failed; it retries at the next interval")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
