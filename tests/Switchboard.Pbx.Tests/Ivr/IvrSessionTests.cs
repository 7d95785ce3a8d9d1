using Switchboard.Pbx.Ivr;

namespace Switchboard.Pbx.Tests.Ivr;

/// <summary>The menu machine with explicit times: no clock, no media.</summary>
public sealed class IvrSessionTests
{
    private static readonly TimeSpan T0 = TimeSpan.FromSeconds(100);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static readonly IvrMenu Main = new("main", "welcome.wav", new Dictionary<char, string>
    {
        ['1'] = "100",
        ['2'] = "menu:support",
        ['9'] = "*43",
    })
    { MaxRetries = 2 };

    private static readonly IvrMenu Support = new("support", "support.wav", new Dictionary<char, string> { ['1'] = "group:helpdesk" });

    private readonly IvrSession _session = new([Main, Support], "main");

    private List<IvrAction> Drain()
    {
        var actions = new List<IvrAction>();
        while (_session.TryTakeAction(out var action))
        {
            actions.Add(action);
        }

        return actions;
    }

    [Fact]
    public void Start_plays_the_menu_and_the_timeout_runs_only_after_the_prompt()
    {
        _session.Start(T0);
        Assert.Equal([IvrAction.Play("welcome.wav")], Drain());
        Assert.Null(_session.NextWakeUp);

        _session.PromptFinished(T0 + (5 * Second));
        Assert.Equal(T0 + (10 * Second), _session.NextWakeUp);
        Assert.Empty(Drain());
    }

    [Fact]
    public void A_valid_key_after_the_prompt_transfers_and_ends()
    {
        _session.Start(T0);
        _session.PromptFinished(T0 + Second);
        Drain();
        _session.Digit('1', T0 + (2 * Second));
        Assert.Equal([IvrAction.Transfer("100")], Drain());
        Assert.True(_session.Ended);
        Assert.Null(_session.NextWakeUp);

        _session.Digit('9', T0 + (3 * Second));
        Assert.Empty(Drain());
    }

    [Fact]
    public void A_key_during_the_prompt_stops_it_and_is_taken()
    {
        _session.Start(T0);
        Drain();
        _session.Digit('9', T0 + Second);
        Assert.Equal([IvrAction.StopPrompt(), IvrAction.Transfer("*43")], Drain());
    }

    [Fact]
    public void An_invalid_key_plays_the_invalid_prompt_then_the_menu_again()
    {
        _session.Start(T0);
        _session.PromptFinished(T0 + Second);
        Drain();
        _session.Digit('7', T0 + (2 * Second));
        Assert.Equal([IvrAction.Play(IvrDestinations.InvalidPrompt)], Drain());
        Assert.Null(_session.NextWakeUp);

        _session.PromptFinished(T0 + (4 * Second));
        Assert.Equal([IvrAction.Play("welcome.wav")], Drain());
        Assert.Equal(1, _session.Failures);
    }

    [Fact]
    public void A_key_during_the_invalid_prompt_barges_in_too()
    {
        _session.Start(T0);
        _session.Digit('7', T0 + Second);
        Drain();
        _session.Digit('1', T0 + (2 * Second));
        Assert.Equal([IvrAction.StopPrompt(), IvrAction.Transfer("100")], Drain());
    }

    [Fact]
    public void No_key_replays_the_menu_and_after_max_retries_says_goodbye_and_hangs_up()
    {
        var now = T0;
        _session.Start(now);
        Drain();

        // MaxRetries = 2: the menu plays 3 times; the third silence ends the call.
        for (var replay = 0; replay < 2; replay++)
        {
            _session.PromptFinished(now += Second);
            _session.Tick(now + (4 * Second));
            Assert.Empty(Drain());
            _session.Tick(now += 5 * Second);
            Assert.Equal([IvrAction.Play("welcome.wav")], Drain());
        }

        _session.PromptFinished(now += Second);
        _session.Tick(now += 5 * Second);
        Assert.Equal([IvrAction.Play(IvrDestinations.GoodbyePrompt)], Drain());
        Assert.Null(_session.NextWakeUp);

        // Keys during goodbye mean nothing; its end hangs up.
        _session.Digit('1', now + Second);
        Assert.Empty(Drain());
        _session.PromptFinished(now + (2 * Second));
        var hangup = Assert.Single(Drain());
        Assert.Equal(IvrActionKind.Hangup, hangup.Kind);
        Assert.True(_session.Ended);
    }

    [Fact]
    public void Invalid_keys_count_as_failures_like_timeouts()
    {
        _session.Start(T0);
        _session.Digit('5', T0);
        _session.PromptFinished(T0 + Second);
        _session.Tick(T0 + (20 * Second));
        _session.Digit('6', T0 + (21 * Second));
        Drain();
        Assert.Equal(2, _session.Failures);

        _session.PromptFinished(T0 + (22 * Second));
        _session.PromptFinished(T0 + (23 * Second));
        _session.Digit('4', T0 + (24 * Second));
        _session.PromptFinished(T0 + (25 * Second));
        Assert.Equal([IvrAction.Play("welcome.wav"), IvrAction.Play(IvrDestinations.InvalidPrompt), IvrAction.Play(IvrDestinations.GoodbyePrompt)], Drain());
    }

    [Fact]
    public void A_menu_destination_enters_that_menu_with_fresh_retries()
    {
        _session.Start(T0);
        _session.Digit('8', T0);
        _session.PromptFinished(T0 + Second);
        Drain();
        _session.Digit('2', T0 + (2 * Second));
        Assert.Equal([IvrAction.StopPrompt(), IvrAction.Play("support.wav")], Drain());
        Assert.Equal("support", _session.CurrentMenu.Name);
        Assert.Equal(0, _session.Failures);

        _session.Digit('1', T0 + (3 * Second));
        Assert.Equal([IvrAction.StopPrompt(), IvrAction.Transfer("group:helpdesk")], Drain());
    }

    [Fact]
    public void A_tick_before_the_deadline_or_while_playing_does_nothing()
    {
        _session.Start(T0);
        Drain();
        _session.Tick(T0 + (60 * Second));
        Assert.Empty(Drain());
        Assert.Equal(0, _session.Failures);
    }

    [Fact]
    public void The_demo_menu_routes_1_2_and_9()
    {
        var demo = IvrConfiguration.Demo;
        Assert.Equal("100", demo.StartMenu.Options['1']);
        Assert.Equal("101", demo.StartMenu.Options['2']);
        Assert.Equal("*43", demo.StartMenu.Options['9']);
        Assert.Equal(IvrMenu.DefaultTimeout, demo.StartMenu.Timeout);
        Assert.Equal(3, demo.StartMenu.MaxRetries);
        var session = demo.NewSession();
        session.Start(T0);
        Assert.True(session.TryTakeAction(out var play));
        Assert.Equal(IvrAction.Play(IvrDestinations.WelcomePrompt), play);
    }
}
