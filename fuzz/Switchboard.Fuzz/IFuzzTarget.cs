namespace Switchboard.Fuzz;

/// <summary>
/// One parser under fuzz. <see cref="Run"/> feeds the bytes to the real code and lets through only the
/// results that code documents for bad input (a failed TryParse, an error status); anything else that
/// escapes (an exception, a broken <see cref="FuzzInvariantException"/> check) is a crash for AFL.
/// </summary>
public interface IFuzzTarget
{
    /// <summary>The name chosen on the command line and the folder under fuzz/corpus and fuzz/regressions.</summary>
    string Name { get; }

    void Run(ReadOnlySpan<byte> input);
}

/// <summary>A property of the parser's output that must hold for every input, found broken.</summary>
public sealed class FuzzInvariantException(string message) : Exception(message);
