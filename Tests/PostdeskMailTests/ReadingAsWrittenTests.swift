import Testing
@testable import PostdeskMail

/// Issue 15, "Reading mail as people write it": each class of misreading, as a table of real cases.
@Suite struct FlowedQuoteDepthTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var contentType: String
        var body: [String]
        var text: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "reply after a flowed quote line is not quoted", contentType: "text/plain; format=flowed",
             body: ["> Hi ", "Hello", ""], text: "> Hi \nHello\n"),
        Case(name: "flowed quote lines of one depth join without the inner marks", contentType: "text/plain; format=flowed",
             body: ["> Hi ", "> there", ""], text: "> Hi there\n"),
        Case(name: "a deeper quote ends at a shallower one", contentType: "text/plain; format=flowed",
             body: [">> deep ", "> shallow", ""], text: ">> deep \n> shallow\n"),
        Case(name: "unquoted flowed line followed by a quote", contentType: "text/plain; format=flowed",
             body: ["Hi ", "> quoted", ""], text: "Hi \n> quoted\n"),
        Case(name: "quote marks without spaces", contentType: "text/plain; format=flowed",
             body: [">>a ", ">>b", ">c", ""], text: ">>a b\n>c\n"),
        Case(name: "the signature separator is never joined", contentType: "text/plain; format=flowed",
             body: ["Thanks ", "-- ", "Ana", ""], text: "Thanks \n-- \nAna\n"),
        Case(name: "delsp=yes inside a quote", contentType: "text/plain; format=flowed; delsp=yes",
             body: ["> Hel ", "> lo", "Reply", ""], text: "> Hello\nReply\n"),
        Case(name: "space-stuffed unquoted lines", contentType: "text/plain; format=flowed",
             body: [" >not a quote ", "but stuffed", ""], text: ">not a quote but stuffed\n"),
        Case(name: "a paragraph open at the end", contentType: "text/plain; format=flowed",
             body: ["> a ", "> b "], text: "> a b \n"),
        Case(name: "fixed text is left alone", contentType: "text/plain",
             body: ["> Hi ", "Hello", ""], text: "> Hi \nHello\n"),
    ]

    @Test(arguments: cases)
    func flowedText(_ c: Case) {
        let s = MessageSummary(message(["From: ana@example.org", "Content-Type: \(c.contentType)", ""] + c.body))
        #expect(s.text == c.text)
    }
}

@Suite struct MixedInlineHTMLTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var parts: [[String]]  // each part: its header lines, "", its body lines
        var text: String
        var textFromHTML: Bool
        var attachments: [String]  // content types
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "plain then inline html", parts: [
            ["Content-Type: text/plain", "", "Plain first"],
            ["Content-Type: text/html", "Content-Disposition: inline", "", "<p>Then html</p>"],
        ], text: "Plain first\nThen html", textFromHTML: false, attachments: []),
        Case(name: "an empty plain part, then the html that says it all", parts: [
            ["Content-Type: text/plain", "", ""],
            ["Content-Type: text/html", "", "<p>Only html</p>"],
        ], text: "Only html", textFromHTML: true, attachments: []),
        Case(name: "html then a plain list footer", parts: [
            ["Content-Type: text/html", "", "<p>Hello</p>"],
            ["Content-Type: text/plain", "", "-- list footer"],
        ], text: "Hello\n-- list footer", textFromHTML: false, attachments: []),
        Case(name: "plain, html, plain in order", parts: [
            ["Content-Type: text/plain", "", "a"], ["Content-Type: text/html", "", "<div>b</div>"], ["Content-Type: text/plain", "", "c"],
        ], text: "a\nb\nc", textFromHTML: false, attachments: []),
        Case(name: "an alternative, then an inline html part", parts: [
            ["Content-Type: multipart/alternative; boundary=alt", "", "--alt", "Content-Type: text/plain", "", "A",
             "--alt", "Content-Type: text/html", "", "<p>A</p>", "--alt--"],
            ["Content-Type: text/html", "", "<p>B</p>"],
        ], text: "A\nB", textFromHTML: false, attachments: []),
        Case(name: "an html attachment is not text", parts: [
            ["Content-Type: text/plain", "", "Plain"],
            ["Content-Type: text/html", "Content-Disposition: attachment", "", "<p>page</p>"],
        ], text: "Plain", textFromHTML: false, attachments: ["text/html"]),
        Case(name: "html only", parts: [
            ["Content-Type: text/html", "", "<p>Only html</p>"],
        ], text: "Only html", textFromHTML: true, attachments: []),
    ]

    @Test(arguments: cases)
    func mixedText(_ c: Case) {
        var lines = ["From: ana@example.org", "Content-Type: multipart/mixed; boundary=m", ""]
        for p in c.parts { lines += ["--m"] + p }
        lines += ["--m--", ""]
        let s = MessageSummary(message(lines))
        #expect(s.text == c.text)
        #expect(s.textFromHTML == c.textFromHTML)
        #expect(s.attachments.map(\.contentType) == c.attachments)
    }
}

