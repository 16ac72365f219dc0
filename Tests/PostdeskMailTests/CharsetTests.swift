import Testing
@testable import PostdeskMail

/// `Charset.decode`, mostly on byte strings taken from the shared corpus (path in the comment).
/// (The suite name differs from `CharsetTests` in CodecTests.swift but matches the same test filter.)
@Suite struct RealMailCharsetTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var bytes: [UInt8]
        var label: String?
        var text: String
        var defects: [MailDefect.Kind]
        var note: String
        init(_ bytes: [UInt8], _ label: String?, _ text: String, _ defects: [MailDefect.Kind] = [], _ note: String) {
            self.bytes = bytes; self.label = label; self.text = text; self.defects = defects; self.note = note
        }
        var testDescription: String { note }
    }

    static let cases: [Case] = [
        // mikel-mail multi_charset/japanese_shift_jis.eml, first line
        Case([0x82, 0xA0, 0x82, 0xA2, 0x82, 0xA4, 0x82, 0xA6, 0x82, 0xA8], "Shift_JIS", "あいうえお", [], "shift_jis (corpus)"),
        // mikel-mail multi_charset/ks_c_5601-1987.eml
        Case([0xBD, 0xBA, 0xC6, 0xBC, 0xC7, 0xD8], "\"ks_c_5601-1987\"", "스티해", [], "ks_c_5601-1987 quoted (corpus)"),
        Case([0xBD, 0xBA, 0xC6, 0xBC, 0xC7, 0xD8], "euc-kr", "스티해", [], "euc-kr as windows-949"),
        // mikel-mail multi_charset/japanese_iso_2022.eml body
        Case([0x1B, 0x24, 0x42, 0x24, 0x39, 0x24, 0x5F, 0x24, 0x5E, 0x24, 0x3B, 0x24, 0x73, 0x21, 0x23, 0x1B, 0x28, 0x42, 0x0D, 0x0A],
             "iso-2022-jp", "すみません。\r\n", [], "iso-2022-jp (corpus)"),
        // stalwart thirdparty/005.eml, EUC-JP part (base64 odjApLOmv824osDruMCh2Q==)
        Case([0xA1, 0xD8, 0xC0, 0xA4, 0xB3, 0xA6, 0xBF, 0xCD, 0xB8, 0xA2, 0xC0, 0xEB, 0xB8, 0xC0, 0xA1, 0xD9], "EUC-JP",
             "『世界人権宣言』", [], "euc-jp (corpus)"),
        // stalwart thirdparty/005.eml, binary UTF-16LE part (no BOM)
        Case(Array("Test message\n".utf8).flatMap { [$0, 0] }, "utf-16le", "Test message\n", [], "utf-16le without BOM (corpus)"),
        Case([0xFF, 0xFE] + Array("Test message\n".utf8).flatMap { [$0, 0] }, "UTF-16LE", "Test message\n", [], "utf-16le with BOM"),
        // stalwart thirdparty/005.eml, base64 UTF-16BE part
        Case(Array("Test message\n".utf8).flatMap { [0, $0] }, "utf-16be", "Test message\n", [], "utf-16be (corpus)"),
        Case(Array("hé".unicodeScalars).flatMap { [UInt8($0.value & 0xFF), UInt8($0.value >> 8)] }, "utf-16", "hé", [], "utf-16 without BOM, little endian guessed"),
        Case([0x00, 0x68, 0x00, 0xE9], "utf-16", "hé", [], "utf-16 without BOM, big endian"),
        Case([0xFE, 0xFF, 0x00, 0x68, 0x00, 0xE9], "utf-16", "hé", [], "utf-16 with BOM, big endian"),
        Case([0xFF, 0xFE, 0x68, 0x00, 0xE9, 0x00], nil, "hé", [], "a UTF-16 BOM without a label"),
        Case([0x68, 0x00, 0x69], "utf-16le", "h\u{FFFD}", [.charset], "utf-16le cut in the middle of a unit"),
        Case([0x68, 0x00, 0x00, 0xD8, 0x69, 0x00], "utf-16le", "h\u{FFFD}i", [.charset], "utf-16le with a lone surrogate: stays aligned"),
        // UTF-7 (RFC 2152 examples)
        Case(Array("Hi Mom -+Jjo--!".utf8), "utf-7", "Hi Mom -\u{263A}-!", [], "utf-7"),
        Case(Array("+ZeVnLIqe-".utf8), "unicode-1-1-utf-7", "日本語", [], "unicode-1-1-utf-7 alias"),
        Case(Array("A+ImIDkQ.".utf8), "UTF-7", "A\u{2262}\u{0391}.", [], "utf-7 closed by a period"),
        Case(Array("1 + 1".utf8), "utf-7", "1 + 1", [.charset], "utf-7 with a stray plus"),
        // Labels
        Case(Array("hi".utf8), "US-ASCII*EN", "hi", [], "RFC 2231 language suffix"),
        Case([0x63, 0x61, 0x66, 0xE9], "US-ASCII*EN", "café", [.charset], "8-bit bytes under us-ascii*en"),
        Case([0x63, 0x61, 0x66, 0xC3, 0xA9], "us-ascii", "café", [.charset], "UTF-8 under us-ascii"),
        Case([0x45, 0x65, 0x6C, 0x61, 0x6E, 0x61, 0x6C, 0xFC, 0xFC, 0x73, 0x69, 0x20, 0x70, 0xE4, 0x72, 0x69, 0x6E, 0x67], " ISO-8859-1 ",
             "Eelanalüüsi päring", [], "iso-8859-1 (corpus file name)"),
        Case([0x5A, 0x6F, 0xC3, 0xAB], "ISO-8859-1", "Zoë", [.charset], "UTF-8 under a Latin-1 label"),
        Case([0x93, 0x71, 0x94, 0x20, 0x80], "iso-8859-1", "\u{201C}q\u{201D} €", [], "latin1 label means windows-1252"),
        Case([0x8A, 0x8C, 0x8E, 0x9A, 0x9C, 0x9E, 0x9F, 0x83, 0x88, 0x98, 0x80, 0x99, 0xFF], "windows-1252", "ŠŒŽšœžŸƒˆ˜€™ÿ", [],
             "windows-1252: two- and three-byte UTF-8 results"),
        Case([0x8A, 0x20, 0xE8, 0xAD, 0xE7], "utf-8", "Š è\u{AD}ç", [.charset], "windows-1252 labelled utf-8 (stalwart thirdparty/002)"),
        Case([0x81, 0x8D, 0x8F, 0x90, 0x9D], "windows-1252", "\u{81}\u{8D}\u{8F}\u{90}\u{9D}", [], "windows-1252 holes kept as C1 controls"),
        Case([0xC0, 0xF2, 0xE8, 0xEA, 0xEE, 0xE2, 0x61], "windows-1251", "Атиковa", [], "windows-1251 (corpus display name)"),
        Case([0x5A, 0x61, 0xBF, 0xF3, 0xB3, 0xE6], "'iso-8859-2'", "Zażółć", [], "iso-8859-2 in single quotes"),
        Case([0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4, 0x20, 0xCD, 0xC9, 0xD2], "KOI8-R", "Привет мир", [], "koi8-r"),
        Case([0xA4, 0xA4, 0xA4, 0xE5], "big5", "中文", [], "big5"),
        Case([0xC4, 0xE3, 0xBA, 0xC3], "GB2312", "你好", [], "gb2312 as GB18030"),
        Case([0xC4, 0xE3, 0xBA, 0xC3], "gbk", "你好", [], "gbk as GB18030"),
        Case([0x93, 0xFA, 0x96, 0x7B], "x-sjis", "日本", [], "x-sjis alias"),
        Case([0xA1, 0xA2], "windows-874", "กข", [], "windows-874"),
        // Lying and unknown labels. mikel-mail plain_emails/raw_email10.eml: UTF-8 labelled X-UNKNOWN.
        Case(Array("Envoyé par le service de messagerie texte de Bell Mobilité.".utf8), "X-UNKNOWN",
             "Envoyé par le service de messagerie texte de Bell Mobilité.", [.charset], "x-unknown holding UTF-8 (corpus)"),
        Case([0x47, 0x72, 0xFC, 0xDF, 0x65], "x-unknown", "Grüße", [.charset], "x-unknown holding windows-1252"),
        Case([0x47, 0x72, 0xFC, 0xDF, 0x65], "NONE", "Grüße", [.charset], "none"),
        Case([0x47, 0x72, 0xFC, 0xDF, 0x65], "", "Grüße", [.charset], "empty label"),
        Case([0x47, 0x72, 0xC3, 0xBC, 0xC3, 0x9F, 0x65], nil, "Grüße", [], "no label, UTF-8"),
        Case([0x47, 0x72, 0xFC, 0xDF, 0x65], nil, "Grüße", [.charset], "no label, not UTF-8"),
        Case([0x47, 0x72, 0xC3, 0xBC, 0xC3, 0x9F, 0x65], "klingon-8", "Grüße", [.charset], "unknown label, UTF-8"),
        Case([0x47, 0x72, 0xFC, 0xDF, 0x65], "klingon-8", "Grüße", [.charset], "unknown label, not UTF-8"),
        Case(Array("TEST".utf8), "NONE", "TEST", [], "ASCII under a bogus label is ASCII"),
        // A windows-1252 body labelled utf-8.
        Case([0x47, 0x72, 0xFC, 0xDF, 0x65, 0x20, 0x93, 0x71, 0x75, 0x6F, 0x74, 0x65, 0x64, 0x94, 0x20, 0x80, 0x20, 0x35], "utf-8",
             "Grüße “quoted” € 5", [.charset], "windows-1252 labelled utf-8"),
        Case([0x47, 0x72, 0xFC, 0xDF, 0x65], "utf8", "Grüße", [.charset], "windows-1252 labelled utf8"),
        Case([0xC3, 0xA9, 0x74, 0xC3, 0xA9, 0x20, 0xC3, 0xA0, 0x20, 0xFF], "UTF-8", "été à \u{FFFD}", [.charset], "UTF-8 with one broken byte stays UTF-8"),
        Case([0xEF, 0xBB, 0xBF, 0x68, 0x69], "utf-8", "hi", [], "UTF-8 byte-order mark dropped"),
        // Invalid bytes mid-stream: U+FFFD each, one defect.
        Case([0x41, 0x85, 0x40, 0x42, 0x85, 0x40, 0x43], "shift_jis", "A\u{FFFD}@B\u{FFFD}@C", [.charset], "two invalid sequences, one defect"),
        Case([0x1B, 0x24, 0x42, 0x46, 0x7C, 0x1B, 0x28, 0x42, 0xFF, 0x41], "iso-2022-jp", "日\u{FFFD}A", [.charset], "8-bit byte in iso-2022-jp"),
        Case([0xC7, 0xD1, 0xB1], "euc-kr", "한\u{FFFD}", [.charset], "euc-kr cut in the middle of a character"),
        Case([], "utf-16", "", [], "empty"),
    ]

    @Test(arguments: cases)
    func decode(_ c: Case) {
        let d = Charset.decode(c.bytes, label: c.label)
        #expect(d.text == c.text)
        #expect(d.defects.map(\.kind) == c.defects, "\(d.defects)")
    }

    @Test(arguments: [
        ("US-ASCII*EN", "WINDOWS-1252"), ("\"utf-8\"", "UTF-8"), (" UTF8 ", "UTF-8"), ("latin1", "WINDOWS-1252"),
        ("ks_c_5601-1987", "CP949"), ("gb2312", "GB18030"), ("unicode-1-1-utf-7", "UTF-7"), ("x-sjis", "CP932"),
        ("windows-874", "WINDOWS-874"), ("iso-8859-15", "ISO-8859-15"), ("utf-8;", "UTF-8"),
    ])
    func canonicalName(_ label: String, _ name: String) {
        #expect(Charset.canonicalName(label) == name)
    }

    @Test(arguments: ["x-unknown", "NONE", "", "  ", "\"\"", "unknown-8bit"])
    func labelsThatNameNoCharset(_ label: String) {
        #expect(Charset.canonicalName(label) == nil)
    }

    @Test func aMegabyteOfISO8859_2() {
        // "Zażółć gęślą " in ISO-8859-2, repeated to 1 MiB.
        let unit: [UInt8] = [0x5A, 0x61, 0xBF, 0xF3, 0xB3, 0xE6, 0x20, 0x67, 0xEA, 0xB6, 0x6C, 0xB1, 0x20]
        var bytes: [UInt8] = []
        while bytes.count + unit.count <= 1 << 20 { bytes += unit }
        let d = Charset.decode(bytes, label: "ISO-8859-2")
        let repeats = bytes.count / unit.count
        #expect(d.defects.isEmpty)
        #expect(d.text.unicodeScalars.count == bytes.count)
        #expect(d.text == String(repeating: "Zażółć gęślą ", count: repeats))
    }

    @Test func aMegabyteOfWindows1252LabelledUTF8() {
        let bytes = [UInt8](repeating: 0x93, count: 1 << 20)
        let d = Charset.decode(bytes[...], label: "utf-8")
        #expect(d.text.unicodeScalars.count == 1 << 20)
        #expect(d.text.unicodeScalars.allSatisfy { $0 == "\u{201C}" })
        #expect(d.defects.count == 1)
    }

    @Test func manyInvalidBytesGiveOneDefect() {
        let bytes = [UInt8](repeating: 0x85, count: 10_000) + [0x41]
        let d = Charset.decode(bytes, label: "shift_jis")
        #expect(d.defects.count == 1)
        #expect(d.text.hasSuffix("A"))
    }

    @Test func windows1252Helper() {
        #expect(Charset.windows1252([0x80, 0x41, 0xE9]) == "€Aé")
        #expect(Charset.windows1252([UInt8]()) == "")
    }
}
