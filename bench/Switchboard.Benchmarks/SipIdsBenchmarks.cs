using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Switchboard.Sip.Messages;

namespace Switchboard.Benchmarks;

/// <summary>
/// A 10-character tag and a branch (RFC 3261 section 19.3): the CSPRNG drawn 256 bytes at a time per thread
/// (<c>SipIds</c>), against one generator call per character as <see cref="RandomNumberGenerator.GetString"/> and
/// <see cref="RandomNumberGenerator.GetItems{T}(ReadOnlySpan{T}, Span{T})"/> make them for a 36-character alphabet (the
/// way <c>SipIds</c> made them until 2026-12-08), kept as the baseline so the ratio comes from one run.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "BenchmarkDotNet runs instance methods.")]
public class SipIdsBenchmarks
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    [Benchmark(Baseline = true)]
    public string TagOneGeneratorCallPerCharacter() => RandomNumberGenerator.GetString(Alphabet, 10);

    [Benchmark]
    public string Tag() => SipIds.NewTag();

    [Benchmark]
    public string BranchOneGeneratorCallPerCharacter() => string.Create(23, 0, static (id, _) =>
    {
        "z9hG4bK".CopyTo(id);
        RandomNumberGenerator.GetItems(Alphabet, id[7..]);
    });

    [Benchmark]
    public string Branch() => SipIds.NewBranch();
}
