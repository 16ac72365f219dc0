/// A Content-Transfer-Encoding, read leniently (`7-bit`, `8bits`, `quoted printable`, ... are accepted).
public enum ContentTransferEncoding: Sendable, Hashable {
    case sevenBit, eightBit, binary, base64, quotedPrintable, uuencode
    /// A value that names no known encoding; the body is kept as it is.
    case other(String)

    /// Reads a Content-Transfer-Encoding header value; `nil` or empty means 7bit.
    public init(headerValue: String?) {
        self = Self.parse(headerValue).encoding
    }

    /// Reads a Content-Transfer-Encoding value, saying when it was misspelled or unknown.
    public static func parse(_ headerValue: String?) -> (encoding: ContentTransferEncoding, defect: MailDefect?) {
        guard let headerValue else { return (.sevenBit, nil) }
        // Drop comments, quotes, a trailing `;` and anything after it.
        var v = ""
        var depth = 0
        for c in headerValue.unicodeScalars {
            if c == "(" { depth += 1; continue }
            if c == ")" { depth = max(0, depth - 1); continue }
            if depth > 0 || c == "\"" || c == "'" { continue }
            if c == ";" { break }
            v.unicodeScalars.append(c)
        }
        let raw = v.trimmingMailWhitespace
        let value = raw.asciiLowercased
        switch value {
        case "": return (.sevenBit, nil)
        case "7bit": return (.sevenBit, nil)
        case "8bit": return (.eightBit, nil)
        case "binary": return (.binary, nil)
        case "base64": return (.base64, nil)
        case "quoted-printable": return (.quotedPrintable, nil)
        default: break
        }
        let squeezed = String(value.unicodeScalars.filter { $0 != "-" && $0 != "_" && $0 != " " && $0 != "\t" && $0 != "." })
        let lenient: ContentTransferEncoding?
        switch squeezed {
        case "7bit", "7bits", "7": lenient = .sevenBit
        case "8bit", "8bits", "8": lenient = .eightBit
        case "base64", "b64", "base", "xbase64", "base64encoded": lenient = .base64
        case "quotedprintable", "qp", "quoted", "quotedprintble", "quotedprint", "xquotedprintable": lenient = .quotedPrintable
        case "xuuencode", "uuencode", "xuue", "uue", "uu": lenient = .uuencode
        case "binary", "bin", "xbinary": lenient = .binary
        default: lenient = nil
        }
        if let lenient {
            return (lenient, MailDefect(.transferEncoding, "non-standard Content-Transfer-Encoding \"\(raw)\"; read as \(lenient.name)"))
        }
        return (.other(value), MailDefect(.transferEncoding, "unknown Content-Transfer-Encoding \"\(raw)\"; body kept as it is"))
    }

    /// The standard name (`quoted-printable`, ...).
    public var name: String {
        switch self {
        case .sevenBit: return "7bit"
        case .eightBit: return "8bit"
        case .binary: return "binary"
        case .base64: return "base64"
        case .quotedPrintable: return "quoted-printable"
        case .uuencode: return "x-uuencode"
        case .other(let s): return s
        }
    }
}

/// Decodes transfer-encoded bodies leniently.
public enum TransferDecoder {
    public static func decode(_ bytes: ArraySlice<UInt8>, encoding: ContentTransferEncoding) -> (bytes: [UInt8], defects: [MailDefect]) {
        switch encoding {
        case .base64: return bytes.withUnsafeBufferPointer { base64($0) }
        case .quotedPrintable: return bytes.withUnsafeBufferPointer { quotedPrintable($0) }
        case .uuencode: return uudecode(bytes)
        default: return (Array(bytes), [])
        }
    }

    // MARK: - Base64

