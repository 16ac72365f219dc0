import Testing
@testable import PostdeskMail

@Suite struct MessageComposerTests {
    static let date = MailDate(secondsSinceEpoch: 1_795_338_900, utcOffsetSeconds: 3600)

    func message(subject: String = "Hello", name: String? = "Acme Support", text: String = "Hi.", html: String? = nil,
                 attachments: [OutgoingMessage.Attachment] = []) -> OutgoingMessage {
        var m = OutgoingMessage(from: MailAddress(name: name, address: "support@acme.test"),
                                to: [MailAddress(name: "Ana García", address: "ana@example.org")],
                                subject: subject, messageID: "pd-1.2@acme.test", date: Self.date, text: text)
        m.html = html
        m.attachments = attachments
        m.replyTo = MailAddress(address: "support@acme.test")
        m.inReplyTo = "CAF7x1@mail.example.org"
        m.references = ["CAF7x1@mail.example.org"]
        return m
    }

    /// Compose, parse back with Postdesk's own parser, and compare.
    @Test(arguments: [
        ("Printer broken", "It does not print."),
        ("[Acme #12] Zażółć gęślą jaźń", "Dzień dobry,\nwszystko działa.\n"),
        ("日本語の件名はとても長いのでいくつかのエンコードされた単語に分割されなければなりません", "こんにちは。\n"),
        ("Re: ¿Qué pasa?", "Línea con acentos: áéíóú ñ\nFrom the start of a line\n.single dot line\n"),
        (String(repeating: "Long subject words ", count: 12), String(repeating: "x", count: 3000)),
    ])
    func roundTrip(_ subject: String, _ text: String) {
        let bytes = MessageComposer.compose(message(subject: subject, text: text))
        // Wire rules: every LF preceded by CR, no bare CR, no line over 998 octets, ASCII only.
        var crlfOnly = true
        for (i, b) in bytes.enumerated() {
            if b == 0x0A && (i == 0 || bytes[i - 1] != 0x0D) { crlfOnly = false }
            if b == 0x0D && (i + 1 >= bytes.count || bytes[i + 1] != 0x0A) { crlfOnly = false }
        }
        #expect(crlfOnly)
        #expect(bytes.split(separator: 0x0A).allSatisfy { $0.count <= 999 })  // 998 octets plus the CR
        #expect(bytes.allSatisfy { $0 < 0x80 })
        let s = MessageSummary(Message.parse(bytes))
        #expect(s.subject == subject.trimmingMailWhitespace)
        // The text comes back ending in exactly one line break.
        let expected = text.hasSuffix("\n") ? text : text + "\n"
        #expect(s.text == expected)
        #expect(s.from == [MailAddress(name: "Acme Support", address: "support@acme.test")])
        #expect(s.to == [MailAddress(name: "Ana García", address: "ana@example.org")])
        #expect(s.messageID == "pd-1.2@acme.test")
        #expect(s.inReplyTo == ["CAF7x1@mail.example.org"])
        #expect(s.date?.iso8601 == "2026-11-22T10:15:00+01:00")
        #expect(s.defects.isEmpty, "\(s.defects)")
    }

    @Test func alternativeAndAttachments() {
        let m = message(text: "Plain", html: "<p>Rich</p>", attachments: [
            .init(filename: "Łódź raport.pdf", contentType: "application/pdf", data: Array("%PDF-1.4 fake".utf8)),
            .init(filename: "log.txt", contentType: "text/plain", data: Array(0...255).map { UInt8($0) }),
        ])
        let s = MessageSummary(Message.parse(MessageComposer.compose(m)))
        #expect(s.text == "Plain\n")
        #expect(s.html == "<p>Rich</p>\n")
        #expect(s.attachments.map(\.filename) == ["Łódź raport.pdf", "log.txt"])
        #expect(s.attachments.map(\.size) == [13, 256])
        #expect(s.attachments[1].sha256 == SHA256.hexHash(Array(0...255).map { UInt8($0) }))
    }

