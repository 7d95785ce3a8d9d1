namespace Switchboard.Media.Srtp;

/// <summary>
/// The sliding replay window of <see href="https://www.rfc-editor.org/rfc/rfc3711#section-3.3.2">RFC 3711
/// section 3.3.2</see> over the last <see cref="Size"/> indices, below the highest authenticated index.
/// Check before authenticating, update only after the tag verified.
/// </summary>
internal struct SrtpReplayWindow
{
    public const int Size = 128;

    private UInt128 _seen;

    /// <summary>True once an index was accepted.</summary>
    public bool HasHighest { get; private set; }

    /// <summary>The highest accepted index.</summary>
    public ulong Highest { get; private set; }

    /// <summary>False when <paramref name="index"/> was seen already or is older than the window.</summary>
    public readonly bool Check(ulong index)
    {
        if (!HasHighest || index > Highest)
        {
            return true;
        }

        ulong delta = Highest - index;
        return delta < Size && ((_seen >> (int)delta) & UInt128.One) == UInt128.Zero;
    }

    /// <summary>Marks <paramref name="index"/> as received; call after <see cref="Check"/> and authentication.</summary>
    public void Accept(ulong index)
    {
        if (!HasHighest)
        {
            HasHighest = true;
            Highest = index;
            _seen = UInt128.One;
        }
        else if (index > Highest)
        {
            ulong shift = index - Highest;
            _seen = shift >= Size ? UInt128.One : (_seen << (int)shift) | UInt128.One;
            Highest = index;
        }
        else
        {
            _seen |= UInt128.One << (int)(Highest - index);
        }
    }
}
