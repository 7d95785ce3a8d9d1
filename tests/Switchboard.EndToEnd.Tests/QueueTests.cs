using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Switchboard.EndToEnd.Tests.Peers;
using Switchboard.Pbx.Queues;
using Switchboard.Server;
using Switchboard.Storage;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// A call queue (docs/queues.md) against a real PBX, a real Chromium and a registered baresip agent: the popup dials the
/// queue's number, hears the hold music, is shown its place, and is put through to the agent when it answers.
/// </summary>
[Collection(PopupGroup.Name)]
public sealed class QueueTests(BrowserFixture fixture)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A PBX whose data folder has the queue <c>sales</c> (number 8800, the given members): queues are read at start,
    /// so the queue is stored through a first start (which seeds the domain), then the PBX starts again.
    /// </summary>
    private Task<(PbxHost Host, TestAccount Agent, TestAccount[] Visitors)> StartWithQueueAsync(string data, int visitors = 1,
        TimeSpan? maxWait = null, string fallback = "hangup:unavailable") =>
        StartWithQueueAsync(fixture, data, visitors, maxWait, fallback);

    /// <summary>As above, for other tests (phone.htm as the agent).</summary>
    internal static async Task<(PbxHost Host, TestAccount Agent, TestAccount[] Visitors)> StartWithQueueAsync(BrowserFixture fixture, string data, int visitors = 1,
        TimeSpan? maxWait = null, string fallback = "hangup:unavailable")
    {
        var (host, agents, accounts) = await StartWithQueueAsync(fixture, data, QueueStrategy.RingAll, agents: 1, visitors, maxWait, fallback, TimeSpan.FromSeconds(2));
        return (host, agents[0], accounts);
    }

    /// <summary>The queue with <paramref name="agents"/> members (in that order) and the given strategy and wrap-up.</summary>
    private static async Task<(PbxHost Host, TestAccount[] Agents, TestAccount[] Visitors)> StartWithQueueAsync(BrowserFixture fixture, string data,
        QueueStrategy strategy, int agents, int visitors, TimeSpan? maxWait, string fallback, TimeSpan wrapUp)
    {
        var members = new TestAccount[agents];
        var accounts = new TestAccount[visitors];
        await using (var first = await BrowserFixture.StartHostAsync(data, addressFailureLimit: 1000))
        {
            for (var i = 0; i < agents; i++)
            {
                members[i] = await fixture.NewExtensionAsync(first);
            }

            for (var i = 0; i < visitors; i++)
            {
                accounts[i] = await fixture.NewExtensionAsync(first);
            }

            await new SqlQueueStore(first.Services.GetRequiredService<StoreDatabase>(), TimeProvider.System).AddAsync(
                new QueueDefinition(0, BrowserFixture.Domain, "sales", "8800", strategy, [.. members.Select(m => m.Number)], maxWait ?? TimeSpan.FromMinutes(2),
                    fallback, wrapUp, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(20), "en", QueueDefinition.DefaultHoldMusic));
        }

        return (await BrowserFixture.StartHostAsync(data, addressFailureLimit: 1000), members, accounts);
    }

    [Fact]
    public async Task A_popup_waits_in_the_queue_with_hold_music_and_its_place_then_a_baresip_agent_answers_with_audio_both_ways()
    {
        var data = BrowserFixture.NewDataDirectory();
        try
        {
            var (host, agent, visitors) = await StartWithQueueAsync(data);
            var visitor = visitors[0];
            await using var _ = host;
            await using var phone = await SipPhoneTests.StartPhoneAsync(host, agent, SipTransport.Udp, AnswerMode.Manual, toneHz: 1000);

            await using (var browser = await PopupBrowser.CreateAsync(fixture, host))
            {
                var popup = await browser.OpenAsync(host, "?destnumber=8800");
                await popup.LoginAsync(visitor, remember: false);

                // The queue answers: the page is connected once media flows, and the music (our first SRTP) is heard.
                await popup.ExpectStateAsync("connected");
                await popup.WaitForInboundAudioAsync(packets: 50);
                await Microsoft.Playwright.Assertions.Expect(popup.Locator("#queue")).ToHaveTextAsync("You are number 1 in the queue");
                Assert.Equal("1", await popup.EvaluateAsync<string>("() => document.body.dataset.queuePosition"));

                // The agent's phone rings for the waiting caller; it answers, and the place goes away.
                await phone.WaitForEventAsync(BaresipEvent.CallIncoming, Step);
                await phone.AcceptAsync();
                await phone.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
                await Microsoft.Playwright.Assertions.Expect(popup.Locator("#queue")).ToBeHiddenAsync();
                Assert.Equal("0", await popup.EvaluateAsync<string>("() => document.body.dataset.queuePosition"));

                // baresip's tone reaches the popup, the popup's 400 Hz bursts reach baresip; then the visitor hangs up.
                await popup.WaitForInboundAudioAsync(packets: 200);
                await Task.Delay(TimeSpan.FromSeconds(1.5));
                await popup.ClickAsync("#hangup");
                await phone.WaitForEventAsync(BaresipEvent.CallClosed, Step);
            }

            var record = await CallRecords.WaitForAsync(host, r => r.From == visitor.Account && r.Destination == "8800");
            Assert.Equal(("queue:sales", "sales", agent.Number), (record.Route, record.Queue, record.Agent));
            Assert.True(record.QueueWait > TimeSpan.Zero && record.QueueWait < TimeSpan.FromSeconds(30), $"queue wait {record.QueueWait}");

            var recording = await phone.RecordingsAsync();
            var share = ToneDetector.PowerShare(recording.Received.From(TimeSpan.FromSeconds(0.5)), recording.Received.SampleRate, 400);
            Assert.True(share > 0.15, string.Create(CultureInfo.InvariantCulture, $"the agent should hear the browser's 400 Hz beep: share {share:F2}"));
        }
        finally
        {
            BrowserFixture.TryDelete(data);
        }
    }

    [Fact]
    public async Task An_agent_logged_out_with_star_46_leaves_three_callers_at_places_1_2_3_until_the_maximum_wait_sends_them_to_the_fallback()
    {
        var data = BrowserFixture.NewDataDirectory();
        try
        {
            var maxWait = TimeSpan.FromSeconds(25);
            var (host, agent, visitors) = await StartWithQueueAsync(data, visitors: 3, maxWait: maxWait, fallback: "hangup:busy");
            await using var _ = host;
            await using var phone = await SipPhoneTests.StartPhoneAsync(host, agent, SipTransport.Udp, AnswerMode.Auto);

            // *46: the PBX answers, says so, and hangs up; the agent is offered nobody from now on.
            await phone.DialAsync($"sip:*46@{BrowserFixture.Domain}");
            await phone.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
            await phone.WaitForEventAsync(BaresipEvent.CallClosed, Step);
            var logout = await CallRecords.WaitForAsync(host, r => r.From == agent.Account && r.Destination == "*46");
            Assert.Equal(("service:queue-logout", "remote_hangup"), (logout.Route, logout.Reason));

            var browsers = new List<PopupBrowser>();
            try
            {
                var popups = new List<IPage>();
                for (var i = 0; i < visitors.Length; i++)
                {
                    var browser = await PopupBrowser.CreateAsync(fixture, host);
                    browsers.Add(browser);
                    var popup = await browser.OpenAsync(host, "?destnumber=8800");
                    await popup.LoginAsync(visitors[i], remember: false);
                    await popup.ExpectStateAsync("connected");
                    await Microsoft.Playwright.Assertions.Expect(popup.Locator("#queue")).ToHaveTextAsync($"You are number {i + 1} in the queue");
                    popups.Add(popup);
                }

                // Everyone hears the music (or an announcement) while nobody is there to answer.
                await popups[2].WaitForInboundAudioAsync(packets: 50);

                // The maximum wait: each is sent to the fallback, hang-up as busy, which the popup shows.
                foreach (var (visitor, popup) in visitors.Zip(popups))
                {
                    var record = await CallRecords.WaitForAsync(host, r => r.From == visitor.Account && r.Destination == "8800", maxWait + Step);
                    Assert.Equal(("busy", "pbx", "sales", null), (record.Reason, record.EndedBy, record.Queue, record.Agent));
                    Assert.True(record.QueueWait >= maxWait - TimeSpan.FromSeconds(1), $"queue wait {record.QueueWait}");
                    await popup.ExpectStateAsync("failed", "busy");
                }
            }
            finally
            {
                foreach (var browser in browsers)
                {
                    await browser.DisposeAsync();
                }
            }

            Assert.DoesNotContain(await host.Admin.ListCallRecordsAsync(), r => r.Agent is not null);
        }
        finally
        {
            BrowserFixture.TryDelete(data);
        }
    }

    /// <summary>
    /// Two baresip agents in a longest-idle queue (docs/queues.md, "Strategies" and "Busy agents"): an agent in a call of
    /// its own is offered nobody, a visitor waits while both are busy, an agent whose call ends takes the waiting one at
    /// once, and the next visitor goes to the agent free the longest. Members in the order Bob, Ann: on a tie Bob would win.
    /// </summary>
    [Fact]
    public async Task Longest_idle_offers_visitors_to_the_agent_free_the_longest_and_never_to_one_busy_in_a_call_of_its_own()
    {
        var data = BrowserFixture.NewDataDirectory();
        try
        {
            var (host, agents, visitors) = await StartWithQueueAsync(fixture, data, QueueStrategy.LongestIdle, agents: 2, visitors: 3, null,
                "hangup:unavailable", TimeSpan.Zero);
            await using var _ = host;
            var (bob, ann) = (agents[0], agents[1]);
            await using var bobPhone = await SipPhoneTests.StartPhoneAsync(host, bob, SipTransport.Udp, AnswerMode.Auto, toneHz: 1000);
            await using var annPhone = await SipPhoneTests.StartPhoneAsync(host, ann, SipTransport.Udp, AnswerMode.Auto, toneHz: 1000);

            // Bob is in a call of his own (the echo test) while the queue starts taking visitors.
            await bobPhone.DialAsync($"sip:*43@{BrowserFixture.Domain}");
            await bobPhone.WaitForEventAsync(BaresipEvent.CallEstablished, Step);

            var browsers = new List<PopupBrowser>();
            try
            {
                async Task<IPage> CallQueueAsync(TestAccount visitor)
                {
                    var browser = await PopupBrowser.CreateAsync(fixture, host);
                    browsers.Add(browser);
                    var popup = await browser.OpenAsync(host, "?destnumber=8800");
                    await popup.LoginAsync(visitor, remember: false);
                    await popup.ExpectStateAsync("connected");
                    return popup;
                }

                // Visitor 1 goes to Ann, though Bob comes first in the members' order and both have been free since the start.
                var first = await CallQueueAsync(visitors[0]);
                await annPhone.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
                await Microsoft.Playwright.Assertions.Expect(first.Locator("#queue")).ToBeHiddenAsync();

                // Both busy: visitor 2 waits at place 1; Bob's echo call ends, and the queue puts visitor 2 through to him.
                var second = await CallQueueAsync(visitors[1]);
                await Microsoft.Playwright.Assertions.Expect(second.Locator("#queue")).ToHaveTextAsync("You are number 1 in the queue");
                await bobPhone.HangupAsync();
                await bobPhone.WaitForEventAsync(BaresipEvent.CallClosed, Step);
                await bobPhone.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
                await Microsoft.Playwright.Assertions.Expect(second.Locator("#queue")).ToBeHiddenAsync();

                // Ann's call ends first, then Bob's: Ann has been free the longest when visitor 3 calls. (A call tells the
                // queues its parties left before it sends the BYE, so Ann's phone closing means the queue knows.)
                await first.ClickAsync("#hangup");
                await annPhone.WaitForEventAsync(BaresipEvent.CallClosed, Step);
                await second.ClickAsync("#hangup");
                await bobPhone.WaitForEventAsync(BaresipEvent.CallClosed, Step);

                var third = await CallQueueAsync(visitors[2]);
                await annPhone.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
                await third.WaitForInboundAudioAsync(packets: 50);
                await third.ClickAsync("#hangup");
                await annPhone.WaitForEventAsync(BaresipEvent.CallClosed, Step);
            }
            finally
            {
                foreach (var browser in browsers)
                {
                    await browser.DisposeAsync();
                }
            }

            var agentOf = new List<string?>();
            foreach (var visitor in visitors)
            {
                agentOf.Add((await CallRecords.WaitForAsync(host, r => r.From == visitor.Account && r.Destination == "8800")).Agent);
            }

            Assert.Equal([ann.Number, bob.Number, ann.Number], agentOf);
        }
        finally
        {
            BrowserFixture.TryDelete(data);
        }
    }
}
