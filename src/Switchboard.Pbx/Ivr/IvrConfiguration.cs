namespace Switchboard.Pbx.Ivr;

/// <summary>The menus and ring groups of the auto attendant; the first menu is where callers start.</summary>
public sealed record IvrConfiguration(IReadOnlyList<IvrMenu> Menus, IReadOnlyList<RingGroup> RingGroups)
{
    public const string DemoMenuName = "main";

    /// <summary>
    /// The built-in demo used when no ivr.json exists: 1 for sales (extension 100), 2 for support
    /// (extension 101), 9 for the echo test; with the prompts the project ships.
    /// </summary>
    public static IvrConfiguration Demo { get; } = new(
        [
            new IvrMenu(DemoMenuName, IvrDestinations.WelcomePrompt, new Dictionary<char, string>
            {
                ['1'] = "100",
                ['2'] = "101",
                ['9'] = "*43",
            }),
        ],
        []);

    /// <summary>The menu callers enter first.</summary>
    public IvrMenu StartMenu => Menus[0];

    public IvrSession NewSession() => new(Menus, StartMenu.Name);
}
