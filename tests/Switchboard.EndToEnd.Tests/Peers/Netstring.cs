using System.Buffers;
using System.Text;

namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>
/// Netstrings (<c>len:payload,</c>, D. J. Bernstein's framing), as baresip's <c>ctrl_tcp</c> module
/// frames its JSON. The scanner consumes nothing on partial input.
/// </summary>
public static class Netstring
{
    private const int MaxLengthDigits = 9;

    public static byte[] Encode(string payload)
    {
        var body = Encoding.UTF8.GetBytes(payload);
        var prefix = Encoding.ASCII.GetBytes(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":");
        return [.. prefix, .. body, (byte)','];
    }

    /// <summary>
    /// One frame from the start of <paramref name="buffer"/>: <see cref="OperationStatus.Done"/> with the
    /// payload and the bytes consumed, <see cref="OperationStatus.NeedMoreData"/>, or
    /// <see cref="OperationStatus.InvalidData"/> when the stream cannot be a netstring.
    /// </summary>
    public static OperationStatus TryRead(ReadOnlySpan<byte> buffer, out Range payload, out int consumed)
    {
        payload = default;
        consumed = 0;
        var length = 0;
        var i = 0;
        for (; i < buffer.Length && buffer[i] != (byte)':'; i++)
        {
            var digit = buffer[i] - (byte)'0';
            if (digit is < 0 or > 9 || i >= MaxLengthDigits) return OperationStatus.InvalidData;
            length = (length * 10) + digit;
        }

        if (i == buffer.Length) return OperationStatus.NeedMoreData;
        if (i == 0) return OperationStatus.InvalidData;
        var start = i + 1;
        if (buffer.Length < start + length + 1) return OperationStatus.NeedMoreData;
        if (buffer[start + length] != (byte)',') return OperationStatus.InvalidData;
        payload = start..(start + length);
        consumed = start + length + 1;
        return OperationStatus.Done;
    }
}
