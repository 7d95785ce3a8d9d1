namespace Switchboard.Pbx.Ivr;

/// <summary>
/// One caller in the auto attendant, sans-IO: inputs are the call's events with the time
/// (<see cref="Start"/>, <see cref="PromptFinished"/>, <see cref="Digit"/>, <see cref="Tick"/>); after
/// each input the owner drains <see cref="TryTakeAction"/> and sleeps until <see cref="NextWakeUp"/>.
/// Rules (docs/ivr.md): a key during a prompt stops it and is taken (barge-in); a key with no
/// destination plays the invalid-entry prompt, then the menu again; no key within the menu's timeout
/// after its prompt replays it; after <see cref="IvrMenu.MaxRetries"/> replays the next failure plays
/// goodbye and hangs up. <c>menu:NAME</c> enters another menu (its own retries); any other destination
/// ends the session with a transfer. Digits arrive from RFC 4733 or SIP INFO alike. One owner; not thread-safe.
/// </summary>
public sealed class IvrSession
{
    private readonly Dictionary<string, IvrMenu> _menus;
    private readonly Queue<IvrAction> _actions = new();
    private IvrState _state = IvrState.NotStarted;
    private IvrMenu _menu;
    private int _failures;

    /// <summary>A session that starts in <paramref name="startMenu"/>; every <c>menu:</c> destination must name one of <paramref name="menus"/> (the loader checks).</summary>
    public IvrSession(IEnumerable<IvrMenu> menus, string startMenu)
    {
        ArgumentNullException.ThrowIfNull(menus);
        _menus = menus.ToDictionary(m => m.Name, StringComparer.Ordinal);
        _menu = _menus.TryGetValue(startMenu, out var menu) ? menu : throw new ArgumentException($"No menu '{startMenu}'.", nameof(startMenu));
    }

    public IvrMenu CurrentMenu => _menu;

    /// <summary>When to call <see cref="Tick"/>: the key timeout while waiting; null otherwise (prompts end by <see cref="PromptFinished"/>).</summary>
    public TimeSpan? NextWakeUp { get; private set; }

    /// <summary>True after a transfer or a hang-up.</summary>
    public bool Ended => _state == IvrState.Ended;

    /// <summary>Failed attempts (invalid keys and timeouts) in the current menu.</summary>
    public int Failures => _failures;

    public void Start(TimeSpan now)
    {
        if (_state == IvrState.NotStarted)
        {
            EnterMenu(_menu);
        }
    }

    /// <summary>The prompt asked for by the last <see cref="IvrActionKind.Play"/> ended (not sent after a stop).</summary>
    public void PromptFinished(TimeSpan now)
    {
        switch (_state)
        {
            case IvrState.MenuPrompt:
                _state = IvrState.WaitingForKey;
                NextWakeUp = now + _menu.Timeout;
                break;
            case IvrState.InvalidPrompt:
                ReplayOrGiveUp();
                break;
            case IvrState.Goodbye:
                End(IvrAction.Hangup("no valid choice"));
                break;
            default:
                break;
        }
    }

    /// <summary>A key press from the caller.</summary>
    public void Digit(char key, TimeSpan now)
    {
        switch (_state)
        {
            case IvrState.MenuPrompt or IvrState.InvalidPrompt:
                _actions.Enqueue(IvrAction.StopPrompt());
                Choose(key);
                break;
            case IvrState.WaitingForKey:
                Choose(key);
                break;
            default:
                // Not started, saying goodbye, or over: keys mean nothing.
                break;
        }
    }

    /// <summary>The time passed: a key timeout may have expired.</summary>
    public void Tick(TimeSpan now)
    {
        if (_state == IvrState.WaitingForKey && NextWakeUp is { } due && now >= due)
        {
            _failures++;
            ReplayOrGiveUp();
        }
    }

    public bool TryTakeAction(out IvrAction action) => _actions.TryDequeue(out action);

    private void Choose(char key)
    {
        NextWakeUp = null;
        if (!_menu.Options.TryGetValue(key, out var destination))
        {
            _failures++;
            Play(IvrState.InvalidPrompt, _menu.InvalidPrompt);
            return;
        }

        if (IvrDestinations.MenuName(destination) is { } name && _menus.TryGetValue(name, out var next))
        {
            EnterMenu(next);
            return;
        }

        End(IvrAction.Transfer(destination));
    }

    private void EnterMenu(IvrMenu menu)
    {
        _menu = menu;
        _failures = 0;
        Play(IvrState.MenuPrompt, menu.Prompt);
    }

    private void ReplayOrGiveUp()
    {
        if (_failures > _menu.MaxRetries)
        {
            Play(IvrState.Goodbye, _menu.GoodbyePrompt);
        }
        else
        {
            Play(IvrState.MenuPrompt, _menu.Prompt);
        }
    }

    private void Play(IvrState state, string prompt)
    {
        _state = state;
        NextWakeUp = null;
        _actions.Enqueue(IvrAction.Play(prompt));
    }

    private void End(IvrAction action)
    {
        _state = IvrState.Ended;
        NextWakeUp = null;
        _actions.Enqueue(action);
    }

    private enum IvrState
    {
        NotStarted,
        MenuPrompt,
        InvalidPrompt,
        WaitingForKey,
        Goodbye,
        Ended,
    }
}
