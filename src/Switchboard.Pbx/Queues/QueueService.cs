using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Switchboard.Pbx.Queues;

/// <summary>
/// The queues' one owner (docs/queues.md; the call engine's threading, docs/sip.md): a loop that reads a mailbox, feeds
/// <see cref="QueueCore"/> and hands each decision to its call (which posts it to its own loop). Calls and the star
/// codes only post here, so the queues' state needs no lock. Its clock is the time since the service started, and one
/// timer wakes the core at its next deadline.
/// </summary>
public sealed partial class QueueService : IAsyncDisposable
{
    private readonly Channel<Input> _mailbox = Channel.CreateUnbounded<Input>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, IQueuedCall> _calls = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger<QueueService> _log;
    private readonly long _started;
    private readonly ITimer _wake;
    private readonly QueueCore _core;
    private readonly Task _loop;

    public QueueService(QueueDirectory directory, TimeProvider time, ILogger<QueueService> log)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(time);
        Directory = directory;
        _time = time;
        _log = log;
        _started = time.GetTimestamp();
        _core = new QueueCore(directory.All, TimeSpan.Zero);
        _wake = time.CreateTimer(_ => Post(new Input(InputKind.Wake)), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _loop = Task.Run(RunAsync);
    }

    private enum InputKind
    {
        Join,
        Leave,
        Missed,
        Answered,
        LogIn,
        LogOut,
        Wake,
        Reload,
        EnterCall,
        LeaveCall,
    }

    /// <summary>The queues this service runs: read at start, replaced by <see cref="Reload"/>.</summary>
    public QueueDirectory Directory { get; }

    /// <summary>
    /// The stored queues changed: look-ups see the new set at once, and the queue loop takes it in after the inputs posted
    /// before (a caller that found a new queue joins it after the reload, since the mailbox keeps order).
    /// </summary>
    public void Reload(IReadOnlyList<QueueDefinition> queues)
    {
        ArgumentNullException.ThrowIfNull(queues);
        Directory.Replace(queues);
        Post(new Input(InputKind.Reload, Queues: queues));
    }

    /// <summary>The call waits in <paramref name="queue"/>; its decisions reach <paramref name="call"/>. An unknown queue sends it straight to a hang-up.</summary>
    public void Join(string callId, string domain, string queue, IQueuedCall call) =>
        Post(new Input(InputKind.Join, callId, domain, queue, call));

    /// <summary>The call left (hung up while waiting or ringing an agent) or its answered part ended (the agent's wrap-up starts).</summary>
    public void Leave(string callId) => Post(new Input(InputKind.Leave, callId));

    /// <summary>The agents offered the caller did not answer.</summary>
    public void Missed(string callId) => Post(new Input(InputKind.Missed, callId));

    /// <summary>The agent <paramref name="agent"/> answered the caller.</summary>
    public void Answered(string callId, string agent) => Post(new Input(InputKind.Answered, callId, Name: agent));

    /// <summary>The extension became a party to a call: as an agent, it is offered nobody until it is in no call again.</summary>
    public void EnterCall(string domain, string number) => Post(new Input(InputKind.EnterCall, Domain: domain, Name: number));

    /// <summary>The extension is no longer a party to one of its calls.</summary>
    public void LeaveCall(string domain, string number) => Post(new Input(InputKind.LeaveCall, Domain: domain, Name: number));

    /// <summary><c>*45</c>: true when the extension is a member of some queue and is now logged in.</summary>
    public Task<bool> LogInAsync(string domain, string number) => Ask(InputKind.LogIn, domain, number);

    /// <summary><c>*46</c>: true when the extension is a member of some queue and is now logged out.</summary>
    public Task<bool> LogOutAsync(string domain, string number) => Ask(InputKind.LogOut, domain, number);

    public async ValueTask DisposeAsync()
    {
        _mailbox.Writer.TryComplete();
        await _loop;
        await _wake.DisposeAsync();
    }

