using System.Collections;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using Switchboard.Pbx.Calls;
using Switchboard.Sip.Messages;

namespace Switchboard.Pbx.Tests.Sip;

/// <summary>
/// What outlives a call: its transactions linger for 64 x T1 after it (RFC 6026 section 8.4, RFC 3261 section 17) to
/// absorb retransmissions, and the callee's INVITE transaction keeps its owner, the branch, that long. The ended call
/// itself (its core, media owner, mailbox and dialogs) must not stay reachable through them: at 800 calls a second that
/// kept 15,000 ended calls in a node's heap.
/// </summary>
public sealed class WholePbxEndedCallTests
{
    [Fact]
    public async Task An_ended_call_is_not_kept_alive_by_the_transactions_that_linger_after_it()
    {
        await using var pbx = await PbxUnderTest.StartAsync();
        var (alice, bob) = await WholePbxTests.AnsweredCallAsync(pbx);
        using var _ = alice;
        using var __ = bob;
        var ended = TheOnlyCall(pbx.Engine);

        await HangUpAsync(pbx, alice, bob);
        await CollectAsync(ended);

        Assert.False(ended.IsAlive, "the ended call is still reachable (a lingering transaction's owner holds it)");
    }

    [Fact]
    public async Task The_invites_of_an_ended_call_are_not_kept_by_the_transactions_that_linger_after_it()
    {
        await using var pbx = await PbxUnderTest.StartAsync();
        var (alice, bob) = await WholePbxTests.AnsweredCallAsync(pbx);
        using var _ = alice;
        using var __ = bob;
        var invites = TheOnlyCallsInvites(pbx.Engine);

        // Both INVITE transactions linger 64 x T1 (RFC 6026 Timers L and M) and the callee's keeps its branch as owner:
        // neither they nor the branch may keep the parsed INVITEs (tens of thousands in a loaded node's heap).
        await HangUpAsync(pbx, alice, bob);
        await CollectAsync(invites);

        Assert.True(pbx.Endpoint.Counters.ClientTransactions > 0, "the callee's INVITE transaction no longer lingers: the test shows nothing");
        Assert.False(invites[0].IsAlive, "the phone's INVITE is still reachable after the call");
        Assert.False(invites[1].IsAlive, "the INVITE to the callee is still reachable after the call");
    }

    /// <summary>Alice hangs up, Bob answers the PBX's BYE, and the call's record is written.</summary>
    private static async Task HangUpAsync(PbxUnderTest pbx, TestPhone alice, TestPhone bob)
    {
        Assert.Equal(200, (await alice.SendInDialogAsync(SipMethod.Bye)).StatusCode);
        bob.Reply(await bob.WaitForRequestAsync("BYE"), 200);
        await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// Collects until none of <paramref name="objects"/> is alive, 5 s at most: the call's loop finishes just after its
    /// record; then nothing but lingering transactions could hold them.
    /// </summary>
    private static async Task CollectAsync(params WeakReference[] objects)
    {
        var clock = Stopwatch.StartNew();
        while (objects.Any(o => o.IsAlive) && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            await Task.Delay(20);
        }
    }

    /// <summary>Weak references to the phone's INVITE and the branch's INVITE to the callee, from the engine's one live call.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference[] TheOnlyCallsInvites(CallEngine engine)
    {
        var call = TheOnlyCall(engine).Target!;
        const BindingFlags Private = BindingFlags.NonPublic | BindingFlags.Instance;
        var caller = (SipCallerLeg)call.GetType().GetField("_sipCaller", Private)!.GetValue(call)!;
        var branch = Assert.Single(((IEnumerable)call.GetType().GetField("_branches", Private)!.GetValue(call)!).Cast<CalleeBranch>());
        var toCallee = typeof(CalleeBranch).GetField("_invite", Private)!.GetValue(branch)!;
        return [new WeakReference(caller.Invite.Request), new WeakReference(toCallee)];
    }

    /// <summary>A weak reference to the engine's one live call, made in a frame of its own so no local keeps it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference TheOnlyCall(CallEngine engine)
    {
        var calls = (IDictionary)typeof(CallEngine).GetField("_calls", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(engine)!;
        return new WeakReference(Assert.Single(calls.Values.Cast<object>()));
    }
}
