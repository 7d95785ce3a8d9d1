using System.Buffers.Binary;

namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>
/// 16-bit PCM RIFF/WAVE files: writes the tones baresip plays (its <c>aufile</c> source must match the
/// codec's rate, 8 kHz mono for G.711) and reads what its <c>sndfile</c> module records (seen here:
/// 8 kHz, mono, 16-bit, 44-byte header).
/// </summary>
public sealed record WavFile(int SampleRate, short[] Samples)
{
    private const int PcmFormat = 1;

    public TimeSpan Duration => TimeSpan.FromSeconds((double)Samples.Length / SampleRate);

    /// <summary>A sine tone; <paramref name="frequencyHz"/> 0 gives silence.</summary>
    public static WavFile Sine(double frequencyHz, TimeSpan length, int sampleRate = 8000, double amplitude = 0.25)
    {
        var samples = new short[(int)(length.TotalSeconds * sampleRate)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(amplitude * short.MaxValue * Math.Sin(2 * Math.PI * frequencyHz * i / sampleRate));
        }

        return new WavFile(sampleRate, samples);
    }

    /// <summary>The samples from <paramref name="from"/> on (e.g. to skip a call's first moments).</summary>
    public ReadOnlySpan<short> From(TimeSpan from)
    {
        var start = Math.Min(Samples.Length, (int)(from.TotalSeconds * SampleRate));
        return Samples.AsSpan(start);
    }

    public void Write(string path)
    {
        var dataBytes = Samples.Length * 2;
        var bytes = new byte[44 + dataBytes];
        var s = bytes.AsSpan();
        "RIFF"u8.CopyTo(s);
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], 36 + dataBytes);
        "WAVE"u8.CopyTo(s[8..]);
        "fmt "u8.CopyTo(s[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(s[20..], PcmFormat);
        BinaryPrimitives.WriteInt16LittleEndian(s[22..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(s[24..], SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(s[28..], SampleRate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(s[32..], 2);
        BinaryPrimitives.WriteInt16LittleEndian(s[34..], 16);
        "data"u8.CopyTo(s[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[40..], dataBytes);
        for (var i = 0; i < Samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(s[(44 + (2 * i))..], Samples[i]);
        }

        File.WriteAllBytes(path, bytes);
    }

    /// <summary>
    /// Reads 16-bit PCM, any rate, mixing several channels down to one. Skips chunks other than
    /// <c>fmt </c> and <c>data</c>; a data size of 0 or past the end (a recording still being written,
    /// whose header is only fixed up when the file is closed) is taken as "up to the end".
    /// </summary>
    public static WavFile Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var s = bytes.AsSpan();
        if (s.Length < 12 || !s[..4].SequenceEqual("RIFF"u8) || !s[8..12].SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException($"{path}: not a RIFF/WAVE file");
        }

        int channels = 0, rate = 0, bits = 0;
        var offset = 12;
        while (offset + 8 <= s.Length)
        {
            var id = s.Slice(offset, 4);
            var size = BinaryPrimitives.ReadInt32LittleEndian(s[(offset + 4)..]);
            var body = offset + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                var format = BinaryPrimitives.ReadInt16LittleEndian(s[body..]);
                channels = BinaryPrimitives.ReadInt16LittleEndian(s[(body + 2)..]);
                rate = BinaryPrimitives.ReadInt32LittleEndian(s[(body + 4)..]);
                bits = BinaryPrimitives.ReadInt16LittleEndian(s[(body + 14)..]);
                if (format != PcmFormat || bits != 16 || channels < 1)
                {
                    throw new InvalidDataException($"{path}: format {format}, {bits} bits, {channels} channels; only 16-bit PCM is read");
                }
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (channels == 0) throw new InvalidDataException($"{path}: data before fmt");
                var available = s.Length - body;
                var length = size <= 0 || size > available ? available : size;
                return new WavFile(rate, MixDown(s.Slice(body, length), channels));
            }

            offset = body + size + (size & 1);
            if (size < 0) break;
        }

        throw new InvalidDataException($"{path}: no data chunk");
    }

    private static short[] MixDown(ReadOnlySpan<byte> data, int channels)
    {
        var frames = data.Length / (2 * channels);
        var samples = new short[frames];
        for (var f = 0; f < frames; f++)
        {
            var sum = 0;
            for (var c = 0; c < channels; c++)
            {
                sum += BinaryPrimitives.ReadInt16LittleEndian(data[(2 * ((f * channels) + c))..]);
            }

            samples[f] = (short)(sum / channels);
        }

        return samples;
    }
}
