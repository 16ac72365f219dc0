import Testing
@testable import PostdeskMail

@Suite struct AddressParserTests {
    /// Expected: "name|address" per mailbox ("-" for no name), joined with " ; ".
    @Test(arguments: [
        ("ana@example.org", "-|ana@example.org", false),
        ("Ana García <ana@example.org>", "Ana García|ana@example.org", false),
        ("\"Novak, Alice\" <alice@acme.test>, bob@acme.test", "Novak, Alice|alice@acme.test ; -|bob@acme.test", false),
        ("\"John \\\"JD\\\" Doe\" <jd@x.test>", "John \"JD\" Doe|jd@x.test", false),
        ("jd@x.test (John Doe)", "John Doe|jd@x.test", false),
        ("Team: a@x.test, B <b@x.test>;, c@y.test", "-|a@x.test ; B|b@x.test ; -|c@y.test", false),
        ("undisclosed-recipients:;", "", false),
        ("<@relay1.test,@relay2.test:user@dom.test>", "-|user@dom.test", true),
        ("Broken <broken@x.test", "Broken|broken@x.test", true),
        ("a@x.test; b@x.test", "-|a@x.test ; -|b@x.test", false),
        ("a@x.test,, ,b@x.test", "-|a@x.test ; -|b@x.test", false),
        ("\"john doe\"@x.test", "-|\"john doe\"@x.test", false),
        ("=?utf-8?Q?Zo=C3=AB_Bront=C3=AB?= <zoe@x.test>", "Zoë Brontë|zoe@x.test", false),
        ("\"=?utf-8?Q?Zo=C3=AB?=\" <zoe@x.test>", "Zoë|zoe@x.test", false),
        ("=?ISO-8859-2?Q?=A3ukasz_=AF=F3=B3towski?= <l@x.pl>", "Łukasz Żółtowski|l@x.pl", false),
        ("Jürgen Müller <jürgen@bücher.example>", "Jürgen Müller|jürgen@bücher.example", false),
        ("  Lots   of\tspace   <s@x.test>", "Lots of space|s@x.test", false),
        ("ana@example.org <ana@example.org>", "ana@example.org|ana@example.org", false),
        ("John Doe john@x.test", "John Doe|john@x.test", true),
        ("not an address", "", true),
        ("eryq", "-|eryq", true),
        ("tim@x.test concierge@x.test", "-|tim@x.test ; -|concierge@x.test", true),
        ("Pete(A wonderful \\) chap) <pete(his account)@silly.test(his host)>", "Pete|pete@silly.test", false),
        ("John Doe <jdoe@machine(comment).  example>", "John Doe|jdoe@machine.example", false),
    ])
    func parseList(_ input: String, _ expected: String, _ hasDefect: Bool) {
        let (list, defects) = AddressParser.parseList(input)
        #expect(list.map { "\($0.name ?? "-")|\($0.address)" }.joined(separator: " ; ") == expected)
        #expect(!defects.isEmpty == hasDefect, "\(defects)")
    }

    @Test func groupMembersCarryTheGroup() {
        let (list, _) = AddressParser.parseList("Team: a@x.test, b@x.test; c@y.test")
        #expect(list.map(\.group) == ["Team", "Team", nil])
    }

    @Test func hugeHeaderIsLinear() {
        let many = Array(repeating: "Someone <s@x.test>", count: 20_000).joined(separator: ", ")
        #expect(AddressParser.parseList(many).addresses.count == 20_000)
    }
}

