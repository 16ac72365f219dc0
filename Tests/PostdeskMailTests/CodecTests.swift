import Testing
@testable import PostdeskMail

@Suite struct CharsetTests {
    @Test(arguments: [
        // (bytes, label, expected text, defect expected)
        ([0x5A, 0x6F, 0xC3, 0xAB] as [UInt8], "utf-8", "Zoë", false),
        ([0x5A, 0x6F, 0xEB], "iso-8859-1", "Zoë", false),
        ([0x5A, 0x6F, 0xC3, 0xAB], "iso-8859-1", "Zoë", true),                  // UTF-8 under a Latin-1 label
        ([0xA3, 0xF3, 0x64, 0xBC], "ISO-8859-2", "Łódź", false),
        ([0x93, 0x68, 0x69, 0x94], "windows-1252", "\u{201C}hi\u{201D}", false),
        ([0x93, 0x68, 0x69, 0x94], "iso-8859-1", "\u{201C}hi\u{201D}", false),  // WHATWG: latin1 means cp1252
        ([0xD0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4], "koi8-r", "привет", false),
        ([0x47, 0x72, 0xFC, 0xDF, 0x65], "utf-8", "Grüße", true),               // lying label: cp1252 bytes
        ([0x47, 0x72, 0xC3, 0xBC, 0xC3, 0x9F, 0x65], "us-ascii", "Grüße", true), // 8-bit UTF-8 under us-ascii
        ([0xC3, 0xA9, 0x74, 0xC3, 0xA9, 0x20, 0xFF], "utf-8", "été \u{FFFD}", true),   // UTF-8 with one broken byte
        ([0x47, 0x72, 0xFC, 0xDF, 0x65], "x-unknown", "Grüße", true),
        ([0x47, 0x72, 0xFC, 0xDF, 0x65], "NONE", "Grüße", true),
        ([0x68, 0x69], "US-ASCII*EN", "hi", false),
        ([0x68, 0x69], "\"utf-8\"", "hi", false),
        ([0x68, 0x69], "no-such-charset", "hi", false),                          // ASCII is ASCII
        ([0x47, 0x72, 0xFC], "no-such-charset", "Grü", true),
        (Array("Hi Mom -+Jjo--!".utf8), "utf-7", "Hi Mom -\u{263A}-!", false),
        ([0xFF, 0xFE, 0x68, 0x00, 0x69, 0x00], "utf-16", "hi", false),           // BOM, little endian
        ([0x68, 0x00, 0x69, 0x00], "utf-16le", "hi", false),
        ([0x00, 0x68, 0x00, 0x69], "utf-16be", "hi", false),
        ([0x1B, 0x24, 0x42, 0x46, 0x7C, 0x4B, 0x5C, 0x1B, 0x28, 0x42], "iso-2022-jp", "日本", false),
        ([0x93, 0xFA, 0x96, 0x7B], "shift_jis", "日本", false),
        ([0xC7, 0xD1, 0xB1, 0xDB], "ks_c_5601-1987", "한글", false),
        ([0xC4, 0xE3, 0xBA, 0xC3], "gb2312", "你好", false),
        ([0x41, 0x85, 0x40, 0x42], "shift_jis", "A\u{FFFD}@B", true),                    // an invalid byte mid-stream
    ])
    func decode(_ bytes: [UInt8], _ label: String, _ expected: String, _ hasDefect: Bool) {
        let d = Charset.decode(bytes, label: label)
        #expect(d.text == expected)
        #expect(!d.defects.isEmpty == hasDefect, "\(d.defects)")
    }

    @Test func largeSingleByteTextDecodes() {
        let bytes = [UInt8](repeating: 0xB3, count: 1 << 20)  // "ł" in ISO-8859-2, 1 MiB
        let d = Charset.decode(bytes, label: "iso-8859-2")
        #expect(d.text.unicodeScalars.count == 1 << 20)
        #expect(d.text.unicodeScalars.allSatisfy { $0 == "ł" })
    }
}

