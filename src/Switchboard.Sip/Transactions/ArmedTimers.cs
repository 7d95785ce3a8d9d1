using System.Runtime.CompilerServices;

namespace Switchboard.Sip.Transactions;

/// <summary>
/// The timers a transaction has armed, kept inline: no machine of RFC 3261 section 17 (with RFC 6026) arms more than
/// two at once (A and B, E and F, G and H; then D, I, J, K, L or M alone), and every transaction lingers after its
/// final response for up to 64 x T1 with one of them armed. A dictionary per transaction was 200 bytes on the heap of
/// each of the tens of thousands that linger at a few hundred calls a second; these slots are part of the transaction.
/// </summary>
internal struct ArmedTimers
{
    private TimerSlots _slots;

    /// <summary>The earliest due time; null when none is armed.</summary>
    public readonly DateTimeOffset? Earliest
    {
        get
        {
            DateTimeOffset? earliest = null;
            foreach (var slot in _slots)
            {
                if (slot.Armed && (earliest is null || slot.Due < earliest))
                {
                    earliest = slot.Due;
                }
            }

            return earliest;
        }
    }

    /// <summary>Arms <paramref name="timer"/> for <paramref name="due"/>, replacing its earlier due time.</summary>
    public void Set(SipTimer timer, DateTimeOffset due)
    {
        var free = -1;
        for (var i = 0; i < TimerSlots.Length; i++)
        {
            if (_slots[i].Armed && _slots[i].Timer == timer)
            {
                _slots[i] = new TimerSlot(true, timer, due);
                return;
            }

            if (!_slots[i].Armed && free < 0)
            {
                free = i;
            }
        }

        if (free < 0)
        {
            throw new InvalidOperationException($"A transaction armed more than {TimerSlots.Length} timers at once.");
        }

        _slots[free] = new TimerSlot(true, timer, due);
    }

    /// <summary>Disarms <paramref name="timer"/>; false when it was not armed.</summary>
    public bool Remove(SipTimer timer)
    {
        for (var i = 0; i < TimerSlots.Length; i++)
        {
            if (_slots[i].Armed && _slots[i].Timer == timer)
            {
                _slots[i] = default;
                return true;
            }
        }

        return false;
    }

    public void Clear() => _slots = default;

    /// <summary>The armed timer due first at or before <paramref name="now"/>, if any.</summary>
    public readonly bool TryGetDue(DateTimeOffset now, out SipTimer timer, out DateTimeOffset due)
    {
        timer = default;
        due = DateTimeOffset.MaxValue;
        var found = false;
        foreach (var slot in _slots)
        {
            if (slot.Armed && slot.Due <= now && slot.Due < due)
            {
                (timer, due, found) = (slot.Timer, slot.Due, true);
            }
        }

        return found;
    }

    private readonly record struct TimerSlot(bool Armed, SipTimer Timer, DateTimeOffset Due);

    [InlineArray(Length)]
    private struct TimerSlots
    {
        public const int Length = 3;
        private TimerSlot _first;
    }
}