@Suite struct DateParserTests {
    @Test(arguments: [
        ("Sun, 22 Nov 2026 10:15:00 +0100", "2026-11-22T10:15:00+01:00", 0),
        ("22 Nov 2026 10:15:00 +0100", "2026-11-22T10:15:00+01:00", 0),
        ("Sun, 22 Nov 2026 10:15 -0530", "2026-11-22T10:15:00-05:30", 0),
        ("Sun, 22 Nov 2026 10:15:00 +0100 (CET)", "2026-11-22T10:15:00+01:00", 0),
        ("Sun, 22 Nov 2026 10:15:00 GMT", "2026-11-22T10:15:00+00:00", 0),
        ("Sun, 22 Nov 2026 10:15:00 EST", "2026-11-22T10:15:00-05:00", 1),
        ("Sun, 22 Nov 2026 10:15:00 -0000", "2026-11-22T10:15:00+00:00", 1),
        ("Sun, 22 Nov 26 10:15:00 +0000", "2026-11-22T10:15:00+00:00", 1),
        ("Fri, 21 Nov 97 09:55:06 -0600", "1997-11-21T09:55:06-06:00", 1),
        ("Fri, 21 Nov 097 09:55:06 -0600", "1997-11-21T09:55:06-06:00", 1),
        ("Sunday, 22 November 2026 10:15:00 +0100", "2026-11-22T10:15:00+01:00", 0),
        ("sun, 22 nov 2026 10:15:00 +0100", "2026-11-22T10:15:00+01:00", 0),
        ("22-Nov-2026 10:15:00 +0100", "2026-11-22T10:15:00+01:00", 0),
        ("Mon, 2 Nov 2026 1:05:09 +01:00", "2026-11-02T01:05:09+01:00", 0),
        ("Sun Nov 22 10:15:00 2026", "2026-11-22T10:15:00+00:00", 1),
        ("2026-11-22T10:15:00+01:00", "2026-11-22T10:15:00+01:00", 0),
        ("2026-11-22T10:15:00Z", "2026-11-22T10:15:00+00:00", 0),
        ("2026-11-22 10:15:00", "2026-11-22T10:15:00+00:00", 1),
        ("Mon, 22 Nov 2026 10:15:00 +0100", "2026-11-22T10:15:00+01:00", 1),  // wrong day of week
        ("Sun, 22 Nov 2026 23:59:60 +0000", "2026-11-22T23:59:59+00:00", 1),
        ("Tue, 1 Jul 2003 10:52:37 +0200", "2003-07-01T10:52:37+02:00", 0),
        ("Thu, 13 Feb 1969 23:32:54 -0330", "1969-02-13T23:32:54-03:30", 0),
    ])
    func parse(_ input: String, _ iso: String, _ defectCount: Int) {
        let (date, defects) = DateParser.parse(input)
        #expect(date?.iso8601 == iso)
        #expect(defects.count == defectCount, "\(defects)")
    }

    @Test(arguments: ["", "garbage", "Sun, 31 Feb 2026 10:00:00 +0000", "Sun, 22 Nov 2026 25:00:00 +0000", "yesterday"])
    func unreadable(_ input: String) {
        let (date, defects) = DateParser.parse(input)
        #expect(date == nil)
        #expect(!defects.isEmpty)
    }

    @Test func instantIsOffsetAware() {
        let a = DateParser.parse("Sun, 22 Nov 2026 10:15:00 +0100").date!
        let b = DateParser.parse("Sun, 22 Nov 2026 09:15:00 +0000").date!
        #expect(a.secondsSinceEpoch == b.secondsSinceEpoch)
        #expect(a.secondsSinceEpoch == 1_795_338_900)
    }
}

@Suite struct MessageIDTests {
    @Test(arguments: [
        ("<abc@host>", ["abc@host"], false),
        ("<a@x> <b@y>\r\n\t<c@z>", ["a@x", "b@y", "c@z"], false),
        ("<a@x>,<b@y>", ["a@x", "b@y"], false),
        ("<a@x> (added by postmaster) <b@y>", ["a@x", "b@y"], false),
        ("Your message of Mon, 1 Jan 2024 <orig@host>", ["orig@host"], false),
        ("a@x b@y", ["a@x", "b@y"], true),
        ("< spaced @ host >", ["spaced@host"], false),
        ("<unbalanced@host", ["unbalanced@host"], true),
        ("<no-at-sign>", ["no-at-sign"], true),
        ("", [], false),
        ("<>", [], false),
        ("<a@x> <a@x>", ["a@x", "a@x"], false),
    ])
    func parse(_ input: String, _ ids: [String], _ hasDefect: Bool) {
        let (list, defects) = MessageIDParser.parseList(input)
        #expect(list == ids)
        #expect(!defects.isEmpty == hasDefect, "\(defects)")
    }
}

@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func vectors(_ input: String, _ hex: String) {
        #expect(SHA256.hexHash(Array(input.utf8)) == hex)
    }

    @Test func oneMillionAsInUnevenChunks() {
        var h = SHA256()
        let a = [UInt8](repeating: 0x61, count: 1_000_000)
        var offset = 0
        var step = 1
        a.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = min(step, raw.count - offset)
                h.update(UnsafeRawBufferPointer(rebasing: raw[offset..<offset + n]))
                offset += n
                step = step * 3 % 997 + 1
            }
        }
        #expect(SHA256.hex(h.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test(arguments: [55, 56, 63, 64, 65, 119, 128])
    func chunkedEqualsOneShot(_ size: Int) {
        let data = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var h = SHA256()
        data.withUnsafeBytes { raw in
            h.update(UnsafeRawBufferPointer(rebasing: raw[0..<size / 2]))
            h.update(UnsafeRawBufferPointer(rebasing: raw[size / 2..<size]))
        }
        #expect(h.finalize() == SHA256.hash(data))
    }
}

