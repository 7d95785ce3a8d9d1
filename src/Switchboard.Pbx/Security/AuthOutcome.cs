using Switchboard.Pbx.Directory;

namespace Switchboard.Pbx.Security;

/// <summary>Why an authentication was refused; each maps to a message code the popup translates.</summary>
public enum AuthFailure
{
    None,
    Malformed,
    BadCredentials,
    LockedOut,
    LinkForged,
    LinkExpired,
    LinkNotYetValid,
    LinkDurationTooLong,
}

/// <summary>The authenticated extension, or why there is none.</summary>
public sealed record AuthOutcome(Extension? Extension, AuthFailure Failure, TimeSpan RetryAfter)
{
    public bool Succeeded => Failure == AuthFailure.None;

    public static AuthOutcome Success(Extension extension) => new(extension, AuthFailure.None, TimeSpan.Zero);

    public static AuthOutcome Fail(AuthFailure failure, TimeSpan retryAfter = default) => new(null, failure, retryAfter);
}
