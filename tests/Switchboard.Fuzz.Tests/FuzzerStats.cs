using System.Globalization;

namespace Switchboard.Fuzz.Tests;

/// <summary>The fields of AFL++'s fuzzer_stats ("key : value" lines) that the smoke asserts on.</summary>
internal sealed record FuzzerStats(long ExecsDone, long SavedCrashes, long SavedHangs)
{
    public static FuzzerStats Read(string path)
    {
        var fields = File.ReadAllLines(path)
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0].Trim(), parts => parts[1].Trim(), StringComparer.Ordinal);
        long Field(string key) => fields.TryGetValue(key, out var value)
            ? long.Parse(value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"{path} has no {key}");
        return new(Field("execs_done"), Field("saved_crashes"), Field("saved_hangs"));
    }
}
