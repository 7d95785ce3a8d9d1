using System.Text.Json;
using Switchboard.Pbx.Calls;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// One text message of the call WebSocket, read the way the Web project's connection reads it: the
/// envelope with System.Text.Json's web options (a <see cref="JsonException"/> is the documented bad
/// input, the only one the connection catches), then a "phases" message through
/// <see cref="PagePhases.TryParse"/>, which must refuse by returning false.
/// </summary>
public sealed class CallSocketTarget : IFuzzTarget
{
    public const string TargetName = "callsocket";

    public string Name => TargetName;

    public void Run(ReadOnlySpan<byte> input)
    {
        var json = input.ToArray();
        PageMessage? message;
        try
        {
            message = JsonSerializer.Deserialize<PageMessage>(json, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            message = null;
        }

        // The connection hands "phases" messages over whole; the marks parser is fed every input so
        // it is fuzzed even where the envelope above would have stopped.
        _ = message?.Type;
        if (PagePhases.TryParse(json, out var phases) && phases!.Marks.Count > PagePhases.Names.Count)
        {
            throw new FuzzInvariantException($"{phases.Marks.Count} marks kept, more than the {PagePhases.Names.Count} known");
        }
    }

    /// <summary>The shape of CallSocketConnection's private PageMessage, field for field.</summary>
    private sealed record PageMessage(string? Type, string? Destnumber, string? Sdp);
}
