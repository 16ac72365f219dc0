#if canImport(Glibc)
import Glibc
#endif

/// Character set decoding through iconv (Glibc), with aliases and fallbacks for lying labels.
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
        while l.hasSuffix("\"") || l.hasSuffix("'") { l.removeLast() }
        if let star = l.firstIndex(of: "*") { l = String(l[..<star]) }  // RFC 2231 language: US-ASCII*EN
        l = l.trimmingMailWhitespace
        if l.isEmpty { return nil }
        if let alias = aliases[l] { return alias.isEmpty ? nil : alias }
        return l.uppercased()
    }

    /// Labels iconv does not know or that mail practice reads otherwise (WHATWG encoding standard:
    /// latin1 and ascii labels mean windows-1252). An empty value means "sniff".
    static let aliases: [String: String] = [
        "utf8": "UTF-8", "utf-8": "UTF-8", "unicode-1-1-utf-8": "UTF-8", "x-unicode20utf8": "UTF-8",
        "us-ascii": "WINDOWS-1252", "ascii": "WINDOWS-1252", "ansi_x3.4-1968": "WINDOWS-1252", "us": "WINDOWS-1252",
        "iso-8859-1": "WINDOWS-1252", "iso8859-1": "WINDOWS-1252", "iso_8859-1": "WINDOWS-1252", "latin1": "WINDOWS-1252",
        "latin-1": "WINDOWS-1252", "l1": "WINDOWS-1252", "cp819": "WINDOWS-1252", "iso-ir-100": "WINDOWS-1252",
        "windows-1252": "WINDOWS-1252", "cp1252": "WINDOWS-1252", "x-cp1252": "WINDOWS-1252",
        "iso-8859-9": "WINDOWS-1254", "latin5": "WINDOWS-1254", "iso-8859-11": "WINDOWS-874", "tis-620": "WINDOWS-874",
        "windows-874": "WINDOWS-874", "x-windows-874": "WINDOWS-874",
        "ks_c_5601-1987": "CP949", "ks_c_5601": "CP949", "ksc5601": "CP949", "euc-kr": "CP949", "x-windows-949": "CP949",
        "gb2312": "GB18030", "gbk": "GB18030", "x-gbk": "GB18030", "cp936": "GB18030", "gb_2312-80": "GB18030", "chinese": "GB18030",
        "big5": "BIG5-HKSCS", "x-x-big5": "BIG5-HKSCS", "cn-big5": "BIG5-HKSCS",
        "shift_jis": "CP932", "shift-jis": "CP932", "x-sjis": "CP932", "sjis": "CP932", "ms_kanji": "CP932", "windows-31j": "CP932",
        "iso-2022-jp": "ISO-2022-JP-3", "csiso2022jp": "ISO-2022-JP-3",
        "unicode-1-1-utf-7": "UTF-7", "utf7": "UTF-7", "x-utf-7": "UTF-7",
        "utf-16": "UTF-16", "utf16": "UTF-16", "ucs-2": "UTF-16", "unicode": "UTF-16LE",
        "koi8-r": "KOI8-R", "koi8-u": "KOI8-U", "x-mac-roman": "MACINTOSH", "macintosh": "MACINTOSH", "mac": "MACINTOSH",
        "x-unknown": "", "unknown": "", "none": "", "unknown-8bit": "", "x-user-defined": "", "default": "", "charset": "",
        "8bit": "", "binary": "",
    ]

    static func decode(buffer: UnsafeBufferPointer<UInt8>, label: String?) -> DecodedText {
        if buffer.isEmpty { return DecodedText(text: "") }
        let name = canonicalName(label)
        // Fast path: ASCII reads the same in every charset of mail except UTF-7/16/32 and ISO-2022.
        let asciiOnly = isASCII(buffer)
        if asciiOnly, !(name.map(isStatefulOrWide) ?? false) {
            return DecodedText(text: String(decoding: buffer, as: UTF8.self))
        }
        guard let name else {
            // No real label: UTF-8 if it is valid UTF-8, else windows-1252.
            if let s = String(validating: buffer, as: UTF8.self) { return DecodedText(text: s) }
            return convert(buffer, from: "WINDOWS-1252", defects: [MailDefect(.charset, "no usable charset label (\(label ?? "none")) and not UTF-8; read as windows-1252")])
        }
        if name == "UTF-8" {
            if let s = String(validating: buffer, as: UTF8.self) { return DecodedText(text: s) }
            // A lying label: "utf-8" text that is not. Latin-1 (as windows-1252) when it looks like it,
            // else UTF-8 with replacement characters.
            if looksLikeSingleByteText(buffer) {
                return convert(buffer, from: "WINDOWS-1252", defects: [MailDefect(.charset, "text labelled utf-8 is not valid UTF-8; read as windows-1252")])
            }
            return DecodedText(text: String(decoding: buffer, as: UTF8.self),
                               defects: [MailDefect(.charset, "invalid UTF-8 sequences replaced with U+FFFD")])
        }
        if name == "WINDOWS-1252", let original = label, let s = String(validating: buffer, as: UTF8.self) {
            // 8-bit bytes under a us-ascii or Latin-1 label that form valid multi-byte UTF-8 are UTF-8 from a
            // mislabelling mailer: real Latin-1 text almost never forms valid UTF-8 sequences.
            return DecodedText(text: s, defects: [MailDefect(.charset, "8-bit text labelled \(original) is valid UTF-8; read as UTF-8")])
        }
        return convert(buffer, from: name, defects: [])
    }

    private static func isStatefulOrWide(_ name: String) -> Bool {
        name.hasPrefix("UTF-7") || name.hasPrefix("UTF-16") || name.hasPrefix("UTF-32") || name.hasPrefix("UCS")
            || name.hasPrefix("ISO-2022") || name.hasPrefix("HZ")
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
            let length = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b <= 0xDF ? 2 : 0
            var ok = length > 0 && i + length <= n
            if ok { for k in 1..<length where buffer[i + k] & 0xC0 != 0x80 { ok = false; break } }
            if ok { valid += 1; i += length } else { invalid += 1; i += 1 }
        }
        return valid == 0 || valid < invalid
    }

    /// Converts through iconv. On an unknown charset, falls back to UTF-8 or windows-1252 with a defect.
    static func convert(_ buffer: UnsafeBufferPointer<UInt8>, from name: String, defects initial: [MailDefect]) -> DecodedText {
        var defects = initial
        var cd = iconv_open("UTF-8", name)
        if cd == iconv_t(bitPattern: -1) {
            // Not known to iconv: sniff.
            if let s = String(validating: buffer, as: UTF8.self) {
                return DecodedText(text: s, defects: defects + [MailDefect(.charset, "unknown charset \(name.lowercased()); the text is valid UTF-8 and was read as such")])
            }
            defects.append(MailDefect(.charset, "unknown charset \(name.lowercased()); read as windows-1252"))
            cd = iconv_open("UTF-8", "WINDOWS-1252")
            if cd == iconv_t(bitPattern: -1) {
                return DecodedText(text: String(decoding: buffer, as: UTF8.self), defects: defects)
            }
        }
        defer { iconv_close(cd) }

        var out = [UInt8](repeating: 0, count: buffer.count * 2 + 16)
        var outUsed = 0
        var inOffset = 0
        var replaced = false
        let inBase = UnsafeMutablePointer(mutating: buffer.baseAddress!)
        while true {
            var inLeft = buffer.count - inOffset
            if inLeft == 0 { break }
            var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBase + inOffset).assumingMemoryBound(to: CChar.self)
            let result: Int = out.withUnsafeMutableBufferPointer { ob in
                var outLeft = ob.count - outUsed
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(ob.baseAddress! + outUsed).assumingMemoryBound(to: CChar.self)
                let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                outUsed = ob.count - outLeft
                return r == -1 ? Int(errno) : 0
            }
            inOffset = buffer.count - inLeft
            if result == 0 { break }
            if result == Int(E2BIG) {
                out.append(contentsOf: repeatElement(0, count: out.count))
                continue
            }
            // EILSEQ or EINVAL (truncated sequence at the end): one U+FFFD, skip one byte, go on.
            replaced = true
            if outUsed + 3 > out.count { out.append(contentsOf: repeatElement(0, count: out.count)) }
            out[outUsed] = 0xEF; out[outUsed + 1] = 0xBF; out[outUsed + 2] = 0xBD
            outUsed += 3
            inOffset += 1
            if inOffset >= buffer.count { break }
        }
        // Flush stateful encodings (ISO-2022-JP back to ASCII).
        out.withUnsafeMutableBufferPointer { ob in
            var outLeft = ob.count - outUsed
            var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(ob.baseAddress! + outUsed).assumingMemoryBound(to: CChar.self)
            _ = iconv(cd, nil, nil, &outPtr, &outLeft)
            outUsed = ob.count - outLeft
        }
        if replaced {
            defects.append(MailDefect(.charset, "bytes that are not valid \(name.lowercased()) replaced with U+FFFD"))
        }
        var text = String(decoding: out[0..<outUsed], as: UTF8.self)
        // A byte-order mark is not text.
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
        return DecodedText(text: text, defects: defects)
    }
}
