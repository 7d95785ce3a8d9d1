using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Switchboard.MediaLoad.Sip;

/// <summary>The SDP of a plain-RTP phone (PCMU only) and the one thing read back from the other side's: where to send.</summary>
internal static partial class PlainSdp
{
    public static byte[] Pcmu(int port) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $"v=0\r\no=- {port} 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n"));

    /// <summary>The audio stream's address (the media-level c= line if any, else the session's) and port.</summary>
    public static bool TryReadAudio(string sdp, out IPEndPoint endpoint)
    {
        endpoint = new IPEndPoint(IPAddress.Any, 0);
        var media = AudioLine().Match(sdp);
        if (!media.Success || !int.TryParse(media.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return false;
        }

        var mediaConnection = Connection().Match(sdp, media.Index);
        var connection = mediaConnection.Success ? mediaConnection : Connection().Match(sdp);
        if (!connection.Success || !IPAddress.TryParse(connection.Groups[1].Value, out var address))
        {
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }

    [GeneratedRegex(@"^m=audio (\d+) ", RegexOptions.Multiline)]
    private static partial Regex AudioLine();

    [GeneratedRegex(@"^c=IN IP4 (\S+)", RegexOptions.Multiline)]
    private static partial Regex Connection();
}
