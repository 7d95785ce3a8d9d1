namespace Switchboard.Pbx.Calls;

/// <summary>Why a call ended. The popup shows each as its own message (docs/signalling.md, "Reason codes").</summary>
public enum CallEndReason
{
    Hangup,
    RemoteHangup,
    NotFound,
    NotPermitted,
    Busy,
    NoAnswer,
    Declined,
    Unavailable,
    BadOffer,
    Unauthorized,

    /// <summary>A phone's RTP stopped for <see cref="CallOptions.RtpTimeout"/> without a BYE: it is gone.</summary>
    MediaTimeout,
    Error,

    /// <summary>The PBX was stopped (a clean stop, a restart) while the call was still going: it ended every call first.</summary>
    Shutdown,

    /// <summary>
    /// The PBX process died (a crash, <c>kill -9</c>) while the call was up; written at the next start from the call's
    /// live marker, never by a running call (docs/call-records.md, "Calls up when the PBX dies").
    /// </summary>
    Interrupted,

    /// <summary>An administrator hung the call up from the portal (docs/admin.md, "Live calls"); recorded as ended by the PBX.</summary>
    AdminHangup,
}

public static class CallEndReasonCodes
{
    /// <summary>The wire code of a reason: snake_case, stable.</summary>
    public static string ToCode(this CallEndReason reason) => reason switch
    {
        CallEndReason.Hangup => "hangup",
        CallEndReason.RemoteHangup => "remote_hangup",
        CallEndReason.NotFound => "not_found",
        CallEndReason.NotPermitted => "not_permitted",
        CallEndReason.Busy => "busy",
        CallEndReason.NoAnswer => "no_answer",
        CallEndReason.Declined => "declined",
        CallEndReason.Unavailable => "unavailable",
        CallEndReason.BadOffer => "bad_offer",
        CallEndReason.Unauthorized => "unauthorized",
        CallEndReason.MediaTimeout => "media_timeout",
        CallEndReason.Interrupted => "interrupted",
        CallEndReason.Shutdown => "shutdown",
        CallEndReason.AdminHangup => "admin_hangup",
        _ => "error",
    };
}
