using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Tests.Messages;

/// <summary>Branches, tags and Call-IDs (RFC 3261 sections 8.1.1.7, 19.3, 8.1.1.4), drawn through <see cref="RandomChars"/>.</summary>
public sealed class SipIdsTests
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    [Fact]
    public void Each_identifier_has_its_shape_and_only_the_alphabets_characters()
    {
        var branch = SipIds.NewBranch();
        Assert.StartsWith("z9hG4bK", branch, StringComparison.Ordinal);
        Assert.Equal(7 + 16, branch.Length);
        Assert.All(branch[7..], c => Assert.Contains(c, Alphabet));

        var tag = SipIds.NewTag();
        Assert.Equal(10, tag.Length);
        Assert.All(tag, c => Assert.Contains(c, Alphabet));

        var callId = SipIds.NewCallId("192.0.2.1");
        Assert.Matches("^[a-z0-9]{20}@192\\.0\\.2\\.1$", callId);
    }

    [Fact]
    public void Every_character_is_about_equally_likely()
    {
        // 360,000 characters: each of the 36 is expected 10,000 times (standard deviation about 98); a bias from taking
        // bytes modulo 36 without rejection would give the first 4 characters 8/7 of the others' share (about 11,200).
        var counts = new int[Alphabet.Length];
        var chars = new char[1_000];
        for (var round = 0; round < 360; round++)
        {
            RandomChars.Fill(Alphabet, chars);
            foreach (var c in chars)
            {
                counts[Alphabet.IndexOf(c, StringComparison.Ordinal)]++;
            }
        }

        Assert.All(counts, n => Assert.InRange(n, 9_400, 10_600));
    }

    [Fact]
    public void Tags_made_on_many_threads_at_once_are_all_different()
    {
        var tags = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                tags.Add(SipIds.NewTag());
            }
        });

        Assert.Equal(80_000, tags.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void An_alphabet_of_256_characters_takes_every_byte_and_one_of_one_is_refused()
    {
        var all = new string(Enumerable.Range(0, 256).Select(i => (char)(0x100 + i)).ToArray());
        var chars = new char[4_096];
        RandomChars.Fill(all, chars);
        Assert.True(chars.Distinct().Count() > 200);
        Assert.Throws<ArgumentOutOfRangeException>(() => RandomChars.Fill("a", chars));
    }
}