@Suite struct EncodedWordsTests {
    @Test(arguments: [
        ("plain text", "plain text", false),
        ("=?utf-8?Q?Zo=C3=AB_Bront=C3=AB?=", "Zoë Brontë", false),
        ("=?ISO-8859-1?Q?Andr=E9?= Pirard", "André Pirard", false),
        ("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
         "If you can read this you understand the example.", false),
        // Adjacent words: whitespace between them goes, whitespace inside them stays.
        ("=?utf-8?q?a?= =?utf-8?q?b?=", "ab", false),
        ("=?utf-8?q?a_?= =?utf-8?q?b?=", "a b", false),
        ("=?utf-8?q?a?=  \t =?utf-8?q?b?= c", "ab c", false),
        // A Polish word split inside a multibyte character across two B words.
        ("=?UTF-8?B?WmHFvMOzxYI=?= =?UTF-8?B?xIcgZ8SZxZtsxIUgamHFug==?= =?UTF-8?B?xYQ=?=", "Zażółć gęślą jaźń", false),
        ("=?UTF-8?B?xQ==?= =?UTF-8?B?gQ==?=", "Ł", false),
        // ISO-2022-JP words (stateful) joined as bytes.
        ("=?ISO-2022-JP?B?GyRCRnxLXBsoQg==?=", "日本", false),
        ("=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore", false),
        ("=?koi8-r?B?8NLJ18XU?=", "Привет", false),
        // Where RFC 2047 forbids words but mailers put them anyway.
        ("\"=?utf-8?Q?Zo=C3=AB?=\" <z@x>", "\"Zoë\" <z@x>", false),
        ("Re:=?utf-8?Q?Zo=C3=AB?=", "Re:Zoë", false),
        ("=?utf-8?B?WmHFvMOzxYLEhw?=", "Zażółć", false),  // missing padding
        // Malformed words stay as written.
        ("=?utf-8?X?abc?=", "=?utf-8?X?abc?=", true),
        ("=?utf-8?Q?unterminated", "=?utf-8?Q?unterminated", true),
        ("a =? b", "a =? b", false),
    ])
    func decode(_ input: String, _ expected: String, _ hasDefect: Bool) {
        let d = EncodedWords.decode(input)
        #expect(d.text == expected)
        #expect(!d.defects.isEmpty == hasDefect, "\(d.defects)")
    }
}

@Suite struct TransferEncodingTests {
    @Test(arguments: [
        ("7bit", ContentTransferEncoding.sevenBit, false), ("8BIT", .eightBit, false), ("base64", .base64, false),
        ("Quoted-Printable", .quotedPrintable, false), ("binary", .binary, false), (" base64 ; ", .base64, false),
        ("7-bit", .sevenBit, true), ("8bits", .eightBit, true), ("quoted printable", .quotedPrintable, true),
        ("base-64", .base64, true), ("x-uuencode", .uuencode, true), ("\"base64\"", .base64, false),
        ("x-gzip64", .other("x-gzip64"), true), ("text/html", .other("text/html"), true), ("plain", .other("plain"), true),
    ])
    func labels(_ value: String, _ expected: ContentTransferEncoding, _ hasDefect: Bool) {
        let (encoding, defect) = ContentTransferEncoding.parse(value)
        #expect(encoding == expected)
        #expect((defect != nil) == hasDefect)
    }

    @Test(arguments: [
        ("aGVsbG8gd29ybGQ=", "hello world", false),
        ("aGVs\r\nbG8g\nd29y bGQ=", "hello world", false),
        ("aGVsbG8gd29ybGQ", "hello world", false),         // no padding
        ("aGVsbG8=aGVsbG8=", "hellohello", true),            // concatenated chunks
        ("aGV*sbG8!", "hello", true),                         // garbage skipped
        ("aGVsbG8gd29ybG", "hello worl", false),             // truncated
        ("", "", false),
    ])
    func base64(_ input: String, _ expected: String, _ hasDefect: Bool) {
        let (bytes, defects) = TransferDecoder.decode(ArraySlice(Array(input.utf8)), encoding: .base64)
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
        #expect(!defects.isEmpty == hasDefect)
    }

