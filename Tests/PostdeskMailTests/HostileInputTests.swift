import Testing
@testable import PostdeskMail

/// Regression tests for what the hostile-mail tests (Tests/PostdeskCLITests/HostileMailTests.swift) found: each
/// failed before its fix.
@Suite struct HostileInputTests {
    // MARK: - Nothing expands

    /// A uuencoded line is padded to the length its first character claims, but never beyond the size of the
    /// body: lines of a lone "M" (45 bytes each) decoded to 22 times their size.
    @Test func uuencodePaddingNeverExceedsTheInput() {
        let input = "begin 644 x.bin\n" + String(repeating: "M\n", count: 10_000) + "end\n"
        let (bytes, defects) = TransferDecoder.decode(ArraySlice(Array(input.utf8)), encoding: .uuencode)
        #expect(bytes.count <= input.utf8.count)
        #expect(bytes.allSatisfy { $0 == 0 })
        #expect(defects.map(\.detail) == ["x-uuencode body has 10000 line(s) shorter than their length says; padded only up to the size of the body"])
    }

    /// A real line that lost its trailing spaces (they encode zero bits) is still padded.
    @Test func uuencodeLineWithoutTrailingSpacesIsStillPadded() {
        // "#" says 3 bytes; "0```" would be them; here only "0" is left after stripping (backquote is zero too).
        let (bytes, _) = TransferDecoder.decode(ArraySlice(Array("begin 644 x\n#0\n`\nend\n".utf8)), encoding: .uuencode)
        #expect(bytes == [0x40, 0, 0])
    }

    // MARK: - Text within bounds

    static func textMessage(_ body: String, limit: Int, type: String = "text/plain; charset=utf-8") -> MessageSummary {
        var limits = ParseLimits()
        limits.maxTextBytes = limit
        return MessageSummary(Message.parse(Array("From: a@example.org\nContent-Type: \(type)\n\n\(body)".utf8), limits: limits))
    }

