using System.Text;
using System.Text.RegularExpressions;

namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>
/// A peer's console output (baresip, Kamailio), written to a file and kept as a short tail for failure
/// messages, without baresip's call status line that it redraws with a carriage return several times a second.
/// </summary>
internal sealed partial class ProcessLog(string path) : IDisposable
{
    private const int TailLength = 4000;
    private readonly Lock gate = new();
    private readonly StreamWriter file = new(path, append: false, Encoding.UTF8) { AutoFlush = true };
    private readonly StringBuilder tail = new();
    private bool closed;

    public string Path => path;

    public string Tail
    {
        get
        {
            lock (gate) return tail.ToString();
        }
    }

    public void Append(string? line)
    {
        if (string.IsNullOrWhiteSpace(line) || StatusLine().IsMatch(line)) return;
        lock (gate)
        {
            if (closed) return;
            file.WriteLine(line);
            tail.Append(line).Append('\n');
            if (tail.Length > TailLength) tail.Remove(0, tail.Length - TailLength);
        }
    }

    [GeneratedRegex(@"^\[\d+:\d\d:\d\d\] audio=")]
    private static partial Regex StatusLine();

    public void Dispose()
    {
        lock (gate)
        {
            closed = true;
            file.Dispose();
        }
    }
}