    @Test func base64RoundTripsAllBytes() {
        let all = (0..<256).map { UInt8($0) }
        let encoded = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w=="
        #expect(TransferDecoder.decode(ArraySlice(Array(encoded.utf8)), encoding: .base64).bytes == all)
    }

    @Test(arguments: [
        ("Gr=FC=DFe", "Gr\u{FC}\u{DF}e", false),
        ("soft=\r\nbreak and=\nmore", "softbreak andmore", false),
        ("lower =c3=a9", "lower \u{C3}\u{A9}", false),
        ("trailing   \r\nnext", "trailing\r\nnext", false),
        ("bad =ZZ escape", "bad =ZZ escape", true),
        ("ends with =", "ends with ", false),
        ("a=\tb", "a=\tb", true),
    ])
    func quotedPrintable(_ input: String, _ expected: String, _ hasDefect: Bool) {
        let (bytes, defects) = TransferDecoder.decode(ArraySlice(Array(input.utf8)), encoding: .quotedPrintable)
        // Expected text is written with Latin-1 code points standing for single bytes.
        #expect(bytes == expected.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
        #expect(!defects.isEmpty == hasDefect)
    }

    @Test func uudecode() {
        let body = "begin 644 cat.txt\n#0V%T\n`\nend\n"
        let (bytes, defects) = TransferDecoder.decode(ArraySlice(Array(body.utf8)), encoding: .uuencode)
        #expect(String(decoding: bytes, as: UTF8.self) == "Cat")
        #expect(defects.isEmpty)
    }
}

@Suite struct HeaderParametersTests {
    @Test(arguments: [
        ("text/plain; charset=\"utf-8\"", "text/plain", [("charset", "utf-8")]),
        ("text/plain;charset=utf-8;format=flowed", "text/plain", [("charset", "utf-8"), ("format", "flowed")]),
        ("multipart/mixed; boundary=\"a;b\\\"c\"", "multipart/mixed", [("boundary", "a;b\"c")]),
        ("text/plain (comment); charset=us-ascii (more)", "text/plain", [("charset", "us-ascii")]),
        ("attachment; filename=my file.pdf", "attachment", [("filename", "my file.pdf")]),
        ("attachment; filename=\"unterminated.pdf", "attachment", [("filename", "unterminated.pdf")]),
        ("attachment; FileName=a.txt; filename=b.txt", "attachment", [("filename", "a.txt"), ("filename", "b.txt")]),
        ("attachment; filename*=utf-8''%C5%81%C3%B3d%C5%BA.pdf", "attachment", [("filename", "Łódź.pdf")]),
        ("attachment; filename*=iso-8859-1'de'M%FCller.csv", "attachment", [("filename", "Müller.csv")]),
        ("attachment; filename*0*=utf-8''Fak; filename*1*=tura%20%C5%81; filename*2=\".pdf\"", "attachment", [("filename", "Faktura Ł.pdf")]),
        ("attachment; filename*1=\"b.txt\"; filename*0=\"a\"", "attachment", [("filename", "ab.txt")]),
        ("attachment; filename=\"plain.txt\"; filename*=utf-8''better.txt", "attachment", [("filename", "better.txt")]),
        ("image/jpeg; name=\"=?UTF-8?B?xYHDs2TFui5qcGc=?=\"", "image/jpeg", [("name", "Łódź.jpg")]),
        ("image/jpeg; name==?UTF-8?Q?Zo=C3=AB.jpg?=", "image/jpeg", [("name", "Zoë.jpg")]),
    ])
    func parse(_ input: String, _ value: String, _ params: [(String, String)]) {
        let p = ParameterizedValue.parse(input)
        #expect(p.value == value)
        #expect(p.parameters.map(\.name) == params.map(\.0))
        #expect(p.parameters.map(\.value) == params.map(\.1))
    }
}
