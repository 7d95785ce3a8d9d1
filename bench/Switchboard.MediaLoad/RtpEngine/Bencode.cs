using System.Globalization;
using System.Text;

namespace Switchboard.MediaLoad.RtpEngine;

/// <summary>
/// Bencode, as rtpengine's ng control protocol uses it: byte strings, integers, lists and dictionaries. Values are
/// <see cref="string"/>, <see cref="long"/>, <c>List&lt;object&gt;</c> and <c>Dictionary&lt;string, object&gt;</c>.
/// </summary>
internal static class Bencode
{
    public static void Write(StringBuilder output, object value)
    {
        switch (value)
        {
            case string text:
                output.Append(CultureInfo.InvariantCulture, $"{Encoding.UTF8.GetByteCount(text)}:").Append(text);
                break;
            case long or int:
                output.Append(CultureInfo.InvariantCulture, $"i{value}e");
                break;
            case IEnumerable<KeyValuePair<string, object>> dictionary:
                output.Append('d');
                foreach (var (key, item) in dictionary.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    Write(output, key);
                    Write(output, item);
                }

                output.Append('e');
                break;
            case IEnumerable<object> list:
                output.Append('l');
                foreach (var item in list)
                {
                    Write(output, item);
                }

                output.Append('e');
                break;
            default:
                throw new ArgumentException($"Cannot bencode a {value.GetType().Name}.", nameof(value));
        }
    }

    /// <summary>Reads one value at <paramref name="position"/> of <paramref name="text"/>; false on malformed input.</summary>
    public static bool TryRead(string text, ref int position, out object? value)
    {
        value = null;
        if (position >= text.Length)
        {
            return false;
        }

        switch (text[position])
        {
            case 'i':
                var end = text.IndexOf('e', position);
                if (end < 0 || !long.TryParse(text.AsSpan(position + 1, end - position - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                {
                    return false;
                }

                position = end + 1;
                value = number;
                return true;
            case 'l':
                var list = new List<object>();
                position++;
                while (position < text.Length && text[position] != 'e')
                {
                    if (!TryRead(text, ref position, out var item))
                    {
                        return false;
                    }

                    list.Add(item!);
                }

                position++;
                value = list;
                return true;
            case 'd':
                var dictionary = new Dictionary<string, object>(StringComparer.Ordinal);
                position++;
                while (position < text.Length && text[position] != 'e')
                {
                    if (!TryRead(text, ref position, out var key) || key is not string name || !TryRead(text, ref position, out var item))
                    {
                        return false;
                    }

                    dictionary[name] = item!;
                }

                position++;
                value = dictionary;
                return true;
            default:
                return TryReadString(text, ref position, out value);
        }
    }

    // Lengths are in bytes; the ng messages the tool reads (SDP, results) are ASCII, so bytes and chars agree.
    private static bool TryReadString(string text, ref int position, out object? value)
    {
        value = null;
        var colon = text.IndexOf(':', position);
        if (colon < 0 || !int.TryParse(text.AsSpan(position, colon - position), NumberStyles.None, CultureInfo.InvariantCulture, out var length) || colon + 1 + length > text.Length)
        {
            return false;
        }

        value = text.Substring(colon + 1, length);
        position = colon + 1 + length;
        return true;
    }
}
