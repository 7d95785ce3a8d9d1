using System.Buffers.Binary;

namespace Switchboard.Media.Playback;

public enum WavError
{
    None,

    /// <summary>Not a RIFF/WAVE file, or a chunk runs past the end.</summary>
    NotWave,

    /// <summary>No "fmt " chunk before the "data" chunk.</summary>
    MissingFormat,

    /// <summary>Not linear PCM (format tag 1), or not 8 kHz, 16-bit, mono: prompts are played without resampling.</summary>
    UnsupportedFormat,

    /// <summary>No "data" chunk, or an empty one.</summary>
    MissingData,
}

/// <summary>
/// Reads the one WAV shape prompts use: RIFF/WAVE, linear PCM, 8000 Hz, 16-bit little-endian, mono.
/// Chunks other than "fmt " and "data" (LIST, fact) are skipped; a chunk of odd size is followed by
/// one pad byte (RIFF rule).
/// </summary>
public static class WavReader
{
    public const int SampleRate = 8000;

    private const ushort PcmFormatTag = 1;

    public static bool TryRead(ReadOnlySpan<byte> file, out short[] samples, out WavError error)
    {
        samples = [];
        if (file.Length < 12 || !file[..4].SequenceEqual("RIFF"u8) || !file[8..12].SequenceEqual("WAVE"u8))
        {
            error = WavError.NotWave;
            return false;
        }

        var formatSeen = false;
        var offset = 12;
        while (offset + 8 <= file.Length)
        {
            var id = file.Slice(offset, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(file[(offset + 4)..]);
            var body = offset + 8;
            if (size > (uint)(file.Length - body))
            {
                error = WavError.NotWave;
                return false;
            }

            var chunk = file.Slice(body, (int)size);
            if (id.SequenceEqual("fmt "u8))
            {
                if (!IsSupportedFormat(chunk))
                {
                    error = WavError.UnsupportedFormat;
                    return false;
                }

                formatSeen = true;
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (!formatSeen)
                {
                    error = WavError.MissingFormat;
                    return false;
                }

                if (chunk.Length < 2)
                {
                    error = WavError.MissingData;
                    return false;
                }

                samples = new short[chunk.Length / 2];
                for (var i = 0; i < samples.Length; i++)
                {
                    samples[i] = BinaryPrimitives.ReadInt16LittleEndian(chunk[(i * 2)..]);
                }

                error = WavError.None;
                return true;
            }

            offset = body + (int)size + (int)(size & 1);
        }

        error = formatSeen ? WavError.MissingData : WavError.MissingFormat;
        return false;
    }

    /// <summary>Writes samples as such a WAV (for tests and tools that make prompts).</summary>
    public static byte[] Write(ReadOnlySpan<short> samples)
    {
        var data = samples.Length * 2;
        var file = new byte[44 + data];
        var span = file.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)(36 + data));
        "WAVEfmt "u8.CopyTo(span[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], PcmFormatTag);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], SampleRate * 2);
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], 16);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], (uint)data);
        for (var i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(span[(44 + (i * 2))..], samples[i]);
        }

        return file;
    }

    private static bool IsSupportedFormat(ReadOnlySpan<byte> fmt) =>
        fmt.Length >= 16 &&
        BinaryPrimitives.ReadUInt16LittleEndian(fmt) == PcmFormatTag &&
        BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]) == 1 &&
        BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]) == SampleRate &&
        BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]) == 16;
}