    @Test func textOverTheLimitIsCutWithANote() {
        let s = Self.textMessage(String(repeating: "0123456789\n", count: 100), limit: 50)
        #expect(s.text == "0123456789\n0123456789\n0123456789\n0123456789\n012345\n"
            + "[Postdesk: the text was cut after 50 bytes; 1050 more bytes of text are not shown here; the message is kept whole as received]\n")
        #expect(s.defects.map(\.detail).contains("text over the 50-byte limit; 1050 bytes left out (ParseLimits.maxTextBytes)"))
    }

    /// The cut falls between characters, never inside one (ł is two bytes in UTF-8).
    @Test func textIsCutOnACharacterBoundary() {
        let s = Self.textMessage(String(repeating: "ł", count: 100), limit: 51)
        #expect(s.text.hasPrefix(String(repeating: "ł", count: 25) + "\n[Postdesk: the text was cut after 51 bytes; 150 more bytes"))
        #expect(!s.text.contains("\u{FFFD}"))
    }

    @Test func htmlOverTheLimitIsCutAndItsTextSaysSo() {
        let s = Self.textMessage("<p>" + String(repeating: "word ", count: 100) + "</p>", limit: 40, type: "text/html; charset=utf-8")
        #expect(s.html?.utf8.count == 40)
        #expect(s.textFromHTML)
        #expect(s.text.hasSuffix("more bytes of text are not shown here; the message is kept whole as received]\n"))
    }

    @Test func textUnderTheLimitIsUntouched() {
        let s = Self.textMessage("short\n", limit: 50)
        #expect(s.text == "short\n")
        #expect(!s.defects.contains { $0.kind == .limit })
    }

    // MARK: - Control characters

    /// A NUL in the body is shown as U+FFFD (it used to end the text where SQLite read it as a C string); ESC and
    /// other controls go, tab and line feed stay.
    @Test func controlCharactersInTheText() {
        let s = Self.textMessage("before\u{0}after\n\u{1B}[2Jclear\ttab\u{7F}\n", limit: 1000)
        #expect(s.text == "before\u{FFFD}after\n[2Jclear\ttab\n")
        #expect(s.defects.map(\.detail).contains("3 control character(s) in the text; NUL shown as U+FFFD, the others removed"))
    }

    /// Header text becomes one line: CR/LF from encoded words, NUL, the Unicode line separators.
    @Test(arguments: [
        ("=?utf-8?q?x=0D=0ABcc:_evil@x?=", "x Bcc: evil@x"),
        ("Hello\u{0}World", "HelloWorld"),
        ("=?utf-8?b?YQpCY2M6IGV2aWxAeOKAqEJjYzogZXZpbDJAeMKFQmNjOiBldmlsM0B4?=", "a Bcc: evil@x Bcc: evil2@x Bcc: evil3@x"),
        ("=?utf-8?q?bell=07_and_escape=1B[31m?=", "bell and escape[31m"),
    ])
    func subjectIsOneLineOfText(_ raw: String, _ expected: String) {
        let s = MessageSummary(message(["From: a@example.org", "Subject: " + raw, "", "x"]))
        #expect(s.subject == expected)
    }

    @Test func displayNamesAreOneLineOfText() {
        let s = MessageSummary(message(["From: =?utf-8?q?Eve=0D=0ABcc:_evil@x?= <eve@example.org>", "", "x"]))
        #expect(s.from == [MailAddress(name: "Eve Bcc: evil@x", address: "eve@example.org")])
    }

    /// An address with a NUL is no address (SQLite would have stored it cut at the NUL: another address).
    @Test func addressWithControlCharactersIsSkipped() {
        let s = MessageSummary(message(["From: <nu\u{0}l@example.org>", "Reply-To: <ok@example.org>", "", "x"]))
        #expect(s.from.isEmpty)
        #expect(s.replyTo.map(\.address) == ["ok@example.org"])
        #expect(s.defects.map(\.detail).contains("From: an address with control characters; skipped"))
    }

    @Test func messageIDsWithControlCharactersAreSkipped() {
        let s = MessageSummary(message(["From: a@example.org", "Message-ID: <a\u{0}b@x>", "References: <ok@x> <c\u{1}d@x>", "", "x"]))
        #expect(s.messageID == nil)
        #expect(s.references == ["ok@x"])
    }

    // MARK: - Lengths

    @Test func longSubjectsAndNamesAreCut() {
        let s = MessageSummary(message([
            "From: \"" + String(repeating: "N", count: 5000) + "\" <n@example.org>",
            "Subject: " + String(repeating: "S", count: 100_000), "", "x",
        ]))
        #expect(s.subject == String(repeating: "S", count: MessageSummary.maxSubjectCharacters - 1) + "…")
        #expect(s.from.first?.name == String(repeating: "N", count: MessageSummary.maxNameCharacters - 1) + "…")
        #expect(s.from.first?.address == "n@example.org")
        #expect(s.defects.map(\.detail).contains("Subject: 100000 characters long; cut to 1000"))
    }

    // MARK: - Addresses

    /// A "(" that never closes (here from UTF-8 bytes read as windows-1252: "Ã(") no longer swallows the address.
    @Test(arguments: [
        ("Ã(Name <bad@example.org>", "bad@example.org", "Ã (Name"),
        ("Ana (Support <ana@example.org>", "ana@example.org", "Ana (Support"),
        ("Ana ((Support) <ana@example.org>", "ana@example.org", "Ana ((Support)"),
        ("((((((((((<x@example.org>", "x@example.org", "(((((((((("),
    ])
    func unterminatedCommentIsReadAsText(_ field: String, _ address: String, _ name: String) {
        let (list, defects) = AddressParser.parseList(field)
        #expect(list.first?.address ?? "" == address)
        #expect(list.first?.name ?? "" == name)
        #expect(defects.first?.detail == "unterminated comment; its \"(\" read as text")
    }

    // MARK: - File names

    @Test(arguments: [
        ("../../etc/passwd", "passwd"),
        ("/etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\evil.dll", "evil.dll"),
        ("C:\\Users\\ana\\report.pdf", "report.pdf"),
        ("CON.txt", "_CON.txt"),
        ("nul", "_nul"),
        ("com1.tar.gz", "_com1.tar.gz"),
        ("LPT9", "_LPT9"),
        ("console.txt", "console.txt"),
        ("..", nil),
        (".", nil),
        ("/", nil),
        (" . ", nil),
        (".bashrc", "bashrc"),
        ("trailing. . .", "trailing"),
        ("a\u{0}b.txt", "ab.txt"),
        ("\u{1B}[31mred\u{7F}.txt", "[31mred.txt"),
        ("report.pdf\u{202E}txt.exe", "report.pdftxt.exe"),
        ("what?<>|*\".txt", "what______.txt"),
        ("Łódź raport.pdf", "Łódź raport.pdf"),
    ] as [(String, String?)])
    func safeFilenames(_ raw: String, _ expected: String?) {
        #expect(SafeFilename.make(raw) == expected)
    }

    @Test func longFilenamesKeepTheirExtension() {
        #expect(SafeFilename.make(String(repeating: "x", count: 10_240) + ".pdf") == String(repeating: "x", count: 251) + ".pdf")
        let polish = SafeFilename.make(String(repeating: "ł", count: 200) + ".txt")
        #expect(polish == String(repeating: "ł", count: 125) + ".txt")
        #expect(polish!.utf8.count <= SafeFilename.maxBytes)
    }

    @Test func summaryFileNamesAreSafe() {
        let s = MessageSummary(message([
            "From: a@example.org", "Content-Type: multipart/mixed; boundary=m", "", "--m", "", "t", "--m",
            "Content-Type: application/octet-stream", "Content-Disposition: attachment; filename=\"../../etc/passwd\"", "", "x", "--m",
            "Content-Type: message/rfc822", "Content-Disposition: attachment", "", "Subject: ../../etc/group", "", "y", "--m--",
        ]))
        #expect(s.attachments.map(\.filename) == ["passwd", "group.eml"])
    }

    // MARK: - Composing from hostile values

    /// A 1 MB display name: cut, so the address stays in the field (the name used to fill the 998-octet line
    /// and the address was lost).
    @Test func longNameKeepsTheAddress() {
        var m = OutgoingMessage(from: MailAddress(name: "Acme", address: "support@acme.test"),
                                to: [MailAddress(name: String(repeating: "N", count: 1 << 20), address: "ana@example.org")],
                                subject: "Hi", messageID: "x@acme.test", date: MailDate(secondsSinceEpoch: 0, utcOffsetSeconds: 0), text: "Hi.")
        m.replyTo = nil
        let bytes = MessageComposer.compose(m)
        let s = MessageSummary(Message.parse(bytes))
        #expect(s.to.map(\.address) == ["ana@example.org"])
        #expect(s.to.first?.name?.count == MessageSummary.maxNameCharacters)
    }

    /// An ASCII subject made of one huge word is encoded (so it folds) instead of cut at 998 octets.
    @Test func hugeWordInTheSubjectFolds() {
        let subject = "Long " + String(repeating: "A", count: 995)
        let m = OutgoingMessage(from: MailAddress(name: "Acme", address: "support@acme.test"), to: [MailAddress(address: "ana@example.org")],
                                subject: subject, messageID: "x@acme.test", date: MailDate(secondsSinceEpoch: 0, utcOffsetSeconds: 0), text: "Hi.")
        let bytes = MessageComposer.compose(m)
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\r\n").map(String.init)
        #expect(lines.allSatisfy { $0.utf8.count <= 998 })
        #expect(lines.filter { $0.hasPrefix(" =?utf-8?B?") }.count > 10, "folded into many encoded words")
        #expect(MessageSummary(Message.parse(bytes)).subject == subject)
    }

    /// Quoted-printable escapes the F of a line that starts with "From " in the line's first piece (a long line
    /// used to have its last piece checked instead), and round-trips long lines.
    @Test func quotedPrintableFromAtTheStartOfALongLine() {
        let line = "From here " + String(repeating: "ż", count: 60)
        let encoded = MessageComposer.quotedPrintable(line)
        #expect(encoded.first?.hasPrefix("=46rom here") == true)
        #expect(encoded.allSatisfy { $0.utf8.count <= 76 })
        let decoded = TransferDecoder.decode(ArraySlice(Array(encoded.joined(separator: "\n").utf8)), encoding: .quotedPrintable).bytes
        #expect(String(decoding: decoded, as: UTF8.self) == line)
    }
}
