import Testing
@testable import PostdeskMail

@Suite struct MessageSummaryTests {
    struct BodyCase: Sendable, CustomStringConvertible {
        var name: String
        var lines: [String]
        var text: String
        var html: String?
        var attachments: [String]  // "filename|type|inline"
        var description: String { name }
    }

    static let bodyCases: [BodyCase] = [
        BodyCase(name: "plain only", lines: ["Subject: s", "", "Hello", "there"], text: "Hello\nthere", html: nil, attachments: []),
        BodyCase(name: "alternative prefers plain, keeps html", lines: [
            "Content-Type: multipart/alternative; boundary=a", "", "--a", "Content-Type: text/plain; charset=utf-8", "", "Plain",
            "--a", "Content-Type: text/html", "", "<p>Rich</p>", "--a--",
        ], text: "Plain", html: "<p>Rich</p>", attachments: []),
        BodyCase(name: "html only is converted", lines: [
            "Content-Type: text/html; charset=utf-8", "", "<p>Hello</p><p>World</p>",
        ], text: "Hello\n\nWorld", html: "<p>Hello</p><p>World</p>", attachments: []),
        BodyCase(name: "related: html root with inline image", lines: [
            "Content-Type: multipart/related; boundary=r", "", "--r", "Content-Type: text/html", "", "<p>Hi</p><img src=\"cid:logo\">",
            "--r", "Content-Type: image/png; name=logo.png", "Content-ID: <logo>", "Content-Transfer-Encoding: base64", "", "AAEC", "--r--",
        ], text: "Hi", html: "<p>Hi</p><img src=\"cid:logo\">", attachments: ["logo.png|image/png|true"]),
        BodyCase(name: "mixed: text, then attachment with RFC 2231 name", lines: [
            "Content-Type: multipart/mixed; boundary=m", "", "--m", "Content-Type: text/plain", "", "See attached",
            "--m", "Content-Type: application/pdf", "Content-Disposition: attachment; filename*=utf-8''Faktura%20%C5%81%C3%B3d%C5%BA.pdf",
            "Content-Transfer-Encoding: base64", "", "JVBERg==", "--m--",
        ], text: "See attached", html: nil, attachments: ["Faktura Łódź.pdf|application/pdf|false"]),
        BodyCase(name: "text attachment stays an attachment", lines: [
            "Content-Type: multipart/mixed; boundary=m", "", "--m", "", "Body", "--m",
            "Content-Type: text/plain; name=log.txt", "Content-Disposition: attachment; filename=log.txt", "", "line", "--m--",
        ], text: "Body", html: nil, attachments: ["log.txt|text/plain|false"]),
        BodyCase(name: "forwarded message is an attachment named after its subject", lines: [
            "Content-Type: multipart/mixed; boundary=m", "", "--m", "", "FYI", "--m", "Content-Type: message/rfc822", "",
            "Subject: Original", "", "old text", "--m--",
        ], text: "FYI", html: nil, attachments: ["Original.eml|message/rfc822|false"]),
        BodyCase(name: "Outlook: mixed(alternative(plain, html), attachment)", lines: [
            "Content-Type: multipart/mixed; boundary=o1", "", "--o1", "Content-Type: multipart/alternative; boundary=o2", "",
            "--o2", "Content-Type: text/plain; charset=\"iso-8859-1\"", "Content-Transfer-Encoding: quoted-printable", "", "Gr=FC=DFe",
            "--o2", "Content-Type: text/html", "", "<b>Gr&uuml;&szlig;e</b>", "--o2--",
            "--o1", "Content-Type: image/jpeg; name=\"=?utf-8?B?Wm/DqyAuanBn?=\"", "Content-Disposition: attachment", "", "x", "--o1--",
        ], text: "Grüße", html: "<b>Gr&uuml;&szlig;e</b>", attachments: ["Zoë .jpg|image/jpeg|false"]),
        BodyCase(name: "format=flowed joins soft breaks", lines: [
            "Content-Type: text/plain; format=flowed", "", "This is a long ", "line.", "Next", "",
        ], text: "This is a long line.\nNext\n", html: nil, attachments: []),
        BodyCase(name: "multipart/report: human text, status and original as attachments", lines: [
            "Content-Type: multipart/report; report-type=delivery-status; boundary=r", "", "--r", "", "Delivery failed",
            "--r", "Content-Type: message/delivery-status", "", "Reporting-MTA: dns; mx", "", "Final-Recipient: rfc822; x@y",
            "--r", "Content-Type: text/rfc822-headers", "", "Message-ID: <orig@x>", "--r--",
        ], text: "Delivery failed", html: nil, attachments: ["nil|message/delivery-status|false", "nil|text/rfc822-headers|false"]),
    ]

    @Test(arguments: bodyCases)
    func bestBody(_ c: BodyCase) {
        let s = MessageSummary(message(c.lines))
        #expect(s.text == c.text)
        #expect(s.html == c.html)
        #expect(s.attachments.map { "\($0.filename ?? "nil")|\($0.contentType)|\($0.inline)" } == c.attachments)
    }

