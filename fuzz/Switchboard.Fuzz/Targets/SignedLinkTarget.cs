using System.Text;
using Switchboard.Pbx.Links;
using Switchboard.Pbx.Security;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// The signed-link checker: the input is the link's five values (destnumber, user, pass, time,
/// duration) one per line, a missing line being an absent parameter. A pass of "=" is replaced by the
/// right hash, so the window and duration rules after the hash check are reached too; the user
/// "nobody" has no account. Every input must end in a verdict, never an exception.
/// </summary>
public sealed class SignedLinkTarget : IFuzzTarget
{
    public const string TargetName = "signed-link";

    private const string WebPassword = "web-secret";
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private readonly SignedLinkChecker _checker = new(new SecurityOptions());

    public string Name => TargetName;

    public void Run(ReadOnlySpan<byte> input)
    {
        var fields = Encoding.UTF8.GetString(input).Split('\n');
        string? Field(int i) => i < fields.Length ? fields[i] : null;
        var (destination, user, pass, time, duration) = (Field(0), Field(1), Field(2), Field(3), Field(4));
        var password = user == "nobody" ? null : WebPassword;
        if (pass == "=" && user is not null && destination is not null && time is not null && duration is not null)
        {
            pass = SignedLinkHash.Compute(user, WebPassword, destination, time, duration);
        }

        var verdict = _checker.Check(new SignedLinkRequest(destination, user, pass, time, duration), password, Now);
        if (!Enum.IsDefined(verdict))
        {
            throw new FuzzInvariantException($"verdict {verdict} is not one of the defined ones");
        }
    }
}
