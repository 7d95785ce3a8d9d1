using Switchboard.MediaLoad.Pump;
using Switchboard.MediaLoad.Sip;
using Switchboard.Media.Dtls;
using Switchboard.Media.Srtp;

namespace Switchboard.MediaLoad.WebRtc;

/// <summary>
/// The browser of the WebRTC mode, built from our own media blocks: log in, open the call WebSocket, offer, check
/// the answer's candidate (ICE), DTLS client handshake (BouncyCastle; its blocking worker thread lives only for the
/// handshake and is disposed once the SRTP keys are out, without close_notify so the call stays up), then SRTP on the
/// pump like any other stream.
/// </summary>
internal sealed class WebRtcCaller(WebApi web, PumpSet pumps, DtlsCertificate certificate, string account, string password)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Places call number <paramref name="index"/>; its socket once media flows, else the reason (the socket is closed).</summary>
    public async Task<(BrowserCall? Call, string? Failure)> CallAsync(int index, string destination, CancellationToken ct)
    {
        var ticket = await web.LoginAsync(index, account, password, ct);
        if (ticket is null)
        {
            return (null, "login refused");
        }

        var call = new CallSocket(await web.OpenCallSocketAsync(index, ticket, ct));
        var endpoint = pumps.Add(new WebRtcEndpoint());
        var failure = await ConnectAsync(call, endpoint, destination, ct);
        if (failure is null)
        {
            return (new BrowserCall(call, endpoint), null);
        }

        endpoint.Stop();
        await call.DisposeAsync();
        return (null, failure);
    }

    private async Task<string?> ConnectAsync(CallSocket call, WebRtcEndpoint endpoint, string destination, CancellationToken ct)
    {
        var ufrag = BrowserOffer.Token(8);
        await call.CallAsync(destination, BrowserOffer.Create(ufrag, BrowserOffer.Token(24), certificate.Fingerprint), ct);
        string answer;
        try
        {
            answer = await call.Answer.WaitAsync(StepTimeout, ct);
        }
        catch (Exception ex) when (ex is TimeoutException or TaskCanceledException)
        {
            return "no answer SDP" + (call.Ended.IsCompleted ? " (ended: " + await call.Ended + ")" : "");
        }

        if (!BrowserOffer.TryReadAnswer(answer, out var remoteUfrag, out var remotePassword, out var fingerprint) || !PlainSdp.TryReadAudio(answer, out var relay))
        {
            return "unusable answer SDP";
        }

        endpoint.StartIce(relay, remoteUfrag, remotePassword, ufrag);
        try
        {
            await endpoint.IceConnected.WaitAsync(StepTimeout, ct);
        }
        catch (TimeoutException)
        {
            return "ICE checks unanswered";
        }

        if (await HandshakeAsync(endpoint, fingerprint!, ct) is { } dtlsFailure)
        {
            return dtlsFailure;
        }

        try
        {
            await call.Connected.WaitAsync(StepTimeout, ct);
        }
        catch (Exception ex) when (ex is TimeoutException or TaskCanceledException)
        {
            return "not connected" + (call.Ended.IsCompleted ? " (ended: " + await call.Ended + ")" : "");
        }

        endpoint.Sending = true;
        return null;
    }

    private async Task<string?> HandshakeAsync(WebRtcEndpoint endpoint, DtlsFingerprint fingerprint, CancellationToken ct)
    {
        var keys = new TaskCompletionSource<DtlsSrtpKeys>(TaskCreationOptions.RunContinuationsAsynchronously);
        var dtls = BouncyCastleDtlsEndpoint.CreateClient(new DtlsEndpointOptions
        {
            Certificate = certificate,
            ExpectedRemoteFingerprints = [fingerprint],
            HandshakeTimeout = StepTimeout,
        });
        var flight = new byte[DtlsLimits.MaxDatagramSize];
        dtls.OutgoingAvailable += () =>
        {
            // Raised on the handshake worker; only that thread drains, so one buffer serves every flight.
            while (dtls.TryDequeueOutgoing(flight, out var length))
            {
                endpoint.SendControl(flight.AsSpan(0, length));
            }
        };
        dtls.HandshakeCompleted += k => keys.TrySetResult(k);
        dtls.Failed += f => keys.TrySetException(new InvalidOperationException(f.ToString()));
        endpoint.Dtls = dtls;
        dtls.Start();
        try
        {
            var exported = await keys.Task.WaitAsync(StepTimeout + TimeSpan.FromSeconds(1), ct);
            if (!SrtpSession.TryCreateFromDtls(exported.SrtpProfileId, exported.KeyingMaterial, exported.IsServer, out var srtp))
            {
                return "SRTP profile not supported";
            }

            endpoint.Srtp = srtp;
            return null;
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            return "DTLS: " + ex.Message;
        }
        finally
        {
            endpoint.Dtls = null;
            dtls.Dispose();
        }
    }
}

/// <summary>A browser call that is up: its signalling socket and its media.</summary>
internal sealed record BrowserCall(CallSocket Signalling, WebRtcEndpoint Media);
