/// A header value with parameters, such as Content-Type or Content-Disposition:
/// `text/plain; charset="utf-8"; name*0*=utf-8''%C5%81...`.
public struct ParameterizedValue: Sendable, Hashable {
    /// The leading value (`text/plain`, `attachment`), trimmed, comments removed, case kept.
    public var value: String
    /// Parameters in order of appearance, names lower-cased, values fully decoded
    /// (RFC 2231 continuations and charsets, RFC 2047 words where they appear anyway, quotes removed).
    public var parameters: [(name: String, value: String)]
    public var defects: [MailDefect]

    public init(value: String, parameters: [(name: String, value: String)] = [], defects: [MailDefect] = []) {
        self.value = value
        self.parameters = parameters
        self.defects = defects
    }

    /// The first parameter with this (case-insensitive) name.
    public subscript(name: String) -> String? {
        let lower = name.lowercased()
        return parameters.first(where: { $0.name == lower })?.value
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.value == b.value && a.defects == b.defects
            && a.parameters.map(\.name) == b.parameters.map(\.name)
            && a.parameters.map(\.value) == b.parameters.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(value)
        for p in parameters { hasher.combine(p.name); hasher.combine(p.value) }
    }

    /// Parses `Content-Type`/`Content-Disposition`-style values.
    ///
    /// Lenient: quoted strings with backslash escapes (a backslash before anything but `"` or `\\` is
    /// kept: Windows paths), comments anywhere, unterminated quotes (read to the end), unquoted values
    /// with spaces (read up to `;`), duplicate names (all kept in order), RFC 2231 charsets and
    /// continuations (joined into one parameter, in place of any plain parameter of the same name) and
    /// RFC 2047 encoded words inside values (decoded although RFC 2047 forbids them there).
    public static func parse(_ text: String) -> ParameterizedValue {
        var copy = text
        return copy.withUTF8 { parse(bytes: $0) }
    }

    /// One parameter as read, before RFC 2231 pieces are joined.
    private enum RawParameter {
        case plain(name: String, value: String)
        /// The place of an RFC 2231 parameter: the first of its pieces.
        case joined(name: String)
    }

    private struct Piece {
        var index: Int
        var encoded: Bool
        var value: [UInt8]
    }

