using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Switchboard.Pbx.Tests.Fakes;

/// <summary>Keeps every log entry's event id and text, from any thread.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(int Id, string Message)> Entries { get; } = new();

    public int Count(int eventId) => Entries.Count(e => e.Id == eventId);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((eventId.Id, formatter(state, exception)));
}