@Suite struct UUEncodedAttachmentTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var part: [String]  // the second part of a multipart/mixed after a text part, or the whole body when root
        var root: Bool
        var text: String
        var attachments: [String]  // "filename|type|size|sha256 prefix"
        var description: String { name }
    }

    /// "abc" uuencoded.
    static let abc = ["begin 644 a b.txt", "#86)C", "`", "end"]

    static let cases: [Case] = [
        Case(name: "x-uuencode: decoded, named by its begin line", part: [
            "Content-Type: application/octet-stream", "Content-Transfer-Encoding: x-uuencode", ""] + abc,
             root: false, text: "body", attachments: ["a b.txt|application/octet-stream|3|ba7816bf"]),
        Case(name: "x-uue", part: ["Content-Type: application/octet-stream", "Content-Transfer-Encoding: x-uue", ""] + abc,
             root: false, text: "body", attachments: ["a b.txt|application/octet-stream|3|ba7816bf"]),
        Case(name: "uuencode in capitals", part: ["Content-Type: application/octet-stream", "Content-Transfer-Encoding: X-UUENCODE", ""] + abc,
             root: false, text: "body", attachments: ["a b.txt|application/octet-stream|3|ba7816bf"]),
        Case(name: "the name parameter wins over the begin line", part: [
            "Content-Type: application/octet-stream; name=given.bin", "Content-Transfer-Encoding: x-uuencode", ""] + abc,
             root: false, text: "body", attachments: ["given.bin|application/octet-stream|3|ba7816bf"]),
        Case(name: "a uuencoded file labelled text/plain is a file, not the text", part: [
            "Content-Type: text/plain", "Content-Transfer-Encoding: x-uuencode", ""] + abc,
             root: false, text: "body", attachments: ["a b.txt|text/plain|3|ba7816bf"]),
        Case(name: "a whole message that is one uuencoded file", part: [
            "Content-Type: text/plain", "Content-Transfer-Encoding: x-uuencode", ""] + abc,
             root: true, text: "", attachments: ["a b.txt|text/plain|3|ba7816bf"]),
    ]

    @Test(arguments: cases)
    func uuencoded(_ c: Case) {
        let lines = c.root
            ? ["From: ana@example.org"] + c.part
            : ["From: ana@example.org", "Content-Type: multipart/mixed; boundary=m", "", "--m", "Content-Type: text/plain", "", "body",
               "--m"] + c.part + ["--m--", ""]
        let s = MessageSummary(message(lines))
        #expect(s.text == c.text)
        #expect(s.attachments.map { "\($0.filename ?? "nil")|\($0.contentType)|\($0.size)|\($0.sha256.prefix(8))" } == c.attachments)
    }
}

@Suite struct AttachmentBytesTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var message: String  // the whole message, line ends exactly as sent
        var data: [UInt8]    // the one attachment's stored bytes
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "7bit application/json with LF lines in a CRLF message",
             message: "From: a@x.test\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\n\r\nbody\r\n--m\r\n"
                + "Content-Type: application/json; name=a.json\r\n\r\n{\"a\":1}\n{\"b\":2}\n\r\n--m--\r\n",
             data: Array("{\"a\":1}\n{\"b\":2}\n".utf8)),
        Case(name: "7bit message/rfc822 in an LF message keeps LF",
             message: "From: a@x.test\nContent-Type: multipart/mixed; boundary=m\n\n--m\n\nbody\n--m\n"
                + "Content-Type: message/rfc822\n\nSubject: inner\nFrom: b@y.test\n\nline 1\nline 2\n\n--m--\n",
             data: Array("Subject: inner\nFrom: b@y.test\n\nline 1\nline 2\n".utf8)),
        Case(name: "7bit message/rfc822 in a CRLF message keeps CRLF",
             message: "From: a@x.test\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\n\r\nbody\r\n--m\r\n"
                + "Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nline\r\n--m--\r\n",
             data: Array("Subject: inner\r\n\r\nline".utf8)),
        Case(name: "8bit application/octet-stream with a lone CR and mixed line ends",
             message: "From: a@x.test\nContent-Type: multipart/mixed; boundary=m\n\n--m\n\nbody\n--m\n"
                + "Content-Type: application/octet-stream\nContent-Transfer-Encoding: 8bit\n\na\rb\r\nc\nd\n--m--\n",
             data: Array("a\rb\r\nc\nd".utf8)),
        Case(name: "a text/csv attachment keeps its CRLF (only text that is shown is normalised)",
             message: "From: a@x.test\nContent-Type: multipart/mixed; boundary=m\n\n--m\n\nbody\n--m\n"
                + "Content-Type: text/csv; name=t.csv\nContent-Disposition: attachment\n\na;b\r\n1;2\r\n\n--m--\n",
             data: Array("a;b\r\n1;2\r\n".utf8)),
    ]

    @Test(arguments: cases)
    func storedAsDecoded(_ c: Case) throws {
        let s = MessageSummary(Message.parse(Array(c.message.utf8)), keepingAttachmentData: true)
        let a = try #require(s.attachments.first)
        #expect(s.attachments.count == 1)
        #expect(a.data == c.data)
        #expect(a.size == c.data.count)
        #expect(a.sha256 == SHA256.hexHash(c.data))
    }
}

