namespace Switchboard.Media.Quality;

/// <summary>
/// A codec's equipment impairment factor <c>Ie</c> and packet-loss robustness factor <c>Bpl</c> for the E-model
/// (ITU-T G.107), from ITU-T G.113 Appendix I where it lists the codec.
/// </summary>
/// <param name="Ie">Impairment of the codec itself at no loss (0 for G.711, the narrowband reference).</param>
/// <param name="Bpl">How well the codec bears random packet loss; higher is more robust.</param>
public readonly record struct CodecImpairment(double Ie, double Bpl)
{
    /// <summary>G.711 with packet loss concealment (G.711 Appendix I): Ie 0, Bpl 25.1 (G.113 Appendix I, Table I.3).</summary>
    public static CodecImpairment G711 { get; } = new(0, 25.1);

    /// <summary>
    /// Opus has no G.113 values. Ie 0: at the rates browsers use it is no worse than the narrowband G.711 the model is
    /// scaled on. Bpl 25.1, G.711-with-PLC's: a floor, since Opus conceals loss at least as well and browsers also send
    /// in-band FEC (RFC 7587 useinbandfec); an estimate that errs on the side of warning early.
    /// </summary>
    public static CodecImpairment Opus { get; } = new(0, 25.1);

    /// <summary>The values for a codec by its SDP name (PCMU, PCMA, opus); G.711's for anything else we negotiate.</summary>
    public static CodecImpairment For(string? codecName) =>
        string.Equals(codecName, "opus", StringComparison.OrdinalIgnoreCase) ? Opus : G711;
}
