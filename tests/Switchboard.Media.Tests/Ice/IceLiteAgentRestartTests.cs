using System.Net;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Media.Ice;
using Switchboard.Media.Stun;

namespace Switchboard.Media.Tests.Ice;

/// <summary>An ICE restart on the lite side (RFC 8445 section 9): new credentials only, media on the old pair until a new nomination.</summary>
public sealed class IceLiteAgentRestartTests : IDisposable
{
    private const string OldRemoteUfrag = "Ch1d";
    private const string NewRemoteUfrag = "Ch2d";

    private static readonly TransportAddress OldPath = TransportAddress.Create(IPAddress.Parse("192.0.2.10"), 50123);
    private static readonly TransportAddress NewPath = TransportAddress.Create(IPAddress.Parse("198.51.100.7"), 40111);

    private readonly FakeTimeProvider _time = new();
    private readonly long _origin;
    private readonly IceLiteAgent _agent;
    private readonly byte[] _response = new byte[IceLiteAgent.MinResponseBufferSize];
    private readonly IceCredentials _oldLocal;

    public IceLiteAgentRestartTests()
    {
        _origin = _time.GetTimestamp();
        _agent = new IceLiteAgent(IceCredentials.Generate(), Now);
        _oldLocal = _agent.LocalCredentials;
        Assert.True(_agent.TrySetRemoteCredentials(OldRemoteUfrag, "chromiumchromiumchromium"));
        Assert.Equal(IceCheckOutcome.AnsweredNominated, Handle(OldCheck with { UseCandidate = true }, OldPath));
        Assert.True(_agent.TryDequeueEvent(out _));
    }

    public void Dispose() => _agent.Dispose();

    private TimeSpan Now => _time.GetElapsedTime(_origin);

    private BrowserCheck OldCheck => BrowserCheck.For(_oldLocal.Ufrag, _oldLocal.Password, OldRemoteUfrag);

    private BrowserCheck NewCheck => BrowserCheck.For(_agent.LocalCredentials.Ufrag, _agent.LocalCredentials.Password, NewRemoteUfrag);

    [Fact]
    public void After_a_restart_only_the_new_credentials_are_answered()
    {
        Restart();

        Assert.NotEqual(_oldLocal, _agent.LocalCredentials);
        Assert.Equal(IceCheckOutcome.Unauthenticated, Handle(OldCheck, OldPath));
        Assert.Equal(IceCheckOutcome.Unauthenticated, Handle(OldCheck with { UseCandidate = true }, NewPath));
        Assert.Equal(IceCheckOutcome.Unauthenticated, Handle(BrowserCheck.For(_agent.LocalCredentials.Ufrag, _agent.LocalCredentials.Password, OldRemoteUfrag), NewPath));
        Assert.Equal(IceCheckOutcome.Answered, Handle(NewCheck, NewPath));
        Assert.Equal(1, _agent.Restarts);
    }

    [Fact]
    public void Media_stays_on_the_old_pair_until_the_new_path_is_nominated()
    {
        Restart();
        Assert.Equal(OldPath, _agent.SelectedEndpoint);

        Assert.Equal(IceCheckOutcome.Answered, Handle(NewCheck, NewPath));
        Assert.Equal(OldPath, _agent.SelectedEndpoint);
        Assert.False(_agent.TryDequeueEvent(out _));

        Assert.Equal(IceCheckOutcome.AnsweredNominated, Handle(NewCheck with { UseCandidate = true }, NewPath));
        Assert.Equal(NewPath, _agent.SelectedEndpoint);
        Assert.True(_agent.TryDequeueEvent(out var selected));
        Assert.Equal(IceEventKind.SelectedPairChanged, selected.Kind);
        Assert.Equal(NewPath, selected.RemoteEndpoint);
    }

    [Fact]
    public void Checks_with_the_old_credentials_no_longer_keep_consent()
    {
        _time.Advance(TimeSpan.FromSeconds(20));
        Restart();

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(IceCheckOutcome.Unauthenticated, Handle(OldCheck, OldPath));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(IceAgentState.Failed, Poll());
    }

    [Fact]
    public void A_check_with_the_new_credentials_on_the_old_pair_refreshes_its_consent()
    {
        _time.Advance(TimeSpan.FromSeconds(20));
        Restart();

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(IceCheckOutcome.Answered, Handle(NewCheck, OldPath));
        _time.Advance(TimeSpan.FromSeconds(25));
        Assert.Equal(IceAgentState.Connected, Poll());
        Assert.Equal(OldPath, _agent.SelectedEndpoint);
    }

    private IceAgentState Poll()
    {
        _agent.Poll(Now);
        return _agent.State;
    }

    private void Restart()
    {
        Assert.True(IceCredentials.TryCreate(NewRemoteUfrag, "chromiumchromiumchromium2", out var remote));
        _agent.Restart(IceCredentials.Generate(), remote, Now);
    }

    private IceCheckOutcome Handle(BrowserCheck check, TransportAddress source) =>
        _agent.HandleStun(check.Build(), source, Now, _response, out _);
}
