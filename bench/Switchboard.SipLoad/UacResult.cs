using System.Globalization;

namespace Switchboard.SipLoad;

/// <summary>
/// One SIPp UAC run as SIPp counted it: the last row of its <c>-trace_stat</c> file (cumulative counters) and every
/// call set-up time from its <c>-trace_rtt</c> file (rtd 1: first INVITE sent -> 200 received, whole milliseconds).
/// </summary>
internal sealed class UacResult
{
    private static readonly string[] NotFailures = ["FailedCall(C)"];

    public int ExitCode { get; private init; }

    public TimeSpan Elapsed { get; private init; }

    public long Attempted { get; private init; }

    public long Completed { get; private init; }

    public long Failed { get; private init; }

    public long Retransmissions { get; private init; }

    /// <summary>SIPp's failure counters that are not zero (FailedTimeoutOnRecv, FailedUnexpectedMessage, ...).</summary>
    public IReadOnlyDictionary<string, long> Reasons { get; private init; } = new Dictionary<string, long>();

    /// <summary>Set-up times in ms, sorted.</summary>
    public IReadOnlyList<double> SetupMs { get; private init; } = [];

    /// <summary>
    /// Completed calls over the span from the first to the last 200 plus one call interval (so exactly the rate when
    /// every call keeps pace); summed over the processes of a step.
    /// </summary>
    public double AchievedCps { get; private init; }

    /// <summary>The first lines of SIPp's error log, when a call failed.</summary>
    public IReadOnlyList<string> ErrorSamples { get; private init; } = [];

    public static UacResult Read(int exitCode, TimeSpan elapsed, int rate, string statsPath, string rttPath, string errorsPath)
    {
        var row = LastRow(statsPath);
        long Get(string column) => row.TryGetValue(column, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
        var reasons = row.Keys
            .Where(k => k.StartsWith("Failed", StringComparison.Ordinal) && k.EndsWith("(C)", StringComparison.Ordinal) && !NotFailures.Contains(k))
            .Select(k => (Name: k[6..^3], Count: Get(k)))
            .Where(r => r.Count > 0)
            .ToDictionary(r => r.Name, r => r.Count, StringComparer.Ordinal);
        foreach (var column in new[] { "DeadCallMsgs(C)", "OutOfCallMsgs(C)" })
        {
            if (Get(column) is > 0 and var count)
            {
                reasons[column[..^3]] = count;
            }
        }

        var (setups, span) = ReadSetups(rttPath);
        var completed = Get("SuccessfulCall(C)");
        return new UacResult
        {
            ExitCode = exitCode,
            Elapsed = elapsed,
            Attempted = Get("TotalCallCreated"),
            Completed = completed,
            Failed = Get("FailedCall(C)"),
            Retransmissions = Get("Retransmissions(C)"),
            Reasons = reasons,
            SetupMs = setups,
            AchievedCps = setups.Count > 1 ? completed / (span.TotalSeconds + (1.0 / rate)) : 0,
            ErrorSamples = File.Exists(errorsPath) ? [.. File.ReadLines(errorsPath).Where(l => l.Length > 0).Take(6)] : [],
        };
    }

    /// <summary>The processes of one step as one: counts and rates summed, set-up times merged, the longest elapsed time.</summary>
    public static UacResult Combine(IReadOnlyList<UacResult> parts)
    {
        var reasons = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (reason, count) in parts.SelectMany(p => p.Reasons))
        {
            reasons[reason] = reasons.GetValueOrDefault(reason) + count;
        }

        return new UacResult
        {
            ExitCode = parts.Select(p => p.ExitCode).DefaultIfEmpty(0).Max(),
            Elapsed = parts.Select(p => p.Elapsed).DefaultIfEmpty(TimeSpan.Zero).Max(),
            Attempted = parts.Sum(p => p.Attempted),
            Completed = parts.Sum(p => p.Completed),
            Failed = parts.Sum(p => p.Failed),
            Retransmissions = parts.Sum(p => p.Retransmissions),
            Reasons = reasons,
            SetupMs = [.. parts.SelectMany(p => p.SetupMs).Order()],
            AchievedCps = parts.Sum(p => p.AchievedCps),
            ErrorSamples = [.. parts.SelectMany(p => p.ErrorSamples).Take(6)],
        };
    }

    /// <summary>The header's names mapped to the last row's values (fields separated by ';').</summary>
    private static Dictionary<string, string> LastRow(string path)
    {
        var row = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return row;
        }

        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        if (lines.Count < 2)
        {
            return row;
        }

        var names = lines[0].Split(';');
        var values = lines[^1].Split(';');
        for (var i = 0; i < Math.Min(names.Length, values.Length); i++)
        {
            row[names[i]] = values[i];
        }

        return row;
    }

    /// <summary>Lines "Date_ms;response_time_ms;rtd_no" after a header; rtd 1 only.</summary>
    private static (List<double> Setups, TimeSpan Span) ReadSetups(string path)
    {
        var setups = new List<double>();
        if (!File.Exists(path))
        {
            return (setups, TimeSpan.Zero);
        }

        double first = double.MaxValue, last = double.MinValue;
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var parts = line.Split(';');
            if (parts.Length >= 3 && parts[2].Trim() == "1"
                && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var at)
                && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms))
            {
                setups.Add(ms);
                first = Math.Min(first, at);
                last = Math.Max(last, at);
            }
        }

        setups.Sort();
        return (setups, setups.Count > 1 ? TimeSpan.FromMilliseconds(last - first) : TimeSpan.Zero);
    }
}
