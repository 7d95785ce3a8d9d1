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

        Assert.Equal(200, (await alice.SendInDialogAsync(SipMethod.Bye)).StatusCode);
        bob.Reply(await bob.WaitForRequestAsync("BYE"), 200);
        await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));

        // The call's loop finishes just after its record; then nothing but lingering transactions could hold it.
        var clock = Stopwatch.StartNew();
        while (ended.IsAlive && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            await Task.Delay(20);
        }

        Assert.False(ended.IsAlive, "the ended call is still reachable (a lingering transaction's owner holds it)");
    }

    /// <summary>A weak reference to the engine's one live call, made in a frame of its own so no local keeps it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference TheOnlyCall(CallEngine engine)
    {
        var calls = (IDictionary)typeof(CallEngine).GetField("_calls", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(engine)!;
        return new WeakReference(Assert.Single(calls.Values.Cast<object>()));
    }
}