@Suite struct MalformedAddressTests {
    /// Expected: "name|address|malformed" per mailbox ("-" for no name), joined with " ; ".
    @Test(arguments: [
        ("john smith@example.com", "-|john smith@example.com|true"),
        ("<john smith@example.com>", "-|john smith@example.com|true"),
        ("John Smith <john smith@example.com>", "John Smith|john smith@example.com|true"),
        ("john smith @example.com", "-|john smith@example.com|true"),
        ("<john  smith@example.com>, ok@example.com", "-|john  smith@example.com|true ; -|ok@example.com|false"),
        // Space around `.` and `@` is RFC 5322's obsolete syntax: the same address.
        ("john . smith @ example.com", "-|john.smith@example.com|false"),
        ("<john . smith @ example . com>", "-|john.smith@example.com|false"),
        ("\"john smith\"@example.com", "-|\"john smith\"@example.com|false"),
        ("<\"john smith\"@example.com>", "-|\"john smith\"@example.com|false"),
        ("<john \"smith\"@example.com>", "-|john smith@example.com|true"),
        ("<@relay1.test, @relay2.test: user@dom.test>", "-|user@dom.test|false"),
        // A name before a bare address still reads as a name.
        ("Big Bug bb@bug.com", "Big Bug|bb@bug.com|false"),
        ("John Doe john@x.test", "John Doe|john@x.test|false"),
    ])
    func parse(_ input: String, _ expected: String) {
        let (list, _) = AddressParser.parseList(input)
        #expect(list.map { "\($0.name ?? "-")|\($0.address)|\($0.isMalformed)" }.joined(separator: " ; ") == expected)
    }

    @Test func aMalformedFromIsNoSender() {
        let s = MessageSummary(message(["From: john smith@example.com", "Reply-To: <jo hn@example.com>", "To: support@acme.test", "", "hi"]))
        #expect(s.from == [])
        #expect(s.replyTo == [])
        #expect(s.to.map(\.address) == ["support@acme.test"])
        #expect(s.malformedAddresses.map { "\($0.field) \($0.address.address)" } == ["From john smith@example.com", "Reply-To jo hn@example.com"])
        #expect(s.defects.map(\.detail).contains("From: \"john smith@example.com\" has a space inside the address; kept as written, not used as an address"))
    }
}

@Suite struct LenientMessageIDTests {
    @Test(arguments: [
        ("00020", ["00020"]),
        ("<00020>", ["00020"]),
        ("00018 00019", ["00018", "00019"]),
        ("00018,00019", ["00018", "00019"]),
        ("someone@yahoo.com", ["someone@yahoo.com"]),
        ("Your message of Mon, 1 Jan 2024 from bob@x.test", ["bob@x.test"]),
        ("Your message of Mon, 1 Jan 2024", []),
        ("<a@x> 00020", ["a@x"]),
    ])
    func ids(_ input: String, _ expected: [String]) {
        #expect(MessageIDParser.parseList(input).ids == expected)
    }

    @Test func bracketlessIDsThread() {
        let s = MessageSummary(message(["From: a@x.test", "Message-ID: 00020", "In-Reply-To: 00019", "References: 00018 00019", "", "hi"]))
        #expect(s.messageID == "00020")
        #expect(s.inReplyTo == ["00019"])
        #expect(s.references == ["00018", "00019"])
    }
}

@Suite struct TwoFromFieldsTests {
    @Test(arguments: [
        (["From: a@x.test", "From: b@y.test"], ["a@x.test", "b@y.test"], 2,
         "2 From fields (a sign of forgery): the first usable address (a@x.test) is the sender; all are listed"),
        (["From: Boss <boss@acme.test>", "From: a@x.test, c@z.test"], ["boss@acme.test", "a@x.test", "c@z.test"], 2,
         "2 From fields (a sign of forgery): the first usable address (boss@acme.test) is the sender; all are listed"),
        (["From: a@x.test"], ["a@x.test"], 1, nil),
    ])
    func firstFromWins(_ fields: [String], _ from: [String], _ count: Int, _ defect: String?) {
        let s = MessageSummary(message(fields + ["", "hi"]))
        #expect(s.from.map(\.address) == from)
        #expect(s.fromFieldCount == count)
        #expect(s.defects.map(\.detail).filter { $0.contains("From fields") } == (defect.map { [$0] } ?? []))
    }
}
