using Switchboard.Sip.Auth;

namespace Switchboard.Pbx.Registrar;

/// <summary>Limits of the registrar (RFC 3261 section 10.3) and the domain that IP-addressed requests belong to.</summary>
public sealed record RegistrarOptions
{
    /// <summary>Shortest accepted non-zero expiry; shorter requests get 423 Interval Too Brief with Min-Expires (RFC 3261 section 10.3 step 7).</summary>
    public TimeSpan MinExpires { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest granted expiry; longer requests are granted this much (RFC 3261 section 10.2.1.1: the registrar may shorten it).</summary>
    public TimeSpan MaxExpires { get; init; } = TimeSpan.FromSeconds(3600);

    /// <summary>Expiry when neither the contact's expires parameter nor an Expires header says (RFC 3261 section 10.2.1.1).</summary>
    public TimeSpan DefaultExpires { get; init; } = TimeSpan.FromSeconds(3600);

    /// <summary>Bindings kept per extension; a new contact beyond this replaces the least recently refreshed one.</summary>
    public int MaxContactsPerExtension { get; init; } = 10;

    /// <summary>The realm and domain for requests whose From/To host is an IP address or not a domain of this PBX.</summary>
    public string DefaultDomain { get; init; } = "localhost";

    /// <summary>
    /// The digest algorithms challenged with, most preferred first. MD5 only by default: widespread phones and
    /// libraries (baresip 1.0's libre among them) refuse a 401 that carries any SHA-256 challenge rather than
    /// skip to the MD5 one; add <see cref="DigestAlgorithm.Sha256"/> first where every phone speaks RFC 8760.
    /// </summary>
    public IReadOnlyList<DigestAlgorithm> DigestAlgorithms { get; init; } = [DigestAlgorithm.Md5];
}
