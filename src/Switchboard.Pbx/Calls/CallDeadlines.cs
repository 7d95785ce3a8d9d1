namespace Switchboard.Pbx.Calls;

/// <summary>What a call is waiting for the clock to do; <see cref="CallDeadlines.TakeDue"/> says which came.</summary>
internal enum CallDeadline
{
    /// <summary>Nobody answered in time: no answer (or a ring group's fallback).</summary>
    Ring,

    /// <summary>A trunk said nothing at all, not even 100 Trying: it counts as down.</summary>
    TrunkResponse,

    /// <summary>A built-in service's own limit (its longest call, or the DTMF test's hang-up).</summary>
    ServiceLimit,

    /// <summary>The safety limit on any answered call.</summary>
    MaxDuration,
}

/// <summary>
/// A call's timers as deadlines on the call's own clock (time since it started), with no timer inside: the call's
/// loop arms one wake-up at <see cref="Next"/> and, when it fires, takes what is due. Sans-IO, so time is an input.
/// </summary>
internal sealed class CallDeadlines
{
    private readonly TimeSpan?[] _at = new TimeSpan?[4];

    /// <summary>The earliest deadline set, or null when none is.</summary>
    public TimeSpan? Next
    {
        get
        {
            TimeSpan? next = null;
            foreach (var at in _at)
            {
                if (at is { } due && (next is null || due < next))
                {
                    next = due;
                }
            }

            return next;
        }
    }

    public void Set(CallDeadline deadline, TimeSpan at) => _at[(int)deadline] = at;

    public void Clear(CallDeadline deadline) => _at[(int)deadline] = null;

    public bool IsSet(CallDeadline deadline) => _at[(int)deadline] is not null;

    /// <summary>The earliest deadline due at <paramref name="now"/>, cleared as it is taken; false when none is due.</summary>
    public bool TakeDue(TimeSpan now, out CallDeadline due)
    {
        due = default;
        TimeSpan? earliest = null;
        for (var i = 0; i < _at.Length; i++)
        {
            if (_at[i] is { } at && at <= now && (earliest is null || at < earliest))
            {
                earliest = at;
                due = (CallDeadline)i;
            }
        }

        if (earliest is null)
        {
            return false;
        }

        _at[(int)due] = null;
        return true;
    }
}
