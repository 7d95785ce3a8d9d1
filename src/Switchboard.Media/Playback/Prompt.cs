using Switchboard.Media.Codecs;

namespace Switchboard.Media.Playback;

/// <summary>
/// A recorded announcement: 8 kHz mono audio, encoded once into both G.711 laws when made so that
/// playing it copies bytes and encodes nothing per packet. Immutable; one prompt may play on many
/// legs at once.
/// </summary>
public sealed class Prompt
{
    private readonly byte[] _pcmu;
    private readonly byte[] _pcma;

    private Prompt(string name, ReadOnlySpan<short> samples)
    {
        Name = name;
        _pcmu = new byte[samples.Length];
        _pcma = new byte[samples.Length];
        Pcmu.Encode(samples, _pcmu);
        Pcma.Encode(samples, _pcma);
    }

    private Prompt(string name, byte[] pcmu, byte[] pcma)
    {
        Name = name;
        _pcmu = pcmu;
        _pcma = pcma;
    }

    public string Name { get; }

    /// <summary>
    /// One prompt that plays <paramref name="parts"/> one after the other (a sentence joined from spoken pieces). G.711
    /// codes each sample on its own (ITU-T G.711), so the encoded bytes are joined as they are, without re-encoding.
    /// </summary>
    public static Prompt Concat(string name, IReadOnlyList<Prompt> parts)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(parts);
        var length = parts.Sum(p => p.SampleCount);
        if (length == 0)
        {
            throw new ArgumentException("A prompt needs at least one sample.", nameof(parts));
        }

        var pcmu = new byte[length];
        var pcma = new byte[length];
        var at = 0;
        foreach (var part in parts)
        {
            part._pcmu.CopyTo(pcmu, at);
            part._pcma.CopyTo(pcma, at);
            at += part.SampleCount;
        }

        return new Prompt(name, pcmu, pcma);
    }

    /// <summary>Number of 8 kHz samples.</summary>
    public int SampleCount => _pcmu.Length;

    public TimeSpan Duration => TimeSpan.FromTicks(SampleCount * TimeSpan.TicksPerSecond / WavReader.SampleRate);

    /// <summary>A prompt from 8 kHz 16-bit mono samples; at least one sample.</summary>
    public static Prompt FromPcm(string name, ReadOnlySpan<short> samples)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (samples.IsEmpty)
        {
            throw new ArgumentException("A prompt needs at least one sample.", nameof(samples));
        }

        return new Prompt(name, samples);
    }

    /// <summary>A prompt from a WAV file's bytes (see <see cref="WavReader"/>); null with the reason when unusable.</summary>
    public static Prompt? TryFromWav(string name, ReadOnlySpan<byte> wav, out WavError error) =>
        WavReader.TryRead(wav, out var samples, out error) ? new Prompt(name, samples) : null;

    /// <summary>The prompt encoded in <paramref name="law"/>, one byte per sample.</summary>
    public ReadOnlySpan<byte> Encoded(G711Law law) => law == G711Law.MuLaw ? _pcmu : _pcma;
}