    /// Values from mail or config can never inject header fields.
    @Test(arguments: [
        "Hi\r\nBcc: victim@example.org",
        "Hi\nBcc: victim@example.org",
        "Hi\rBcc: victim@example.org",
        "Hi\u{2028}Bcc: victim@example.org",
        "Hi\u{0}\u{1B}Bcc: victim@example.org",
    ])
    func noHeaderInjection(_ hostile: String) {
        var m = message(subject: hostile, name: hostile)
        m.extraHeaders = [("X-Postdesk-Ticket", hostile)]
        let parsed = Message.parse(MessageComposer.compose(m))
        #expect(parsed.headers.all("Bcc").isEmpty)
        #expect(parsed.headers.allSatisfy { !$0.name.lowercased().hasPrefix("bcc") })
        #expect(MessageSummary(parsed).subject?.contains("Bcc: victim") == true)  // kept as text, on one line
    }

    /// A prepared message's copy to someone else is byte for byte what composing it for them gives.
    @Test(arguments: [
        (nil as String?, false, [] as [MailAddress]),
        ("<p>Hi.</p>", false, []),
        ("<p>Hi.</p>", true, [MailAddress(name: "Zoë Ünal", address: "zoe@example.org")]),
        (nil, true, [MailAddress(address: "a@example.org"), MailAddress(name: "B, Jr.", address: "b@example.org")]),
    ])
    func preparedCopiesAreComposedMessages(_ html: String?, _ attach: Bool, _ to: [MailAddress]) {
        var m = message(text: "Line one\n\nLine two", html: html,
                        attachments: attach ? [.init(filename: "log.txt", contentType: "text/plain", data: Array("x".utf8))] : [])
        m.cc = [MailAddress(address: "cc@example.org")]
        let prepared = MessageComposer.Prepared(m, boundarySeed: "seed")
        #expect(prepared.bytes == MessageComposer.compose(m, boundarySeed: "seed"))
        var other = m
        other.to = to.isEmpty ? [MailAddress(name: "Bob", address: "bob@acme.test")] : to
        #expect(prepared.copy(to: other.to) == MessageComposer.compose(other, boundarySeed: "seed"))
    }

    @Test func automaticMailIsMarked() {
        var m = message()
        m.autoSubmitted = "auto-replied"
        m.extraHeaders = [(AutomaticVerdict.loopHeader, "acme")]
        let parsed = Message.parse(MessageComposer.compose(m))
        #expect(parsed.headers["Auto-Submitted"]?.value == "auto-replied")
        #expect(parsed.headers["X-Auto-Response-Suppress"]?.value == "All")
        // Our own parser recognises it as automatic mail carrying our loop marker.
        #expect(AutomaticVerdict.judge(parsed)?.kind == .ownLoop)
    }

    @Test func threadIndexOfAReplyExtendsItsParent() {
        let root = MessageComposer.threadIndexRoot(seconds: 1_795_338_900, identity: "ticket-12@acme.test")
        let child = MessageComposer.threadIndexChild(parent: root, parentSeconds: 1_795_338_900, seconds: 1_795_342_500)
        let r = TransferDecoder.decode(ArraySlice(Array(root.utf8)), encoding: .base64).bytes
        let c = TransferDecoder.decode(ArraySlice(Array(child.utf8)), encoding: .base64).bytes
        #expect(r.count == 22)
        #expect(c.count == 27)
        #expect(Array(c.prefix(22)) == r)
    }

    @Test(arguments: [
        (MailAddress(name: "Ana García", address: "ana@example.org"), "=?utf-8?B?QW5hIEdhcmPDrWE=?= <ana@example.org>"),
        (MailAddress(name: "Novak, Alice", address: "alice@acme.test"), "\"Novak, Alice\" <alice@acme.test>"),
        (MailAddress(name: "Bob", address: "bob@x.test"), "Bob <bob@x.test>"),
        (MailAddress(name: nil, address: "x@y.test"), "<x@y.test>"),
        (MailAddress(name: "Evil\r\nBcc: a@b", address: "e@x.test>, <victim@y.test"), "\"Evil Bcc: a@b\" <e@x.testvictim@y.test>"),
    ])
    func addresses(_ a: MailAddress, _ expected: String) {
        #expect(MessageComposer.address(a) == expected)
    }
}

extension String {
    var replacingOccurrencesCRLF: String { MIMEPart.normalizingLineEndings(self) }
}
