namespace Switchboard.Media.Srtp;

/// <summary>
/// The AES-CM key derivation function of <see href="https://www.rfc-editor.org/rfc/rfc3711#section-4.3">RFC 3711
/// section 4.3</see> with a key derivation rate of zero (as DTLS-SRTP uses), so r = index DIV kdr = 0.
/// AES-GCM uses the same PRF with its 96-bit master salt (<see href="https://www.rfc-editor.org/rfc/rfc7714#section-11">RFC 7714 section 11</see>),
/// left-aligned in the 112-bit x as libsrtp and Chrome do.
/// </summary>
public static class SrtpKeyDerivation
{
    /// <summary>Label for the SRTP encryption key.</summary>
    public const byte RtpEncryption = 0x00;

    /// <summary>Label for the SRTP authentication key.</summary>
    public const byte RtpAuthentication = 0x01;

    /// <summary>Label for the SRTP session salt.</summary>
    public const byte RtpSalt = 0x02;

    /// <summary>Label for the SRTCP encryption key.</summary>
    public const byte RtcpEncryption = 0x03;

    /// <summary>Label for the SRTCP authentication key.</summary>
    public const byte RtcpAuthentication = 0x04;

    /// <summary>Label for the SRTCP session salt.</summary>
    public const byte RtcpSalt = 0x05;

    /// <summary>
    /// Writes <paramref name="output"/>.Length bytes of PRF(master key, x) where
    /// x = (label | r) XOR master salt, r = 0, and the PRF is AES-CM keystream from x * 2^16.
    /// </summary>
    public static void Derive(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> output)
    {
        using var aes = new Aes128Ctr(masterKey);
        Derive(aes, masterSalt, label, output);
    }

    internal static void Derive(Aes128Ctr masterCipher, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> output)
    {
        if (masterSalt.Length > 14)
        {
            throw new ArgumentException("A master salt is at most 112 bits.", nameof(masterSalt));
        }

        Span<byte> iv = stackalloc byte[16];
        iv.Clear();
        masterSalt.CopyTo(iv);

        // key_id = label | r is 56 bits, right-aligned in the 112-bit x: the label is byte 7, r (zero) bytes 8-13.
        iv[7] ^= label;
        output.Clear();
        masterCipher.XorKeyStream(iv, output);
    }
}
