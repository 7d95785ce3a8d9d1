using System.Globalization;

namespace Switchboard.Media.Sdp;

/// <summary>A codec as SDP names it: encoding name, clock rate, channels (RFC 8866 section 6.6).</summary>
public sealed record SdpCodec(string Name, int ClockRate, int Channels = 1)
{
    public static SdpCodec Pcmu { get; } = new("PCMU", 8000);

    public static SdpCodec Pcma { get; } = new("PCMA", 8000);

    public static SdpCodec G722 { get; } = new("G722", 8000);

    /// <summary>Opus is always signalled as 48000/2 (RFC 7587 section 7).</summary>
    public static SdpCodec Opus { get; } = new("opus", 48000, 2);

    public static SdpCodec TelephoneEvent8000 { get; } = new("telephone-event", 8000);

    public static SdpCodec TelephoneEvent48000 { get; } = new("telephone-event", 48000);

    public bool IsTelephoneEvent => string.Equals(Name, "telephone-event", StringComparison.OrdinalIgnoreCase);

    public bool Matches(SdpRtpMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return string.Equals(map.EncodingName, Name, StringComparison.OrdinalIgnoreCase)
            && map.ClockRate == ClockRate
            && (map.Channels ?? 1) == Channels;
    }

    public SdpRtpMap ToRtpMap(int payloadType) => new(payloadType, Name, ClockRate, Channels == 1 ? null : Channels);

    public override string ToString() =>
        Channels == 1 ? $"{Name}/{ClockRate.ToString(CultureInfo.InvariantCulture)}" : $"{Name}/{ClockRate.ToString(CultureInfo.InvariantCulture)}/{Channels.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>A codec bound to a payload type in one description, with its fmtp parameters.</summary>
public sealed record SdpPayloadFormat(int PayloadType, SdpCodec Codec, string? Fmtp = null);

/// <summary>Reading the formats of an m= section, static payload types included.</summary>
public static class SdpFormats
{
    /// <summary>
    /// The codec of a payload type: its a=rtpmap, or for static types without one the RFC 3551
    /// section 6 table. Null when unknown.
    /// </summary>
    public static SdpCodec? Resolve(SdpMediaDescription media, int payloadType)
    {
        ArgumentNullException.ThrowIfNull(media);
        if (media.FindRtpMap(payloadType) is { } map)
        {
            return new SdpCodec(map.EncodingName, map.ClockRate, map.Channels ?? 1);
        }

        return payloadType switch
        {
            0 => SdpCodec.Pcmu,
            3 => new SdpCodec("GSM", 8000),
            4 => new SdpCodec("G723", 8000),
            8 => SdpCodec.Pcma,
            9 => SdpCodec.G722,
            13 => new SdpCodec("CN", 8000),
            18 => new SdpCodec("G729", 8000),
            _ => null,
        };
    }

    /// <summary>The section's RTP payload formats in the order of the m= line.</summary>
    public static List<SdpPayloadFormat> GetFormats(SdpMediaDescription media)
    {
        ArgumentNullException.ThrowIfNull(media);
        var formats = new List<SdpPayloadFormat>(media.Formats.Count);
        foreach (string token in media.Formats)
        {
            if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int pt) && pt <= 127
                && Resolve(media, pt) is { } codec)
            {
                formats.Add(new SdpPayloadFormat(pt, codec, media.FindFmtp(pt)?.Parameters));
            }
        }

        return formats;
    }

    internal static SdpPayloadFormat? FindTelephoneEvent(List<SdpPayloadFormat> offered, int clockRate)
    {
        foreach (SdpPayloadFormat f in offered)
        {
            if (f.Codec.IsTelephoneEvent && f.Codec.ClockRate == clockRate)
            {
                return f;
            }
        }

        return null;
    }

    internal static void AddFormat(SdpMediaDescription media, SdpPayloadFormat format)
    {
        media.Formats.Add(SdpTokens.Text(format.PayloadType));
        media.RtpMaps.Add(format.Codec.ToRtpMap(format.PayloadType));
        if (format.Fmtp is not null)
        {
            media.Fmtps.Add(new SdpFmtp(format.PayloadType, format.Fmtp));
        }
    }
}

/// <summary>Offer/answer rules for direction attributes (RFC 3264 section 6.1).</summary>
public static class SdpDirections
{
    public static bool Sends(this SdpDirection direction) => direction is SdpDirection.SendRecv or SdpDirection.SendOnly;

    public static bool Receives(this SdpDirection direction) => direction is SdpDirection.SendRecv or SdpDirection.RecvOnly;

    public static SdpDirection From(bool sends, bool receives) => (sends, receives) switch
    {
        (true, true) => SdpDirection.SendRecv,
        (true, false) => SdpDirection.SendOnly,
        (false, true) => SdpDirection.RecvOnly,
        _ => SdpDirection.Inactive,
    };

    /// <summary>
    /// The answer's direction: we send only if the offerer receives and we want to send; we receive
    /// only if the offerer sends and we want to receive.
    /// </summary>
    public static SdpDirection Answer(SdpDirection offered, SdpDirection preferred) =>
        From(offered.Receives() && preferred.Sends(), offered.Sends() && preferred.Receives());
}
