#!/usr/bin/env python3
"""Hostile mail for Postdesk's tests (Tests/PostdeskCLITests/HostileMailTests.swift).

Usage: gen_hostile.py CASE MAILDIR

Writes the messages of CASE into MAILDIR the way an MTA delivers (tmp/, then a rename into new/) and prints
one line per message: its file name in new/. Everything is deterministic; large messages are streamed in
chunks so that even the 50 MB one takes well under a second to write.

Cases: big-text, too-big, big-attachment, many-parts, deep-nesting, many-headers, long-line, nul, bad-utf8, bombs,
names, injection.
"""
import base64, gzip, io, os, sys, zipfile

MiB = 1 << 20


def header(n, subject, sender="Hostile Tester <hostile@example.org>", extra=b""):
    """The usual top of a message; `subject` and `sender` are bytes or str (written as they are)."""
    def b(x):
        return x if isinstance(x, bytes) else x.encode()
    return (b"From: " + b(sender) + b"\nTo: support@acme.test\nSubject: " + b(subject) + b"\n"
            + b"Message-ID: <%s@hostile.test>\nDate: Mon, 23 Nov 2026 09:00:00 +0100\nMIME-Version: 1.0\n" % n.encode()
            + extra)


class Maildir:
    def __init__(self, path, case):
        self.path, self.case, self.count = path, case, 0

    def deliver(self, chunks):
        """Writes one message from an iterable of byte chunks; returns its name in new/."""
        self.count += 1
        name = "%d.%s-%d.hostile" % (1_800_000_000 + self.count, self.case, self.count)
        tmp = os.path.join(self.path, "tmp", name)
        with open(tmp, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
        os.rename(tmp, os.path.join(self.path, "new", name))
        print(name)
        return name


def multipart(parts, boundary=b"hostile-boundary", preamble=b""):
    """A multipart/mixed body (without the Content-Type line) from already formatted parts."""
    out = [preamble]
    for p in parts:
        out.append(b"--" + boundary + b"\n" + p + b"\n")
    out.append(b"--" + boundary + b"--\n")
    return b"".join(out)


def mixed_type(boundary=b"hostile-boundary"):
    return b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\n\n'


def text_part(text, charset=b"utf-8"):
    return b"Content-Type: text/plain; charset=" + charset + b"\n\n" + text


def attachment(disposition_params, data, content_type=b"application/octet-stream", extra=b""):
    return (b"Content-Type: " + content_type + b"\nContent-Disposition: attachment; " + disposition_params + b"\n"
            + extra + b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(data))


# MARK: - Cases

def big_text(md):
    """50 MB of plain text: one body, streamed."""
    top = header("big-text-1", "A very long log") + b"Content-Type: text/plain; charset=utf-8\n\n"
    line = b"The printer on floor 3 prints only blank pages, again and again. 0123456789\n"
    block = line * (MiB // len(line))

    def chunks():
        yield top
        left = 50 * MiB - len(top)
        while left > 0:
            piece = block[:left]
            yield piece
            left -= len(piece)
    md.deliver(chunks())


def too_big(md):
    """65 MB: over ParseLimits.maxMessageBytes (64 MiB)."""
    top = header("too-big-1", "Too big") + b"Content-Type: text/plain; charset=utf-8\n\n"
    block = b"x" * 76 + b"\n"
    block = block * (MiB // len(block))

    def chunks():
        yield top
        left = 65 * MiB
        while left > 0:
            piece = block[:left]
            yield piece
            left -= len(piece)
    md.deliver(chunks())


def big_attachment(md):
    """50 MB of message: a short text and a base64 attachment of about 37 MB."""
    b = b"big-boundary"
    top = header("big-attachment-1", "Disk image attached") + mixed_type(b) + b"--" + b + b"\n" + text_part(
        b"See the attached disk image.\n") + b"\n--" + b + b"\n" + (
        b"Content-Type: application/octet-stream; name=disk.img\nContent-Disposition: attachment; filename=disk.img\n"
        b"Content-Transfer-Encoding: base64\n\n")
    end = b"\n--" + b + b"--\n"
    # 57 bytes make one 76-character base64 line; a block of whole lines is encoded once and repeated.
    raw = bytes((i * 7 + 3) % 256 for i in range(57 * 16384))
    encoded = base64.encodebytes(raw)

    def chunks():
        yield top
        left = 50 * MiB - len(top) - len(end)
        left -= left % 77  # whole lines only
        while left > 0:
            piece = encoded[:left]
            yield piece
            left -= len(piece)
        yield end
    md.deliver(chunks())


def many_parts(md):
    """10,000 MIME parts in one multipart/mixed."""
    parts = [text_part(b"Ten thousand parts follow.\n")]
    for i in range(1, 10_000):
        parts.append(b"Content-Type: text/plain; name=part%d.txt\nContent-Disposition: attachment; filename=part%d.txt\n\n"
                     b"part %d\n" % (i, i, i))
    md.deliver([header("many-parts-1", "Ten thousand parts") + mixed_type() + multipart(parts)])


def deep_nesting(md):
    """Multipart nested 1,000 deep (a text part at the top), and message/rfc822 nested 1,000 deep."""
    depth = 1000
    opening = b"".join(b'Content-Type: multipart/mixed; boundary="d%d"\n\n--d%d\n' % (i, i) for i in range(depth))
    inner = text_part(b"the innermost text\n")
    closing = b"".join(b"\n--d%d--\n" % i for i in reversed(range(depth)))
    top = header("deep-nesting-1", "Nested a thousand times") + mixed_type(b"top") + b"--top\n" + text_part(
        b"Top text.\n") + b"\n--top\n"
    md.deliver([top, opening, inner, closing, b"\n--top--\n"])

    levels = [b"Content-Type: message/rfc822\n\nFrom: Level %d <level%d@example.org>\nSubject: level %d\n" % (i, i, i)
              for i in range(depth)]
    md.deliver([header("deep-nesting-2", "Forwarded a thousand times"), b"".join(levels),
                b"Content-Type: text/plain\n\nthe innermost forwarded text\n"])


def many_headers(md):
    """100,000 header lines: after the usual fields; before them (so From is beyond the limit); one folded field."""
    filler = b"".join(b"X-Filler-%d: value %d\n" % (i, i) for i in range(100_000))
    md.deliver([header("many-headers-1", "Many header fields"), filler, b"\nBody after 100,000 fields.\n"])
    md.deliver([filler, header("many-headers-2", "Fields after the filler"), b"\nBody.\n"])
    folded = b"X-Folded: start\n" + b" continued\n" * 100_000
    md.deliver([header("many-headers-3", "One field folded 100,000 times"), folded, b"\nBody after a folded field.\n"])


def long_line(md):
    """A single header line of 1 MB: in the Subject, in an unknown field, and as the From display name."""
    md.deliver([header("long-line-1", b"Long " + b"A" * MiB), b"\nBody.\n"])
    md.deliver([header("long-line-2", "An ordinary subject", extra=b"X-Long: " + b"B" * MiB + b"\n"), b"\nBody.\n"])
    md.deliver([header("long-line-3", "A long name", sender=b'"' + b"N" * MiB + b'" <longname@example.org>'), b"\nBody.\n"])


def nul(md):
    """NUL bytes in header values, a header name, the body and an attachment; and in a sender address."""
    top = header("nul-1", b"Hello\x00World", sender=b"Nul\x00 Name <nul@example.org>", extra=b"X-Nul-Value: a\x00b\n")
    parts = [text_part(b"before\x00after\nsecond line\x00\n"), attachment(b"filename=binary.bin", b"\x00\x01\x02\x00" * 64)]
    md.deliver([top, mixed_type(), multipart(parts)])
    md.deliver([header("nul-2", "Nul in the address", sender=b"<nu\x00l@example.org>"), b"\nBody of nul-2.\n"])
    # A NUL in a field name ends the header block early (the rest is body, with a defect).
    md.deliver([header("nul-3", "Nul in a field name"), b"X-Bad\x00Name: value\n\nBody of nul-3.\n"])
    # No usable From, and the fallbacks (Sender, Return-Path) have a NUL too.
    md.deliver([b"Return-Path: <ret\x00urn@example.org>\nSender: <sen\x00der@example.org>\n",
                header("nul-4", "Nul in every sender field", sender=b"<nu\x00l@example.org>"), b"\nBody of nul-4.\n"])


def bad_utf8(md):
    """Invalid UTF-8 in raw headers, encoded words, bodies and file names."""
    bad = b"\xff\xfe\xc0\xaf\xed\xa0\x80"  # never UTF-8: bytes that cannot occur, an overlong form, a surrogate
    subject = b"Caf\xe9 \xc3\x28 =?utf-8?b?" + base64.b64encode(b"word" + bad) + b"?= =?utf-8?q?=C3=28x?="
    sender = b"=?utf-8?b?" + base64.b64encode(bad) + b"?= \xc3\x28Name <badutf8@example.org>"
    parts = [
        text_part(b"Body with bad bytes: " + bad + b" end.\n"),
        attachment(b"filename*=utf-8''%FF%FE%C0%AFbad.txt", b"one"),
        attachment(b'filename="=?utf-8?q?=FF=FEencoded.txt?="', b"two"),
        attachment(b'filename="\xff\xfe\xc3\x28raw.txt"', b"three"),
        b"Content-Type: text/plain; charset=x-no-such-charset\nContent-Disposition: attachment; filename=unknown.txt\n\n"
        + bad + b"\n",
        b"Content-Type: text/html; charset=utf-8\n\n<p>html " + bad + b"</p>\n",
    ]
    md.deliver([header("bad-utf8-1", subject, sender=sender), mixed_type(), multipart(parts)])
    # A body that claims UTF-16 and is not.
    md.deliver([header("bad-utf8-2", "Odd UTF-16") + b"Content-Type: text/plain; charset=utf-16\n\n\xd8\x00\xd8\x00abc\n"])


def bombs(md):
    """Attachments that would expand: a gzip bomb, a zip bomb, Content-Encoding gzip, a uuencode body claiming 22
    times its size, quoted-printable made of soft line breaks, base64 drowned in whitespace."""
    zeros = bytes(10 * MiB)
    gz = gzip.compress(zeros, 9, mtime=0)
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("zeros.bin", date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, zeros)
    zipped = zbuf.getvalue()
    parts = [
        text_part(b"Compressed logs attached.\n"),
        attachment(b"filename=logs.gz", gz, content_type=b"application/gzip", extra=b"Content-Encoding: gzip\n"),
        attachment(b"filename=logs.zip", zipped, content_type=b"application/zip"),
        attachment(b"filename=logs.tar.gz", gz, content_type=b"application/x-gzip",
                   extra=b"Content-Encoding: gzip\nTransfer-Encoding: gzip\n"),
    ]
    md.deliver([header("bombs-1", "Compressed logs"), mixed_type(), multipart(parts)])

    # uuencode: each line's first character says how many bytes it carries ("M" = 45); a line that is only
    # "M" would be padded to 45 zero bytes: 2 bytes of mail, 45 bytes decoded.
    uu = b"begin 644 expand.bin\n" + b"M\n" * (2 * MiB) + b"end\n"
    parts = [text_part(b"An uuencoded file.\n"),
             b"Content-Type: application/octet-stream; name=expand.bin\nContent-Disposition: attachment; filename=expand.bin\n"
             b"Content-Transfer-Encoding: x-uuencode\n\n" + uu]
    md.deliver([header("bombs-2", "Uuencoded"), mixed_type(), multipart(parts)])

    qp = b"=\n" * (2 * MiB) + b"qp end\n"
    b64 = b"\n" * (2 * MiB) + base64.encodebytes(b"after whitespace") + b" \t\n" * MiB
    parts = [b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" + qp,
             b"Content-Type: application/octet-stream; name=ws.bin\nContent-Disposition: attachment; filename=ws.bin\n"
             b"Content-Transfer-Encoding: base64\n\n" + b64]
    md.deliver([header("bombs-3", "Soft line breaks"), mixed_type(), multipart(parts)])


NAMES = [
    b'filename="../../etc/passwd"',
    b'filename="/etc/passwd"',
    b'filename="CON.txt"',
    b'filename=".."',
    b"filename*=utf-8''a%00b.txt",
    b'filename="dir/sub\\\\file.txt"',
    b"filename*=utf-8''%01%1B%5B31mred%7F.txt",
    b'filename="..\\\\..\\\\windows\\\\system32\\\\evil.dll"',
    b'filename="' + b"x" * 10240 + b'.pdf"',
    b'filename="=?utf-8?q?=2E=2E=2F=2E=2E=2Fetc=2Fshadow?="',
    b'filename="report.pdf\xe2\x80\xaetxt.exe"',
    b'filename="trailing. . ."',
    b'filename="nul"',
]


def names(md):
    """Attachment file names that are paths, devices, empty, full of controls, or 10 KB long."""
    parts = [text_part(b"Files attached.\n")]
    for i, n in enumerate(NAMES):
        parts.append(attachment(n, b"attachment %d\n" % i))
    # A message/rfc822 attachment without a file name is named after its subject.
    parts.append(b"Content-Type: message/rfc822\nContent-Disposition: attachment\n\nFrom: x@example.org\n"
                 b"Subject: ../../etc/group\n\nforwarded\n")
    md.deliver([header("names-1", "Strange file names"), mixed_type(), multipart(parts)])


def injection(md):
    """CR/LF in the Subject and display names, raw and in encoded words, to be echoed in Postdesk's mail."""
    md.deliver([header("injection-1", "=?utf-8?q?x=0D=0ABcc:_evil1@x?=",
                       sender="=?utf-8?q?Eve=0D=0ABcc:_evil2@x?= <eve1@example.org>"), b"\nBody.\n"])
    md.deliver([header("injection-2", "=?utf-8?q?a=0ABcc:_evil3@x?= =?utf-8?b?" + base64.b64encode(
        b"b\rBcc: evil4@x\xe2\x80\xa8Bcc: evil5@x\xc2\x85Bcc: evil6@x").decode() + "?=",
        sender="=?utf-8?b?" + base64.b64encode("Eve\u2028Bcc: evil7@x\rCc: evil11@x".encode()).decode() + "?= <eve2@example.org>"),
        b"\nBody.\n"])
    # A bare CR inside a raw header line (many parsers read it as a line break).
    md.deliver([header("injection-3", b"Hi\rBcc: evil8@x", sender=b"Eve <eve3@example.org>"), b"\nBody.\n"])
    # The same through RFC 2231 in a file name, which the agent notice lists.
    parts = [text_part(b"See file.\n"), attachment(b"filename*=utf-8''f%0D%0ABcc:%20evil10@x.txt", b"x")]
    md.deliver([header("injection-4", "File name", sender="Eve <eve4@example.org>"), mixed_type(), multipart(parts)])
    # A bare CR in the display name: the address lands in a field of its own, so there is no sender.
    md.deliver([header("injection-5", "No sender", sender=b"Eve\rBcc: evil9@x <eve5@example.org>"), b"\nBody.\n"])


CASES = {
    "big-text": big_text, "too-big": too_big, "big-attachment": big_attachment, "many-parts": many_parts, "deep-nesting": deep_nesting,
    "many-headers": many_headers, "long-line": long_line, "nul": nul, "bad-utf8": bad_utf8, "bombs": bombs,
    "names": names, "injection": injection,
}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in CASES:
        sys.exit("usage: gen_hostile.py CASE MAILDIR (cases: %s)" % ", ".join(CASES))
    CASES[sys.argv[1]](Maildir(sys.argv[2], sys.argv[1]))
