import Testing
@testable import PostdeskMail

/// Content-Transfer-Encoding labels (every odd value of the shared corpus) and the body decoders.
/// (The suite name differs from `TransferEncodingTests` in CodecTests.swift but matches the same test filter.)
@Suite struct RealMailTransferEncodingTests {
    @Test(arguments: [
        // Standard values, any case, with spaces, a trailing `;`, quotes or comments: no defect.
        ("base64", ContentTransferEncoding.base64, false), ("BASE64", .base64, false), ("base64 ", .base64, false),
        ("\t\t     7bit", .sevenBit, false), ("7Bit", .sevenBit, false), ("7BIT", .sevenBit, false),
        ("8bit\t\t\t", .eightBit, false), ("\t\t\t\tbinary", .binary, false), ("Quoted-printable", .quotedPrintable, false),
        ("quoted-printable;", .quotedPrintable, false), ("quoted-printable              ", .quotedPrintable, false),
        ("\"base64\"", .base64, false), ("base64 (sent by a robot)", .base64, false), ("(x) 8bit", .eightBit, false),
        ("", .sevenBit, false), (" ", .sevenBit, false),
        // Misspelled values (all but the last three are in the corpus): read, with a defect.
        ("7-bit", .sevenBit, true), ("7bits", .sevenBit, true), ("8bits", .eightBit, true), ("8-bit", .eightBit, true),
        ("8 bit", .eightBit, true), ("quoted printable", .quotedPrintable, true), ("quoted_printable", .quotedPrintable, true),
        ("base-64", .base64, true), ("x-uuencode", .uuencode, true), ("uuencode", .uuencode, true), ("X-UUE", .uuencode, true),
        // Unknown values: kept as .other, the body as it is, with a defect.
        ("x-gzip64", .other("x-gzip64"), true), ("plain", .other("plain"), true), ("text/html", .other("text/html"), true),
        ("6bit", .other("6bit"), true), ("7vladi.Pimenovit", .other("7vladi.pimenovit"), true),
    ])
    func labels(_ value: String, _ expected: ContentTransferEncoding, _ hasDefect: Bool) {
        let (encoding, defect) = ContentTransferEncoding.parse(value)
        #expect(encoding == expected)
        #expect((defect != nil) == hasDefect)
        if let defect { #expect(defect.kind == .transferEncoding) }
        #expect(ContentTransferEncoding(headerValue: value) == expected)
    }

    @Test func missingHeaderMeans7bit() {
        #expect(ContentTransferEncoding.parse(nil).encoding == .sevenBit)
        #expect(ContentTransferEncoding.parse(nil).defect == nil)
    }

    static func decoded(_ input: String, _ encoding: ContentTransferEncoding) -> (bytes: [UInt8], defects: [MailDefect]) {
        TransferDecoder.decode(ArraySlice(Array(input.utf8)), encoding: encoding)
    }

    @Test(arguments: [
        // stalwart malformed/017.eml and thirdparty/005.eml
        ("aGVsbG8gd29ybGQK", Array("hello world\n".utf8), 0),
        ("odjApLOmv824osDruMCh2Q==", [0xA1, 0xD8, 0xC0, 0xA4, 0xB3, 0xA6, 0xBF, 0xCD, 0xB8, 0xA2, 0xC0, 0xEB, 0xB8, 0xC0, 0xA1, 0xD9], 0),
        ("AFQAZQBz\r\nAHQ=\r\n", [0x00, 0x54, 0x00, 0x65, 0x00, 0x73, 0x00, 0x74], 0),
        // Whitespace anywhere; missing and excess padding.
        ("aGVs bG8g\td29y\nbGQK\r\n\r\n", Array("hello world\n".utf8), 0),
        ("aGVsbG8", Array("hello".utf8), 0),
        ("aGVsbA", Array("hell".utf8), 0),
        ("aGVsbA====", Array("hell".utf8), 0),
        // Padding in the middle: concatenated chunks.
        ("aGVsbA==\r\nd29ybGQ=", Array("hellworld".utf8), 1),
        // Garbage outside the alphabet: skipped, one defect.
        ("aGV*sbG8!gd29y\u{7F}bGQK", Array("hello world\n".utf8), 1),
        ("aGVsbG8g<html>", [0x68, 0x65, 0x6C, 0x6C, 0x6F, 0x20, 0x86, 0xD9, 0xA5], 1),
        // Truncation: a lone last character carries no byte.
        ("aGVsbG8gd", Array("hello ".utf8), 1),
        ("a", [], 1),
        ("=", [], 0),
        ("", [], 0),
        // URL-safe alphabet.
        ("-_-_", [0xFB, 0xFF, 0xBF], 0),
    ])
    func base64(_ input: String, _ expected: [UInt8], _ defectCount: Int) {
        let (bytes, defects) = Self.decoded(input, .base64)
        #expect(bytes == expected)
        #expect(defects.count == defectCount, "\(defects)")
        #expect(defects.allSatisfy { $0.kind == .transferEncoding })
    }

    @Test func base64RoundTripsRandomData() {
        var generator = SplitMix(seed: 42)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for length in [0, 1, 2, 3, 4, 5, 57, 58, 59, 1000, 100_003] {
            let raw = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            var encoded: [UInt8] = []
            var i = 0
            var column = 0
            while i < raw.count {
                let chunk = Array(raw[i..<min(raw.count, i + 3)])
                let v = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
                encoded += [alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)]]
                encoded.append(chunk.count > 1 ? alphabet[Int(v >> 6 & 63)] : 0x3D)
                encoded.append(chunk.count > 2 ? alphabet[Int(v & 63)] : 0x3D)
                column += 4
                if column == 76 { encoded += [0x0D, 0x0A]; column = 0 }
                i += 3
            }
            let (bytes, defects) = TransferDecoder.decode(encoded[...], encoding: .base64)
            #expect(bytes == raw, "length \(length)")
            #expect(defects.isEmpty)
            // Every truncation decodes without a crash to a prefix of the data.
            if length == 1000 {
                for cut in 0..<encoded.count {
                    let (prefix, _) = TransferDecoder.decode(encoded[..<cut], encoding: .base64)
                    #expect(raw.starts(with: prefix))
                }
            }
        }
    }

    @Test(arguments: [
        ("Gr=FC=DFe", "Gr\u{FC}\u{DF}e", 0),
        ("lower =c3=a9 upper =C3=A9", "lower \u{C3}\u{A9} upper \u{C3}\u{A9}", 0),
        // Soft line breaks: CRLF, LF, whitespace after the `=`, and at the very end.
        ("soft=\r\nbreak and=\nmore, spaced=  \r\nend=", "softbreak andmore, spacedend", 0),
        // Hard line breaks kept as they are; trailing whitespace before them removed.
        ("one  \r\ntwo\t\nthree \n", "one\r\ntwo\nthree\n", 0),
        ("a b\tc", "a b\tc", 0),
        // Invalid `=` sequences kept literally, one defect for all.
        ("bad =ZZ escape and =4 and =\u{E9}", "bad =ZZ escape and =4 and =\u{C3}\u{A9}", 1),
        ("a=\tb", "a=\tb", 1),
        ("100% = 1", "100% = 1", 1),
        ("", "", 0),
    ])
    func quotedPrintable(_ input: String, _ expected: String, _ defectCount: Int) {
        let (bytes, defects) = Self.decoded(input, .quotedPrintable)
        // Expected text is written with Latin-1 code points standing for single bytes.
        #expect(bytes == expected.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
        #expect(defects.count == defectCount, "\(defects)")
    }

    @Test(arguments: [
        ("begin 644 hello.txt\n82&5L;&\\L('5U96YC;V1E9\"!W;W)L9\"$*\n`\nend\n", "Hello, uuencoded world!\n", 0),
        ("Some text before.\r\nbegin 600 hello.txt\r\n82&5L;&\\L('5U96YC;V1E9\"!W;W)L9\"$*\r\n`\r\nend\r\n", "Hello, uuencoded world!\n", 0),
        ("begin 644 cat.txt\n#0V%T\n", "Cat", 1),                      // no end line
        ("begin 644 cat.txt\n#0V\nend\n", "C`\u{0}", 1),                 // a line shorter than it says
        ("no uuencoded data here\n", "no uuencoded data here\n", 1),      // no begin line: kept
    ])
    func uudecode(_ input: String, _ expected: String, _ defectCount: Int) {
        let (bytes, defects) = Self.decoded(input, .uuencode)
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
        #expect(defects.count == defectCount, "\(defects)")
    }

    @Test func uuencodeFilename() {
        #expect(TransferDecoder.decodedUUEncodeFilename(Array("x\nbegin 644 my file.txt\r\n#0V%T\nend\n".utf8)[...]) == "my file.txt")
        #expect(TransferDecoder.decodedUUEncodeFilename(Array("begin 644\n".utf8)[...]) == nil)
        #expect(TransferDecoder.decodedUUEncodeFilename(Array("nothing".utf8)[...]) == nil)
    }

    @Test(arguments: [ContentTransferEncoding.sevenBit, .eightBit, .binary, .other("x-gzip64")])
    func otherEncodingsKeepTheBody(_ encoding: ContentTransferEncoding) {
        // mimetools-testmsgs/x-gzip64.msg, first line of its body.
        let body = "H4sIAJ+A5jIAA0VPTWvDMAy9+1e8nbpCsS877bRS1vayXdJDDwURbJEEEqez\n=3D\u{0}\u{FF}"
        let (bytes, defects) = Self.decoded(body, encoding)
        #expect(bytes == Array(body.utf8))
        #expect(defects.isEmpty)
    }
}

/// A small deterministic generator for test data.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
