using Switchboard.Pbx.Queues;

namespace Switchboard.Pbx.Tests.Queues;

/// <summary>The queues' decisions with explicit times: no clock, no calls, no media.</summary>
public sealed class QueueCoreTests
{
    private const string Domain = "example.com";
    private static readonly TimeSpan T0 = TimeSpan.FromSeconds(100);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static QueueDefinition Queue(QueueStrategy strategy, params string[] members) =>
        new(1, Domain, "sales", "800", strategy, members, TimeSpan.FromSeconds(120), "*50", TimeSpan.FromSeconds(10),
            TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(15), "en", QueueDefinition.DefaultHoldMusic);

    private static List<QueueAction> Drain(QueueCore core)
    {
        var actions = new List<QueueAction>();
        while (core.TryTakeAction(out var action))
        {
            actions.Add(action);
        }

        return actions;
    }

    private static List<QueueAction.Offer> Offers(List<QueueAction> actions) => [.. actions.OfType<QueueAction.Offer>()];

    [Fact]
    public void Callers_wait_in_order_and_are_told_their_place_which_moves_up_when_one_leaves()
    {
        var core = new QueueCore([Queue(QueueStrategy.RingAll, "100")], T0);
        Assert.True(core.LogOut(Domain, "100"));
        core.Join("a", Domain, "sales", T0);
        core.Join("b", Domain, "sales", T0 + Second);
        core.Join("c", Domain, "sales", T0 + (2 * Second));
        var joined = Drain(core);
        Assert.Contains(new QueueAction.Position("c", 3), joined);
        Assert.Contains(joined, a => a is QueueAction.Announce { CallId: "b", Place: 2 });
        Assert.Empty(Offers(joined));

        core.Leave("a", T0 + (3 * Second));
        Assert.Equal([new QueueAction.Position("b", 1), new QueueAction.Position("c", 2)], Drain(core));

        // The agent logs back in: the first in line is offered, not the last.
        core.LogIn(Domain, "100", T0 + (4 * Second));
        var offer = Assert.IsType<QueueAction.Offer>(Assert.Single(Drain(core)));
        Assert.Equal(("b", "100", TimeSpan.FromSeconds(15)), (offer.CallId, offer.Agents.Single(), offer.RingTimeout));
    }

    [Fact]
    public void Ring_all_offers_every_idle_agent_and_the_answer_makes_only_the_answering_one_busy()
    {
        var core = new QueueCore([Queue(QueueStrategy.RingAll, "100", "101", "102")], T0);
        core.LogOut(Domain, "102");
        core.Join("a", Domain, "sales", T0);
        Assert.Equal(["100", "101"], Offers(Drain(core)).Single().Agents);

        core.Answered("a", "101", T0 + Second);
        core.Join("b", Domain, "sales", T0 + (2 * Second));
        Assert.Equal(["100"], Offers(Drain(core)).Single().Agents);
    }

    [Fact]
    public void Round_robin_takes_turns_in_the_members_order()
    {
        var core = new QueueCore([Queue(QueueStrategy.RoundRobin, "100", "101", "102") with { WrapUp = TimeSpan.Zero }], T0);
        var agents = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var call = "c" + i;
            var at = T0 + (i * 10 * Second);
            core.Join(call, Domain, "sales", at);
            var offer = Offers(Drain(core)).Single();
            agents.Add(offer.Agents.Single());
            core.Answered(call, offer.Agents.Single(), at + Second);
            core.Leave(call, at + (2 * Second));
            Drain(core);
        }