    private static func parse(bytes input: UnsafeBufferPointer<UInt8>) -> ParameterizedValue {
        let b = Array(input.lazy.filter { $0 != 0x0D && $0 != 0x0A })
        let n = b.count
        var defects: [MailDefect] = []
        var i = 0

        /// The name of a parameter starting at `k` (a token, optional spaces, then `=`), if one does.
        func parameterName(at k: Int) -> String? {
            var j = k
            while j < n, isTokenByte(b[j]) { j += 1 }
            guard j > k else { return nil }
            let end = j
            while j < n, b[j] == 0x20 || b[j] == 0x09 { j += 1 }
            guard j < n, b[j] == 0x3D else { return nil }
            return String(decoding: b[k..<end], as: UTF8.self).asciiLowercased
        }

        /// Skips whitespace and (nested) comments.
        func skipSpace() {
            while i < n {
                if b[i] == 0x20 || b[i] == 0x09 { i += 1; continue }
                if b[i] == 0x28 {
                    var depth = 0
                    while i < n {
                        if b[i] == 0x5C { i = min(n, i + 2); continue }
                        if b[i] == 0x28 { depth += 1 }
                        if b[i] == 0x29 { depth -= 1; if depth == 0 { i += 1; break } }
                        i += 1
                    }
                    continue
                }
                break
            }
        }

        // The leading value, up to the first `;` (comments and quotes removed).
        var lead: [UInt8] = []
        skipSpace()
        while i < n, b[i] != 0x3B {
            if b[i] == 0x28 { skipSpace(); continue }
            if b[i] != 0x22 { lead.append(b[i]) }
            i += 1
        }
        let value = String(decoding: lead, as: UTF8.self).trimmingMailWhitespace

        // Parameters in order; RFC 2231 pieces gathered per base name.
        var raws: [RawParameter] = []
        var pieces: [String: [Piece]] = [:]
        while i < n {
            while i < n, b[i] == 0x3B || b[i] == 0x20 || b[i] == 0x09 { i += 1 }
            skipSpace()
            if i >= n { break }
            var nameBytes: [UInt8] = []
            while i < n, b[i] != 0x3D, b[i] != 0x3B {
                if b[i] == 0x28 { skipSpace(); continue }
                if b[i] != 0x20 && b[i] != 0x09 && b[i] != 0x22 && b[i] != 0x27 { nameBytes.append(b[i].asciiLowercased) }
                i += 1
            }
            guard i < n, b[i] == 0x3D, !nameBytes.isEmpty else {
                if !nameBytes.isEmpty {
                    defects.append(MailDefect(.parameter, "parameter \"\(String(decoding: nameBytes, as: UTF8.self))\" has no value; ignored"))
                } else if i < n, b[i] == 0x3D {
                    // `; =value`: a value without a name. Skip to the next `;` (found by fuzzing: without
                    // this the loop did not advance).
                    defects.append(MailDefect(.parameter, "parameter value without a name; ignored"))
                    while i < n, b[i] != 0x3B { i += 1 }
                }
                continue
            }
            i += 1
            skipSpace()
            let name = String(decoding: nameBytes, as: UTF8.self)
            var raw: [UInt8] = []
            if i < n, b[i] == 0x22 {
                i += 1
                var closed = false
                while i < n {
                    if b[i] == 0x5C, i + 1 < n {
                        // Backslash escapes; keep a backslash before anything but a quote or backslash
                        // (Windows paths in broken file names).
                        if b[i + 1] != 0x22 && b[i + 1] != 0x5C { raw.append(b[i]) }
                        raw.append(b[i + 1])
                        i += 2
                        continue
                    }
                    if b[i] == 0x22 { closed = true; i += 1; break }
                    raw.append(b[i])
                    i += 1
                }
                if !closed {
                    defects.append(MailDefect(.parameter, "unterminated quoted value of parameter \(name); read to the end"))
                }
                // Anything after the closing quote up to `;` is junk (comments are fine), unless it is the
                // next parameter with its `;` forgotten (`comment=""  comment="..."`, folded).
                skipSpace()
                if i < n, b[i] != 0x3B {
                    if let next = parameterName(at: i) {
                        defects.append(MailDefect(.parameter, "no \";\" between parameters \(name) and \(next); read as two"))
                    } else {
                        defects.append(MailDefect(.parameter, "text after the quoted value of parameter \(name); ignored"))
                        while i < n, b[i] != 0x3B { i += 1 }
                    }
                }
            } else {
                while i < n, b[i] != 0x3B {
                    if b[i] == 0x28 { skipSpace(); continue }
                    raw.append(b[i])
                    i += 1
                }
                while let last = raw.last, last == 0x20 || last == 0x09 { raw.removeLast() }
            }

            // RFC 2231: name*, name*0, name*0*, name*1 ...
            if let star = nameBytes.firstIndex(of: 0x2A), star > 0 {
                let base = String(decoding: nameBytes[..<star], as: UTF8.self)
                let rest = nameBytes[(star + 1)...]
                var index = 0
                var encoded = false
                if rest.isEmpty {
                    encoded = true
                } else {
                    var digits = rest
                    if digits.last == 0x2A { encoded = true; digits.removeLast() }
                    if !digits.isEmpty, digits.count <= 4, digits.allSatisfy(\.isASCIIDigit) {
                        index = Int(String(decoding: digits, as: UTF8.self)) ?? 0
                    } else {
                        defects.append(MailDefect(.parameter, "parameter name \(name) is not valid RFC 2231; read as \(base)"))
                    }
                }
                if pieces[base] == nil { raws.append(.joined(name: base)) }
                pieces[base, default: []].append(Piece(index: index, encoded: encoded, value: raw))
            } else {
                var text = String(decoding: raw, as: UTF8.self)
                if EncodedWords.mayContainEncodedWords(text) {
                    let decoded = EncodedWords.decode(text)
                    text = decoded.text
                    defects += decoded.defects
                }
                raws.append(.plain(name: name, value: text))
            }
        }

        var parameters: [(name: String, value: String)] = []
        parameters.reserveCapacity(raws.count)
        var joinedDone: Set<String> = []
        for r in raws {
            switch r {
            case .plain(let name, let v):
                guard let list = pieces[name] else {
                    parameters.append((name, v))
                    continue
                }
                // An RFC 2231 form of the same parameter says it better; it takes the place of the first.
                if joinedDone.insert(name).inserted {
                    let (joined, more) = join(name: name, pieces: list)
                    defects += more
                    parameters.append((name, joined))
                }
            case .joined(let name):
                if joinedDone.insert(name).inserted {
                    let (joined, more) = join(name: name, pieces: pieces[name]!)
                    defects += more
                    parameters.append((name, joined))
                }
            }
        }
        return ParameterizedValue(value: value, parameters: parameters, defects: defects)
    }

