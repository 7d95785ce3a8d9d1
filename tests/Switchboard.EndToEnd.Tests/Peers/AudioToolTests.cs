using System.Buffers;
using System.Text;

namespace Switchboard.EndToEnd.Tests.Peers;

public sealed class AudioToolTests
{
    [Fact]
    public void A_written_tone_reads_back_and_is_detected_at_its_frequency_only()
    {
        var path = Path.GetTempFileName();
        try
        {
            WavFile.Sine(440, TimeSpan.FromSeconds(1)).Write(path);
            var read = WavFile.Read(path);
            Assert.Equal(8000, read.SampleRate);
            Assert.Equal(8000, read.Samples.Length);
            Assert.True(ToneDetector.PowerShare(read.Samples, 8000, 440) > 0.8);
            Assert.True(ToneDetector.PowerShare(read.Samples, 8000, 1000) < 0.05);
            Assert.InRange(ToneDetector.Rms(read.Samples), 0.25 * short.MaxValue / Math.Sqrt(2) * 0.95, 0.25 * short.MaxValue / Math.Sqrt(2) * 1.05);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Silence_has_no_tone()
    {
        var silence = WavFile.Sine(0, TimeSpan.FromSeconds(1));
        Assert.Equal(0, ToneDetector.PowerShare(silence.Samples, 8000, 440));
        Assert.Equal(0, ToneDetector.Rms(silence.Samples));
    }

    [Fact]
    public void Netstring_scanner_needs_more_data_at_every_cut_and_reads_whole_frames()
    {
        var frame = Netstring.Encode("{\"a\":1}");
        Assert.Equal("7:{\"a\":1},", Encoding.UTF8.GetString(frame));
        for (var cut = 0; cut < frame.Length; cut++)
        {
            Assert.Equal(OperationStatus.NeedMoreData, Netstring.TryRead(frame.AsSpan(0, cut), out _, out var consumed));
            Assert.Equal(0, consumed);
        }

        byte[] two = [.. frame, .. Netstring.Encode("x")];
        Assert.Equal(OperationStatus.Done, Netstring.TryRead(two, out var payload, out var used));
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(two.AsSpan()[payload]));
        Assert.Equal(frame.Length, used);
        Assert.Equal(OperationStatus.InvalidData, Netstring.TryRead("x:1,"u8, out _, out _));
        Assert.Equal(OperationStatus.InvalidData, Netstring.TryRead("1:ab"u8, out _, out _));
    }
}
