using Switchboard.Pbx.Calls;

namespace Switchboard.Pbx.Tests.Calls;

/// <summary>The call's transition table and its deadlines, with explicit times: no clock, no SIP, no media.</summary>
public sealed class CallStateTests
{
    private static readonly CallState[] All = Enum.GetValues<CallState>();

    [Fact]
    public void Every_live_state_can_end_and_only_ending_reaches_ended()
    {
        foreach (var from in All.Where(s => s is not (CallState.Ending or CallState.Ended)))
        {
            Assert.True(CallStates.CanMove(from, CallState.Ending), $"{from} -> Ending");
            Assert.False(CallStates.CanMove(from, CallState.Ended), $"{from} -> Ended");
        }

        Assert.True(CallStates.CanMove(CallState.Ending, CallState.Ended));
        Assert.All(All, to => Assert.False(CallStates.CanMove(CallState.Ended, to)));
        Assert.All(All.Where(s => s != CallState.Ended), to => Assert.False(CallStates.CanMove(CallState.Ending, to)));
    }

    [Theory]
    [InlineData("Routing", "Ringing", true)]
    [InlineData("Routing", "Ivr", true)]
    [InlineData("Ringing", "Live", true)]
    [InlineData("Ringing", "Transfer", true)]
    [InlineData("Ivr", "Transfer", true)]
    [InlineData("Transfer", "Ringing", true)]
    [InlineData("Live", "Ringing", false)]
    [InlineData("Live", "Ivr", false)]
    [InlineData("Ringing", "Ivr", false)]
    [InlineData("Ivr", "Live", false)]
    public void Transitions(string from, string to, bool allowed) =>
        Assert.Equal(allowed, CallStates.CanMove(Enum.Parse<CallState>(from), Enum.Parse<CallState>(to)));

    [Fact]
    public void Deadlines_come_earliest_first_and_each_once()
    {
        var deadlines = new CallDeadlines();
        Assert.Null(deadlines.Next);
        deadlines.Set(CallDeadline.Ring, TimeSpan.FromSeconds(30));
        deadlines.Set(CallDeadline.TrunkResponse, TimeSpan.FromSeconds(4));
        Assert.Equal(TimeSpan.FromSeconds(4), deadlines.Next);
        Assert.False(deadlines.TakeDue(TimeSpan.FromSeconds(3), out _));

        Assert.True(deadlines.TakeDue(TimeSpan.FromSeconds(31), out var first));
        Assert.Equal(CallDeadline.TrunkResponse, first);
        Assert.True(deadlines.TakeDue(TimeSpan.FromSeconds(31), out var second));
        Assert.Equal(CallDeadline.Ring, second);
        Assert.False(deadlines.TakeDue(TimeSpan.FromSeconds(31), out _));
        Assert.Null(deadlines.Next);
    }

    [Fact]
    public void A_cleared_deadline_never_comes()
    {
        var deadlines = new CallDeadlines();
        deadlines.Set(CallDeadline.Ring, TimeSpan.FromSeconds(1));
        deadlines.Clear(CallDeadline.Ring);
        Assert.False(deadlines.IsSet(CallDeadline.Ring));
        Assert.False(deadlines.TakeDue(TimeSpan.FromHours(1), out _));
    }
}
