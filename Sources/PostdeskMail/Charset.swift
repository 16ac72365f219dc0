#if canImport(Glibc)
import Glibc
#endif

/// Character set decoding through iconv (Glibc), with aliases and fallbacks for lying labels.
///
/// Mail practice follows the WHATWG encoding standard here: latin1 and ascii labels mean windows-1252,
/// euc-kr means windows-949, shift_jis means windows-31j, gb2312 means GBK (read as its superset GB18030).
/// UTF-8, US-ASCII and windows-1252 are decoded without iconv; everything else goes through iconv.
public enum Charset {
    /// Decodes `bytes` labelled with `label` (a MIME charset name, any case, possibly bogus) to a String.
    /// Never fails: unknown labels and undecodable bytes are read leniently and reported as defects.
    public static func decode<C: Collection>(_ bytes: C, label: String?) -> DecodedText where C.Element == UInt8 {
        if let done = bytes.withContiguousStorageIfAvailable({ decode(buffer: $0, label: label) }) { return done }
        let array = Array(bytes)
        return array.withUnsafeBufferPointer { decode(buffer: $0, label: label) }
    }

    /// The name iconv should be asked for, or nil when the label names no real charset
    /// (`x-unknown`, `none`, empty): the bytes are then sniffed.
    public static func canonicalName(_ label: String?) -> String? {
        guard let label else { return nil }
        var l = label.trimmingMailWhitespace.asciiLowercased
        while l.hasPrefix("\"") || l.hasPrefix("'") { l.removeFirst() }
        while l.hasSuffix("\"") || l.hasSuffix("'") || l.hasSuffix(";") { l.removeLast() }
        if let star = l.firstIndex(of: "*") { l = String(l[..<star]) }  // RFC 2231 language: US-ASCII*EN
        l = l.trimmingMailWhitespace
        if l.isEmpty { return nil }
        if let alias = aliases[l] { return alias.isEmpty ? nil : alias }
        return l.uppercased()
    }

    /// Labels iconv does not know or that mail practice reads otherwise (WHATWG encoding standard:
    /// latin1 and ascii labels mean windows-1252). An empty value means "sniff".
    static let aliases: [String: String] = [
        "utf8": "UTF-8", "utf-8": "UTF-8", "unicode-1-1-utf-8": "UTF-8", "x-unicode20utf8": "UTF-8", "unicode-2-0-utf-8": "UTF-8",
        "us-ascii": "WINDOWS-1252", "ascii": "WINDOWS-1252", "ansi_x3.4-1968": "WINDOWS-1252", "us": "WINDOWS-1252",
        "iso-8859-1": "WINDOWS-1252", "iso8859-1": "WINDOWS-1252", "iso_8859-1": "WINDOWS-1252", "latin1": "WINDOWS-1252",
        "iso88591": "WINDOWS-1252", "iso_8859-1:1987": "WINDOWS-1252", "8859-1": "WINDOWS-1252",
        "latin-1": "WINDOWS-1252", "l1": "WINDOWS-1252", "cp819": "WINDOWS-1252", "iso-ir-100": "WINDOWS-1252",
        "windows-1252": "WINDOWS-1252", "cp1252": "WINDOWS-1252", "x-cp1252": "WINDOWS-1252", "win-1252": "WINDOWS-1252",
        "iso-8859-9": "WINDOWS-1254", "latin5": "WINDOWS-1254", "iso-8859-11": "WINDOWS-874", "tis-620": "WINDOWS-874",
        "windows-874": "WINDOWS-874", "x-windows-874": "WINDOWS-874", "dos-874": "WINDOWS-874",
        "iso-8859-8-i": "ISO-8859-8", "logical": "ISO-8859-8", "visual": "ISO-8859-8",
        "ks_c_5601-1987": "CP949", "ks_c_5601": "CP949", "ks_c_5601-1989": "CP949", "ksc5601": "CP949", "ksc_5601": "CP949",
        "euc-kr": "CP949", "x-windows-949": "CP949", "windows-949": "CP949", "cseuckr": "CP949",
        "gb2312": "GB18030", "gbk": "GB18030", "x-gbk": "GB18030", "cp936": "GB18030", "gb_2312-80": "GB18030",
        "chinese": "GB18030", "csgb2312": "GB18030", "euc-cn": "GB18030", "x-euc-cn": "GB18030", "windows-936": "GB18030",
        "big5": "BIG5-HKSCS", "x-x-big5": "BIG5-HKSCS", "cn-big5": "BIG5-HKSCS", "csbig5": "BIG5-HKSCS", "big5-hkscs": "BIG5-HKSCS",
        "shift_jis": "CP932", "shift-jis": "CP932", "x-sjis": "CP932", "sjis": "CP932", "ms_kanji": "CP932", "windows-31j": "CP932",
        "csshiftjis": "CP932", "x-ms-cp932": "CP932",
        "euc-jp": "EUC-JP-MS", "x-euc-jp": "EUC-JP-MS", "cseucpkdfmtjapanese": "EUC-JP-MS",
        "iso-2022-jp": "ISO-2022-JP-3", "csiso2022jp": "ISO-2022-JP-3",
        "unicode-1-1-utf-7": "UTF-7", "utf7": "UTF-7", "x-utf-7": "UTF-7", "utf-7": "UTF-7",
        "utf-16": "UTF-16", "utf16": "UTF-16", "ucs-2": "UTF-16", "unicode": "UTF-16", "csunicode": "UTF-16",
        "iso-10646-ucs-2": "UTF-16", "unicodefeff": "UTF-16LE", "unicodefffe": "UTF-16BE", "utf-16le": "UTF-16LE", "utf-16be": "UTF-16BE",
        "koi8-r": "KOI8-R", "koi8-u": "KOI8-U", "koi8": "KOI8-R", "x-mac-roman": "MACINTOSH", "macintosh": "MACINTOSH", "mac": "MACINTOSH",
        "x-unknown": "", "unknown": "", "none": "", "unknown-8bit": "", "x-user-defined": "", "default": "", "charset": "",
        "8bit": "", "7bit": "", "binary": "", "text": "", "text/plain": "", "auto": "",
    ]