        Assert.Equal(["100", "101", "102", "100"], agents);
    }

    [Fact]
    public void Longest_idle_picks_the_agent_whose_last_call_ended_first()
    {
        var core = new QueueCore([Queue(QueueStrategy.LongestIdle, "100", "101") with { WrapUp = TimeSpan.Zero }], T0);
        core.Join("a", Domain, "sales", T0);
        Assert.Equal("100", Offers(Drain(core)).Single().Agents.Single());
        core.Answered("a", "100", T0 + Second);
        core.Join("b", Domain, "sales", T0 + (2 * Second));
        Assert.Equal("101", Offers(Drain(core)).Single().Agents.Single());
        core.Answered("b", "101", T0 + (3 * Second));

        // 101 finishes first, so it has been idle longer than 100 when the next caller comes.
        core.Leave("b", T0 + (10 * Second));
        core.Leave("a", T0 + (20 * Second));
        Drain(core);
        core.Join("c", Domain, "sales", T0 + (30 * Second));
        Assert.Equal("101", Offers(Drain(core)).Single().Agents.Single());
    }

    [Fact]
    public void An_agent_in_another_call_is_offered_nobody_until_it_ends_and_longest_idle_counts_from_that_end()
    {
        var core = new QueueCore([Queue(QueueStrategy.LongestIdle, "100", "101") with { WrapUp = TimeSpan.Zero }], T0);

        // 100 (first in the members' order, so it would win the tie) placed a call of its own: 101 gets the caller.
        core.EnterCall("EXAMPLE.com", "100");
        core.Join("a", Domain, "sales", T0 + Second);
        Assert.Equal("101", Offers(Drain(core)).Single().Agents.Single());
        core.Answered("a", "101", T0 + (2 * Second));
        core.EnterCall(Domain, "101");

        // Both in calls: the next caller waits; 100's call ending offers it at once, with no tick.
        core.Join("b", Domain, "sales", T0 + (3 * Second));
        Assert.Empty(Offers(Drain(core)));
        core.LeaveCall(Domain, "100", T0 + (4 * Second));
        var offered = Offers(Drain(core)).Single();
        Assert.Equal(("b", "100"), (offered.CallId, offered.Agents.Single()));
        core.Missed("b", T0 + (5 * Second));
        core.Leave("b", T0 + (5 * Second));
        Drain(core);

        // 101's queue call ends (both reports, in either order) after 100's call did: 100 has been idle longer.
        core.LeaveCall(Domain, "101", T0 + (20 * Second));
        core.Leave("a", T0 + (20 * Second));
        Drain(core);
        core.Join("c", Domain, "sales", T0 + (30 * Second));
        Assert.Equal("100", Offers(Drain(core)).Single().Agents.Single());
    }

    [Fact]
    public void A_queue_calls_end_reported_before_its_leave_keeps_the_wrap_up()
    {
        var core = new QueueCore([Queue(QueueStrategy.RingAll, "100")], T0);
        core.Join("a", Domain, "sales", T0);
        Drain(core);
        core.Answered("a", "100", T0 + Second);
        core.EnterCall(Domain, "100");
        core.Join("b", Domain, "sales", T0 + (2 * Second));
        Drain(core);

        var ended = T0 + (60 * Second);
        core.LeaveCall(Domain, "100", ended);
        core.Leave("a", ended);
        Assert.Empty(Offers(Drain(core)));
        core.Tick(ended + TimeSpan.FromSeconds(10));
        Assert.Equal("b", Offers(Drain(core)).Single().CallId);
    }

    [Fact]
    public void Calls_of_an_extension_in_no_queue_and_an_unmatched_end_change_nothing()
    {
        var core = new QueueCore([Queue(QueueStrategy.RingAll, "100")], T0);
        core.EnterCall(Domain, "555");
        core.LeaveCall(Domain, "555", T0);

        // An end never counted (the member came with a reload during its call) does not make the agent owe one.
        core.LeaveCall(Domain, "100", T0);
        core.EnterCall(Domain, "100");
        core.LeaveCall(Domain, "100", T0 + Second);
        core.Join("a", Domain, "sales", T0 + (2 * Second));
        Assert.Equal("100", Offers(Drain(core)).Single().Agents.Single());
    }

    [Fact]
    public void Wrap_up_keeps_the_agent_from_the_next_caller_until_it_is_over()
    {
        var core = new QueueCore([Queue(QueueStrategy.RingAll, "100")], T0);
        core.Join("a", Domain, "sales", T0);
        Drain(core);
        core.Answered("a", "100", T0 + Second);
        core.Join("b", Domain, "sales", T0 + (2 * Second));
        Assert.Empty(Offers(Drain(core)));

        var ended = T0 + (60 * Second);
        core.Leave("a", ended);
        Assert.Empty(Offers(Drain(core)));
        Assert.True(core.NextWakeUp <= ended + TimeSpan.FromSeconds(10));

        core.Tick(ended + TimeSpan.FromSeconds(9));
        Assert.Empty(Offers(Drain(core)));
        core.Tick(ended + TimeSpan.FromSeconds(10));
        Assert.Equal("b", Offers(Drain(core)).Single().CallId);
    }

    [Fact]
    public void A_missed_offer_goes_to_the_next_agent_and_the_one_who_missed_pauses()
    {
        var core = new QueueCore([Queue(QueueStrategy.RoundRobin, "100", "101")], T0);
        core.Join("a", Domain, "sales", T0);
        Assert.Equal("100", Offers(Drain(core)).Single().Agents.Single());
        core.Missed("a", T0 + (15 * Second));
        Assert.Equal("101", Offers(Drain(core)).Single().Agents.Single());
        core.Missed("a", T0 + (17 * Second));

        // Both paused: nobody is offered until the first pause is over.
        Assert.Empty(Offers(Drain(core)));
        Assert.Equal(T0 + (20 * Second), core.NextWakeUp);
        core.Tick(T0 + (20 * Second));
        Assert.Equal("100", Offers(Drain(core)).Single().Agents.Single());
    }

    [Fact]
    public void Max_wait_sends_the_caller_to_the_fallback_but_never_while_an_agent_rings_for_it()
    {
        var core = new QueueCore([Queue(QueueStrategy.RingAll, "100")], T0);
        core.Join("a", Domain, "sales", T0);
        Drain(core);
        core.Answered("a", "100", T0 + Second);
        core.Join("b", Domain, "sales", T0 + (2 * Second));
        core.Join("c", Domain, "sales", T0 + (3 * Second));
        Drain(core);

        core.Tick(T0 + (121 * Second));
        Assert.Empty(Drain(core).OfType<QueueAction.Fallback>());
        core.Tick(T0 + (122 * Second));
        Assert.Equal([new QueueAction.Fallback("b", "*50"), new QueueAction.Position("c", 1)], Drain(core));

        // c is ringing the agent when its time is up: it falls back only once that offer is missed.
        core.Leave("a", T0 + (100 * Second));
        core.Tick(T0 + (110 * Second));
        Assert.Equal("c", Offers(Drain(core)).Single().CallId);
        core.Tick(T0 + (124 * Second));
        Assert.Empty(Drain(core));
        core.Missed("c", T0 + (125 * Second));
        Assert.Equal([new QueueAction.Fallback("c", "*50")], Drain(core));
    }

    [Fact]
    public void A_caller_who_hangs_up_while_an_agent_rings_frees_the_agent_for_the_next()
    {
        var core = new QueueCore([Queue(QueueStrategy.RingAll, "100")], T0);
        core.Join("a", Domain, "sales", T0);
        core.Join("b", Domain, "sales", T0 + Second);
        Assert.Equal("a", Offers(Drain(core)).Single().CallId);
        core.Leave("a", T0 + (2 * Second));
        var after = Drain(core);
        Assert.Contains(new QueueAction.Position("b", 1), after);
        Assert.Equal("b", Offers(after).Single().CallId);
        Assert.Equal(0, core.PlaceOf("a"));
    }

    [Fact]
    public void Announcements_repeat_while_waiting_with_the_expected_wait_per_logged_in_agent()
    {
        var core = new QueueCore([Queue(QueueStrategy.RingAll, "100", "101")], T0);
        core.LogOut(Domain, "101");
        core.Join("a", Domain, "sales", T0);
        Drain(core);
        core.Answered("a", "100", T0);
        core.Join("b", Domain, "sales", T0);
        core.Join("c", Domain, "sales", T0);
        Assert.Contains(new QueueAction.Announce("c", 2, TimeSpan.FromMinutes(4), "en"), Drain(core));

        Assert.Equal(T0 + (30 * Second), core.NextWakeUp);
        core.Tick(T0 + (30 * Second));
        Assert.Equal(
            [new QueueAction.Announce("b", 1, TimeSpan.FromMinutes(2), "en"), new QueueAction.Announce("c", 2, TimeSpan.FromMinutes(4), "en")],
            Drain(core));
    }

    [Fact]
    public void Login_and_logout_are_known_only_for_members_and_a_logged_out_agent_gets_no_caller()
    {
        var core = new QueueCore([Queue(QueueStrategy.RingAll, "100")], T0);
        Assert.False(core.LogIn(Domain, "555", T0));
        Assert.False(core.LogOut("other.org", "100"));
        Assert.True(core.LogOut(Domain, "100"));
        Assert.False(core.IsLoggedIn(Domain, "100"));
        core.Join("a", Domain, "sales", T0);
        Assert.Empty(Offers(Drain(core)));
        Assert.True(core.LogIn(Domain, "100", T0 + Second));
        Assert.True(core.IsLoggedIn(Domain, "100"));
        Assert.Equal("a", Offers(Drain(core)).Single().CallId);
    }

    [Fact]
    public void An_unknown_queue_is_refused()
    {
        var core = new QueueCore([Queue(QueueStrategy.RingAll, "100")], T0);
        Assert.False(core.Join("a", Domain, "support", T0));
        Assert.False(core.Join("a", "other.org", "sales", T0));
        Assert.Empty(Drain(core));
    }

    [Fact]
    public void A_reload_keeps_the_waiting_callers_and_the_agents_state_and_takes_the_new_members_and_settings()
    {
        var core = new QueueCore([Queue(QueueStrategy.RingAll, "100")], T0);
        core.LogOut(Domain, "100");
        core.Join("a", Domain, "sales", T0);
        core.Join("b", Domain, "sales", T0 + Second);
        Drain(core);

        // 101 joins the queue, and the ring timeout changes: 101 (new, so logged in) is offered the first caller at once.
        core.Reload([Queue(QueueStrategy.RingAll, "100", "101") with { RingTimeout = TimeSpan.FromSeconds(25) }], T0 + (2 * Second));
        var offer = Assert.Single(Offers(Drain(core)));
        Assert.Equal(("a", "101", TimeSpan.FromSeconds(25)), (offer.CallId, offer.Agents.Single(), offer.RingTimeout));
        Assert.Equal(2, core.PlaceOf("b"));
        Assert.False(core.IsLoggedIn(Domain, "100"));

        // Taken out of every queue, an extension is no agent any more.
        core.Reload([Queue(QueueStrategy.RingAll, "101")], T0 + (3 * Second));
        Assert.False(core.LogIn(Domain, "100", T0 + (3 * Second)));
    }

    [Fact]
    public void A_queue_taken_out_sends_its_waiting_callers_to_the_fallback_and_a_ringing_one_after_a_miss()
    {
        var core = new QueueCore([Queue(QueueStrategy.RingAll, "100")], T0);
        core.Join("a", Domain, "sales", T0);
        core.Join("b", Domain, "sales", T0 + Second);
        Assert.Equal("a", Assert.Single(Offers(Drain(core))).CallId);

        core.Reload([], T0 + (2 * Second));
        Assert.Contains(new QueueAction.Fallback("b", "*50"), Drain(core));
        Assert.Equal(0, core.PlaceOf("b"));
        Assert.False(core.Join("c", Domain, "sales", T0 + (2 * Second)));

        core.Missed("a", T0 + (3 * Second));
        Assert.Equal([new QueueAction.Fallback("a", "*50")], Drain(core));
    }
}
