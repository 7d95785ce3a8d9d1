using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Media.Ice;
using Switchboard.Media.Stun;

namespace Switchboard.Media.Tests.Ice;

public sealed class IceLiteAgentTests : IDisposable
{
    private const string RemoteUfrag = "Ch1d";
    private const string RemotePassword = "chromiumchromiumchromium";

    private static readonly TransportAddress Browser = TransportAddress.Create(IPAddress.Parse("192.0.2.10"), 50123);
    private static readonly TransportAddress BrowserOtherPath = TransportAddress.Create(IPAddress.Parse("2001:db8::10"), 50124);

    private readonly FakeTimeProvider _time = new();
    private readonly long _origin;
    private readonly IceLiteAgent _agent;
    private readonly byte[] _response = new byte[IceLiteAgent.MinResponseBufferSize];

    public IceLiteAgentTests()
    {
        _origin = _time.GetTimestamp();
        _agent = new IceLiteAgent(IceCredentials.Generate(), Now);
        Assert.True(_agent.TrySetRemoteCredentials(RemoteUfrag, RemotePassword));
    }

    public void Dispose() => _agent.Dispose();

    private TimeSpan Now => _time.GetElapsedTime(_origin);

    private BrowserCheck Check => BrowserCheck.For(_agent.LocalCredentials.Ufrag, _agent.LocalCredentials.Password, RemoteUfrag);

    [Fact]
    public void A_valid_check_is_answered_with_xor_mapped_address_integrity_and_fingerprint()
    {
        BrowserCheck check = Check;
        IceCheckOutcome outcome = Handle(check.Build(), Browser, out StunMessage response);

        Assert.Equal(IceCheckOutcome.Answered, outcome);
        Assert.Equal(StunConstants.BindingSuccessResponse, response.MessageType);
        Assert.Equal(check.TransactionId, response.TransactionId.ToArray());
        Assert.True(response.TryGetXorMappedAddress(out TransportAddress mapped));
        Assert.Equal(Browser, mapped);
        Assert.Equal(StunCheck.Valid, response.CheckMessageIntegrity(Encoding.ASCII.GetBytes(_agent.LocalCredentials.Password)));
        Assert.Equal(StunCheck.Valid, response.CheckFingerprint());
        Assert.Equal(IceAgentState.Checking, _agent.State);
        Assert.False(_agent.TryDequeueEvent(out _));
        Assert.Equal(1, _agent.Counters.Answered);
    }

    [Fact]
    public void An_IPv6_source_gets_an_IPv6_mapped_address()
    {
        Handle(Check.Build(), BrowserOtherPath, out StunMessage response);
        Assert.True(response.TryGetXorMappedAddress(out TransportAddress mapped));
        Assert.True(mapped.IsIPv6);
        Assert.Equal(BrowserOtherPath, mapped);
    }

    [Fact]
    public void A_wrong_password_is_answered_401_without_integrity()
    {
        IceCheckOutcome outcome = Handle(Check with { Password = "wrongwrongwrongwrongwrong" }, Browser, out StunMessage response);

        Assert.Equal(IceCheckOutcome.Unauthenticated, outcome);
        AssertError(response, 401);
        Assert.False(response.HasMessageIntegrity);
        Assert.Equal(StunCheck.Valid, response.CheckFingerprint());
        Assert.Equal(1, _agent.Counters.Unauthenticated);
        Assert.Null(_agent.SelectedEndpoint);
    }

    [Theory]
    [InlineData("{0}X:{1}")]
    [InlineData("{1}:{0}")]
    [InlineData("{0}:{1}X")]
    [InlineData("{0}:")]
    [InlineData("{0}")]
    [InlineData("{0};{1}")]
    public void A_wrong_username_is_answered_401(string pattern)
    {
        string username = string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, _agent.LocalCredentials.Ufrag, RemoteUfrag);
        IceCheckOutcome outcome = Handle(Check with { Username = username, UseCandidate = true }, Browser, out StunMessage response);

