using Switchboard.Web.Hosting;

namespace Switchboard.Web.Tests.Hosting;

public sealed class LanguageCatalogTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sb-i18n-").FullName;

    public LanguageCatalogTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "i18n"));
        File.WriteAllText(Path.Combine(_root, "i18n", "en.json"), """{"_name":"English","login":"Login"}""");
        File.WriteAllText(Path.Combine(_root, "i18n", "de.json"), """{"_name":"Deutsch","login":"Anmelden"}""");
        File.WriteAllText(Path.Combine(_root, "i18n", "Bad Name.json"), "{}");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_language_is_a_file()
    {
        var catalog = new LanguageCatalog(_root);
        Assert.Equal([new LanguageCatalog.Language("de", "Deutsch"), new LanguageCatalog.Language("en", "English")], catalog.Languages);
    }

    [Theory]
    [InlineData("de", null, null, "de")]
    [InlineData("DE", "en", "en", "de")]
    [InlineData("fr", "de", "en", "de")]
    [InlineData(null, null, "fr-CH, de;q=0.8, en;q=0.9", "en")]
    [InlineData(null, null, "fr-CH, de-AT;q=0.8", "de")]
    [InlineData(null, null, "de;q=0, en;q=0.1", "en")]
    [InlineData(null, null, "", "en")]
    [InlineData("../etc", null, "zz", "en")]
    public void Parameter_then_session_then_accept_language_then_english(string? requested, string? session, string? accept, string expected)
    {
        Assert.Equal(expected, new LanguageCatalog(_root).Resolve(requested, session, accept));
    }
}
