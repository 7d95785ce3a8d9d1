using System.Globalization;
using System.Text;

namespace Switchboard.EndToEnd.Tests.Peers;

public enum SipTransport
{
    Udp,
    Tcp,

    /// <summary>
    /// SIP over TLS (RFC 3261 section 26.2.1): baresip listens for it on its SIP port + 1 and, as libre does, takes the
    /// PBX's self-signed certificate without checking it (no <c>sip_cafile</c> is given).
    /// </summary>
    Tls,
}

public enum AnswerMode
{
    /// <summary>Answers every call with 200 OK at once.</summary>
    Auto,

    /// <summary>Rings (180) until <see cref="BaresipAgent.AcceptAsync"/> or <see cref="BaresipAgent.HangupAsync"/>.</summary>
    Manual,
}

/// <summary>
/// One baresip account and its audio. With <see cref="Registrar"/> null the agent does not register
/// (<c>regint=0</c>) and is reached directly at <see cref="BaresipAgent.Uri"/>.
/// </summary>
public sealed record BaresipOptions
{
    /// <summary>The user part of the address of record: the extension.</summary>
    public required string User { get; init; }

    /// <summary>The host part of the address of record, e.g. <c>demo.local</c>.</summary>
    public string Domain { get; init; } = "127.0.0.1";

    /// <summary>
    /// host:port of the registrar / outbound proxy that every request goes through (our PBX), or null
    /// for a peer that neither registers nor uses a proxy.
    /// </summary>
    public string? Registrar { get; init; }

    public SipTransport Transport { get; init; } = SipTransport.Udp;

    /// <summary>The digest password; the digest user name is <see cref="User"/>.</summary>
    public string? Password { get; init; }

    public AnswerMode AnswerMode { get; init; } = AnswerMode.Auto;

    /// <summary>REGISTER expiry asked for; ignored without a <see cref="Registrar"/>.</summary>
    public TimeSpan RegisterInterval { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// The tone the agent plays into every call (0 for silence). baresip ends the call when its WAV
    /// ends, so <see cref="ToneLength"/> must outlast the call.
    /// </summary>
    public double ToneHz { get; init; } = 440;

    public TimeSpan ToneLength { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>baresip's <c>audio_codecs</c>, in order of preference.</summary>
    public string AudioCodecs { get; init; } = "PCMU/8000/1,PCMA/8000/1";

    /// <summary>How long start-up (and registration, when waited for) may take.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(10);

    internal string TransportName => Transport switch
    {
        SipTransport.Tcp => "tcp",
        SipTransport.Tls => "tls",
        _ => "udp",
    };

    /// <summary>The line of baresip's <c>accounts</c> file.</summary>
    internal string AccountLine()
    {
        var line = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<sip:{User}@{Domain};transport={TransportName}>");
        if (Password is not null) line.Append(CultureInfo.InvariantCulture, $";auth_pass={Password}");
        if (Registrar is not null)
        {
            line.Append(CultureInfo.InvariantCulture, $";outbound=\"sip:{Registrar};transport={TransportName}\"");
        }

        var regint = Registrar is null ? 0 : (int)RegisterInterval.TotalSeconds;
        line.Append(CultureInfo.InvariantCulture, $";regint={regint}");
        line.Append(CultureInfo.InvariantCulture, $";answermode={(AnswerMode == AnswerMode.Auto ? "auto" : "manual")}");
        line.Append(CultureInfo.InvariantCulture, $";audio_codecs={AudioCodecs}");
        return line.ToString();
    }
}
