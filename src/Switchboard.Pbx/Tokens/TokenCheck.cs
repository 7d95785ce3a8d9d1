using Switchboard.Pbx.Directory;

namespace Switchboard.Pbx.Tokens;

/// <summary>A presented token's verdict and, when valid, the token and the extension its call runs as.</summary>
public sealed record TokenCheck(TokenVerdict Verdict, CallToken? Token = null, Extension? Caller = null);
