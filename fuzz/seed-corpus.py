#!/usr/bin/env python3
"""Writes fuzz/corpus/<target>/ from the test fixtures and RFC vectors in tests/ (run once; the output is committed).

Reads the RFC 4475 files, the SDP fixtures, the RFC 5769 STUN vectors and the ivr.json cases straight
from tests/, and builds small RTP, RTCP, SRTP, DTLS, call-socket and signed-link inputs by hand
(the RFC layouts they follow are named beside each).
"""
import pathlib
import re
import struct

root = pathlib.Path(__file__).resolve().parent.parent
corpus = root / "fuzz" / "corpus"
tests = root / "tests"


def write(target, name, data):
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def csharp_strings(body):
    """The concatenated "..." literals of a C# expression (enough for the fixtures' plain strings)."""
    return [bytes(s, "utf-8").decode("unicode_escape") for s in re.findall(r'"((?:[^"\\]|\\.)*)"', body)]


# sip: the RFC 4475 torture messages, valid and invalid (section 3.1.1, 3.1.2), capped at 4 KB each.
rfc4475 = sorted((tests / "Switchboard.Sip.Tests/Fixtures/Rfc4475").glob("*.dat"))
for f in rfc4475:
    data = f.read_bytes()
    if len(data) <= 4096:
        write("sip", f.stem, data)

# sip-stream: framed messages back to back, with keep-alives (RFC 5626 section 3.5.1) and a cut tail.
framed = [f.read_bytes() for f in rfc4475 if b"Content-Length" in f.read_bytes() and len(f.read_bytes()) < 1500]
for i in range(0, min(len(framed), 24), 2):
    pair = framed[i] + b"\r\n\r\n" + framed[i + 1] if i + 1 < len(framed) else framed[i]
    write("sip-stream", f"pair{i:02d}", pair)
