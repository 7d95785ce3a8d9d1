namespace Switchboard.Pbx.Calls;

/// <summary>What the calling leg may ask of its call; each request goes through the call's own mailbox.</summary>
public interface ICallControl
{
    string CallId { get; }

    /// <summary>The caller hung up (before or after answer). Idempotent.</summary>
    void Hangup();

    /// <summary>The page's own set-up marks, already checked; kept for the call's record. Only the first report counts.</summary>
    void ReportPagePhases(PagePhases phases);

    /// <summary>The page's own view of the call's audio, already checked; the last report is kept for the call's record.</summary>
    void ReportPageQuality(PageQuality quality);

    /// <summary>
    /// The browser's new offer during the call, taken only as an ICE restart (RFC 8445 section 9): the answer with
    /// new ICE credentials, or why it was refused (then nothing changed).
    /// </summary>
    Task<IceRestartResult> RestartIceAsync(string offerSdp);

    /// <summary>Completes when the call has ended and its record is written.</summary>
    Task Completion { get; }
}
