namespace Switchboard.Pbx.Calls;

/// <summary>
/// Calls started: the total since start (metrics turn it into calls per second as a rate) and how many in the last
/// minute (the admin overview). The minute is 60 one-second slots, each one long holding its second and its count, so a
/// start is one compare-and-swap, without a lock, from whichever thread starts the call.
/// </summary>
internal sealed class CallStarts
{
    private const int Slots = 60;

    /// <summary>Bits of a slot kept for the count; the rest hold the second (Unix time) it counts.</summary>
    private const int CountBits = 20;
    private const long CountMask = (1L << CountBits) - 1;

    private readonly long[] _slots = new long[Slots];
    private long _total;

    public long Total => Interlocked.Read(ref _total);

    public void Add(DateTimeOffset now)
    {
        Interlocked.Increment(ref _total);
        var second = now.ToUnixTimeSeconds();
        ref var slot = ref _slots[second % Slots];
        while (true)
        {
            var seen = Volatile.Read(ref slot);
            var next = seen >> CountBits == second ? seen + ((seen & CountMask) < CountMask ? 1 : 0) : (second << CountBits) | 1;
            if (Interlocked.CompareExchange(ref slot, next, seen) == seen)
            {
                return;
            }
        }
    }

    /// <summary>Calls started in the 60 seconds up to <paramref name="now"/>, this one included.</summary>
    public int InLastMinute(DateTimeOffset now)
    {
        var second = now.ToUnixTimeSeconds();
        long sum = 0;
        for (var i = 0; i < Slots; i++)
        {
            var slot = Volatile.Read(ref _slots[i]);
            var age = second - (slot >> CountBits);
            if (age is >= 0 and < Slots)
            {
                sum += slot & CountMask;
            }
        }

        return (int)sum;
    }
}
