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
    public static func parse(_ text: String) -> ParameterizedValue {
        let b = Array(text.utf8.filter { $0 != 0x0D && $0 != 0x0A })
        let n = b.count
        var defects: [MailDefect] = []
        var i = 0

        /// Skips whitespace and (nested) comments.
        func skipSpace() {
            while i < n {
                if b[i] == 0x20 || b[i] == 0x09 { i += 1; continue }
                if b[i] == 0x28 {
                    var depth = 0
                    while i < n {
                        if b[i] == 0x5C { i += 2; continue }
                        if b[i] == 0x28 { depth += 1 }
                        if b[i] == 0x29 { depth -= 1; if depth == 0 { i += 1; break } }
                        i += 1
                    }
                    continue
                }
                break
            }
        }

        // The leading value, up to the first `;` (comments removed).
        var lead: [UInt8] = []
        skipSpace()
        while i < n, b[i] != 0x3B {
            if b[i] == 0x28 { skipSpace(); continue }
            if b[i] != 0x22 { lead.append(b[i]) }
            i += 1
        }
        let value = String(decoding: lead, as: UTF8.self).trimmingMailWhitespace

        // Parameters, with RFC 2231 pieces gathered per base name.
        var order: [String] = []
        var plain: [String: String] = [:]
        var pieces: [String: [(index: Int, encoded: Bool, value: [UInt8])]] = [:]
        var all: [(name: String, value: String)] = []
        while i < n {
            while i < n, b[i] == 0x3B || b[i] == 0x20 || b[i] == 0x09 { i += 1 }
            skipSpace()
            if i >= n { break }
            var nameBytes: [UInt8] = []
            while i < n, b[i] != 0x3D, b[i] != 0x3B {
                if b[i] != 0x20 && b[i] != 0x09 && b[i] != 0x22 { nameBytes.append(b[i].asciiLowercased) }
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
                    defects.append(MailDefect(.parameter, "unterminated quoted value of parameter \(String(decoding: nameBytes, as: UTF8.self)); read to the end"))
                }
                // Anything after the closing quote up to `;` is junk.
                while i < n, b[i] != 0x3B { i += 1 }
            } else {
                while i < n, b[i] != 0x3B {
                    if b[i] == 0x28 { skipSpace(); continue }
                    raw.append(b[i])
                    i += 1
                }
                while let last = raw.last, last == 0x20 || last == 0x09 { raw.removeLast() }
            }
            let name = String(decoding: nameBytes, as: UTF8.self)
            // RFC 2231: name*, name*0, name*0*, name*1 ...
            if let star = nameBytes.firstIndex(of: 0x2A) {
                let base = String(decoding: nameBytes[..<star], as: UTF8.self)
                let rest = Array(nameBytes[(star + 1)...])
                var index = 0
                var encoded = false
                if rest.isEmpty {
                    encoded = true
                } else {
                    var digits = rest
                    if digits.last == 0x2A { encoded = true; digits.removeLast() }
                    if let v = Int(String(decoding: digits, as: UTF8.self)), v >= 0, v < 10_000 { index = v }
                    else {
                        defects.append(MailDefect(.parameter, "parameter name \(name) is not valid RFC 2231; read as \(base)"))
                    }
                }
                if !order.contains(base) { order.append(base) }
                pieces[base, default: []].append((index, encoded, raw))
            } else {
                var text = String(decoding: raw, as: UTF8.self)
                if raw.count > 7, raw.contains(0x3F) {
                    let decoded = EncodedWords.decode(text)
                    text = decoded.text
                    defects += decoded.defects
                }
                if plain[name] == nil {
                    plain[name] = text
                    if !order.contains(name) { order.append(name) }
                } else {
                    all.append((name, text))  // a duplicate: kept after the first
                }
            }
        }

        var parameters: [(name: String, value: String)] = []
        for name in order {
            if var list = pieces[name] {
                list.sort { $0.index < $1.index }
                var charset: String? = nil
                var bytes: [UInt8] = []
                for (k, piece) in list.enumerated() {
                    var v = piece.value
                    if piece.encoded {
                        if k == 0 {
                            // charset'language'value
                            let quotes = v.indices.filter { v[$0] == 0x27 }
                            if quotes.count >= 2 {
                                let cs = String(decoding: v[..<quotes[0]], as: UTF8.self)
                                charset = cs.isEmpty ? nil : cs
                                v = Array(v[(quotes[1] + 1)...])
                            }
                        }
                        bytes += percentDecoded(v)
                    } else {
                        bytes += v
                    }
                    if k > 0, list[k - 1].index + 1 != piece.index {
                        defects.append(MailDefect(.parameter, "RFC 2231 parameter \(name) has missing or repeated pieces; joined in order"))
                    }
                }
                var decoded = Charset.decode(bytes, label: charset ?? "utf-8")
                if decoded.text.utf8.contains(0x3D), decoded.text.utf8.contains(0x3F) {
                    let again = EncodedWords.decode(decoded.text)
                    decoded.text = again.text
                }
                defects += decoded.defects.map { MailDefect(.parameter, "parameter \(name): \($0.detail)") }
                parameters.append((name, decoded.text))
            } else if let v = plain[name] {
                parameters.append((name, v))
            }
        }
        parameters += all
        return ParameterizedValue(value: value, parameters: parameters, defects: defects)
    }

    private static func percentDecoded(_ v: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(v.count)
        var k = 0
        while k < v.count {
            if v[k] == 0x25, k + 2 < v.count, let h = v[k + 1].hexDigitValue, let l = v[k + 2].hexDigitValue {
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
