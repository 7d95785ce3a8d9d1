namespace Switchboard.Fuzz.Tests;

/// <summary>
/// Every committed corpus file and every regression input goes through its target in-process: no
/// exception may escape (the same rule AFL applies, without AFL).
/// </summary>
public class CorpusReplayTests
{
    public static TheoryData<string> Targets => new(FuzzTargets.Names);

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Corpus_and_regressions_replay_without_a_crash(string name)
    {
        var target = await FuzzTargets.CreateAsync(name);
        try
        {
            var corpus = Directory.GetFiles(RepoPaths.Corpus(name));
            Assert.True(corpus.Length >= 5, $"{name}: the committed corpus has {corpus.Length} files");
            var regressions = Directory.Exists(RepoPaths.Regressions(name)) ? Directory.GetFiles(RepoPaths.Regressions(name)) : [];
            foreach (var file in corpus.Concat(regressions))
            {
                var input = await File.ReadAllBytesAsync(file);
                var error = Record.Exception(() => target.Run(input));
                Assert.True(error is null, $"{name}: {Path.GetFileName(file)} crashed the target: {error}");
            }
        }
        finally
        {
            (target as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void Every_target_has_a_corpus_folder()
    {
        foreach (var name in FuzzTargets.Names)
        {
            Assert.True(Directory.Exists(RepoPaths.Corpus(name)), $"fuzz/corpus/{name} is missing");
        }
    }
}