    private Task<bool> Ask(InputKind kind, string domain, string number)
    {
        var reply = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_mailbox.Writer.TryWrite(new Input(kind, Domain: domain, Name: number, Reply: reply)))
        {
            reply.TrySetResult(false);
        }

        return reply.Task;
    }

    private void Post(Input input) => _mailbox.Writer.TryWrite(input);

    private TimeSpan Now => _time.GetElapsedTime(_started);

    private async Task RunAsync()
    {
        while (await _mailbox.Reader.WaitToReadAsync())
        {
            while (_mailbox.Reader.TryRead(out var input))
            {
                try
                {
                    Handle(input, Now);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    LogFailure(_log, ex);
                }
            }

            // Change, then drain: every decision goes to its call, then the one timer points at the next deadline.
            while (_core.TryTakeAction(out var action))
            {
                if (_calls.TryGetValue(action.CallId, out var call))
                {
                    call.OnQueueAction(action);
                }

                if (action is QueueAction.Fallback)
                {
                    _calls.Remove(action.CallId);
                }
            }

            _wake.Change(_core.NextWakeUp is { } at ? Max(at - Now, TimeSpan.Zero) : Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private void Handle(Input input, TimeSpan now)
    {
        switch (input.Kind)
        {
            case InputKind.Join:
                _calls[input.CallId!] = input.Call!;
                if (!_core.Join(input.CallId!, input.Domain!, input.Name!, now))
                {
                    input.Call!.OnQueueAction(new QueueAction.Fallback(input.CallId!, QueueDefinition.HangupPrefix + "unavailable"));
                    _calls.Remove(input.CallId!);
                }
                else
                {
                    var place = _core.PlaceOf(input.CallId!);
                    LogJoined(_log, input.CallId!, input.Name!, place);
                }

                break;
            case InputKind.Leave:
                _calls.Remove(input.CallId!);
                _core.Leave(input.CallId!, now);
                break;
            case InputKind.Missed:
                _core.Missed(input.CallId!, now);
                break;
            case InputKind.Answered:
                _core.Answered(input.CallId!, input.Name!, now);
                break;
            case InputKind.LogIn:
                input.Reply!.TrySetResult(_core.LogIn(input.Domain!, input.Name!, now));
                LogAgent(_log, input.Name!, "in");
                break;
            case InputKind.LogOut:
                input.Reply!.TrySetResult(_core.LogOut(input.Domain!, input.Name!));
                LogAgent(_log, input.Name!, "out");
                break;
            case InputKind.EnterCall:
                _core.EnterCall(input.Domain!, input.Name!);
                break;
            case InputKind.LeaveCall:
                _core.LeaveCall(input.Domain!, input.Name!, now);
                break;
            case InputKind.Wake:
                _core.Tick(now);
                break;
            case InputKind.Reload:
                _core.Reload(input.Queues!, now);
                LogReloaded(_log, input.Queues!.Count);
                break;
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private readonly record struct Input(
        InputKind Kind,
        string? CallId = null,
        string? Domain = null,
        string? Name = null,
        IQueuedCall? Call = null,
        TaskCompletionSource<bool>? Reply = null,
        IReadOnlyList<QueueDefinition>? Queues = null);

    [LoggerMessage(EventId = 7601, Level = LogLevel.Information, Message = "Call {CallId} waits in queue {Queue} at place {Place}")]
    private static partial void LogJoined(ILogger logger, string callId, string queue, int place);

    [LoggerMessage(EventId = 7602, Level = LogLevel.Information, Message = "Agent {Agent} logs {Direction}")]
    private static partial void LogAgent(ILogger logger, string agent, string direction);

    [LoggerMessage(EventId = 7604, Level = LogLevel.Information, Message = "Queues reloaded: {Count} queues")]
    private static partial void LogReloaded(ILogger logger, int count);

    [LoggerMessage(EventId = 7603, Level = LogLevel.Error, Message = "The queue loop failed on an input")]
    private static partial void LogFailure(ILogger logger, Exception exception);
}
