namespace Switchboard.Media.Quality;

/// <summary>
/// A listening-quality estimate from network figures: the E-model of ITU-T G.107 reduced to what RTCP measures, as
/// commonly used for VoIP monitoring (R. G. Cole and J. H. Rosenbluth, "Voice over IP performance monitoring", ACM
/// SIGCOMM CCR 31(2), 2001):
/// <code>
/// R = 93.2 - Id - Ie_eff
/// </code>
/// 93.2 is R with every other G.107 parameter at its default (G.107, Table 3 and the note on default values);
/// <c>Id</c> the delay impairment, <c>Ie_eff</c> the codec's impairment under random loss (G.107, formula 7-29), and
/// the MOS follows from R by G.107 Annex B, formula B-4. Pure functions, no state: the same figures give the same MOS.
/// </summary>
public static class EModel
{
    /// <summary>R with all G.107 defaults and no delay or equipment impairment.</summary>
    public const double DefaultR = 93.2;

    /// <summary>One 20 ms frame waits to be filled before it is sent (the packetisation every leg here uses).</summary>
    public const double PacketisationMs = 20;

    /// <summary>The least a receiver's jitter buffer holds back, even on a jitter-free path.</summary>
    public const double MinJitterBufferMs = 20;

    /// <summary>
    /// The mouth-to-ear delay <c>Ta</c> we assume: half the round trip (the network one way), one frame of
    /// packetisation, and a jitter buffer of twice the interarrival jitter (an adaptive buffer's usual depth), at least
    /// <see cref="MinJitterBufferMs"/>. An unknown round trip counts as 0.
    /// </summary>
    public static double OneWayDelayMs(double? roundTripMs, double jitterMs) =>
        (Math.Max(0, roundTripMs ?? 0) / 2) + PacketisationMs + Math.Max(MinJitterBufferMs, 2 * Math.Max(0, jitterMs));

    /// <summary>
    /// <c>Id = 0.024 Ta + 0.11 (Ta - 177.3) H(Ta - 177.3)</c>, H the step function: Cole and Rosenbluth's fit of
    /// G.107's Idd, Idte and Idle at default echo values (talker echo loudness 65 dB) to a line with a knee at 177.3 ms.
    /// </summary>
    public static double DelayImpairment(double oneWayDelayMs)
    {
        var ta = Math.Max(0, oneWayDelayMs);
        return (0.024 * ta) + (ta > 177.3 ? 0.11 * (ta - 177.3) : 0);
    }

    /// <summary>
    /// G.107 formula 7-29 with random loss (BurstR = 1): <c>Ie_eff = Ie + (95 - Ie) Ppl / (Ppl + Bpl)</c>, Ppl the
    /// packet loss in percent.
    /// </summary>
    public static double EffectiveEquipmentImpairment(CodecImpairment codec, double lossPercent)
    {
        var ppl = Math.Clamp(lossPercent, 0, 100);
        return codec.Ie + ((95 - codec.Ie) * ppl / (ppl + codec.Bpl));
    }

    /// <summary>The rating factor <c>R = 93.2 - Id - Ie_eff</c>.</summary>
    public static double RatingFactor(CodecImpairment codec, double lossPercent, double jitterMs, double? roundTripMs) =>
        DefaultR - DelayImpairment(OneWayDelayMs(roundTripMs, jitterMs)) - EffectiveEquipmentImpairment(codec, lossPercent);

    /// <summary>
    /// G.107 Annex B, formula B-4: 1 for R below 0, 4.5 above 100, else <c>1 + 0.035 R + R (R - 60)(100 - R) 7e-6</c>.
    /// </summary>
    public static double MosFromR(double r) => r switch
    {
        < 0 => 1,
        > 100 => 4.5,
        _ => 1 + (0.035 * r) + (r * (r - 60) * (100 - r) * 7e-6),
    };

    /// <summary>The MOS estimate for a leg's figures, to two decimals.</summary>
    public static double Mos(CodecImpairment codec, double lossPercent, double jitterMs, double? roundTripMs) =>
        Math.Round(MosFromR(RatingFactor(codec, lossPercent, jitterMs, roundTripMs)), 2);
}