        Assert.Equal(IceCheckOutcome.Unauthenticated, outcome);
        AssertError(response, 401);
        Assert.False(_agent.TryDequeueEvent(out _));
    }

    [Fact]
    public void Missing_username_or_integrity_is_answered_400()
    {
        Assert.Equal(IceCheckOutcome.BadRequest, Handle(Check with { WithUsername = false }, Browser, out StunMessage response));
        AssertError(response, 400);
        Assert.False(response.HasMessageIntegrity);
        Assert.Equal(IceCheckOutcome.BadRequest, Handle(Check with { WithIntegrity = false }, Browser, out response));
        AssertError(response, 400);
        Assert.Equal(2, _agent.Counters.BadRequest);
    }

    [Fact]
    public void An_authenticated_check_without_priority_is_answered_400_with_integrity()
    {
        Assert.Equal(IceCheckOutcome.BadRequest, Handle(Check with { WithPriority = false }, Browser, out StunMessage response));
        AssertError(response, 400);
        Assert.Equal(StunCheck.Valid, response.CheckMessageIntegrity(Encoding.ASCII.GetBytes(_agent.LocalCredentials.Password)));
    }

    [Fact]
    public void A_peer_claiming_the_controlled_role_is_answered_487()
    {
        Assert.Equal(IceCheckOutcome.RoleConflict, Handle(Check with { Controlled = true, UseCandidate = true }, Browser, out StunMessage response));
        AssertError(response, 487);
        Assert.True(response.HasMessageIntegrity);
        Assert.Null(_agent.SelectedEndpoint);
        Assert.Equal(1, _agent.Counters.RoleConflict);
    }

    [Fact]
    public void An_unknown_comprehension_required_attribute_is_answered_420_listing_it()
    {
        Assert.Equal(IceCheckOutcome.UnknownAttribute, Handle(Check with { ExtraAttribute = 0x7FF0 }, Browser, out StunMessage response));
        AssertError(response, 420);
        Assert.True(response.TryGetAttribute((ushort)StunAttributeType.UnknownAttributes, out ReadOnlySpan<byte> list));
        Assert.Equal(new byte[] { 0x7F, 0xF0 }, list.ToArray());
    }

    [Fact]
    public void A_bad_or_missing_fingerprint_is_dropped_silently()
    {
        byte[] datagram = Check.Build();
        datagram[^1] ^= 0x55;
        Assert.Equal(IceCheckOutcome.DroppedBadFingerprint, _agent.HandleStun(datagram, Browser, Now, _response, out int length));
        Assert.Equal(0, length);
        Assert.Equal(IceCheckOutcome.DroppedBadFingerprint, Send(Check with { WithFingerprint = false }, Browser));
        Assert.Equal(2, _agent.Counters.BadFingerprint);
    }

    [Fact]
    public void Garbage_responses_and_indications_are_dropped()
    {
        Assert.Equal(IceCheckOutcome.DroppedMalformed, _agent.HandleStun([0, 1, 0, 0, 1, 2, 3], Browser, Now, _response, out int length));
        Assert.Equal(0, length);

        byte[] indication = Check.Build();
        indication[1] = 0x11; // Binding indication
        Assert.Equal(IceCheckOutcome.DroppedNotRequest, _agent.HandleStun(indication, Browser, Now, _response, out length));
        Assert.Equal(0, length);
        Assert.Equal(1, _agent.Counters.Malformed);
        Assert.Equal(1, _agent.Counters.NotRequest);
    }

    [Fact]
    public void Use_candidate_selects_the_pair_and_emits_one_event()
    {
        Assert.Equal(IceCheckOutcome.AnsweredNominated, Send(Check with { UseCandidate = true }, Browser));

        Assert.True(_agent.TryDequeueEvent(out IceEvent selected));
        Assert.Equal(IceEventKind.SelectedPairChanged, selected.Kind);
        Assert.Equal(Browser, selected.RemoteEndpoint);
        Assert.Equal(IceAgentState.Connected, _agent.State);
        Assert.Equal(Browser, _agent.SelectedEndpoint);

        // Chromium keeps USE-CANDIDATE on later checks of the same pair: no new event.
        Assert.Equal(IceCheckOutcome.AnsweredNominated, Send(Check with { UseCandidate = true }, Browser));
        Assert.False(_agent.TryDequeueEvent(out _));
        Assert.Equal(2, _agent.Counters.Nominations);
    }

    [Fact]
    public void A_check_without_use_candidate_does_not_select()
    {
        Send(Check, Browser);
        Assert.Null(_agent.SelectedEndpoint);
        Assert.False(_agent.TryDequeueEvent(out _));
    }

    [Fact]
    public void A_later_nomination_of_another_pair_moves_the_selection()
    {
        Send(Check with { UseCandidate = true }, Browser);
        _time.Advance(TimeSpan.FromSeconds(3));
        Send(Check with { UseCandidate = true }, BrowserOtherPath);

        Assert.True(_agent.TryDequeueEvent(out IceEvent first));
        Assert.True(_agent.TryDequeueEvent(out IceEvent second));
        Assert.Equal(Browser, first.RemoteEndpoint);
        Assert.Equal(BrowserOtherPath, second.RemoteEndpoint);
        Assert.Equal(TimeSpan.FromSeconds(3), second.At);
        Assert.Equal(BrowserOtherPath, _agent.SelectedEndpoint);
    }

    [Fact]
    public void Consent_checks_every_five_seconds_keep_the_pair_then_it_expires_thirty_seconds_after_the_last()
    {
        Send(Check with { UseCandidate = true }, Browser);
        Assert.True(_agent.TryDequeueEvent(out _));

        for (int i = 0; i < 12; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal(Now + TimeSpan.FromSeconds(25), _agent.Poll(Now));
            Assert.Equal(IceCheckOutcome.Answered, Send(Check, Browser));
            Assert.Equal(Now + TimeSpan.FromSeconds(30), _agent.Poll(Now));
        }

        TimeSpan lastCheck = Now;
        Assert.False(_agent.TryDequeueEvent(out _));

        // Checks on a pair other than the selected one do not refresh its consent.
        _time.Advance(TimeSpan.FromSeconds(10));
        Send(Check, BrowserOtherPath);
        _time.Advance(TimeSpan.FromSeconds(19.999));
        Assert.Equal(lastCheck + TimeSpan.FromSeconds(30), _agent.Poll(Now));
        Assert.Equal(IceAgentState.Connected, _agent.State);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(TimeSpan.MaxValue, _agent.Poll(Now));

        Assert.True(_agent.TryDequeueEvent(out IceEvent expired));
        Assert.Equal(IceEventKind.ConsentExpired, expired.Kind);
        Assert.Equal(Browser, expired.RemoteEndpoint);
        Assert.Equal(lastCheck + TimeSpan.FromSeconds(30), expired.At);
        Assert.Equal(IceAgentState.Failed, _agent.State);
        Assert.Null(_agent.SelectedEndpoint);
        Assert.False(_agent.TryDequeueEvent(out _));

        // After expiry checks are dropped; an ICE restart needs a new agent.
        Assert.Equal(IceCheckOutcome.DroppedAgentFailed, Send(Check with { UseCandidate = true }, Browser));
        Assert.False(_agent.TryDequeueEvent(out _));
    }

    [Fact]
    public void Consent_expiry_is_noticed_by_a_late_check_even_without_poll()
    {
        Send(Check with { UseCandidate = true }, Browser);
        _agent.TryDequeueEvent(out _);
        _time.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal(IceCheckOutcome.DroppedAgentFailed, Send(Check with { UseCandidate = true }, Browser));
        Assert.True(_agent.TryDequeueEvent(out IceEvent expired));
        Assert.Equal(IceEventKind.ConsentExpired, expired.Kind);
    }

    [Fact]
    public void The_consent_timeout_is_configurable()
    {
        using var agent = new IceLiteAgent(IceCredentials.Generate(), Now, new IceLiteOptions { ConsentTimeout = TimeSpan.FromSeconds(8) });
        BrowserCheck check = BrowserCheck.For(agent.LocalCredentials.Ufrag, agent.LocalCredentials.Password, RemoteUfrag) with { UseCandidate = true };
        agent.HandleStun(check.Build(), Browser, Now, _response, out _);
        Assert.Equal(Now + TimeSpan.FromSeconds(8), agent.Poll(Now));
        _time.Advance(TimeSpan.FromSeconds(8));
        agent.Poll(Now);
        Assert.True(agent.TryDequeueEvent(out _));
        Assert.True(agent.TryDequeueEvent(out IceEvent expired));
        Assert.Equal(IceEventKind.ConsentExpired, expired.Kind);
    }

    [Fact]
    public void No_nomination_within_the_connect_timeout_fails_the_agent()
    {
        Assert.Equal(Now + TimeSpan.FromSeconds(30), _agent.Poll(Now));
        _time.Advance(TimeSpan.FromSeconds(20));
        Send(Check, Browser); // answered, but not nominated
        Assert.Equal(TimeSpan.FromSeconds(30), _agent.Poll(Now));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.MaxValue, _agent.Poll(Now));
        Assert.True(_agent.TryDequeueEvent(out IceEvent timeout));
        Assert.Equal(IceEventKind.ConnectTimeout, timeout.Kind);
        Assert.Equal(IceAgentState.Failed, _agent.State);
    }

    [Fact]
    public void Before_the_remote_ufrag_is_known_only_the_local_half_of_username_is_checked()
    {
        using var agent = new IceLiteAgent(IceCredentials.Generate(), Now);
        BrowserCheck check = BrowserCheck.For(agent.LocalCredentials.Ufrag, agent.LocalCredentials.Password, "anyone");
        Assert.Equal(IceCheckOutcome.Answered, agent.HandleStun(check.Build(), Browser, Now, _response, out _));
    }

    [Fact]
    public void Remote_credentials_that_break_the_grammar_are_refused()
    {
        using var agent = new IceLiteAgent(IceCredentials.Generate(), Now);
        Assert.False(agent.TrySetRemoteCredentials("abc", RemotePassword));
        Assert.False(agent.TrySetRemoteCredentials("abcd", "short"));
        Assert.False(agent.TrySetRemoteCredentials("ab d", RemotePassword));
        Assert.False(agent.TrySetRemoteCredentials(null, RemotePassword));
        Assert.Null(agent.RemoteCredentials);
        Assert.True(agent.TrySetRemoteCredentials("a+/b", "0123456789+/abcdefghijk"));
    }

    [Fact]
    public void The_target_ufrag_of_a_check_routes_a_shared_port()
    {
        Assert.True(IceLiteAgent.TryGetTargetUfrag(Check.Build(), out ReadOnlySpan<byte> ufrag));
        Assert.Equal(_agent.LocalCredentials.Ufrag, Encoding.ASCII.GetString(ufrag));
        Assert.False(IceLiteAgent.TryGetTargetUfrag((Check with { WithUsername = false }).Build(), out _));
        Assert.False(IceLiteAgent.TryGetTargetUfrag((Check with { Username = ":x" }).Build(), out _));
        Assert.False(IceLiteAgent.TryGetTargetUfrag([0x80, 0, 0, 0], out _));
    }

    [Fact]
    public void A_response_buffer_that_is_too_small_is_a_programmer_error()
    {
        byte[] datagram = Check.Build();
        Assert.Throws<ArgumentException>(() => _agent.HandleStun(datagram, Browser, Now, new byte[64], out _));
    }

    private IceCheckOutcome Send(BrowserCheck check, TransportAddress source) =>
        _agent.HandleStun(check.Build(), source, Now, _response, out _);

    private IceCheckOutcome Handle(BrowserCheck check, TransportAddress source, out StunMessage response) =>
        Handle(check.Build(), source, out response);

    private IceCheckOutcome Handle(byte[] datagram, TransportAddress source, out StunMessage response)
    {
        IceCheckOutcome outcome = _agent.HandleStun(datagram, source, Now, _response, out int length);
        Assert.True(length > 0, $"{outcome} wrote no response");
        Assert.Equal(StunParseStatus.Ok, StunMessage.TryParse(_response.AsSpan(0, length), out response));
        return outcome;
    }

    private static void AssertError(StunMessage response, int code)
    {
        Assert.Equal(StunConstants.BindingErrorResponse, response.MessageType);
        Assert.True(response.TryGetErrorCode(out int actual, out _));
        Assert.Equal(code, actual);
        Assert.Equal(StunCheck.Valid, response.CheckFingerprint());
    }
}
