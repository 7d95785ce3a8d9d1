using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Pbx.Calls;
using Switchboard.Web.Calls;

namespace Switchboard.Web.Tests.Calls;

/// <summary>A popup's call outlives a dropped socket for the grace period, and a single-use token gives it back.</summary>
public sealed class CallResumeTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(15);

    private readonly FakeTimeProvider _time = new();
    private readonly ResumableCalls _tokens = new();
    private readonly FakeCall _call = new();

    [Fact]
    public async Task A_dropped_socket_keeps_the_call_for_the_grace_period_then_it_is_hung_up()
    {
        var (first, attachment, _) = await PlaceCallAsync();

        Assert.Equal(DetachOutcome.Detached, attachment.Detach(first));
        _time.Advance(Grace - TimeSpan.FromSeconds(1));
        Assert.Equal(0, _call.Hangups);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, _call.Hangups);
        Assert.Equal(0, _tokens.Count);
    }

    [Fact]
    public async Task The_token_resumes_the_call_once_and_is_replaced_by_a_fresh_one()
    {
        var (first, attachment, token) = await PlaceCallAsync();
        Assert.True(token.Length >= 43, "256 random bits");
        Assert.Equal(DetachOutcome.Detached, attachment.Detach(first));
        await attachment.OnConnectedAsync();

        Assert.Null(_tokens.Redeem(token + "x"));
        Assert.Same(attachment, _tokens.Redeem(token));
        Assert.Null(_tokens.Redeem(token));
        var second = new FakeSocket();
        Assert.True(await attachment.AttachAsync(second));
        _time.Advance(Grace * 2);
        Assert.Equal(0, _call.Hangups);

        // What happened while detached comes as the call's state; the next token is new.
        var resumed = second.Last("resumed");
        Assert.Equal("connected", resumed.GetProperty("state").GetString());
        var next = resumed.GetProperty("resume").GetString()!;
        Assert.NotEqual(token, next);
        await attachment.OnRingingAsync();
        Assert.Single(second.Sent, m => m.GetProperty("type").GetString() == "ringing");
        Assert.DoesNotContain(first.Sent, m => m.GetProperty("type").GetString() == "ringing");
    }

    [Fact]
    public async Task A_resume_while_the_old_socket_still_looks_open_takes_the_call_from_it()
    {
        var (first, attachment, token) = await PlaceCallAsync();

        var second = new FakeSocket();
        Assert.True(await _tokens.Redeem(token)!.AttachAsync(second));
        Assert.True(first.Abandoned);
        Assert.Equal(DetachOutcome.Superseded, attachment.Detach(first));
        _time.Advance(Grace * 2);
        Assert.Equal(0, _call.Hangups);
    }

    [Fact]
    public async Task An_ended_call_cannot_be_resumed_and_its_token_is_gone()
    {
        var (first, attachment, token) = await PlaceCallAsync();
        Assert.Equal(DetachOutcome.Detached, attachment.Detach(first));

        await attachment.OnEndedAsync(CallEndReason.RemoteHangup);
        Assert.Null(_tokens.Redeem(token));
        Assert.False(await attachment.AttachAsync(new FakeSocket()));
        Assert.Equal(DetachOutcome.Ended, attachment.Detach(first));
        _time.Advance(Grace * 2);
        Assert.Equal(0, _call.Hangups);
    }

    /// <summary>The call is placed on a first socket, which gets trying with the resume token.</summary>
    private async Task<(FakeSocket First, CallAttachment Attachment, string Token)> PlaceCallAsync()
    {
        var first = new FakeSocket();
        var attachment = new CallAttachment(first, _tokens, _time, Grace, NullLogger.Instance) { Call = _call };
        await attachment.OnTryingAsync("c1");
        return (first, attachment, first.Last("trying").GetProperty("resume").GetString()!);
    }

    private sealed class FakeSocket : ICallSocket
    {
        public List<JsonElement> Sent { get; } = [];

        public bool Abandoned { get; private set; }

        public JsonElement Last(string type) => Sent.Last(m => m.GetProperty("type").GetString() == type);

        public ValueTask PostAsync(object message)
        {
            Sent.Add(JsonSerializer.SerializeToElement(message, JsonSerializerOptions.Web));
            return ValueTask.CompletedTask;
        }

        public ValueTask EndAsync(CallEndReason reason) => PostAsync(new { type = "ended", reason = reason.ToCode() });

        public void Abandon() => Abandoned = true;
    }

    private sealed class FakeCall : ICallControl
    {
        public int Hangups { get; private set; }

        public string CallId => "c1";

        public Task Completion => Task.CompletedTask;

        public void Hangup() => Hangups++;

        public void ReportPagePhases(PagePhases phases)
        {
        }

        public void ReportPageQuality(PageQuality quality)
        {
        }

        public Task<IceRestartResult> RestartIceAsync(string offerSdp) => Task.FromResult(IceRestartResult.NoMedia);
    }
}
