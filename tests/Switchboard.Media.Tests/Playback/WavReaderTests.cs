using System.Buffers.Binary;
using Switchboard.Media.Playback;

namespace Switchboard.Media.Tests.Playback;

public sealed class WavReaderTests
{
    [Fact]
    public void Reads_back_what_it_writes()
    {
        var samples = PromptPlayerTests.Ramp(321);
        Assert.True(WavReader.TryRead(WavReader.Write(samples), out var read, out var error));
        Assert.Equal(WavError.None, error);
        Assert.Equal(samples, read);
    }

    [Fact]
    public void Skips_unknown_chunks_with_their_pad_byte()
    {
        var wav = WavReader.Write([1, 2, 3]);
        var list = new byte[] { (byte)'L', (byte)'I', (byte)'S', (byte)'T', 3, 0, 0, 0, 9, 9, 9, 0 };
        var withList = wav[..36].Concat(list).Concat(wav[36..]).ToArray();
        Assert.True(WavReader.TryRead(withList, out var read, out _));
        Assert.Equal(new short[] { 1, 2, 3 }, read);
    }

    [Fact]
    public void Names_what_is_wrong()
    {
        var wav = WavReader.Write([1, 2, 3]);
        Assert.False(WavReader.TryRead("RIFX"u8, out _, out var error));
        Assert.Equal(WavError.NotWave, error);

        var stereo = (byte[])wav.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(stereo.AsSpan(22), 2);
        Assert.False(WavReader.TryRead(stereo, out _, out error));
        Assert.Equal(WavError.UnsupportedFormat, error);

        var wideband = (byte[])wav.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(wideband.AsSpan(24), 16000);
        Assert.False(WavReader.TryRead(wideband, out _, out error));
        Assert.Equal(WavError.UnsupportedFormat, error);

        Assert.False(WavReader.TryRead(wav.AsSpan(0, 40), out _, out error));
        Assert.Equal(WavError.MissingData, error);

        var truncated = wav.AsSpan(0, wav.Length - 2);
        Assert.False(WavReader.TryRead(truncated, out _, out error));
        Assert.Equal(WavError.NotWave, error);
    }

    [Fact]
    public void A_prompt_from_a_wav_knows_its_duration()
    {
        var prompt = Prompt.TryFromWav("one second", WavReader.Write(new short[8000]), out var error);
        Assert.NotNull(prompt);
        Assert.Equal(TimeSpan.FromSeconds(1), prompt.Duration);
        Assert.Null(Prompt.TryFromWav("bad", "nope"u8, out error));
        Assert.Equal(WavError.NotWave, error);
    }
}
