using System.Globalization;

namespace Switchboard.CallLatency;

/// <param name="SignedLinks">Each popup opens a fresh signed link (no session, no login) instead of the remembered session.</param>
internal sealed record BenchOptions(int Calls, int Warmup, bool SignedLinks = false)
{
    public const string Usage = "usage: Switchboard.CallLatency [--calls N (1..500, default 20)] [--warmup N (0..50, default 2)] [--signed-links 0|1 (default 0)]";

    public static bool TryParse(IReadOnlyList<string> args, out BenchOptions options, out string error)
    {
        var calls = 20;
        var warmup = 2;
        var signedLinks = false;
        options = new BenchOptions(calls, warmup);
        error = "";
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                error = Usage;
                return false;
            }

            if (i + 1 >= args.Count || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                error = $"{name} needs a whole number\n{Usage}";
                return false;
            }

            i++;
            switch (name)
            {
                case "--calls" when value is >= 1 and <= 500:
                    calls = value;
                    break;
                case "--warmup" when value is >= 0 and <= 50:
                    warmup = value;
                    break;
                case "--signed-links" when value is 0 or 1:
                    signedLinks = value == 1;
                    break;
                default:
                    error = $"unknown option or value out of range: {name} {value}\n{Usage}";
                    return false;
            }
        }

        options = new BenchOptions(calls, warmup, signedLinks);
        return true;
    }
}
