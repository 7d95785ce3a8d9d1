using Switchboard.Media.Quality;

namespace Switchboard.Media.Tests.Quality;

/// <summary>
/// The E-model estimate against values worked out by hand from the formulas (ITU-T G.107 formula 7-29 and Annex B
/// formula B-4, Cole and Rosenbluth's Id, G.113 Appendix I's G.711 values); each test shows its arithmetic.
/// </summary>
public class EModelTests
{
    private const double Precision = 1e-9;

    [Fact]
    public void A_clean_g711_leg_is_rated_by_its_buffer_and_packetisation_delay_only()
    {
        // Ta = 0/2 + 20 + max(20, 2*0) = 40 ms; Id = 0.024 * 40 = 0.96; Ie_eff = 0; R = 93.2 - 0.96 = 92.24.
        Assert.Equal(40, EModel.OneWayDelayMs(null, 0), Precision);
        Assert.Equal(0.96, EModel.DelayImpairment(40), Precision);
        Assert.Equal(92.24, EModel.RatingFactor(CodecImpairment.G711, 0, 0, null), Precision);

        // MOS = 1 + 0.035 * 92.24 + 92.24 * 32.24 * 7.76 * 7e-6 = 1 + 3.2284 + 0.161537772032 = 4.389937772032.
        Assert.Equal(4.389937772032, EModel.MosFromR(92.24), Precision);
        Assert.Equal(4.39, EModel.Mos(CodecImpairment.G711, 0, 0, null));
    }

    [Fact]
    public void Five_percent_loss_costs_g711_with_plc_about_sixteen_points_of_r()
    {
        // Ie_eff = 0 + (95 - 0) * 5 / (5 + 25.1) = 475 / 30.1 = 15.780730897...
        Assert.Equal(475 / 30.1, EModel.EffectiveEquipmentImpairment(CodecImpairment.G711, 5), Precision);

        // Ta = 100/2 + 20 + max(20, 2*10) = 90 ms; Id = 0.024 * 90 = 2.16; R = 93.2 - 2.16 - 15.780730897 = 75.259269103.
        Assert.Equal(90, EModel.OneWayDelayMs(100, 10), Precision);
        var r = EModel.RatingFactor(CodecImpairment.G711, 5, 10, 100);
        Assert.Equal(93.2 - 2.16 - (475 / 30.1), r, Precision);

        // MOS = 1 + 0.035 R + R (R - 60)(100 - R) 7e-6 = 3.83296...
        Assert.Equal(3.83, EModel.Mos(CodecImpairment.G711, 5, 10, 100));
    }

    [Fact]
    public void Delay_beyond_the_knee_at_177_3_ms_costs_more_per_millisecond()
    {
        // Ta = 400/2 + 20 + max(20, 2*30) = 280 ms; Id = 0.024 * 280 + 0.11 * (280 - 177.3) = 6.72 + 11.297 = 18.017.
        Assert.Equal(280, EModel.OneWayDelayMs(400, 30), Precision);
        Assert.Equal(18.017, EModel.DelayImpairment(280), Precision);

        // Below the knee the line has one slope: 0.024 per ms.
        Assert.Equal(0.024 * 177.3, EModel.DelayImpairment(177.3), Precision);

        // R = 93.2 - 18.017 = 75.183; MOS = 3.8297...
        Assert.Equal(75.183, EModel.RatingFactor(CodecImpairment.G711, 0, 30, 400), Precision);
        Assert.Equal(3.83, EModel.Mos(CodecImpairment.G711, 0, 30, 400));
    }

    [Theory]
    [InlineData(-5, 1)]
    [InlineData(0, 1)]
    [InlineData(50, 2.575)] // 1 + 1.75 + 50 * (-10) * 50 * 7e-6 = 2.75 - 0.175
    [InlineData(100, 4.5)]
    [InlineData(120, 4.5)]
    public void Mos_follows_g107_annex_b_formula_b4_and_its_bounds(double r, double mos)
    {
        Assert.Equal(mos, EModel.MosFromR(r), Precision);
    }

    [Fact]
    public void Total_loss_leaves_r_near_the_bottom_and_nonsense_input_is_clamped()
    {
        // Ie_eff = 95 * 100 / 125.1 = 75.939...; R = 93.2 - 0.96 - 75.939 = 16.30.
        Assert.Equal(93.2 - 0.96 - (9500 / 125.1), EModel.RatingFactor(CodecImpairment.G711, 100, 0, null), Precision);
        Assert.Equal(EModel.RatingFactor(CodecImpairment.G711, 100, 0, null), EModel.RatingFactor(CodecImpairment.G711, 250, 0, null), Precision);
        Assert.Equal(EModel.RatingFactor(CodecImpairment.G711, 0, 0, 0), EModel.RatingFactor(CodecImpairment.G711, -3, -7, -20), Precision);
    }

    [Fact]
    public void Codecs_are_found_by_their_sdp_name()
    {
        Assert.Equal(new CodecImpairment(0, 25.1), CodecImpairment.For("PCMU"));
        Assert.Equal(CodecImpairment.G711, CodecImpairment.For("PCMA"));
        Assert.Equal(CodecImpairment.Opus, CodecImpairment.For("opus"));
        Assert.Equal(CodecImpairment.G711, CodecImpairment.For(null));
    }
}