    static func decode(buffer: UnsafeBufferPointer<UInt8>, label: String?) -> DecodedText {
        if buffer.isEmpty { return DecodedText(text: "") }
        var name = canonicalName(label)

        // A byte-order mark says more than a label (WHATWG): UTF-8 always, UTF-16 under UTF-16 labels or none.
        if let (bomName, bomLength) = byteOrderMark(buffer) {
            let rest = UnsafeBufferPointer(rebasing: buffer[bomLength...])
            if bomName == "UTF-8" {
                var d = decodeUTF8(rest, label: label, name: "UTF-8")
                if let name, name != "UTF-8" {
                    d.defects.append(MailDefect(.charset, "text labelled \(shown(label)) starts with a UTF-8 byte-order mark; read as UTF-8"))
                }
                return d
            }
            if name == nil || name!.hasPrefix("UTF-16") {
                return rest.isEmpty ? DecodedText(text: "") : convert(rest, from: bomName, label: label, defects: [])
            }
        }

        // UTF-16 without a byte-order mark: guess the byte order from where the zero bytes are.
        if name == "UTF-16" { name = utf16ByteOrderGuess(buffer) }

        // Fast path: ASCII reads the same in every charset of mail except UTF-7/16/32 and ISO-2022.
        if isASCII(buffer), name.map({ readsASCIIAsASCII($0, buffer) }) ?? true {
            return DecodedText(text: String(decoding: buffer, as: UTF8.self))
        }
        guard let name else {
            // No real label: UTF-8 if it is valid UTF-8, else windows-1252.
            let given = label.map { !$0.trimmingMailWhitespace.isEmpty } ?? false
            if let s = String(validating: buffer, as: UTF8.self) {
                return DecodedText(text: s, defects: given ? [MailDefect(.charset, "charset \(shown(label)) names no charset; the text is valid UTF-8 and was read as such")] : [])
            }
            return DecodedText(text: windows1252(buffer: buffer), defects: [
                MailDefect(.charset, "no usable charset label (\(shown(label))) and not UTF-8; read as windows-1252"),
            ])
        }
        switch name {
        case "UTF-8":
            return decodeUTF8(buffer, label: label, name: name)
        case "WINDOWS-1252":
            if label != nil, let s = String(validating: buffer, as: UTF8.self) {
                // 8-bit bytes under a us-ascii or Latin-1 label that form valid multi-byte UTF-8 are UTF-8 from a
                // mislabelling mailer: real Latin-1 text almost never forms valid UTF-8 sequences.
                return DecodedText(text: s, defects: [MailDefect(.charset, "8-bit text labelled \(shown(label)) is valid UTF-8; read as UTF-8")])
            }
            if let original = label, isAsciiLabel(original) {
                return DecodedText(text: windows1252(buffer: buffer), defects: [
                    MailDefect(.charset, "8-bit text labelled \(shown(label)); read as windows-1252"),
                ])
            }
            return DecodedText(text: windows1252(buffer: buffer))
        default:
            if name.hasPrefix("UTF-7"), let fixed = utf7WithStrayPlusesEscaped(buffer) {
                return fixed.withUnsafeBufferPointer {
                    convert($0, from: name, label: label, defects: [
                        MailDefect(.charset, "UTF-7 text has a \"+\" that starts no encoded run; kept as a plus sign"),
                    ])
                }
            }
            return convert(buffer, from: name, label: label, defects: [])
        }
    }

