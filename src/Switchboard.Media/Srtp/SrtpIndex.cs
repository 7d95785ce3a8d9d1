namespace Switchboard.Media.Srtp;

/// <summary>
/// Packet index estimation of <see href="https://www.rfc-editor.org/rfc/rfc3711#section-3.3.1">RFC 3711
/// section 3.3.1</see> and appendix A: the 48-bit index is ROC * 2^16 + SEQ, where the ROC guess v is
/// ROC - 1, ROC or ROC + 1 depending on where SEQ falls against the highest sequence number s_l.
/// </summary>
public static class SrtpIndex
{
    /// <summary>Largest valid index: 2^48 - 1.</summary>
    public const ulong Max = (1UL << 48) - 1;

    /// <summary>
    /// Estimates the index of a packet with sequence number <paramref name="seq"/> given the highest index
    /// seen so far. Returns -1 when the guess would need a negative ROC, and a value above <see cref="Max"/>
    /// when the ROC would pass 2^32 - 1.
    /// </summary>
    public static long Estimate(ulong highest, ushort seq)
    {
        long roc = (long)(highest >> 16);
        int sl = (ushort)highest;
        long v;
        if (sl < 32768)
        {
            v = seq - sl > 32768 ? roc - 1 : roc;
        }
        else
        {
            v = sl - 32768 > seq ? roc + 1 : roc;
        }

        return v < 0 ? -1 : (v << 16) | seq;
    }
}
