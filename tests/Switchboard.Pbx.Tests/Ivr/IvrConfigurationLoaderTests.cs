using Switchboard.Pbx.Ivr;

namespace Switchboard.Pbx.Tests.Ivr;

public sealed class IvrConfigurationLoaderTests
{
    private const string Valid = """
        {
          // comments are allowed
          "menus": [
            { "name": "main", "prompt": "welcome.wav",
              "options": { "1": "group:sales", "2": "101", "3": "menu:more", "*": "*43" },
              "timeoutSeconds": 7, "maxRetries": 1 },
            { "name": "more", "options": { "0": "menu:main" }, "invalidPrompt": "oops.wav", "goodbyePrompt": "bye.wav" }
          ],
          "ringGroups": [
            { "name": "sales", "members": ["100", "102"], "ringTimeoutSeconds": 15, "fallback": "menu:main" }
          ]
        }
        """;

    [Fact]
    public void Reads_menus_ring_groups_and_defaults()
    {
        Assert.True(IvrConfigurationLoader.TryParse(Valid, out var config, out var error), error);
        Assert.Equal(2, config.Menus.Count);
        var main = config.StartMenu;
        Assert.Equal("main", main.Name);
        Assert.Equal("group:sales", main.Options['1']);
        Assert.Equal(TimeSpan.FromSeconds(7), main.Timeout);
        Assert.Equal(1, main.MaxRetries);
        Assert.Equal(IvrDestinations.InvalidPrompt, main.InvalidPrompt);

        var more = config.Menus[1];
        Assert.Equal(IvrDestinations.WelcomePrompt, more.Prompt);
        Assert.Equal(IvrMenu.DefaultTimeout, more.Timeout);
        Assert.Equal(IvrMenu.DefaultMaxRetries, more.MaxRetries);
        Assert.Equal("bye.wav", more.GoodbyePrompt);

        var sales = Assert.Single(config.RingGroups);
        Assert.Equal(["100", "102"], sales.Members);
        Assert.Equal(TimeSpan.FromSeconds(15), sales.RingTimeout);
        Assert.Equal("menu:main", sales.Fallback);
    }

    [Theory]
    [InlineData("""{ "menus": [ { "name": "m", "options": { "7": "" } } ] }""", """menus[0].options["7"]: destination '' is empty""")]
    [InlineData("""{ "menus": [ { "name": "m", "options": { "12": "100" } } ] }""", """menus[0].options["12"]: '12' is not a key (0-9, * or #)""")]
    [InlineData("""{ "menus": [ { "name": "m", "options": { "1": 100 } } ] }""", """menus[0].options["1"]: destination must be a string""")]
    [InlineData("""{ "menus": [ { "options": { "1": "100" } } ] }""", "menus[0].name: is missing")]
    [InlineData("""{ "menus": [ { "name": "m" } ] }""", "menus[0].options: is missing")]
    [InlineData("""{ "menus": [ { "name": "m", "options": {}, "timeoutSeconds": 0 } ] }""", "menus[0].timeoutSeconds: 0 is not a number of seconds between 0 and 3600")]
    [InlineData("""{ "menus": [ { "name": "m", "options": {}, "maxRetries": -1 } ] }""", "menus[0].maxRetries: -1 is negative")]
    [InlineData("""{ "menus": [ { "name": "m", "options": {}, "timout": 3 } ] }""", "menus[0].timout: unknown field")]
    [InlineData("""{ "menus": [] }""", "menus: needs at least one menu")]
    [InlineData("""{ }""", "menus: is missing")]
    [InlineData("""[]""", "(root): must be an object")]
    [InlineData("""{ "menus": [ { "name": "m", "options": { "1": "menu:nope" } } ] }""", """menus[0].options["1"]: no menu named 'nope'""")]
    [InlineData("""{ "menus": [ { "name": "m", "options": { "1": "group:nope" } } ] }""", """menus[0].options["1"]: no ring group named 'nope'""")]
    [InlineData("""{ "menus": [ { "name": "m", "options": {} }, { "name": "m", "options": {} } ] }""", "menus[1].name: 'm' is used twice")]
    [InlineData("""{ "menus": [ { "name": "m", "options": {} } ], "ringGroups": [ { "name": "g", "members": [] } ] }""", "ringGroups[0].members: a ring group needs at least one extension")]
    [InlineData("""{ "menus": [ { "name": "m", "options": {} } ], "ringGroups": [ { "name": "g", "members": ["100", "1x"] } ] }""", "ringGroups[0].members[1]: '1x' is not an extension number")]
    [InlineData("""{ "menus": [ { "name": "m", "options": {} } ], "ringGroups": [ { "name": "g", "members": ["100"], "fallback": "menu:x" } ] }""", "ringGroups[0].fallback: no menu named 'x'")]
    [InlineData("""{ "menus": [ { "name": "m", "options": {} } ], "ringGroups": [ { "name": "g", "members": ["100"], "ringTimeoutSeconds": -5 } ] }""", "ringGroups[0].ringTimeoutSeconds: -5 is not a number")]
    [InlineData("""{ "menus": [ """, "not JSON")]
    public void Names_the_bad_field(string json, string expected)
    {
        Assert.False(IvrConfigurationLoader.TryParse(json, out _, out var error));
        Assert.NotNull(error);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_means_the_demo_menu()
    {
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), IvrConfigurationLoader.FileName);
        Assert.True(IvrConfigurationLoader.TryLoadFile(path, out var config, out var error));
        Assert.Null(error);
        Assert.Same(IvrConfiguration.Demo, config);
    }

    [Fact]
    public void A_file_is_read_and_checked()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """{ "menus": [ { "name": "m", "options": { "#": " " } } ] }""");
            Assert.False(IvrConfigurationLoader.TryLoadFile(path, out _, out var error));
            Assert.Equal("""menus[0].options["#"]: destination ' ' is empty""", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Ring_group_validation_names_the_field()
    {
        Assert.Null(new RingGroup("g", ["100"], TimeSpan.FromSeconds(10), null).Validate());
        Assert.Equal("name: is empty", new RingGroup(" ", ["100"], TimeSpan.FromSeconds(10), null).Validate());
        Assert.Equal("members: an extension is listed twice", new RingGroup("g", ["100", "100"], TimeSpan.FromSeconds(10), null).Validate());
        Assert.Equal("ringTimeoutSeconds: must be positive", new RingGroup("g", ["100"], TimeSpan.Zero, null).Validate());
        Assert.Equal("fallback: is empty (leave it out for none)", new RingGroup("g", ["100"], TimeSpan.FromSeconds(1), "").Validate());
    }
}