@Suite struct HTMLTextTests {
    @Test(arguments: [
        ("<p>Hello</p><p>World</p>", "Hello\n\nWorld"),
        ("Line one<br>Line two<br/>Line three", "Line one\nLine two\nLine three"),
        ("<div>a</div><div>b</div>", "a\nb"),
        ("  lots   of \n\n  space  ", "lots of space"),
        ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
        ("<ol><li>one<li>two</ol>", "1. one\n2. two"),
        ("<a href=\"https://x.test/a\">the docs</a>", "the docs <https://x.test/a>"),
        ("<a href=\"https://x.test/\">https://x.test/</a>", "https://x.test/"),
        ("<a href=\"mailto:s@x.test\">s@x.test</a>", "s@x.test"),
        ("<a href=\"#top\">top</a>", "top"),
        ("<img src=\"cid:1\" alt=\"Logo\"> text", "[Logo] text"),
        ("<blockquote><p>quoted</p><blockquote>deeper</blockquote></blockquote>after", "> quoted\n> >\n> > deeper\n\nafter"),
        ("<pre>  keep\n    this</pre>", "  keep\n    this"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>", "a\tb\nc\td"),
        ("&lt;tag&gt; &amp; &quot;q&quot; &#8364; &#x20AC; &euro; &nbsp;x &copy", "<tag> & \"q\" € € €  x ©"),
        ("caf&eacute; na&iuml;ve &unknown; &#0;", "café naïve &unknown; \u{FFFD}"),
        ("<head><title>T</title><style>p{}</style></head><body>Body</body>", "Body"),
        ("<script>alert(1)</script>Visible", "Visible"),
        ("<!--[if mso]><p>Outlook only</p><![endif]-->Text<o:p></o:p>", "Text"),
        ("<!-- a comment -->x", "x"),
        ("a < b and c > d", "a < b and c > d"),
        ("<P CLASS=x>Upper</P>", "Upper"),
        ("<p>unclosed <b>bold", "unclosed bold"),
        ("<div attr='x>y'>quoted gt</div>", "quoted gt"),
        ("", ""),
    ])
    func convert(_ html: String, _ expected: String) {
        #expect(HTMLText.plainText(fromHTML: html) == expected)
    }

    @Test func outlookStyleMail() {
        let html = """
            <html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta charset="utf-8">
            <style><!-- p.MsoNormal {margin:0cm;} --></style><!--[if gte mso 9]><xml><o:shapedefaults/></xml><![endif]--></head>
            <body lang="DE"><div class="WordSection1"><p class="MsoNormal">Hallo zusammen,<o:p></o:p></p>
            <p class="MsoNormal"><o:p>&nbsp;</o:p></p>
            <p class="MsoNormal">der Drucker im 2.&nbsp;Stock druckt nicht.<o:p></o:p></p>
            <p class="MsoNormal">Gr&uuml;&szlig;e<br>Jürgen<o:p></o:p></p></div></body></html>
            """
        #expect(HTMLText.plainText(fromHTML: html) == "Hallo zusammen,\n\nder Drucker im 2. Stock druckt nicht.\n\nGrüße\nJürgen")
    }

    @Test func gmailStyleMail() {
        let html = """
            <div dir="ltr">Hi team,<div><br></div><div>the export fails with <b>E42</b>, see <a href="https://status.x.test/42">status</a>.</div><div><br></div><div>Thanks,</div><div>Ana</div></div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Sun, Nov 22, 2026 at 9:12 AM Support &lt;<a href="mailto:support@acme.test">support@acme.test</a>&gt; wrote:<br></div><blockquote class="gmail_quote">Earlier text</blockquote></div>
            """
        #expect(HTMLText.plainText(fromHTML: html) == """
            Hi team,

            the export fails with E42, see status <https://status.x.test/42>.

            Thanks,
            Ana

            On Sun, Nov 22, 2026 at 9:12 AM Support <support@acme.test> wrote:

            > Earlier text
            """)
    }
}
