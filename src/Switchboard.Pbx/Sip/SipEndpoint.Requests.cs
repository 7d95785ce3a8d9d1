using Microsoft.Extensions.Logging;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;
using Switchboard.Sip.UserAgent;

namespace Switchboard.Pbx.Sip;

public sealed partial class SipEndpoint
{
    /// <summary>The requests only the PBX can answer: a REGISTER for the registrar, a new INVITE for the call engine.</summary>
    void ISipUserAgentHost.OnNewRequest(SipServerTransaction transaction, SipRequest request, SipFlow flow)
    {
        if (request.Method == SipMethod.Register)
        {
            Track(RegisterAsync(transaction, request, flow));
        }
        else if (transaction is InviteServerTransaction invite)
        {
            // A carrier is trusted by where it sends from (the trunk's proxy), not by digest: it does not answer challenges.
            if (TrunkSource?.Invoke(flow) is { } trunk)
            {
                _calls!.OnTrunkInvite(invite, request, flow, trunk);
                return;
            }

            Track(AcceptInviteAsync(invite, request, flow));
        }
    }

    /// <summary>Keeps store work that is still running, so that a stop waits for it instead of abandoning it.</summary>
    private void Track(Task work)
    {
        if (work.IsCompleted)
        {
            return;
        }

        lock (_handlers)
        {
            _handlers.Add(work);
        }

        work.ContinueWith(t => { lock (_handlers) { _handlers.Remove(t); } }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// Runs on the loop. The registrar and the digest check read the directory, which answers from its cache at once
    /// and reads the store on the thread pool (CachedDirectoryStore; the audit of a refusal likewise), so nothing here
    /// blocks the loop; when the answer has to wait, the await comes back to the loop (its synchronization context).
    /// </summary>
    private async Task RegisterAsync(SipServerTransaction tx, SipRequest request, SipFlow flow)
    {
        try
        {
            var response = await _registrar.HandleRegisterAsync(request, flow, _stopping.Token);
            SendResponse(tx, response);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogRequestFailed(_log, ex, "REGISTER");
            SendResponse(tx, SipMessageFactory.CreateResponse(request, 500, null, SipIds.NewTag()).BuildResponse());
        }
    }

    /// <summary>
    /// A phone's new call: digest first (401 challenge), then the call engine takes it, on the loop, unless a CANCEL came
    /// while the check waited for the store (the core has answered the INVITE 487 then: RFC 3261 section 9.2).
    /// </summary>
    private async Task AcceptInviteAsync(InviteServerTransaction tx, SipRequest invite, SipFlow flow)
    {
        try
        {
            var decision = await _authenticator.AuthenticateAsync(invite, flow, _stopping.Token);
            if (decision.Caller is not { } caller)
            {
                SendResponse(tx, decision.Refusal ?? SipMessageFactory.CreateResponse(invite, 403, null, SipIds.NewTag()).BuildResponse());
                return;
            }

            if (SipUserAgentCore.IsPending(tx))
            {
                _calls!.OnInvite(tx, invite, flow, caller);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogRequestFailed(_log, ex, "INVITE");
            SendResponse(tx, SipMessageFactory.CreateResponse(invite, 500, null, SipIds.NewTag()).BuildResponse());
        }
    }

    [LoggerMessage(EventId = 5120, Level = LogLevel.Debug, Message = "SIP: malformed request from port {Port} answered 400: {Error} {Detail}")]
    private static partial void LogMalformed(ILogger logger, Switchboard.Sip.Parsing.SipParseError error, string? detail, int port);

    [LoggerMessage(EventId = 5121, Level = LogLevel.Debug, Message = "SIP: unparsable message dropped: {Error} {Detail}")]
    private static partial void LogDropped(ILogger logger, Switchboard.Sip.Parsing.SipParseError error, string? detail);

    [LoggerMessage(EventId = 5122, Level = LogLevel.Debug, Message = "SIP: could not send over {Transport} to port {Port}")]
    private static partial void LogSendFailed(ILogger logger, SipTransportKind transport, int port);

    [LoggerMessage(EventId = 5123, Level = LogLevel.Error, Message = "SIP: handling {Method} failed")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception, string method);

    [LoggerMessage(EventId = 5124, Level = LogLevel.Error, Message = "SIP: endpoint input {Kind} failed")]
    private static partial void LogInputFailed(ILogger logger, Exception exception, InputKind kind);
}
