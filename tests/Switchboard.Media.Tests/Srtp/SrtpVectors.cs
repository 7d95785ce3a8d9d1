namespace Switchboard.Media.Tests.Srtp;

/// <summary>Test vectors transcribed from the RFC texts, by section.</summary>
internal static class SrtpVectors
{
    /// <summary>RFC 3711 appendix B.2: AES-CM keystream for SSRC 0, ROC 0, SEQ 0.</summary>
    internal static class Rfc3711B2
    {
        public const string SessionKey = "2B7E151628AED2A6ABF7158809CF4F3C";
        public const string SessionSalt = "F0F1F2F3F4F5F6F7F8F9FAFBFCFD";

        /// <summary>Counter block index (low 16 bits of the counter) and the keystream block it yields.</summary>
        public static readonly (int Counter, string Keystream)[] Blocks =
        [
            (0x0000, "E03EAD0935C95E80E166B16DD92B4EB4"),
            (0x0001, "D23513162B02D0F72A43A2FE4A5F97AB"),
            (0x0002, "41E95B3BB0A2E8DD477901E4FCA894C0"),
            (0xFEFF, "EC8CDF7398607CB0F2D21675EA9EA1E4"),
            (0xFF00, "362B7C3C6773516318A077D7FC5073AE"),
            (0xFF01, "6A2CC3787889374FBEB4C81B17BA6C44"),
        ];
    }

    /// <summary>RFC 3711 appendix B.3: key derivation with kdr = 0.</summary>
    internal static class Rfc3711B3
    {
        public const string MasterKey = "E1F97A0D3E018BE0D64FA32C06DE4139";
        public const string MasterSalt = "0EC675AD498AFEEBB6960B3AABE6";
        public const string CipherKey = "C61E7A93744F39EE10734AFE3FF7A087";
        public const string CipherSalt = "30CBBC08863D8C85D49DB34A9AE1";

        /// <summary>The RFC lists 94 bytes of authentication key stream; SRTP uses the first 20.</summary>
        public const string AuthKey =
            "CEBE321F6FF7716B6FD4AB49AF256A15" +
            "6D38BAA48F0A0ACF3C34E2359E6CDBCE" +
            "E049646C43D9327AD175578EF7227098" +
            "6371C10C9A369AC2F94A8C5FBCDDDC25" +
            "6D6E919A48B610EF17C2041E47403576" +
            "6B68642C59BBFC2F34DB60DBDFB2";
    }

    /// <summary>RFC 7714 sections 16 and 17: AEAD_AES_128_GCM with the session key and salt given directly.</summary>
    internal static class Rfc7714
    {
        public const string SessionKey = "000102030405060708090a0b0c0d0e0f";

        /// <summary>"Quid pro quo".</summary>
        public const string SessionSalt = "517569642070726f2071756f";

        /// <summary>Section 16.1: the RTP packet (SSRC 0x5501a0b2, SEQ 0xf17b, ROC 0), payload "Gallia est omnis divisa in partes tres".</summary>
        public const string RtpPlain =
            "8040f17b8041f8d35501a0b2" +
            "47616c6c696120657374206f6d6e697320646976697361" +
            "20696e207061727465732074726573";

        /// <summary>Section 16.1.1: the SRTP packet for AEAD_AES_128_GCM.</summary>
        public const string RtpProtected =
            "8040f17b8041f8d35501a0b2" +
            "f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833" +
            "899d7f27beb16a9152cf765ee4390cce";

        /// <summary>Section 16.1: the IV, salt XOR (0 | SSRC | ROC | SEQ).</summary>
        public const string RtpIv = "51753c6580c2726f20718414";

        /// <summary>Section 17: the RTCP sender report (SSRC "Mars") the subsections protect.</summary>
        public const string RtcpPlain =
            "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61" +
            "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef";

        /// <summary>SRTCP index of every section 17 vector.</summary>
        public const uint RtcpIndex = 0x5d4;

        /// <summary>Section 17.1: encrypted SRTCP (E = 1): header, ciphertext, tag, E + index.</summary>
        public const string RtcpProtected =
            "81c8000d4d617273" +
            "63e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b4686303ded0bb9275b" +
            "c84aa45896cf4d2fc5abf87245d9eade" +
            "800005d4";

        /// <summary>Section 17.3: authenticated-only SRTCP (E = 0): the plain packet, tag, index.</summary>
        public const string RtcpAuthenticatedOnly =
            "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61" +
            "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef" +
            "841dd9683dd78ec92ae58790125f62b3" +
            "000005d4";
    }

    /// <summary>
    /// libsrtp's known-answer packets (test/srtp_driver.c): not RFC text, but what Chrome's SRTP library
    /// produces, and the only published check of the GCM key derivation with a 96-bit salt.
    /// The first SRTCP index libsrtp sends is 1.
    /// </summary>
    internal static class Libsrtp
    {
        public const string RtpPlain = "800f1234decafbadcafebabe" + "abababababababababababababababab";
        public const string RtcpPlain = "81c8000bcafebabe" + "abababababababababababababababab";

        /// <summary>AES_CM_128_HMAC_SHA1_80 under the RFC 3711 B.3 master key and salt.</summary>
        public const string AesCmRtp = "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb";
        public const string AesCmRtcp = "81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798";

        /// <summary>AEAD_AES_128_GCM master key and 96-bit master salt.</summary>
        public const string GcmMasterKey = "000102030405060708090a0b0c0d0e0f";
        public const string GcmMasterSalt = "a0a1a2a3a4a5a6a7a8a9aaab";
        public const string GcmRtp = "800f1234decafbadcafebabec5002ede04cfdd2eb91159e0880aa06ed2976826f796b201df3131a127e8a392";
        public const string GcmRtcp = "81c8000bcafebabec98b8b5df0392a55852b6c21ac8e7025c52c6fbea2b3b446ea31123ba88ce61e80000001";
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);
}
