using System.Text;
using Switchboard.Pbx.Ivr;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// Loading <c>ivr.json</c>: a refusal is TryParse returning false with an error text; an accepted
/// configuration has every menu and ring group named.
/// </summary>
public sealed class IvrTarget : IFuzzTarget
{
    public const string TargetName = "ivr";

    public string Name => TargetName;

    public void Run(ReadOnlySpan<byte> input)
    {
        if (!IvrConfigurationLoader.TryParse(Encoding.UTF8.GetString(input), out var configuration, out var error))
        {
            if (string.IsNullOrEmpty(error))
            {
                throw new FuzzInvariantException("refused without saying why");
            }

            return;
        }

        foreach (var menu in configuration.Menus)
        {
            _ = menu.ToString();
        }

        foreach (var group in configuration.RingGroups)
        {
            _ = group.ToString();
        }
    }
}
