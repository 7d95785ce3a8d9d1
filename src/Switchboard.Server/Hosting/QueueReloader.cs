using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Queues;

namespace Switchboard.Server.Hosting;

/// <summary>
/// Brings changes to the stored queues into the running server (docs/queues.md, "Configuration"): the CLI runs in
/// another process, and another node may make the change on a shared database, so the server looks at the queues'
/// change counter once every <see cref="Interval"/> (one row's read, on a pool thread, never on a call's or the queue's
/// loop) and reloads the queues when it moved. The first look always reloads, so a change made while the server started
/// is not missed.
/// </summary>
public sealed partial class QueueReloader(IQueueStore store, QueueService queues, TimeProvider time, ILogger<QueueReloader> log)
    : IHostedService, IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private long? _seen;
    private int _running;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = time.CreateTimer(_ => _ = CheckAsync(), null, Interval, Interval);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_timer is not null)
        {
            await _timer.DisposeAsync();
        }
    }

    /// <summary>One check at a time: a slow store makes the next tick skip, not pile up.</summary>
    private async Task CheckAsync()
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            return;
        }

        try
        {
            var generation = await store.ReadGenerationAsync(_stopping.Token);
            if (generation != _seen)
            {
                var list = await store.ListAsync(null, _stopping.Token);
                queues.Reload(list);
                _seen = generation;
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            // The store is away for a moment: the running queues stay as they are, and the next tick tries again.
            LogCheckFailed(log, e.Message);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync();
        }

        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 7026, Level = LogLevel.Warning, Message = "The queues could not be checked for changes ({Error}); they are checked again in a second")]
    private static partial void LogCheckFailed(ILogger logger, string error);
}
