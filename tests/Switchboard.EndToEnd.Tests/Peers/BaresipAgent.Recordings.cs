namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>
/// What baresip's <c>sndfile</c> module recorded of one call, from this agent's point of view:
/// <see cref="Received"/> is the decoded audio it got from the other side (<c>dump-…-dec.wav</c>),
/// <see cref="Sent"/> what it encoded and sent (<c>dump-…-enc.wav</c>, its tone).
/// </summary>
public sealed record BaresipRecording(string ReceivedPath, string SentPath)
{
    public WavFile Received => WavFile.Read(ReceivedPath);

    public WavFile Sent => WavFile.Read(SentPath);
}

public sealed partial class BaresipAgent
{
    /// <summary>
    /// The recording of the last call. sndfile names files by the call's start to the second
    /// (<c>dump-2026-11-26-14-37-29-dec.wav</c>) and fixes their WAV headers when the call is torn
    /// down, just after CALL_CLOSED: so wait for CALL_CLOSED first, and this waits until both files
    /// hold a complete header and stop growing.
    /// </summary>
    public async Task<BaresipRecording> RecordingsAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(3));
        long lastSizes = -1;
        while (true)
        {
            var recording = NewestRecording();
            if (recording is not null)
            {
                var sizes = new FileInfo(recording.ReceivedPath).Length + new FileInfo(recording.SentPath).Length;
                if (sizes == lastSizes && HeaderComplete(recording.ReceivedPath) && HeaderComplete(recording.SentPath)) return recording;
                lastSizes = sizes;
            }

            try
            {
                await Task.Delay(100, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                var files = string.Join(", ", System.IO.Directory.EnumerateFiles(RecordingDirectory).Select(Path.GetFileName));
                throw new TimeoutException($"{Options.User}: no finished recording in {RecordingDirectory} ({files}); log:\n{LogTail}");
            }
        }
    }

    private BaresipRecording? NewestRecording()
    {
        // Each file is named by the second it was opened, and the two of one call can straddle a second
        // (dump-...-48-enc.wav with dump-...-49-dec.wav was seen): take the newest of each kind.
        var received = Newest("dump-*-dec.wav");
        var sent = Newest("dump-*-enc.wav");
        return received is not null && sent is not null ? new BaresipRecording(received, sent) : null;
    }

    private string? Newest(string pattern) =>
        System.IO.Directory.EnumerateFiles(RecordingDirectory, pattern).Order(StringComparer.Ordinal).LastOrDefault();

    /// <summary>A RIFF size that matches the file: libsndfile writes it last, when it closes the file.</summary>
    private static bool HeaderComplete(string path)
    {
        Span<byte> header = stackalloc byte[8];
        using var file = File.OpenRead(path);
        if (file.Read(header) < 8) return false;
        var riffSize = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        return riffSize + 8 == file.Length;
    }
}
