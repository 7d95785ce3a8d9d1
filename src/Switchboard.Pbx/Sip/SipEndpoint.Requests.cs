using Microsoft.Extensions.Logging;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Sip;

public sealed partial class SipEndpoint
{
    /// <summary>The methods we handle, for Allow (RFC 3261 section 20.5).</summary>
    public const string AllowedMethods = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REGISTER";

    /// <summary>A new request with its server transaction (RFC 3261 section 8.2: the UAS checks, then the method decides).</summary>
    private void OnRequest(SipServerTransaction tx, SipRequest request, SipFlow flow, DateTimeOffset now)
    {
        if (request.MaxForwards is 0 && request.Method != SipMethod.Options)
        {
            // Section 16.3 / 8.2: a request that ran out of hops.
            Reply(tx, 483, now);
            return;
        }

        if (!request.RequestUri.IsSip)
        {
            Reply(tx, 416, now);
            return;
        }

        var inDialog = request.To.Tag is not null;
        if (inDialog)
        {
            if (_dialogs.TryGetValue((request.CallId, request.To.Tag!), out var handler))
            {
                handler.OnRequest(tx, request, flow);
            }
            else
            {
                // Section 12.2.2: a request for a dialog we do not know.
                Reply(tx, 481, now);
            }

            return;
        }

        switch (request.Method.Name)
        {
            case "REGISTER":
                _ = RegisterAsync(tx, request, flow);
                break;
            case "OPTIONS":
                // Section 11.2: what we can do; phones and proxies use it as a keep-alive too.
                Execute(_transactions.SendResponse(tx, SipMessageFactory.CreateResponse(request, 200, null, SipIds.NewTag())
                    .AddHeader(SipHeaderId.Allow, AllowedMethods)
                    .AddHeader("Accept", "application/sdp")
                    .AddHeader("Server", _options.Product)
                    .BuildResponse(), now), now);
                break;
            case "INVITE":
                _ = AcceptInviteAsync((InviteServerTransaction)tx, request, flow);
                break;
            case "BYE":
            case "INFO":
                Reply(tx, 481, now);
                break;
            default:
                // Section 8.2.1: a method we do not support.
                Execute(_transactions.SendResponse(tx, SipMessageFactory.CreateResponse(request, 405, null, SipIds.NewTag())
                    .AddHeader(SipHeaderId.Allow, AllowedMethods).BuildResponse(), now), now);
                break;
        }
    }

    private void Reply(SipServerTransaction tx, int status, DateTimeOffset now) =>
        Execute(_transactions.SendResponse(tx, SipMessageFactory.CreateResponse(tx.Request, status, null, SipIds.NewTag()).BuildResponse(), now), now);

    /// <summary>The registrar reads the store: off the loop, then back in through the mailbox.</summary>
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

    /// <summary>A phone's new call: digest first (401 challenge), then the call engine takes it.</summary>
    private async Task AcceptInviteAsync(InviteServerTransaction tx, SipRequest invite, SipFlow flow)
    {
        try
        {
            // A carrier is trusted by where it sends from (the trunk's proxy), not by digest: it does not answer challenges.
            if (TrunkSource?.Invoke(flow) is { } trunk)
            {
                _calls!.OnTrunkInvite(tx, invite, flow, trunk);
                return;
            }

            var decision = await _authenticator.AuthenticateAsync(invite, flow, _stopping.Token);
            if (decision.Caller is null)
            {
                SendResponse(tx, decision.Refusal ?? SipMessageFactory.CreateResponse(invite, 403, null, SipIds.NewTag()).BuildResponse());
                return;
            }

            _calls!.OnInvite(tx, invite, flow, decision.Caller);
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
