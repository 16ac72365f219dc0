import Testing
@testable import PostdeskMail

/// The MIME tree as a compact string: `multipart/mixed[text/plain,image/png]`.
func shape(_ part: MIMEPart) -> String {
    switch part.content {
    case .single: return part.contentType.mimeType
    case .multipart(let parts, _, _): return part.contentType.mimeType + "[" + parts.map(shape).joined(separator: ",") + "]"
    case .message(let m): return part.contentType.mimeType + "{" + shape(m.root) + "}"
    }
}

@Suite struct MIMEStructureTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var lines: [String]
        var shape: String
        var defectKinds: [MailDefect.Kind] = []
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "simple mixed with preamble and epilogue", lines: [
            "Content-Type: multipart/mixed; boundary=\"XX\"", "", "preamble", "--XX", "Content-Type: text/plain", "", "one",
            "--XX", "Content-Type: image/png", "Content-Transfer-Encoding: base64", "", "iVBORw0KGgo=", "--XX--", "epilogue",
        ], shape: "multipart/mixed[text/plain,image/png]"),
        Case(name: "unquoted boundary, nested alternative", lines: [
            "Content-Type: multipart/mixed; boundary=outer", "", "--outer",
            "Content-Type: multipart/alternative; boundary=inner", "", "--inner", "Content-Type: text/plain", "", "p",
            "--inner", "Content-Type: text/html", "", "<p>h</p>", "--inner--", "--outer",
            "Content-Type: application/pdf", "", "%PDF", "--outer--",
        ], shape: "multipart/mixed[multipart/alternative[text/plain,text/html],application/pdf]"),
        Case(name: "inner boundary that starts with the outer one", lines: [
            "Content-Type: multipart/mixed; boundary=\"=_NextPart_000\"", "", "--=_NextPart_000",
            "Content-Type: multipart/alternative; boundary=\"=_NextPart_000_001\"", "",
            "--=_NextPart_000_001", "Content-Type: text/plain", "", "p", "--=_NextPart_000_001",
            "Content-Type: text/html", "", "h", "--=_NextPart_000_001--", "", "--=_NextPart_000", "Content-Type: text/csv", "", "a,b",
            "--=_NextPart_000--",
        ], shape: "multipart/mixed[multipart/alternative[text/plain,text/html],text/csv]"),
        Case(name: "never closed", lines: [
            "Content-Type: multipart/mixed; boundary=b", "", "--b", "", "one", "--b", "", "two",
        ], shape: "multipart/mixed[text/plain,text/plain]", defectKinds: [.structure]),
        Case(name: "no boundary line at all", lines: [
            "Content-Type: multipart/mixed; boundary=b", "", "just text",
        ], shape: "text/plain", defectKinds: [.structure]),
        Case(name: "boundary parameter missing but lines present", lines: [
            "Content-Type: multipart/mixed", "", "--guess", "", "one", "--guess--",
        ], shape: "multipart/mixed[text/plain]", defectKinds: [.structure]),
        Case(name: "a 70-character boundary", lines: [
            "Content-Type: multipart/mixed; boundary=\"\(String(repeating: "a", count: 70))\"", "",
            "--" + String(repeating: "a", count: 70), "", "x", "--" + String(repeating: "a", count: 70) + "--",
        ], shape: "multipart/mixed[text/plain]"),
        Case(name: "transport padding after boundary", lines: [
            "Content-Type: multipart/mixed; boundary=b", "", "--b  ", "", "x", "--b--  ",
        ], shape: "multipart/mixed[text/plain]"),
        Case(name: "message/rfc822 parsed as a message", lines: [
            "Content-Type: multipart/mixed; boundary=b", "", "--b", "Content-Type: message/rfc822", "",
            "Subject: inner", "Content-Type: multipart/alternative; boundary=c", "", "--c", "", "t", "--c--", "--b--",
        ], shape: "multipart/mixed[message/rfc822{multipart/alternative[text/plain]}]"),
        Case(name: "digest parts default to message/rfc822", lines: [
            "Content-Type: multipart/digest; boundary=d", "", "--d", "", "Subject: one", "", "b1", "--d--",
        ], shape: "multipart/digest[message/rfc822{text/plain}]"),
        Case(name: "empty part between boundaries", lines: [
            "Content-Type: multipart/mixed; boundary=b", "", "--b", "--b", "", "x", "--b--",
        ], shape: "multipart/mixed[text/plain,text/plain]"),
    ]

    @Test(arguments: cases)
    func structure(_ c: Case) {
        for ending in ["\r\n", "\n"] {
            let m = message(c.lines, ending: ending)
            #expect(shape(m.root) == c.shape, "ending \(ending == "\n" ? "LF" : "CRLF")")
            #expect(m.defects.map(\.kind) == c.defectKinds, "\(m.defects)")
        }
    }

    @Test func partBodiesExcludeTheDelimiterLineBreak() {
        let m = message(["Content-Type: multipart/mixed; boundary=b", "", "pre", "--b", "", "one", "", "--b", "", "two", "--b--", "epi"])
        #expect(m.root.parts.map { String(decoding: $0.body, as: UTF8.self) } == ["one\r\n", "two"])
        #expect(m.root.parts.map(\.path) == ["1", "2"])
        guard case .multipart(_, let preamble, let epilogue) = m.root.content else {
            Issue.record("not multipart")
            return
        }
        #expect(String(decoding: preamble, as: UTF8.self) == "pre")
        #expect(String(decoding: epilogue, as: UTF8.self) == "epi")
    }

    @Test func base64EncodedEmbeddedMessageIsDecodedThenParsed() {
        let inner = "Subject: inside\r\n\r\nhello"
        let encoded = "U3ViamVjdDogaW5zaWRlDQoNCmhlbGxv"  // base64 of `inner`
        _ = inner
        let m = message(["Content-Type: message/rfc822", "Content-Transfer-Encoding: base64", "", encoded])
        #expect(m.root.embeddedMessage?.headers["Subject"]?.value == "inside")
    }

    @Test func depthLimitStopsNesting() {
        var lines: [String] = []
        for i in 0..<60 { lines += ["Content-Type: multipart/mixed; boundary=b\(i)", "", "--b\(i)"] }
        lines += ["", "deep"]
        var limits = ParseLimits()
        limits.maxDepth = 10
        let m = message(lines, limits: limits)
        var depth = 0
        var p = m.root
        while let child = p.parts.first { p = child; depth += 1 }
        #expect(depth == 10)
        #expect(m.defects.contains { $0.kind == .limit })
    }

    @Test func partLimitStopsSplitting() {
        var lines = ["Content-Type: multipart/mixed; boundary=b", ""]
        for i in 0..<100 { lines += ["--b", "", "part \(i)"] }
        lines.append("--b--")
        var limits = ParseLimits()
        limits.maxParts = 20
        let m = message(lines, limits: limits)
        #expect(m.root.parts.count == 19)  // the root counts as one part
        #expect(m.defects.filter { $0.kind == .limit }.count == 1)
    }

    @Test func messageSizeLimitTruncates() {
        var limits = ParseLimits()
        limits.maxMessageBytes = 20
        let m = message(["Subject: hello", "", String(repeating: "x", count: 100)], limits: limits)
        #expect(m.root.body.count == 2)  // 18 bytes of header and blank line, then 2 of body
        #expect(m.defects.first?.kind == .limit)
    }

    @Test func hostileNestingDoesNotRecurseWithoutBound() {
        // 1,000 nested multiparts with the default limits: bounded, no crash.
        var s = ""
        for i in 0..<1_000 { s += "Content-Type: multipart/mixed; boundary=\"b\(i)\"\n\n--b\(i)\n" }
        let m = Message.parse(Array(s.utf8))
        #expect(m.defects.contains { $0.kind == .limit })
        _ = MessageSummary(m)
    }
}