    /// RFC 2045 token characters (and `*` for RFC 2231 names).
    private static func isTokenByte(_ c: UInt8) -> Bool {
        guard c > 0x20, c < 0x7F else { return false }
        switch c {
        case 0x28, 0x29, 0x3C, 0x3E, 0x40, 0x2C, 0x3B, 0x3A, 0x5C, 0x22, 0x2F, 0x5B, 0x5D, 0x3F, 0x3D: return false
        default: return true
        }
    }

    /// Joins the RFC 2231 pieces of one parameter (sorted by index), undoes their percent-encoding and
    /// decodes the bytes in the charset of the first piece.
    private static func join(name: String, pieces unsorted: [Piece]) -> (String, [MailDefect]) {
        var defects: [MailDefect] = []
        // A stable sort by index (the order of appearance breaks ties).
        let list = unsorted.enumerated().sorted { ($0.element.index, $0.offset) < ($1.element.index, $1.offset) }.map(\.element)
        var charset: String? = nil
        var bytes: [UInt8] = []
        var gap = list.count > 1 && list[0].index != 0
        for (k, piece) in list.enumerated() {
            var v = piece.value[...]
            if piece.encoded {
                if k == 0, let q1 = v.firstIndex(of: 0x27), let q2 = v[(q1 + 1)...].firstIndex(of: 0x27),
                   v[..<q1].allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E || $0 == 0x3A }) {
                    // charset'language'value
                    let cs = String(decoding: v[..<q1], as: UTF8.self)
                    charset = cs.isEmpty ? nil : cs
                    v = v[(q2 + 1)...]
                }
                bytes += percentDecoded(v)
            } else {
                bytes += v
            }
            if k > 0, list[k - 1].index + 1 != piece.index { gap = true }
        }
        if gap {
            defects.append(MailDefect(.parameter, "RFC 2231 parameter \(name) has missing or repeated pieces; joined in order"))
        }
        var decoded = Charset.decode(bytes, label: charset ?? "utf-8")
        defects += decoded.defects.map { MailDefect(.parameter, "parameter \(name): \($0.detail)") }
        if EncodedWords.mayContainEncodedWords(decoded.text) {
            let again = EncodedWords.decode(decoded.text)
            decoded.text = again.text
            defects += again.defects
        }
        return (decoded.text, defects)
    }

    private static func percentDecoded(_ v: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(v.count)
        var k = v.startIndex
        while k < v.endIndex {
            if v[k] == 0x25, k + 2 < v.endIndex, let h = v[k + 1].hexDigitValue, let l = v[k + 2].hexDigitValue {
                out.append(h << 4 | l)
                k += 3
            } else {
                out.append(v[k])
                k += 1
            }
        }
        return out
    }
}
