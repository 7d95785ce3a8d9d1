namespace Switchboard.Server.Tests;

/// <summary>The collection of test classes that run when no other test runs: those that count what the whole process does (its meters).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "alone";
}
