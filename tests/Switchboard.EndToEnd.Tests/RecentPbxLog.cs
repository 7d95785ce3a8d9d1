using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// The last lines every PBX host of this test run logged, kept in memory: the console log goes nowhere under
/// <c>dotnet test</c>, so a failure that depends on timing (seen once in CI, never again) could not be explained.
/// A failed popup expectation appends these lines to its message.
/// </summary>
internal sealed class RecentPbxLog : ILoggerProvider
{
    private const int Capacity = 300;

    public static readonly RecentPbxLog Instance = new();

    private readonly ConcurrentQueue<string> lines = new();

    private RecentPbxLog()
    {
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, ShortCategory(categoryName));

    /// <summary>Shared by every host: a stopping host must not end it.</summary>
    public void Dispose()
    {
    }

    /// <summary>The newest lines, oldest first, at most <paramref name="count"/>.</summary>
    public string Tail(int count = 60)
    {
        var all = lines.ToArray();
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - count)));
    }

    private void Add(string line)
    {
        lines.Enqueue(line);
        while (lines.Count > Capacity && lines.TryDequeue(out _))
        {
        }
    }

    private static string ShortCategory(string category) => category[(category.LastIndexOf('.') + 1)..];

    private sealed class Logger(RecentPbxLog sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var time = DateTime.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
            var text = $"{time} {logLevel} {category}: {formatter(state, exception)}";
            sink.Add(exception is null ? text : text + " | " + exception.GetType().Name + ": " + exception.Message + " " + exception.StackTrace?.Split('\n').FirstOrDefault()?.Trim());
        }
    }
}
