namespace Switchboard.Pbx.Security;

/// <summary>An audit trail of refused authentications, for administrators (the throttle itself counts in memory).</summary>
public interface ILoginFailureStore
{
    Task RecordAsync(LoginFailure failure, CancellationToken ct = default);

    Task<IReadOnlyList<LoginFailure>> ListAsync(int limit, CancellationToken ct = default);
}

/// <param name="Path">Which door: <c>web</c>, <c>link</c>, <c>sip</c>.</param>
/// <param name="Reason">Why: <c>bad_credentials</c>, <c>locked_out</c>, <c>link_forged</c>, ...</param>
public sealed record LoginFailure(DateTimeOffset At, string Account, string Address, string Path, string Reason);
