using Switchboard.Pbx.Ivr;

namespace Switchboard.Pbx.Tests.Ivr;

public sealed class IvrPromptLibraryTests
{
    [Fact]
    public void The_shipped_prompts_load_and_cover_the_demo_menu()
    {
        var library = IvrPromptLibrary.Load(IvrPromptLibrary.DefaultDirectory, out var errors);
        Assert.Empty(errors);
        Assert.Empty(library.Missing(IvrConfiguration.Demo));
        Assert.True(library.TryGet(IvrDestinations.WelcomePrompt, out var welcome));
        Assert.InRange(welcome.Duration, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8));
        Assert.True(library.TryGet(IvrDestinations.GoodbyePrompt, out var goodbye));
        Assert.True(goodbye.Duration < welcome.Duration);
    }

    [Fact]
    public void A_missing_folder_or_a_bad_file_is_reported()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory();
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "broken.wav"), "not audio");
            var library = IvrPromptLibrary.Load(directory.FullName, out var errors);
            Assert.Equal(["broken.wav: NotWave"], errors);
            Assert.Equal(3, library.Missing(IvrConfiguration.Demo).Count());

            IvrPromptLibrary.Load(Path.Combine(directory.FullName, "nope"), out errors);
            Assert.Single(errors);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
