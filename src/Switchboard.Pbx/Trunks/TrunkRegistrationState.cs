namespace Switchboard.Pbx.Trunks;

/// <summary>What the carrier answered a trunk's last REGISTER, for the admin portal.</summary>
/// <param name="Status">The final status code; 408 when nothing came back in time, 0 when no REGISTER could be sent.</param>
/// <param name="Reason">The reason phrase, or why nothing was sent.</param>
public sealed record TrunkRegistrationState(bool Registered, int Status, string? Reason, DateTimeOffset At);
