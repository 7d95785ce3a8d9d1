using Switchboard.Pbx.Calls;

namespace Switchboard.Pbx.Tests.Calls;

public class CallStartsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_last_minute_counts_starts_of_the_60_seconds_up_to_now_and_the_total_all()
    {
        var starts = new CallStarts();
        starts.Add(T0);
        starts.Add(T0.AddMilliseconds(400));
        starts.Add(T0.AddSeconds(30));
        starts.Add(T0.AddSeconds(59.9));

        Assert.Equal(4, starts.InLastMinute(T0.AddSeconds(59.9)));
        Assert.Equal(2, starts.InLastMinute(T0.AddSeconds(60)));
        Assert.Equal(2, starts.InLastMinute(T0.AddSeconds(89)));
        Assert.Equal(1, starts.InLastMinute(T0.AddSeconds(90)));
        Assert.Equal(0, starts.InLastMinute(T0.AddSeconds(120)));

        // A second's slot is reused a minute later: the old second's count does not leak into the new one.
        starts.Add(T0.AddSeconds(60));
        Assert.Equal(3, starts.InLastMinute(T0.AddSeconds(60.5)));
        Assert.Equal(5, starts.Total);
    }

    [Fact]
    public void Starts_from_several_threads_at_once_are_all_counted()
    {
        var starts = new CallStarts();
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                starts.Add(T0.AddSeconds(i % 3));
            }
        });

        Assert.Equal(40_000, starts.Total);
        Assert.Equal(40_000, starts.InLastMinute(T0.AddSeconds(2)));
    }
}
