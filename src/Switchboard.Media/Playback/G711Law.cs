using Switchboard.Media.Codecs;
using Switchboard.Media.Sdp;

namespace Switchboard.Media.Playback;

/// <summary>The two G.711 companding laws (ITU-T G.711; RFC 3551 section 4.5.14: PCMU and PCMA).</summary>
public enum G711Law
{
    MuLaw,
    ALaw,
}

public static class G711Laws
{
    /// <summary>The law of a negotiated codec; false for anything that is not 8 kHz G.711 (Opus, G.722).</summary>
    public static bool TryFromCodec(SdpCodec codec, out G711Law law)
    {
        ArgumentNullException.ThrowIfNull(codec);
        law = G711Law.MuLaw;
        if (codec.ClockRate != 8000 || codec.Channels != 1)
        {
            return false;
        }

        if (string.Equals(codec.Name, SdpCodec.Pcmu.Name, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        law = G711Law.ALaw;
        return string.Equals(codec.Name, SdpCodec.Pcma.Name, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The code of a zero sample, to pad the last frame.</summary>
    public static byte Silence(G711Law law) => law == G711Law.MuLaw ? Pcmu.Encode(0) : Pcma.Encode(0);
}