write("sip-stream", "ping-pong", b"\r\n\r\n\r\n")
write("sip-stream", "truncated", framed[0][: len(framed[0]) // 2])

# sdp: every fixture body of SdpFixtures.cs (peers' offers and answers).
fixtures = (tests / "Switchboard.Media.Tests/Sdp/SdpFixtures.cs").read_text()
for m in re.finditer(r"public static string (\w+)(?:\([^)]*\))? => Lines\((.*?)\);", fixtures, re.S):
    lines = [s for s in csharp_strings(m.group(2))]
    write("sdp", m.group(1), "\r\n".join(lines) + "\r\n")

# stun: the RFC 5769 vectors, transcribed from their hex dumps in Rfc5769Vectors.cs.
vectors = (tests / "Switchboard.Media.Tests/Stun/Rfc5769Vectors.cs").read_text()
for m in re.finditer(r"public static readonly byte\[\] (\w+) = Hex\(\s*\"\"\"(.*?)\"\"\"", vectors, re.S):
    if m.group(1) != "TransactionId":
        write("stun", m.group(1), bytes.fromhex(m.group(2)))
# a Binding request with only a transaction id (RFC 8489 section 5), as a minimal seed
write("stun", "BareBinding", struct.pack(">HHI12s", 0x0001, 0, 0x2112A442, b"\x01" * 12))


def rtp(pt=0, seq=1, ts=160, ssrc=0x11223344, payload=b"\xff" * 160, marker=False, csrcs=(), ext=None, pad=0):
    """RFC 3550 section 5.1 fixed header, optional CSRCs, section 5.3.1 extension, padding."""
    b0 = 0x80 | (0x20 if pad else 0) | (0x10 if ext is not None else 0) | len(csrcs)
    out = struct.pack(">BBHII", b0, (0x80 if marker else 0) | pt, seq, ts, ssrc)
    out += b"".join(struct.pack(">I", c) for c in csrcs)
    if ext is not None:
        out += struct.pack(">HH", 0xBEDE, len(ext) // 4) + ext
    out += payload
    if pad:
        out += b"\x00" * (pad - 1) + bytes([pad])
    return out


def rtcp(pt, count, body):
    """RFC 3550 section 6.4 common header; the length is in 32-bit words minus one."""
    return struct.pack(">BBH", 0x80 | count, pt, (len(body) + 4) // 4 - 1) + body


block = struct.pack(">IIIIII", 0xAABBCCDD, 0x01000010, 1000, 20, 0x12345678, 0x10)
sr = rtcp(200, 1, struct.pack(">IQIII", 0x11223344, 0xE0000000_00000000, 1600, 10, 1600) + block)
rr = rtcp(201, 1, struct.pack(">I", 0x11223344) + block)
cname = b"user@host"
sdes = rtcp(202, 1, struct.pack(">I", 0x11223344) + bytes([1, len(cname)]) + cname + b"\x00\x00\x00"[: (4 - (len(cname) + 2) % 4) % 4 or 4])
bye = rtcp(203, 1, struct.pack(">I", 0x11223344) + b"\x04gone\x00\x00\x00")
media = {
    "rtp-pcmu": rtp(),
    "rtp-marker-pcma": rtp(pt=8, marker=True, payload=b"\xd5" * 80),
    "rtp-csrc-ext-pad": rtp(csrcs=(1, 2), ext=b"\x10\xaa\x00\x00", pad=4),
    "rtp-telephone-event": rtp(pt=101, payload=bytes([5, 0x8A, 0x03, 0x20])),
    "rtp-opus": rtp(pt=111, ts=960, payload=b"\x78" + b"\x01" * 40),
    "rtcp-sr-sdes": sr + sdes,
    "rtcp-rr-sdes-bye": rr + sdes + bye,
    "rtcp-bye": bye,
}
for name, data in media.items():
    write("rtp-rtcp", name, data)
    # srtp: first byte picks the profile (0 AES-CM/80, 1 AES-CM/32, 2 GCM); the plain packet follows, so the
    # protect-then-unprotect path starts from valid packets.
    for profile in range(3):
        write("srtp", f"{name}-p{profile}", bytes([profile]) + data)


def dtls_record(content_type, epoch, seq, body, version=b"\xfe\xfd"):
    """RFC 9147 section 4 (DTLSPlaintext): type, version, epoch, 48-bit sequence, length, fragment."""
    return struct.pack(">B2sH", content_type, version, epoch) + seq.to_bytes(6, "big") + struct.pack(">H", len(body)) + body


# A ClientHello handshake message (RFC 6347 section 4.2.2 framing) with the use_srtp extension (RFC 5764 section 4.1.1).
use_srtp = struct.pack(">HHH", 14, 5, 2) + struct.pack(">H", 1) + b"\x00"
hello = b"\xfe\xfd" + b"\x11" * 32 + b"\x00" + b"\x00" + struct.pack(">H", 2) + b"\xc0\x2b" + b"\x01\x00" + struct.pack(">H", len(use_srtp)) + use_srtp
handshake = struct.pack(">B", 1) + len(hello).to_bytes(3, "big") + struct.pack(">H", 0) + b"\x00\x00\x00" + len(hello).to_bytes(3, "big") + hello
dtls = {
    "client-hello": dtls_record(22, 0, 0, handshake),
    "change-cipher-spec": dtls_record(20, 0, 5, b"\x01"),
    "alert-close-notify-epoch0": dtls_record(21, 0, 6, b"\x01\x00"),
    "alert-epoch1": dtls_record(21, 1, 1, b"\x00" * 26),
    "application-data-epoch1": dtls_record(23, 1, 2, b"\x00" * 40),
    "two-records": dtls_record(23, 1, 3, b"\x00" * 24) + dtls_record(21, 1, 4, b"\x00" * 26),
    "dtls10-handshake": dtls_record(22, 0, 0, handshake, version=b"\xfe\xff"),
}
for name, data in dtls.items():
    write("dtls", name, data)

# callsocket: the messages makecall.htm sends (docs/signalling.md).
offer = (corpus / "sdp" / "ChromiumAudioOffer").read_text().replace("\r\n", "\\r\\n")
page = {
    "ping": '{"type":"ping"}',
    "pong": '{"type":"pong"}',
    "hangup": '{"type":"hangup"}',
    "call": '{"type":"call","destnumber":"201","sdp":"' + offer + '"}',
    "phases": '{"type":"phases","marks":{"parsed":12.5,"session":40,"mic":0,"connected":140.25}}',
    "phases-bad": '{"type":"phases","marks":{"parsed":-1}}',
    "unknown": '{"type":"dance","x":[1,2,{"y":null}]}',
}
for name, text in page.items():
    write("callsocket", name, text)

# signed-link: destnumber, user, pass, time, duration, one per line; "=" asks the harness for the right hash.
links = {
    "valid": "201\n100\n=\n1796644800\n3600",
    "forged": "201\n100\n0123456789abcdef0123456789abcdef\n1796644800\n3600",
    "unknown-user": "201\nnobody\n=\n1796644800\n3600",
    "expired": "201\n100\n=\n1000000000\n60",
    "too-long": "201\n100\n=\n1796644800\n99999999",
    "missing": "201\n100",
    "huge-time": "201\n100\n=\n99999999999999999999\n60",
}
for name, text in links.items():
    write("signed-link", name, text)

# ivr: the documented example (docs/ivr.md) and the loader tests' cases.
ivr_doc = (root / "docs" / "ivr.md").read_text()
example = re.search(r"```json\n(.*?)```", ivr_doc, re.S)
if example:
    write("ivr", "doc-example", example.group(1))
loader_tests = (tests / "Switchboard.Pbx.Tests/Ivr/IvrConfigurationLoaderTests.cs").read_text()
for i, m in enumerate(re.finditer(r'InlineData\("""(.*?)""", ', loader_tests)):
    write("ivr", f"case{i:02d}", m.group(1))
