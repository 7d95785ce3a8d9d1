using System.Diagnostics.CodeAnalysis;

namespace Switchboard.Pbx.Policy;

/// <summary>
/// A dial pattern in the Asterisk style (docs/dialplan.md): digits, <c>*</c> and <c>#</c> match themselves,
/// <c>X</c> any digit, <c>Z</c> 1-9, <c>N</c> 2-9, <c>[15-7]</c> one digit of a set, a trailing <c>.</c> one or
/// more further characters, and an optional leading <c>+</c> that the number must also have.
/// </summary>
public sealed class DialPattern
{
    public const int MaxLength = 64;

    // One mask per position: bits 0-9 for the digits, then '*' and '#'.
    private const ushort AnyDigit = 0x3FF;
    private const ushort StarBit = 1 << 10;
    private const ushort HashBit = 1 << 11;

    private readonly ushort[] _positions;

    private DialPattern(string text, bool plus, ushort[] positions, bool openEnded)
    {
        Text = text;
        Plus = plus;
        _positions = positions;
        OpenEnded = openEnded;
    }

    public string Text { get; }

    /// <summary>The pattern starts with '+': only numbers written with '+' match.</summary>
    public bool Plus { get; }

    /// <summary>The pattern ends with '.': it needs at least one more character after its fixed part.</summary>
    public bool OpenEnded { get; }

    /// <summary>The fewest characters a matching number has, its '+' included.</summary>
    public int MinLength => (Plus ? 1 : 0) + _positions.Length + (OpenEnded ? 1 : 0);

    /// <summary>For patterns known to be valid (defaults, stored rules): a bad one is a programmer error.</summary>
    public static DialPattern Parse(string text) =>
        TryParse(text, out var pattern, out var error) ? pattern : throw new ArgumentException(error, nameof(text));

    public static bool TryParse(string? text, [NotNullWhen(true)] out DialPattern? pattern, out string error)
    {
        pattern = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "the pattern is empty";
            return false;
        }

        if (text.Length > MaxLength)
        {
            error = $"'{text}' is longer than {MaxLength} characters";
            return false;
        }

        var plus = text[0] == '+';
        var positions = new List<ushort>();
        var openEnded = false;
        for (var i = plus ? 1 : 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '.')
            {
                if (i != text.Length - 1 || positions.Count == 0 && !plus)
                {
                    error = $"'{text}' has '.' that is not at its end after something to match";
                    return false;
                }

                openEnded = true;
                continue;
            }

            if (c == '[')
            {
                var close = text.IndexOf(']', i);
                if (close < 0 || !TryParseSet(text.AsSpan(i + 1, close - i - 1), out var set))
                {
                    error = $"'{text}' has a bad digit set at position {i + 1} (write e.g. [1-5] or [137])";
                    return false;
                }

                positions.Add(set);
                i = close;
                continue;
            }

            var mask = MaskOf(c);
            if (mask == 0)
            {
                error = $"'{text}' has '{c}', which is not a digit or pattern letter";
                return false;
            }

            positions.Add(mask);
        }

        if (positions.Count == 0 && !openEnded)
        {
            error = $"'{text}' matches nothing";
            return false;
        }

        error = "";
        pattern = new DialPattern(text, plus, [.. positions], openEnded);
        return true;
    }

    public bool Matches(ReadOnlySpan<char> number)
    {
        var hasPlus = number.Length > 0 && number[0] == '+';
        if (hasPlus != Plus)
        {
            return false;
        }

        var rest = hasPlus ? number[1..] : number;
        if (OpenEnded ? rest.Length <= _positions.Length : rest.Length != _positions.Length)
        {
            return false;
        }

        for (var i = 0; i < rest.Length; i++)
        {
            var bit = BitOf(rest[i]);
            if (bit == 0 || (i < _positions.Length && (_positions[i] & bit) == 0))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => Text;

    private static ushort MaskOf(char c) => c switch
    {
        'X' or 'x' => AnyDigit,
        'Z' or 'z' => AnyDigit & ~1,
        'N' or 'n' => AnyDigit & ~3,
        _ => BitOf(c),
    };

    private static ushort BitOf(char c) => c switch
    {
        >= '0' and <= '9' => (ushort)(1 << (c - '0')),
        '*' => StarBit,
        '#' => HashBit,
        _ => 0,
    };

    private static bool TryParseSet(ReadOnlySpan<char> body, out ushort set)
    {
        set = 0;
        for (var i = 0; i < body.Length; i++)
        {
            if (!char.IsAsciiDigit(body[i]))
            {
                return false;
            }

            if (i + 2 < body.Length && body[i + 1] == '-')
            {
                if (!char.IsAsciiDigit(body[i + 2]) || body[i + 2] < body[i])
                {
                    return false;
                }

                for (var d = body[i]; d <= body[i + 2]; d++)
                {
                    set |= BitOf(d);
                }

                i += 2;
                continue;
            }

            set |= BitOf(body[i]);
        }

        return set != 0;
    }
}
