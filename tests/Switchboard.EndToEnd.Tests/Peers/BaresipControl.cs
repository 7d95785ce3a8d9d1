using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>
/// A client of baresip's <c>ctrl_tcp</c> socket: netstring-framed JSON commands
/// (<c>{"command":"dial","params":"sip:...","token":"3"}</c>) answered by responses carrying the same
/// token, and unsolicited events. ctrl_tcp serves one connection at a time (a second one replaces the
/// first), so commands and events share this one connection.
/// Events are kept; each wait takes the earliest matching event no earlier wait has taken, so an event
/// that arrives before its wait starts is not lost.
/// </summary>
public sealed class BaresipControl : IAsyncDisposable
{
    private readonly TcpClient client;
    private readonly NetworkStream stream;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> pending = new();
    private readonly SemaphoreSlim sendGate = new(1, 1);
    private readonly Lock eventsGate = new();
    private readonly List<BaresipEvent> events = [];
    private readonly HashSet<int> taken = [];
    private TaskCompletionSource eventArrived = NewSignal();
    private readonly Task readLoop;
    private int nextToken;
    private string? failure;

    private BaresipControl(TcpClient client)
    {
        this.client = client;
        stream = client.GetStream();
        readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>Every event received so far, in order.</summary>
    public IReadOnlyList<BaresipEvent> Events
    {
        get
        {
            lock (eventsGate) return [.. events];
        }
    }

    /// <summary>Connects, retrying while baresip starts up, until <paramref name="ct"/> fires.</summary>
    public static async Task<BaresipControl> ConnectAsync(int port, CancellationToken ct)
    {
        while (true)
        {
            var client = new TcpClient(AddressFamily.InterNetwork) { NoDelay = true };
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port, ct);
                return new BaresipControl(client);
            }
            catch (SocketException)
            {
                client.Dispose();
                await Task.Delay(50, ct);
            }
        }
    }

    /// <summary>Sends one command and returns its response (<c>ok</c>, <c>data</c>, <c>token</c>).</summary>
    public async Task<JsonElement> CommandAsync(string command, string? parameters, CancellationToken ct)
    {
        var token = Interlocked.Increment(ref nextToken).ToString(CultureInfo.InvariantCulture);
        var response = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[token] = response;
        var json = JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["command"] = command,
            ["params"] = parameters,
            ["token"] = token,
        });
        try
        {
            await sendGate.WaitAsync(ct);
            try
            {
                await stream.WriteAsync(Netstring.Encode(json), ct);
            }
            finally
            {
                sendGate.Release();
            }

            return await response.Task.WaitAsync(ct);
        }
        finally
        {
            pending.TryRemove(token, out _);
        }
    }

    /// <summary>
    /// The earliest event matching <paramref name="match"/> that no earlier wait returned; throws
    /// <see cref="TimeoutException"/> listing the events seen when none comes in time.
    /// </summary>
    public async Task<BaresipEvent> WaitForEventAsync(Func<BaresipEvent, bool> match, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task signal;
            lock (eventsGate)
            {
                for (var i = 0; i < events.Count; i++)
                {
                    if (!taken.Contains(i) && match(events[i]))
                    {
                        taken.Add(i);
                        return events[i];
                    }
                }

                signal = eventArrived.Task;
            }

            if (readLoop.IsCompleted) throw new IOException("baresip's control connection closed; events: " + Describe());
            try
            {
                await Task.WhenAny(signal, readLoop).WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no matching baresip event within {timeout.TotalSeconds:0.#} s; events: {Describe()}");
            }
        }
    }

    public Task<BaresipEvent> WaitForEventAsync(string type, TimeSpan timeout) =>
        WaitForEventAsync(e => e.Type == type, timeout);

    public string Describe()
    {
        lock (eventsGate) return (failure is null ? "" : "(stream failed: " + failure + ") ") + string.Join("; ", events.Where(e => e.Type != "CALL_RTCP"));
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        client.Dispose();
        try
        {
            await readLoop.WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (TimeoutException)
        {
            // the socket is closed; the loop ends on its next read
        }

        stopping.Dispose();
        sendGate.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                var read = await stream.ReadAsync(buffer.AsMemory(filled), stopping.Token);
                if (read == 0) break;
                filled += read;
                var offset = 0;
                while (Netstring.TryRead(buffer.AsSpan(offset, filled - offset), out var payload, out var consumed) is var status
                    && status != OperationStatus.NeedMoreData)
                {
                    if (status == OperationStatus.InvalidData) throw new InvalidDataException("baresip sent a frame that is not a netstring");
                    Dispatch(buffer.AsMemory(offset, filled - offset)[payload]);
                    offset += consumed;
                }

                buffer.AsSpan(offset, filled - offset).CopyTo(buffer);
                filled -= offset;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // disposal or baresip exiting: pending commands fail below
        }
        catch (Exception e) when (e is InvalidDataException or JsonException)
        {
            failure = e.Message;
        }
        finally
        {
            foreach (var waiter in pending.Values) waiter.TrySetException(new IOException("baresip's control connection closed " + failure));
            lock (eventsGate) eventArrived.TrySetResult();
        }
    }

    private void Dispatch(ReadOnlyMemory<byte> json)
    {
        using var document = JsonDocument.Parse(json);
        var message = document.RootElement.Clone();
        if (message.TryGetProperty("event", out var isEvent) && isEvent.ValueKind == JsonValueKind.True)
        {
            lock (eventsGate)
            {
                events.Add(BaresipEvent.FromJson(message));
                var arrived = eventArrived;
                eventArrived = NewSignal();
                arrived.TrySetResult();
            }
        }
        else if (message.TryGetProperty("token", out var token) && token.GetString() is { } id && pending.TryGetValue(id, out var waiter))
        {
            waiter.TrySetResult(message);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