    /// 0...63 for alphabet bytes (both the standard and URL-safe alphabets), 64 for `=`,
    /// 65 for whitespace, 66 for anything else.
    static let base64Table: [UInt8] = {
        var t = [UInt8](repeating: 66, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        t[Int(UInt8(ascii: "-"))] = 62
        t[Int(UInt8(ascii: "_"))] = 63
        t[Int(UInt8(ascii: "="))] = 64
        for c in [0x20, 0x09, 0x0D, 0x0A, 0x0B, 0x0C] { t[c] = 65 }
        return t
    }()

    /// Base64 that skips whitespace and garbage, tolerates missing or early padding (concatenated
    /// chunks) and a truncated last group.
    public static func base64(_ input: UnsafeBufferPointer<UInt8>) -> (bytes: [UInt8], defects: [MailDefect]) {
        let n = input.count
        if n == 0 { return ([], []) }
        var out = [UInt8](repeating: 0, count: n / 4 * 3 + 3)
        var garbage = 0
        var stray = 0  // a lone character left in a group: six bits, not a byte
        var paddingInside = false
        var o = 0
        base64Table.withUnsafeBufferPointer { table in
            out.withUnsafeMutableBufferPointer { dst in
                let src = input.baseAddress!
                let d = dst.baseAddress!
                var i = 0
                var acc: UInt32 = 0
                var k = 0
                while i < n {
                    // Fast path: a whole 4-byte group of alphabet characters.
                    if k == 0 && i + 4 <= n {
                        let a = table[Int(src[i])], b = table[Int(src[i + 1])], c = table[Int(src[i + 2])], e = table[Int(src[i + 3])]
                        if (a | b | c | e) < 64 {
                            let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(e)
                            d[o] = UInt8(truncatingIfNeeded: v >> 16)
                            d[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
                            d[o + 2] = UInt8(truncatingIfNeeded: v)
                            o += 3
                            i += 4
                            continue
                        }
                    }
                    let v = table[Int(src[i])]
                    i += 1
                    if v < 64 {
                        acc = acc << 6 | UInt32(v)
                        k += 1
                        if k == 4 {
                            d[o] = UInt8(truncatingIfNeeded: acc >> 16)
                            d[o + 1] = UInt8(truncatingIfNeeded: acc >> 8)
                            d[o + 2] = UInt8(truncatingIfNeeded: acc)
                            o += 3
                            acc = 0
                            k = 0
                        }
                    } else if v == 64 {
                        // Padding: flush a partial group; more data may follow (concatenated chunks).
                        if k == 2 { d[o] = UInt8(truncatingIfNeeded: acc >> 4); o += 1 }
                        if k == 3 {
                            d[o] = UInt8(truncatingIfNeeded: acc >> 10)
                            d[o + 1] = UInt8(truncatingIfNeeded: acc >> 2)
                            o += 2
                        }
                        if k == 1 { stray += 1 }
                        acc = 0
                        k = 0
                        // Skip the rest of the padding run.
                        while i < n, table[Int(src[i])] >= 64 && table[Int(src[i])] != 66 { i += 1 }
                        if i < n, table[Int(src[i])] < 64 { paddingInside = true }
                    } else if v == 66 {
                        garbage += 1
                    }
                }
                // A truncated last group (no padding): decode what is complete.
                if k == 2 { d[o] = UInt8(truncatingIfNeeded: acc >> 4); o += 1 }
                if k == 3 {
                    d[o] = UInt8(truncatingIfNeeded: acc >> 10)
                    d[o + 1] = UInt8(truncatingIfNeeded: acc >> 2)
                    o += 2
                }
                if k == 1 { stray += 1 }
            }
        }
        out.removeLast(out.count - o)
        var defects: [MailDefect] = []
        if garbage > 0 {
            defects.append(MailDefect(.transferEncoding, "base64 body has \(garbage) byte(s) outside the base64 alphabet; skipped"))
        }
        if stray > 0 {
            defects.append(MailDefect(.transferEncoding, "base64 body has \(stray) incomplete group(s) of one character; dropped"))
        }
        if paddingInside {
            defects.append(MailDefect(.transferEncoding, "base64 body has padding before its end (concatenated chunks); decoded on"))
        }
        return (out, defects)
    }

    // MARK: - Quoted-printable

    /// Quoted-printable: soft line breaks (`=` before CRLF or LF, with or without whitespace between),
    /// either hex case, trailing whitespace before a line end dropped, line endings kept as they are,
    /// and an invalid `=` sequence kept literally (one defect for all of them).
    public static func quotedPrintable(_ input: UnsafeBufferPointer<UInt8>) -> (bytes: [UInt8], defects: [MailDefect]) {
        let n = input.count
        if n == 0 { return ([], []) }
        var bad = 0
        var o = 0
        var out = [UInt8](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { dst in
            let d = dst.baseAddress!
            let src = input.baseAddress!
            var i = 0
            while i < n {
                let c = src[i]
                if c == 0x3D {  // '='
                    if i + 2 < n, let h = src[i + 1].hexDigitValue, let l = src[i + 2].hexDigitValue {
                        d[o] = h << 4 | l
                        o += 1
                        i += 3
                        continue
                    }
                    // Soft line break: '=' then optional whitespace then CRLF / LF / CR / the end.
                    var j = i + 1
                    while j < n, src[j] == 0x20 || src[j] == 0x09 { j += 1 }
                    if j >= n { i = n; continue }
                    if src[j] == 0x0A { i = j + 1; continue }
                    if src[j] == 0x0D {
                        i = j + 1
                        if i < n, src[i] == 0x0A { i += 1 }
                        continue
                    }
                    bad += 1
                    d[o] = c
                    o += 1
                    i += 1
                } else if c == 0x20 || c == 0x09 {
                    // Trailing whitespace before a line end is dropped (RFC 2045 6.7 (3)).
                    var j = i + 1
                    while j < n, src[j] == 0x20 || src[j] == 0x09 { j += 1 }
                    if j >= n || src[j] == 0x0A || src[j] == 0x0D {
                        i = j
                    } else {
                        while i < j { d[o] = src[i]; o += 1; i += 1 }
                    }
                } else {
                    d[o] = c
                    o += 1
                    i += 1
                }
            }
        }
        out.removeLast(n - o)
        let defects = bad > 0 ? [MailDefect(.transferEncoding, "quoted-printable body has \(bad) invalid \"=\" sequence(s); kept literally")] : []
        return (out, defects)
    }

    // MARK: - uuencode

    /// uuencoded data between `begin MODE NAME` and `end`; lines before `begin` are skipped, a missing
    /// `end` is tolerated, and a line shorter than its length character says is padded with zero bits (mailers
    /// strip trailing spaces, which encode zeros). The padding never makes the output larger than the input:
    /// a body of lines that are only a length character ("M", 45 bytes) would otherwise decode to 22 times its
    /// size.
    public static func uudecode(_ input: ArraySlice<UInt8>) -> (bytes: [UInt8], defects: [MailDefect]) {
        var out: [UInt8] = []
        var defects: [MailDefect] = []
        var started = false
        var ended = false
        var badLines = 0
        var capped = false
        input.withUnsafeBufferPointer { b in
            let n = b.count
            var i = 0
            out.reserveCapacity(n / 4 * 3)
            while i < n {
                var lineEnd = i
                while lineEnd < n, b[lineEnd] != 0x0A { lineEnd += 1 }
                let next = lineEnd + 1
                var e = lineEnd
                while e > i, b[e - 1] == 0x0D { e -= 1 }
                let line = UnsafeBufferPointer(rebasing: b[i..<e])
                i = next
                if !started {
                    if isBeginLine(line) { started = true }
                    continue
                }
                if isEndLine(line) { ended = true; break }
                guard let first = line.first else { continue }
                var count = Int((first &- 0x20) & 0x3F)
                if count == 0 { continue }
                // Each group of four characters carries three bytes.
                let available = (line.count - 1) * 3 / 4
                if available < count {
                    badLines += 1
                    if out.count + count > n {
                        count = max(available, min(count, n - out.count))
                        capped = true
                    }
                }
                var produced = 0
                var k = 1
                while produced < count {
                    var v: UInt32 = 0
                    for q in 0..<4 {
                        let ch: UInt8 = k + q < line.count ? line[k + q] : 0x20
                        v = v << 6 | UInt32((ch &- 0x20) & 0x3F)
                    }
                    k += 4
                    out.append(UInt8(truncatingIfNeeded: v >> 16))
                    produced += 1
                    if produced < count { out.append(UInt8(truncatingIfNeeded: v >> 8)); produced += 1 }
                    if produced < count { out.append(UInt8(truncatingIfNeeded: v)); produced += 1 }
                }
            }
        }
        if !started {
            defects.append(MailDefect(.transferEncoding, "x-uuencode body has no \"begin\" line; kept as it is"))
            return (Array(input), defects)
        }
        if badLines > 0 {
            defects.append(MailDefect(.transferEncoding, capped
                ? "x-uuencode body has \(badLines) line(s) shorter than their length says; padded only up to the size of the body"
                : "x-uuencode body has \(badLines) line(s) shorter than their length says; padded"))
        }
        if !ended { defects.append(MailDefect(.transferEncoding, "x-uuencode body has no \"end\" line; decoded to the end")) }
        return (out, defects)
    }

    private static func isEndLine(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard line.count >= 3, line[0] == 0x65, line[1] == 0x6E, line[2] == 0x64 else { return false }  // "end"
        return line.dropFirst(3).allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    private static func isBeginLine(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        // "begin " then an octal mode.
        line.count >= 7 && line[0] == 0x62 && line[1] == 0x65 && line[2] == 0x67 && line[3] == 0x69 && line[4] == 0x6E
            && line[5] == 0x20 && line[6].isASCIIDigit
    }

    /// The file name of the first `begin MODE NAME` line of a uuencoded body (raw bytes read as UTF-8,
    /// else windows-1252), or nil when there is none.
    public static func decodedUUEncodeFilename(_ input: ArraySlice<UInt8>) -> String? {
        input.withUnsafeBufferPointer { b -> String? in
            let n = b.count
            var i = 0
            while i < n {
                var lineEnd = i
                while lineEnd < n, b[lineEnd] != 0x0A { lineEnd += 1 }
                var e = lineEnd
                while e > i, b[e - 1] == 0x0D || b[e - 1] == 0x20 || b[e - 1] == 0x09 { e -= 1 }
                let line = UnsafeBufferPointer(rebasing: b[i..<e])
                if isBeginLine(line) {
                    var k = 6
                    while k < line.count, line[k].isASCIIDigit { k += 1 }
                    while k < line.count, line[k] == 0x20 || line[k] == 0x09 { k += 1 }
                    if k >= line.count { return nil }
                    let name = UnsafeBufferPointer(rebasing: line[k...])
                    return Charset.decode(name, label: nil).text
                }
                i = lineEnd + 1
            }
            return nil
        }
    }
}
