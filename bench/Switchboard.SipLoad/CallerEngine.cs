using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Threading.Channels;
using Switchboard.Sip.Dialogs;
using Switchboard.Sip.Messages;

namespace Switchboard.SipLoad;

/// <summary>
/// The calling side: calls are started open-loop at a target rate (a Stopwatch pacer), spread over a few UDP sockets,
/// and driven by one loop that owns every call's state. Receive loops only parse and post; a 20 ms tick retransmits
/// unanswered requests (RFC 3261 timers A and E, T1 = 500 ms, capped at T2 = 4 s) and fails calls whose current step
/// timed out. Each call: INVITE, 401, ACK, INVITE with digest, 100/180/200, ACK, BYE, 200.
/// </summary>
internal sealed class CallerEngine : IDisposable
{
    private static readonly long T1 = Stopwatch.Frequency / 2;
    private static readonly long T2 = Stopwatch.Frequency * 4;
    private const int MaxFailureSamples = 5;
    private static readonly TimeSpan TickPeriod = TimeSpan.FromMilliseconds(20);
    private readonly Channel<CallerEvent> _events = Channel.CreateUnbounded<CallerEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, LoadCall> _calls = new(StringComparer.Ordinal);
    private readonly List<LoadCall> _expired = [];
    private readonly SipUdpSocket[] _sockets;
    private readonly LoadSetup _setup;
    private readonly long _stepTimeout;
    private StepStats _stats = new(0);
    private int _nextCallee;
    private int _nextSocket;

    public CallerEngine(LoadSetup setup, int sockets)
    {
        _setup = setup;
        _sockets = Enumerable.Range(0, sockets).Select(_ => new SipUdpSocket()).ToArray();
        _stepTimeout = (long)(setup.StepTimeout.TotalSeconds * Stopwatch.Frequency);
    }

    public Task ReceiveLoopsAsync(CancellationToken ct) => Task.WhenAll(_sockets.Select((socket, index) =>
        Task.Run(() => socket.ReceiveLoopAsync((message, from) => _events.Writer.TryWrite(new CallerEvent(CallerEventKind.Message, message, from, index)), ct), ct)));

    /// <summary>
    /// Starts <paramref name="rate"/> × <paramref name="window"/> calls at the rate and returns once every one has
    /// ended, failed or outlived the step (window + 3 step timeouts). <paramref name="pbxCpu"/> reads the PBX's CPU time.
    /// </summary>
    public async Task<StepStats> RunStepAsync(int rate, TimeSpan window, Func<TimeSpan> pbxCpu, CancellationToken ct)
    {
        var stats = _stats = new StepStats(rate);
        var total = (int)Math.Round(rate * window.TotalSeconds);
        using var stepCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pbxCpuBefore = pbxCpu();
        var toolCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        var hardEnd = start + (long)(window.TotalSeconds * Stopwatch.Frequency) + 3 * _stepTimeout;
        var pacer = PaceAsync(rate, total, stepCts.Token);
        var ticker = TickAsync(stepCts.Token);
        var pacingDone = false;
        while (await _events.Reader.WaitToReadAsync(ct))
        {
            while (_events.Reader.TryRead(out var e))
            {
                switch (e.Kind)
                {
                    case CallerEventKind.Start:
                        Start();
                        break;
                    case CallerEventKind.PacingDone:
                        pacingDone = true;
                        stats.PacingSpan = Stopwatch.GetElapsedTime(start);
                        break;
                    case CallerEventKind.Tick:
                        Tick();
                        break;
                    case CallerEventKind.Message:
                        OnMessage(e.Message!, e.From!, e.Socket);
                        break;
                }
            }

            if ((pacingDone && _calls.Count == 0) || Stopwatch.GetTimestamp() > hardEnd)
            {
                break;
            }
        }

        foreach (var call in _calls.Values.ToList())
        {
            End(call, $"unfinished at step end ({call.Phase})");
        }

        _calls.Clear();
        stats.Elapsed = Stopwatch.GetElapsedTime(start);
        stats.PbxCpu = pbxCpu() - pbxCpuBefore;
        stats.ToolCpu = Process.GetCurrentProcess().TotalProcessorTime - toolCpuBefore;
        await stepCts.CancelAsync();
        await Task.WhenAll(pacer, ticker);
        return stats;
    }

