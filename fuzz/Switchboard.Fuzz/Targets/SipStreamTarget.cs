using Switchboard.Sip.Parsing;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// The stream framer (RFC 3261 section 18.3) over a TCP byte stream, fed whole and then cut at every
/// eighth byte: it must consume nothing on partial input, never more than it was given, and frame the
/// same messages however the stream was cut. Each framed message goes through the parser.
/// </summary>
public sealed class SipStreamTarget : IFuzzTarget
{
    public const string TargetName = "sip-stream";

    private readonly SipStreamFramer _framer = new();

    public string Name => TargetName;

    public void Run(ReadOnlySpan<byte> input)
    {
        var whole = Frame(input, input.Length);
        var cut = Frame(input, 8);
        if (whole != cut)
        {
            throw new FuzzInvariantException($"framing depends on how the stream was cut: {whole} bytes framed whole, {cut} in 8-byte reads");
        }
    }

    /// <summary>Feeds <paramref name="input"/> in reads of <paramref name="chunk"/> bytes; returns how many bytes were framed before the end or an error.</summary>
    private int Frame(ReadOnlySpan<byte> input, int chunk)
    {
        var start = 0;
        var available = Math.Min(chunk, input.Length);
        while (true)
        {
            var window = input[start..available];
            var frame = _framer.Scan(window);
            if (frame.Consumed < 0 || frame.Consumed > window.Length)
            {
                throw new FuzzInvariantException($"consumed {frame.Consumed} of {window.Length} bytes");
            }

            switch (frame.Status)
            {
                case SipFrameStatus.NeedMoreData:
                    if (frame.Consumed != 0)
                    {
                        throw new FuzzInvariantException("consumed bytes while asking for more");
                    }

                    if (available == input.Length)
                    {
                        return start;
                    }

                    available = Math.Min(available + chunk, input.Length);
                    continue;
                case SipFrameStatus.Error:
                    return start;
                case SipFrameStatus.Message:
                    if (frame.Length != frame.Consumed || frame.Length == 0)
                    {
                        throw new FuzzInvariantException($"a message of {frame.Length} bytes consumed {frame.Consumed}");
                    }

                    var parsed = SipParser.Parse(window[..frame.Length], framing: SipTransportFraming.Stream);
                    if (parsed.IsSuccess)
                    {
                        SipTarget.Touch(parsed.Message!);
                    }

                    break;
                default:
                    if (frame.Consumed == 0)
                    {
                        throw new FuzzInvariantException($"{frame.Status} consumed nothing");
                    }

                    break;
            }

            start += frame.Consumed;
        }
    }
}