    /// UTF-7 where a `+` is followed by neither base64 nor `-` (iconv would drop it): a copy with each
    /// such `+` written `+-`, or nil when there is none.
    private static func utf7WithStrayPlusesEscaped(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        func isBase64(_ c: UInt8) -> Bool { c.isASCIILetter || c.isASCIIDigit || c == 0x2B || c == 0x2F }
        var fixed: [UInt8]? = nil
        var inside = false
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if inside {
                if !isBase64(c) { inside = false }
                fixed?.append(c)
                i += 1
                continue
            }
            if c == 0x2B {
                if i + 1 < n, b[i + 1] == 0x2D {
                    fixed?.append(contentsOf: [0x2B, 0x2D])
                    i += 2
                    continue
                }
                if i + 1 < n, isBase64(b[i + 1]) {
                    inside = true
                    fixed?.append(c)
                    i += 1
                    continue
                }
                if fixed == nil { fixed = Array(b[0..<i]) }
                fixed!.append(contentsOf: [0x2B, 0x2D])
                i += 1
                continue
            }
            fixed?.append(c)
            i += 1
        }
        return fixed
    }

    /// The label as written, for defects.
    private static func shown(_ label: String?) -> String {
        guard let label else { return "none" }
        let t = label.trimmingMailWhitespace
        return t.isEmpty ? "\"\"" : t
    }

    /// UTF-8 text: valid, or (a lying label) windows-1252 when it looks like it, else UTF-8 with U+FFFD.
    private static func decodeUTF8(_ buffer: UnsafeBufferPointer<UInt8>, label: String?, name: String) -> DecodedText {
        if buffer.isEmpty { return DecodedText(text: "") }
        if let s = String(validating: buffer, as: UTF8.self) { return DecodedText(text: s) }
        if looksLikeSingleByteText(buffer) {
            return DecodedText(text: windows1252(buffer: buffer), defects: [
                MailDefect(.charset, "text labelled \(shown(label)) is not valid UTF-8; read as windows-1252"),
            ])
        }
        return DecodedText(text: String(decoding: buffer, as: UTF8.self),
                           defects: [MailDefect(.charset, "invalid UTF-8 sequences in text labelled \(shown(label)) replaced with U+FFFD")])
    }

    private static func isAsciiLabel(_ label: String) -> Bool {
        var l = label.trimmingMailWhitespace.asciiLowercased
        l.removeAll { $0 == "\"" || $0 == "'" }
        return l == "us-ascii" || l == "ascii" || l.hasPrefix("us-ascii*") || l == "ansi_x3.4-1968" || l == "us"
    }

    /// Whether pure-ASCII bytes mean the same ASCII text in this charset. Not so for UTF-16/32 and
    /// EBCDIC-like charsets; UTF-7 and ISO-2022 only when they hold a `+` or an escape.
    private static func readsASCIIAsASCII(_ name: String, _ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        if name.hasPrefix("UTF-16") || name.hasPrefix("UTF-32") || name.hasPrefix("UCS") || name.hasPrefix("EBCDIC")
            || ebcdicNames.contains(name) {
            return false
        }
        if name.hasPrefix("UTF-7") { return !buffer.contains(0x2B) }
        if name.hasPrefix("ISO-2022") || name.hasPrefix("HZ") { return !buffer.contains(0x1B) && !buffer.contains(0x7E) }
        return true
    }

    private static let ebcdicNames: Set<String> = [
        "IBM037", "CP037", "IBM500", "CP500", "IBM1047", "CP1047", "IBM273", "CP273", "IBM1140", "CP1140", "IBM1141", "CP1141",
    ]

    /// The bytes one code unit takes: iconv's position after an invalid sequence moves by this much.
    private static func codeUnitWidth(_ name: String) -> Int {
        if name.hasPrefix("UTF-16") || name.hasPrefix("UCS-2") { return 2 }
        if name.hasPrefix("UTF-32") || name.hasPrefix("UCS-4") { return 4 }
        return 1
    }

    private static func byteOrderMark(_ b: UnsafeBufferPointer<UInt8>) -> (String, Int)? {
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { return ("UTF-8", 3) }
        if b.count >= 2, b[0] == 0xFF, b[1] == 0xFE { return ("UTF-16LE", 2) }
        if b.count >= 2, b[0] == 0xFE, b[1] == 0xFF { return ("UTF-16BE", 2) }
        return nil
    }

    /// UTF-16 without a byte-order mark: little endian when zero bytes sit at odd offsets more often
    /// (Latin text written by Windows), else big endian (RFC 2781's default).
    private static func utf16ByteOrderGuess(_ b: UnsafeBufferPointer<UInt8>) -> String {
        var even = 0, odd = 0
        var i = 0
        let n = min(b.count, 4096)
        while i + 1 < n {
            if b[i] == 0 { even += 1 }
            if b[i + 1] == 0 { odd += 1 }
            i += 2
        }
        return odd > even ? "UTF-16LE" : "UTF-16BE"
    }

    private static func isASCII(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = buffer.count
        let base = buffer.baseAddress!
        // Eight bytes at a time.
        while i + 8 <= n {
            let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            if word & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < n {
            if base[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// Whether invalid UTF-8 is really a single-byte charset: true when it holds no valid multi-byte
    /// UTF-8 sequence, or fewer valid sequences than invalid bytes (UTF-8 with a few broken bytes stays UTF-8).
    private static func looksLikeSingleByteText(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        var valid = 0, invalid = 0
        var i = 0
        let n = buffer.count
        while i < n {
            let b = buffer[i]
            if b < 0x80 { i += 1; continue }
            let length = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xC2 && b <= 0xDF ? 2 : 0
            var ok = length > 0 && i + length <= n
            if ok { for k in 1..<length where buffer[i + k] & 0xC0 != 0x80 { ok = false; break } }
            if ok { valid += 1; i += length } else { invalid += 1; i += 1 }
        }
        return valid == 0 || valid < invalid
    }

    // MARK: - windows-1252 without iconv

    /// windows-1252 per WHATWG: 0x80...0x9F as Windows has them, the five holes as C1 controls
    /// (so no byte is ever lost), the rest as Latin-1.
    static let windows1252High: [UInt16] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    /// Decodes windows-1252 (and so ISO-8859-1 and US-ASCII labels) in one pass, without iconv.
    public static func windows1252<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        if let s = bytes.withContiguousStorageIfAvailable({ windows1252(buffer: $0) }) { return s }
        return Array(bytes).withUnsafeBufferPointer { windows1252(buffer: $0) }
    }

    static func windows1252(buffer: UnsafeBufferPointer<UInt8>) -> String {
        if buffer.isEmpty { return "" }
        return windows1252High.withUnsafeBufferPointer { high in
            String(unsafeUninitializedCapacity: buffer.count * 3) { out in
                var o = 0
                for b in buffer {
                    if b < 0x80 {
                        out[o] = b
                        o += 1
                    } else if b >= 0xA0 || high[Int(b &- 0x80)] < 0x800 {
                        let u = b >= 0xA0 ? UInt16(b) : high[Int(b &- 0x80)]
                        out[o] = 0xC0 | UInt8(truncatingIfNeeded: u >> 6)
                        out[o + 1] = 0x80 | UInt8(truncatingIfNeeded: u & 0x3F)
                        o += 2
                    } else {
                        let u = high[Int(b &- 0x80)]
                        out[o] = 0xE0 | UInt8(truncatingIfNeeded: u >> 12)
                        out[o + 1] = 0x80 | UInt8(truncatingIfNeeded: (u >> 6) & 0x3F)
                        out[o + 2] = 0x80 | UInt8(truncatingIfNeeded: u & 0x3F)
                        o += 3
                    }
                }
                return o
            }
        }
    }

    // MARK: - iconv

    /// Converts through iconv. On an unknown charset, falls back to UTF-8 or windows-1252 with a defect.
    /// Invalid bytes become U+FFFD (one per code unit) and the conversion goes on; one defect says so.
    static func convert(_ buffer: UnsafeBufferPointer<UInt8>, from name: String, label: String? = nil, defects initial: [MailDefect]) -> DecodedText {
        var defects = initial
        let cd = iconv_open("UTF-8", name)
        if cd == iconv_t(bitPattern: -1) {
            // Not known to iconv: sniff.
            let what = label.map(shown) ?? name.lowercased()
            if let s = String(validating: buffer, as: UTF8.self) {
                return DecodedText(text: s, defects: defects + [MailDefect(.charset, "unknown charset \(what); the text is valid UTF-8 and was read as such")])
            }
            defects.append(MailDefect(.charset, "unknown charset \(what); read as windows-1252"))
            return DecodedText(text: windows1252(buffer: buffer), defects: defects)
        }
        defer { iconv_close(cd) }

        let unit = codeUnitWidth(name)
        var out = [UInt8](repeating: 0, count: buffer.count * 2 + 16)
        var outUsed = 0
        var inOffset = 0
        var replaced = false
        let inBase = UnsafeMutablePointer(mutating: buffer.baseAddress!)

        /// Runs iconv over the rest of the input (or flushes the shift state when `flush`).
        func step(flush: Bool) -> Int32 {
            var inLeft = buffer.count - inOffset
            var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBase + inOffset).assumingMemoryBound(to: CChar.self)
            let error: Int32 = out.withUnsafeMutableBufferPointer { ob in
                var outLeft = ob.count - outUsed
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(ob.baseAddress! + outUsed).assumingMemoryBound(to: CChar.self)
                let r = flush ? iconv(cd, nil, nil, &outPtr, &outLeft) : iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                outUsed = ob.count - outLeft
                return r == -1 ? errno : 0
            }
            if !flush { inOffset = buffer.count - inLeft }
            return error
        }
        func grow() { out.append(contentsOf: repeatElement(0, count: out.count)) }
        func replacement() {
            replaced = true
            if outUsed + 3 > out.count { grow() }
            out[outUsed] = 0xEF; out[outUsed + 1] = 0xBF; out[outUsed + 2] = 0xBD
            outUsed += 3
        }

        while inOffset < buffer.count {
            let error = step(flush: false)
            if error == 0 { break }
            if error == E2BIG { grow(); continue }
            if error == EINVAL {
                // A sequence cut off by the end of the text.
                replacement()
                inOffset = buffer.count
                break
            }
            // EILSEQ (or anything else): one U+FFFD for one code unit, then go on.
            replacement()
            inOffset = min(buffer.count, inOffset + unit)
        }
        // Flush stateful encodings (ISO-2022-JP back to ASCII).
        while step(flush: true) == E2BIG { grow() }
        if replaced {
            defects.append(MailDefect(.charset, "bytes that are not valid \(label.map(shown) ?? name.lowercased()) replaced with U+FFFD"))
        }
        var text = String(decoding: out[0..<outUsed], as: UTF8.self)
        // A byte-order mark is not text.
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
        return DecodedText(text: text, defects: defects)
    }
}