    @Test func headersAreDecoded() {
        let s = MessageSummary(message([
            "From: =?utf-8?Q?Zo=C3=AB?= <zoe@example.org>",
            "To: support@acme.test, \"Novak, Alice\" <alice@acme.test>",
            "Cc: Team: a@x.test, b@x.test;",
            "Subject: =?utf-8?B?WmHFvMOzxYLEhw==?= =?utf-8?B?IGfEmcWbbMSF?=",
            "Date: Sun, 22 Nov 2026 10:15:00 +0100",
            "Message-ID: <abc@host>",
            "In-Reply-To: <p1@host>",
            "References: <p0@host>\r\n <p1@host>",
            "Content-Language: de-DE",
            "", "body",
        ]))
        #expect(s.subject == "Zażółć gęślą")
        #expect(s.from == [MailAddress(name: "Zoë", address: "zoe@example.org")])
        #expect(s.to.map(\.address) == ["support@acme.test", "alice@acme.test"])
        #expect(s.to.last?.name == "Novak, Alice")
        #expect(s.cc.map(\.address) == ["a@x.test", "b@x.test"])
        #expect(s.date?.iso8601 == "2026-11-22T10:15:00+01:00")
        #expect(s.messageID == "abc@host")
        #expect(s.inReplyTo == ["p1@host"])
        #expect(s.references == ["p0@host", "p1@host"])
        #expect(s.contentLanguage == "de-DE")
        #expect(s.automatic == nil)
    }

    @Test func attachmentHashAndSize() {
        let s = MessageSummary(message([
            "Content-Type: multipart/mixed; boundary=m", "", "--m", "", "t", "--m",
            "Content-Type: application/octet-stream; name=abc.bin", "Content-Transfer-Encoding: base64", "", "YWJj", "--m--",
        ]))
        #expect(s.attachments.count == 1)
        #expect(s.attachments[0].size == 3)
        #expect(s.attachments[0].sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func fileNamesAreDataNotPaths() {
        let s = MessageSummary(message([
            "Content-Type: multipart/mixed; boundary=m", "", "--m", "", "t", "--m",
            "Content-Type: application/octet-stream", "Content-Disposition: attachment; filename=\"../../etc/passwd\"", "", "x", "--m--",
        ]))
        // Never used as a path, and made safe to show and to save (SafeFilename): the last component only.
        #expect(s.attachments.first?.filename == "passwd")
    }
}

@Suite struct AutomaticVerdictTests {
    struct Case: Sendable, CustomStringConvertible {
        var headers: [String]
        var kind: AutomaticVerdict.Kind?
        var description: String { headers.joined(separator: " / ") }
    }

    static let cases: [Case] = [
        Case(headers: ["From: ana@example.org", "Subject: help"], kind: nil),
        Case(headers: ["Auto-Submitted: no", "From: ana@example.org"], kind: nil),
        Case(headers: ["Auto-Submitted: auto-replied", "From: ana@example.org"], kind: .autoReply),
        Case(headers: ["Auto-Submitted: auto-generated", "From: ana@example.org"], kind: .generated),
        Case(headers: ["Precedence: bulk", "From: news@example.org"], kind: .list),
        Case(headers: ["Precedence: junk"], kind: .list),
        Case(headers: ["List-Id: <users.lists.example.org>"], kind: .list),
        Case(headers: ["List-Unsubscribe: <mailto:u@x>"], kind: .list),
        Case(headers: ["Return-Path: <>", "From: ana@example.org"], kind: .bounce),
        Case(headers: ["From: MAILER-DAEMON@mx.example.org"], kind: .bounce),
        Case(headers: ["From: Mail Delivery System <postmaster@example.org>"], kind: .bounce),
        Case(headers: ["X-Autoreply: yes"], kind: .autoReply),
        Case(headers: ["X-Auto-Response-Suppress: All"], kind: .autoReply),
        Case(headers: ["X-Postdesk-Loop: acme"], kind: .ownLoop),
        Case(headers: ["Subject: Automatic reply: your ticket"], kind: .autoReply),
        Case(headers: ["Subject: Abwesenheitsnotiz: Urlaub"], kind: .autoReply),
        Case(headers: ["Subject: Undeliverable: Re: ticket"], kind: .bounce),
        Case(headers: ["Content-Type: multipart/report; report-type=delivery-status; boundary=x"], kind: .bounce),
        Case(headers: ["Content-Type: multipart/report; report-type=disposition-notification; boundary=x"], kind: .generated),
    ]

    @Test(arguments: cases)
    func verdict(_ c: Case) {
        let v = AutomaticVerdict.judge(message(c.headers + ["", "body"]))
        #expect(v?.kind == c.kind, "\(String(describing: v))")
        if c.kind != nil { #expect(!(v?.reason.isEmpty ?? true)) }
    }
}
