/// RFC 2047 encoded words (`=?charset?B|Q?...?=`).
public enum EncodedWords {
    /// Decodes every encoded word in `text` (unstructured text such as Subject, or a display name / phrase).
    ///
    /// Lenient where mail is broken: words glued to other text or inside quotes are decoded too;
    /// whitespace between adjacent words is dropped; adjacent words in one charset are joined as bytes
    /// before decoding, so a character split across two words comes out whole. A malformed word is kept
    /// as written, with a defect.
    public static func decode(_ text: String) -> DecodedText {
        let utf8 = text.utf8
        guard utf8.count >= 8, containsEncodedWordStart(utf8) else { return DecodedText(text: stripLineBreaks(text)) }

        typealias Segment = EncodedWordsSegment
        let bytes = Array(utf8)
        let n = bytes.count
        var segments: [Segment] = []
        var defects: [MailDefect] = []
        var plain: [UInt8] = []
        var i = 0
        while i < n {
            if bytes[i] == 0x3D, i + 1 < n, bytes[i + 1] == 0x3F, let (word, end, defect) = parseWord(bytes, at: i) {
                if let defect { defects.append(defect) }
                if let word {
                    if !plain.isEmpty { segments.append(.text(plain)); plain = [] }
                    segments.append(word)
                    i = end
                    continue
                }
            }
            if bytes[i] != 0x0D && bytes[i] != 0x0A { plain.append(bytes[i]) }
            i += 1
        }
        if !plain.isEmpty { segments.append(.text(plain)) }

        // Join: drop whitespace-only text between two words; merge same-charset neighbours.
        var out = ""
        var pending: (charset: String, bytes: [UInt8])? = nil
        func flush() {
            if let p = pending {
                let d = Charset.decode(p.bytes, label: p.charset)
                out += d.text
                defects += d.defects.map { MailDefect(.encodedWord, "encoded word in \(p.charset): \($0.detail)") }
                pending = nil
            }
        }
        for (k, segment) in segments.enumerated() {
            switch segment {
            case .word(let charset, let wordBytes):
                if let p = pending, Charset.canonicalName(p.charset) == Charset.canonicalName(charset) {
                    pending!.bytes += wordBytes
                } else {
                    flush()
                    pending = (charset, wordBytes)
                }
            case .text(let t):
                let betweenWords = k > 0 && k + 1 < segments.count
                    && { if case .word = segments[k - 1] { return true }; return false }()
                    && { if case .word = segments[k + 1] { return true }; return false }()
                if betweenWords && t.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                flush()
                out += String(decoding: t, as: UTF8.self)
            }
        }
        flush()
        return DecodedText(text: out, defects: defects)
    }

    private static func containsEncodedWordStart(_ utf8: String.UTF8View) -> Bool {
        var previous: UInt8 = 0
        for b in utf8 {
            if previous == 0x3D && b == 0x3F { return true }
            previous = b
        }
        return false
    }

    private static func stripLineBreaks(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) else { return s }
        return String(decoding: s.utf8.filter { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
    }

    /// Parses `=?charset?X?text?=` at `start`. Returns nil when it is not an encoded word at all
    /// (then the bytes are ordinary text); a word with a defect when it is malformed but readable.
    private static func parseWord(_ b: [UInt8], at start: Int) -> (word: EncodedWordsSegment?, end: Int, defect: MailDefect?)? {
        let n = b.count
        var i = start + 2
        let charsetStart = i
        while i < n, b[i] != 0x3F {
            // Charset tokens have no spaces or specials; bail out early on obvious non-words.
            if b[i] <= 0x20 || b[i] == 0x3D || b[i] >= 0x7F { return nil }
            i += 1
        }
        guard i < n, i > charsetStart, i + 2 < n, b[i + 2] == 0x3F else { return nil }
        let charset = String(decoding: b[charsetStart..<i], as: UTF8.self)
        let encoding = b[i + 1] | 0x20
        let textStart = i + 3
        // The word ends at the first `?=` after the text starts.
        var j = textStart
        while j + 1 < n, !(b[j] == 0x3F && b[j + 1] == 0x3D) { j += 1 }
        guard j + 1 < n else {
            return (nil, start + 2, MailDefect(.encodedWord, "unterminated encoded word \"\(String(decoding: b[start..<min(n, start + 40)], as: UTF8.self))\"; kept as written"))
        }
        let payload = b[textStart..<j]
        let end = j + 2
        switch encoding {
        case 0x62:  // b
            let (decoded, d) = payload.withUnsafeBufferPointer { TransferDecoder.base64($0) }
            let defect = d.isEmpty ? nil : MailDefect(.encodedWord, "malformed base64 in encoded word; decoded leniently")
            return (.word(charset: charset, bytes: decoded), end, defect)
        case 0x71:  // q
            var out: [UInt8] = []
            out.reserveCapacity(payload.count)
            var k = payload.startIndex
            var bad = false
            while k < payload.endIndex {
                let c = payload[k]
                if c == 0x5F {
                    out.append(0x20)
                } else if c == 0x3D, k + 2 < payload.endIndex, let h = payload[k + 1].hexDigitValue, let l = payload[k + 2].hexDigitValue {
                    out.append(h << 4 | l)
                    k += 2
                } else {
                    if c == 0x3D { bad = true }
                    out.append(c)
                }
                k += 1
            }
            let defect = bad ? MailDefect(.encodedWord, "bad \"=\" escape in Q encoded word; kept literally") : nil
            return (.word(charset: charset, bytes: out), end, defect)
        default:
            return (nil, start + 2, MailDefect(.encodedWord, "encoded word with unknown encoding \"\(String(UnicodeScalar(b[i + 1])))\"; kept as written"))
        }
    }
}

/// One piece of a header value being decoded.
enum EncodedWordsSegment {
    case text([UInt8])
    case word(charset: String, bytes: [UInt8])
}
