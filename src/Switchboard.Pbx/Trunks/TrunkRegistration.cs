using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Sip;
using Switchboard.Sip.Messages;
using Switchboard.Sip.UserAgent;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Trunks;

/// <summary>
/// Keeps one trunk registered (RFC 3261 section 10.2): REGISTER, answer a 401/407 with digest, re-register at
/// 80 % of the granted time, retry after 30 s when it fails. One loop owns it.
/// </summary>
internal sealed partial class TrunkRegistration(Trunk trunk, IPEndPoint proxy, SipEndpoint sip, ITrunkStore store, TimeProvider time, ILogger log)
{
    private const int RequestedExpires = 600;
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(40);
    private readonly string _callId = SipIds.NewCallId("switchboard");
    private readonly string _fromTag = SipIds.NewTag();
    private uint _cseq;

    // Each written whole by the loop and read by the admin API: a reference write is atomic, volatile makes it seen.
    private volatile TrunkRegistrationState? _last;
    private volatile CancellationTokenSource? _wake;

    public bool Registered => _last?.Registered ?? false;

    /// <summary>The last REGISTER's outcome; null before the first has been answered or timed out.</summary>
    public TrunkRegistrationState? Last => _last;

    /// <summary>Ends the wait before the next REGISTER (the portal's "test"); does nothing while one is under way.</summary>
    public void RegisterNow()
    {
        try
        {
            _wake?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The wait ended by itself meanwhile: a REGISTER is being sent anyway.
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var granted = await RegisterOnceAsync(ct);
                wait = granted is { } g ? g * 0.8 : RetryAfterFailure;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            using var wake = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _wake = wake;
            try
            {
                await Task.Delay(wait, time, wake.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // Woken early by RegisterNow.
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                _wake = null;
            }
        }
    }

    /// <summary>One registration; the granted lifetime, or null when the carrier refused or did not answer.</summary>
    private async Task<TimeSpan?> RegisterOnceAsync(CancellationToken ct)
    {
        if (sip.Transport.CreateFlow(trunk.Transport, proxy) is not { } flow)
        {
            LogRegistration(log, trunk.Name, 0, "the trunk's transport is not enabled");
            _last = new TrunkRegistrationState(false, 0, "the trunk's transport is not enabled", time.GetUtcNow());
            return null;
        }

        var response = await SendAsync(Build(flow, null), flow, ct);
        if (response?.StatusCode is 401 or 407 && await store.GetPasswordAsync(trunk.Id, ct) is { } password &&
            TrunkDigest.Answer(response, trunk, password, "REGISTER", "sip:" + trunk.SipDomain) is { } authorization)
        {
            response = await SendAsync(Build(flow, authorization), flow, ct);
        }

        var status = response?.StatusCode ?? 408;
        LogRegistration(log, trunk.Name, status, response?.ReasonPhrase);
        _last = new TrunkRegistrationState(response is { IsSuccess: true }, status, response is null ? "no answer" : response.ReasonPhrase, time.GetUtcNow());
        if (response is not { IsSuccess: true })
        {
            return null;
        }

        var expires = response.Contacts.Select(c => c.Parameters.Get("expires")).FirstOrDefault(e => e is not null) is { } text &&
                      int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var e1) ? e1
            : response.Expires is { } e2 ? (int)e2 : RequestedExpires;
        return TimeSpan.FromSeconds(Math.Max(30, expires));
    }

    private SipRequest Build(SipFlow flow, (string Name, string Value)? authorization)
    {
        var aor = $"<sip:{trunk.Username}@{trunk.SipDomain}>";
        var builder = SipMessageBuilder.Request(SipMethod.Register, "sip:" + trunk.SipDomain)
            .AddHeader(SipHeaderId.Via, sip.NewVia(flow))
            .AddHeader(SipHeaderId.MaxForwards, "70")
            .AddHeader(SipHeaderId.From, $"{aor};tag={_fromTag}")
            .AddHeader(SipHeaderId.To, aor)
            .AddHeader(SipHeaderId.CallId, _callId)
            .AddHeader(SipHeaderId.CSeq, $"{++_cseq} REGISTER")
            .AddHeader(SipHeaderId.Contact, sip.ContactFor(flow, trunk.Username))
            .AddHeader(SipHeaderId.Expires, RequestedExpires.ToString(CultureInfo.InvariantCulture))
            .AddHeader("User-Agent", sip.Product);
        if (authorization is { } a)
        {
            builder.AddHeader(a.Name, a.Value);
        }

        return builder.BuildRequest();
    }

    private async Task<SipResponse?> SendAsync(SipRequest request, SipFlow flow, CancellationToken ct)
    {
        var handler = new FinalResponse();
        sip.SendRequest(request, flow, handler);
        try
        {
            return await handler.Task.WaitAsync(ResponseTimeout, time, ct);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Completes with the first final response (the transaction synthesizes 408 or 503 itself).</summary>
    private sealed class FinalResponse : ISipClientHandler
    {
        private readonly TaskCompletionSource<SipResponse> _final = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<SipResponse> Task => _final.Task;

        public void OnResponse(SipClientTransaction transaction, SipResponse response)
        {
            if (response.IsFinal)
            {
                _final.TrySetResult(response);
            }
        }
    }

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "Trunk {Trunk}: REGISTER answered {Status} {Reason}")]
    private static partial void LogRegistration(ILogger logger, string trunk, int status, string? reason);
}
