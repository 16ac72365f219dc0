import Testing
@testable import PostdeskMail

@Suite struct HeaderBlockTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var raw: String
        /// Expected (field name, unfolded value) pairs.
        var fields: [(String, String)]
        var body: String
        var defectKinds: [MailDefect.Kind] = []
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "CRLF", raw: "Subject: Hi\r\nFrom: a@b\r\n\r\nbody\r\n",
             fields: [("Subject", "Hi"), ("From", "a@b")], body: "body\r\n"),
        Case(name: "bare LF", raw: "Subject: Hi\nFrom: a@b\n\nbody\n",
             fields: [("Subject", "Hi"), ("From", "a@b")], body: "body\n"),
        Case(name: "bare CR throughout", raw: "Subject: Hi\rFrom: a@b\r\rbody\r",
             fields: [("Subject", "Hi"), ("From", "a@b")], body: "body\n", defectKinds: [.structure]),
        Case(name: "folded with tab and spaces", raw: "Subject: a long\r\n\tsubject\r\n  line\r\n\r\nx",
             fields: [("Subject", "a long\tsubject  line")], body: "x"),
        Case(name: "obsolete space before colon", raw: "Subject : Hi\nTo:x@y\n\nb",
             fields: [("Subject", "Hi"), ("To", "x@y")], body: "b", defectKinds: [.headerSyntax]),
        Case(name: "whitespace-only line ends the header", raw: "Subject: Hi\n \nbody",
             fields: [("Subject", "Hi")], body: "body", defectKinds: [.headerSyntax]),
        Case(name: "whitespace-only line inside folding", raw: "Subject: Re: TEST\n \n\tmore\nTo: a@b\n\nbody",
             fields: [("Subject", "Re: TEST \tmore"), ("To", "a@b")], body: "body"),
        Case(name: "whitespace-only line between fields", raw: "To: a@b,\n\tc@d\n\t\nFrom: x@y\n\nbody",
             fields: [("To", "a@b,\tc@d"), ("From", "x@y")], body: "body"),
        Case(name: "missing separator", raw: "Subject: Hi\nThis is the body: it has a colon\nmore",
             fields: [("Subject", "Hi")], body: "This is the body: it has a colon\nmore", defectKinds: [.structure]),
        Case(name: "no header at all", raw: "Just some text\nand more\n",
             fields: [], body: "Just some text\nand more\n", defectKinds: [.structure]),
        Case(name: "mbox From line skipped", raw: "From someone@x Mon Jan  1 00:00:00 2024\nSubject: Hi\n\nb",
             fields: [("Subject", "Hi")], body: "b", defectKinds: [.headerSyntax]),
        Case(name: "repeated fields kept in order", raw: "Received: one\nReceived: two\nreceived: three\n\n",
             fields: [("Received", "one"), ("Received", "two"), ("received", "three")], body: ""),
        Case(name: "empty value", raw: "Subject:\nTo: x@y\n\nb", fields: [("Subject", ""), ("To", "x@y")], body: "b"),
        Case(name: "no body", raw: "Subject: only a header", fields: [("Subject", "only a header")], body: ""),
        Case(name: "continuation before any field", raw: " stray\nSubject: Hi\n\nb",
             fields: [("Subject", "Hi")], body: "b", defectKinds: [.headerSyntax]),
    ]

    @Test(arguments: cases)
    func headerBlock(_ c: Case) {
        let m = Message.parse(Array(c.raw.utf8))
        #expect(m.headers.map(\.name) == c.fields.map(\.0))
        #expect(m.headers.map(\.value) == c.fields.map(\.1))
        #expect(String(decoding: m.root.body, as: UTF8.self) == c.body)
        #expect(m.defects.map(\.kind) == c.defectKinds, "\(m.defects)")
    }

    @Test func lookupIsCaseInsensitiveAndRawValueKept() {
        let m = message(["SUBJECT: Hello", "\tworld", "", "b"])
        #expect(m.headers["subject"]?.value == "Hello\tworld")
        #expect(String(decoding: m.headers["Subject"]!.rawValue, as: UTF8.self) == " Hello\r\n\tworld")
        #expect(m.headers.all("Subject").count == 1)
        #expect(m.headers["X-Missing"] == nil)
    }

    @Test func utf8HeaderIsReadAsUTF8() {
        let m = Message.parse(bytes("Subject: Zażółć gęślą jaźń\n\nb"))
        let t = m.headers["Subject"]!.text()
        #expect(t.text == "Zażółć gęślą jaźń")
        #expect(t.defects.isEmpty)
    }

    @Test func legacy8BitHeaderUsesFallbackCharset() {
        // "Łódź" in ISO-8859-2.
        let raw: [UInt8] = bytes("Subject: ") + [0xA3, 0xF3, 0x64, 0xBC] + bytes("\n\nb")
        let m = Message.parse(raw)
        let t = m.headers["Subject"]!.text(fallbackCharset: "iso-8859-2")
        #expect(t.text == "Łódź")
        #expect(t.defects.map(\.kind) == [.charset])
    }

    @Test func headerFieldLimitKeepsParsing() {
        var lines = (0..<50).map { "X-Field-\($0): v" }
        lines += ["Subject: last", "", "body"]
        var limits = ParseLimits()
        limits.maxHeaderFields = 10
        let m = message(lines, limits: limits)
        #expect(m.headers.count == 10)
        #expect(String(decoding: m.root.body, as: UTF8.self) == "body")
        #expect(m.defects.map(\.kind) == [.limit])
    }
}
