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
        let squeezed = String(value.unicodeScalars.filter { $0 != "-" && $0 != "_" && $0 != " " })
        let lenient: ContentTransferEncoding?
        switch squeezed {
        case "7bit", "7bits", "7": lenient = .sevenBit
        case "8bit", "8bits", "8": lenient = .eightBit
        case "base64", "b64", "base": lenient = .base64
        case "quotedprintable", "qp", "quoted", "quotedprintble": lenient = .quotedPrintable
        case "xuuencode", "uuencode", "xuue", "uue", "uu": lenient = .uuencode
        case "binary", "bin": lenient = .binary
        default: lenient = nil
        }
        if let lenient {
            return (lenient, MailDefect(.transferEncoding, "Content-Transfer-Encoding \"\(raw)\" read as \(lenient.name)"))
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
        var out = [UInt8](repeating: 0, count: n / 4 * 3 + 3)
        var garbage = 0
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
                        if k == 1 { garbage += 1 }
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
                if k == 1 { garbage += 1 }
            }
        }
        out.removeLast(out.count - o)
        var defects: [MailDefect] = []
        if garbage > 0 {
            defects.append(MailDefect(.transferEncoding, "base64 body has \(garbage) byte(s) outside the base64 alphabet; skipped"))
        }
        if paddingInside {
            defects.append(MailDefect(.transferEncoding, "base64 body has padding before its end (concatenated chunks); decoded on"))
        }
        return (out, defects)
    }

    // MARK: - Quoted-printable

    /// Quoted-printable: soft line breaks, either hex case, trailing whitespace dropped, bad escapes kept.
    public static func quotedPrintable(_ input: UnsafeBufferPointer<UInt8>) -> (bytes: [UInt8], defects: [MailDefect]) {
        let n = input.count
        var out = [UInt8]()
        out.reserveCapacity(n)
        var bad = 0
        var i = 0
        while i < n {
            let c = input[i]
            if c == 0x3D {  // '='
                // Soft line break: '=' then optional whitespace then CRLF / LF / end.
                var j = i + 1
                while j < n, input[j] == 0x20 || input[j] == 0x09 { j += 1 }
                if j >= n { i = n; continue }
                if input[j] == 0x0A { i = j + 1; continue }
                if input[j] == 0x0D {
                    i = j + 1
                    if i < n, input[i] == 0x0A { i += 1 }
                    continue
                }
                if i + 2 < n, let h = input[i + 1].hexDigitValue, let l = input[i + 2].hexDigitValue {
                    out.append(h << 4 | l)
                    i += 3
                    continue
                }
                bad += 1
                out.append(c)
                i += 1
            } else if c == 0x20 || c == 0x09 {
                // Trailing whitespace before a line end is dropped (RFC 2045 6.7 (3)).
                var j = i
                while j < n, input[j] == 0x20 || input[j] == 0x09 { j += 1 }
                if j >= n || input[j] == 0x0A || input[j] == 0x0D {
                    i = j
                } else {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: input[i..<j]))
                    i = j
                }
            } else {
                out.append(c)
                i += 1
            }
        }
        let defects = bad > 0 ? [MailDefect(.transferEncoding, "quoted-printable body has \(bad) invalid \"=\" escape(s); kept literally")] : []
        return (out, defects)
    }

    // MARK: - uuencode

    /// uuencoded data between `begin MODE NAME` and `end`; lines before `begin` are skipped.
    public static func uudecode(_ input: ArraySlice<UInt8>) -> (bytes: [UInt8], defects: [MailDefect]) {
        var out: [UInt8] = []
        var defects: [MailDefect] = []
        let lines = input.split(separator: 0x0A, omittingEmptySubsequences: false)
        var started = false
        var ended = false
        for rawLine in lines {
            var line = rawLine
            if line.last == 0x0D { line = line.dropLast() }
            if !started {
                if line.starts(with: Array("begin ".utf8)) { started = true }
                continue
            }
            if line.starts(with: Array("end".utf8)) { ended = true; break }
            guard let first = line.first else { continue }
            let count = Int((first &- 0x20) & 0x3F)
            if count == 0 { continue }
            var chars = Array(line.dropFirst()).map { ($0 &- 0x20) & 0x3F }
            while chars.count % 4 != 0 { chars.append(0) }
            var decoded: [UInt8] = []
            var k = 0
            while k + 3 < chars.count {
                let v = UInt32(chars[k]) << 18 | UInt32(chars[k + 1]) << 12 | UInt32(chars[k + 2]) << 6 | UInt32(chars[k + 3])
                decoded += [UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
                k += 4
            }
            out += decoded.prefix(count)
        }
        if !started {
            defects.append(MailDefect(.transferEncoding, "x-uuencode body has no \"begin\" line; kept as it is"))
            return (Array(input), defects)
        }
        if !ended { defects.append(MailDefect(.transferEncoding, "x-uuencode body has no \"end\" line; decoded to the end")) }
        return (out, defects)
    }
}