    public void Dispose()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }

    /// <summary>Open loop: call n starts at n / rate seconds, whatever happened to earlier calls.</summary>
    private async Task PaceAsync(int rate, int total, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var started = 0;
        try
        {
            while (started < total)
            {
                var due = Math.Min(total, (int)(clock.Elapsed.TotalSeconds * rate) + 1);
                for (; started < due; started++)
                {
                    _events.Writer.TryWrite(new CallerEvent(CallerEventKind.Start));
                }

                if (started < total)
                {
                    await Task.Delay(1, ct);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        _events.Writer.TryWrite(new CallerEvent(CallerEventKind.PacingDone));
    }

    private async Task TickAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TickPeriod);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                _events.Writer.TryWrite(new CallerEvent(CallerEventKind.Tick));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Start()
    {
        _stats.Attempted++;
        if (_calls.Count >= _setup.MaxConcurrent)
        {
            _stats.Fail("concurrency limit");
            return;
        }

        var callee = _setup.Callees[_nextCallee++ % _setup.Callees.Count];
        var socket = _nextSocket++ % _sockets.Length;
        var local = _sockets[socket].Local;
        var callId = SipIds.NewCallId("load");
        var invite = LoadSip.NewRequest(SipMethod.Invite, $"sip:{callee}@{_setup.Domain}", $"<sip:{callee}@{_setup.Domain}>", _setup.Caller, _setup.Domain, local, callId, 1)
            .AddHeader(SipHeaderId.Contact, LoadSip.Contact(_setup.Caller, local))
            .SetBody(LoadSip.PcmuSdp, "application/sdp")
            .BuildRequest();
        var call = new LoadCall(callId, socket, invite, Stopwatch.GetTimestamp());
        _calls[callId] = call;
        _stats.PeakConcurrent = Math.Max(_stats.PeakConcurrent, _calls.Count);
        SendRequest(call, invite);
    }

    /// <summary>Sends a request that starts a step: it is retransmitted until answered and the step's deadline restarts.</summary>
    private void SendRequest(LoadCall call, SipRequest request)
    {
        var now = Stopwatch.GetTimestamp();
        call.Outstanding = request;
        call.RetransmitInterval = T1;
        call.NextRetransmitAt = now + T1;
        call.StepDeadline = now + _stepTimeout;
        Send(call, request);
    }

    private void Send(LoadCall call, SipMessage message) => _sockets[call.Socket].Send(message, _setup.Pbx);

    private void OnMessage(SipMessage message, IPEndPoint from, int socket)
    {
        if (message is SipRequest request)
        {
            OnRequest(request, from, socket);
            return;
        }

        var response = (SipResponse)message;
        if (!_calls.TryGetValue(response.CallId, out var call))
        {
            // Late retransmissions for calls already over (or from an earlier step).
            _stats.StrayResponses++;
            return;
        }

        call.LastStatus = response.StatusCode;

        if (response.CSeq.Method == SipMethod.Invite)
        {
            OnInviteResponse(call, response);
        }
        else if (response.CSeq.Method == SipMethod.Bye && call.Phase == CallPhase.Bye && response.CSeq.Number == call.Dialog!.LocalSequence)
        {
            OnByeResponse(call, response);
        }
    }

    private void OnInviteResponse(LoadCall call, SipResponse response)
    {
        var forCurrent = response.CSeq.Number == call.Invite.CSeq.Number;
        if (response.IsProvisional)
        {
            if (forCurrent && ReferenceEquals(call.Outstanding, call.Invite))
            {
                call.Outstanding = null; // Timer A stops on a provisional response (RFC 3261 section 17.1.1.2).
            }

            return;
        }

        // A retransmitted final response is answered with the same ACK again (RFC 3261 sections 17.1.1.2 and 13.2.2.4).
        if (!forCurrent)
        {
            if (call.ChallengeAck is not null)
            {
                Send(call, call.ChallengeAck);
            }

            return;
        }

        if (call.Phase == CallPhase.Bye)
        {
            if (response.IsSuccess && call.Ack is not null)
            {
                Send(call, call.Ack);
            }

            return;
        }

        if (call.Phase == CallPhase.Challenge && response.StatusCode == 401)
        {
            call.ChallengeAck = SipMessageFactory.CreateAckForFailure(call.Invite, response);
            Send(call, call.ChallengeAck);
            var local = _sockets[call.Socket].Local;
            if (LoadSip.WithDigest(call.Invite, response, _setup.Caller, _setup.Password, local) is not { } retry)
            {
                End(call, "401 without a digest challenge");
                return;
            }

            call.Invite = retry;
            call.Phase = CallPhase.Invite;
            SendRequest(call, retry);
            return;
        }

        if (!response.IsSuccess)
        {
            Send(call, SipMessageFactory.CreateAckForFailure(call.Invite, response));
            End(call, $"INVITE answered {response.StatusCode}");
            return;
        }

        if (call.Phase == CallPhase.Challenge || !SipDialog.TryCreateAsUac(call.Invite, response, out var dialog))
        {
            End(call, call.Phase == CallPhase.Challenge ? "200 without authentication" : "200 that makes no dialog");
            return;
        }

        _stats.SetupMs.Add(Stopwatch.GetElapsedTime(call.StartedAt).TotalMilliseconds);
        var via = LoadSip.Via(_sockets[call.Socket].Local);
        call.Dialog = dialog;
        call.Ack = dialog.CreateAck(response, via).BuildRequest();
        Send(call, call.Ack);
        call.Phase = CallPhase.Bye;
        SendRequest(call, dialog.CreateRequest(SipMethod.Bye, LoadSip.Via(_sockets[call.Socket].Local)).BuildRequest());
    }

    private void OnByeResponse(LoadCall call, SipResponse response)
    {
        if (response.IsProvisional)
        {
            call.Outstanding = null;
            return;
        }

        if (!response.IsSuccess)
        {
            End(call, $"BYE answered {response.StatusCode}");
            return;
        }

        _stats.Completed++;
        _stats.CallMs.Add(Stopwatch.GetElapsedTime(call.StartedAt).TotalMilliseconds);
        _calls.Remove(call.CallId);
    }

    private void OnRequest(SipRequest request, IPEndPoint from, int socket)
    {
        if (request.Method == SipMethod.Ack)
        {
            return;
        }

        _sockets[socket].Send(SipMessageFactory.CreateResponse(request, 200, null, request.To.Tag ?? SipIds.NewTag()).BuildResponse(), from);
        if (request.Method == SipMethod.Bye && _calls.TryGetValue(request.CallId, out var call))
        {
            End(call, "BYE from the PBX");
        }
    }

    private void Tick()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var call in _calls.Values)
        {
            if (now > call.StepDeadline)
            {
                _expired.Add(call);
            }
            else if (call.Outstanding is { } request && now >= call.NextRetransmitAt)
            {
                Send(call, request);
                _stats.Retransmissions++;
                call.RetransmitInterval = Math.Min(call.RetransmitInterval * 2, T2);
                call.NextRetransmitAt = now + call.RetransmitInterval;
            }
        }

        foreach (var call in _expired)
        {
            End(call, call.Phase switch
            {
                CallPhase.Challenge => "timeout waiting for the 401",
                CallPhase.Invite => "timeout waiting for the 200 to INVITE",
                _ => "timeout waiting for the 200 to BYE",
            });
        }

        _expired.Clear();
    }

    private void End(LoadCall call, string reason)
    {
        _stats.Fail(reason);
        if (_stats.FailureSamples.Count < MaxFailureSamples)
        {
            var age = Stopwatch.GetElapsedTime(call.StartedAt).TotalMilliseconds;
            _stats.FailureSamples.Add(string.Create(CultureInfo.InvariantCulture, $"{call.CallId} ({reason}; last status {call.LastStatus}; {age:F0} ms after the first INVITE)"));
        }

        _calls.Remove(call.CallId);
    }
}

internal enum CallerEventKind
{
    Start,
    PacingDone,
    Tick,
    Message,
}

internal readonly record struct CallerEvent(CallerEventKind Kind, SipMessage? Message = null, IPEndPoint? From = null, int Socket = 0);

/// <summary>Who calls whom, and the limits of a run.</summary>
internal sealed record LoadSetup(IPEndPoint Pbx, string Domain, string Caller, string Password, IReadOnlyList<string> Callees, int MaxConcurrent, TimeSpan StepTimeout);
