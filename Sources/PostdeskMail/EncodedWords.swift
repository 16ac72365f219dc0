/// RFC 2047 encoded words (`=?charset?B|Q?...?=`).
public enum EncodedWords {
    /// Decodes every encoded word in `text` (unstructured text such as Subject, or a display name / phrase).
    ///
    /// Lenient where mail is broken: words glued to other text or inside quotes are decoded too;
    /// whitespace between adjacent words is dropped; adjacent words in one charset are joined as bytes
    /// before decoding, so a character split across two words comes out whole. A malformed word is kept
    /// as written, with a defect. CR and LF left over from folding are removed.
    public static func decode(_ text: String) -> DecodedText {
        let utf8 = text.utf8
        guard utf8.count >= 8, containsEncodedWordStart(utf8) else { return DecodedText(text: stripLineBreaks(text)) }
        var input = text
        return input.withUTF8 { decode(bytes: $0) }
    }

    /// Whether `text` holds something that may be an encoded word (`=?`), i.e. whether `decode` can change
    /// more than line breaks.
    public static func mayContainEncodedWords(_ text: String) -> Bool {
        text.utf8.count >= 8 && containsEncodedWordStart(text.utf8)
    }

    private static func decode(bytes b: UnsafeBufferPointer<UInt8>) -> DecodedText {
        let n = b.count
        var segments: [EncodedWordsSegment] = []
        var defects: [MailDefect] = []
        var plainStart = 0
        var plain: [UInt8] = []
        /// Once a search for `?=` ran to the end of the text, no later word can be terminated either.
        var noTerminatorFrom = Int.max
        var i = 0

        func takePlain(upTo end: Int) {
            if plainStart < end {
                for k in plainStart..<end where b[k] != 0x0D && b[k] != 0x0A { plain.append(b[k]) }
            }
        }

        while i + 1 < n {
            guard b[i] == 0x3D, b[i + 1] == 0x3F else { i += 1; continue }
            switch parseWord(b, at: i, noTerminatorFrom: &noTerminatorFrom) {
            case .notAWord:
                i += 2
            case .malformed(let defect):
                defects.append(defect)
                i += 2
            case .word(let charset, let bytes, let end, let defect):
                if let defect { defects.append(defect) }
                takePlain(upTo: i)
                if !plain.isEmpty { segments.append(.text(plain)); plain = [] }
                segments.append(.word(charset: charset, bytes: bytes))
                i = end
                plainStart = end
            }
        }
        takePlain(upTo: n)
        if !plain.isEmpty { segments.append(.text(plain)) }

        // Join: drop whitespace-only text between two words; merge same-charset neighbours as bytes.
        var out = ""
        out.reserveCapacity(n)
        var pendingCharset = ""
        var pendingName: String? = nil
        var pendingBytes: [UInt8] = []
        var pending = false
        func flush() {
            guard pending else { return }
            let d = Charset.decode(pendingBytes, label: pendingCharset)
            out += d.text
            defects += d.defects.map { MailDefect(.encodedWord, "encoded word in \(pendingCharset): \($0.detail)") }
            pending = false
            pendingBytes.removeAll(keepingCapacity: true)
        }
        for (k, segment) in segments.enumerated() {
            switch segment {
            case .word(let charset, let wordBytes):
                let name = Charset.canonicalName(charset)
                if pending, name == pendingName {
                    pendingBytes += wordBytes
                } else {
                    flush()
                    pending = true
                    pendingCharset = charset
                    pendingName = name
                    pendingBytes += wordBytes
                }
            case .text(let t):
                if k > 0, k + 1 < segments.count, segments[k - 1].isWord, segments[k + 1].isWord,
                   t.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    continue
                }
                flush()
                out += String(decoding: t, as: UTF8.self)
            }
        }
        flush()
        return DecodedText(text: out, defects: defects)
    }

    private static func containsEncodedWordStart(_ utf8: String.UTF8View) -> Bool {
        if let found = utf8.withContiguousStorageIfAvailable({ buffer -> Bool in
            var previous: UInt8 = 0
            for b in buffer {
                if previous == 0x3D && b == 0x3F { return true }
                previous = b
            }
            return false
        }) { return found }
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

    private enum Parsed {
        case notAWord
        case malformed(MailDefect)
        case word(charset: String, bytes: [UInt8], end: Int, defect: MailDefect?)
    }

    /// The longest charset (with an RFC 2231 language) taken as one.
    private static let maxCharsetLength = 64

    /// Where the charset of a word starting at `start` (`=?`) ends (at its `?`), when `start` begins
    /// `=?charset?X?`; nil otherwise.
    private static func charsetEnd(_ b: UnsafeBufferPointer<UInt8>, wordAt start: Int) -> Int? {
        let n = b.count
        var i = start + 2
        let limit = min(n, i + maxCharsetLength)
        while i < limit, b[i] != 0x3F {
            // Charset tokens have no spaces or specials; bail out early on obvious non-words.
            let c = b[i]
            if c <= 0x20 || c == 0x3D || c >= 0x7F || c == 0x22 || c == 0x28 || c == 0x29 || c == 0x3C || c == 0x3E { return nil }
            i += 1
        }
        guard i < n, b[i] == 0x3F, i > start + 2, i + 2 < n, b[i + 2] == 0x3F, b[i + 1].isASCIILetter else { return nil }
        return i
    }

    /// Parses `=?charset?X?text?=` at `start`.
    private static func parseWord(_ b: UnsafeBufferPointer<UInt8>, at start: Int, noTerminatorFrom: inout Int) -> Parsed {
        let n = b.count
        guard let i = charsetEnd(b, wordAt: start) else { return .notAWord }
        let charset = String(decoding: UnsafeBufferPointer(rebasing: b[(start + 2)..<i]), as: UTF8.self)
        let encoding = b[i + 1] | 0x20
        let textStart = i + 3
        func excerpt() -> String { String(decoding: UnsafeBufferPointer(rebasing: b[start..<min(n, start + 40)]), as: UTF8.self) }

        // The word ends at the first `?=` after its text starts; the start of another word first means
        // this one is unterminated.
        var j = textStart
        var terminated = false
        if textStart < noTerminatorFrom {
            while j + 1 < n {
                if b[j] == 0x3F && b[j + 1] == 0x3D { terminated = true; break }
                if b[j] == 0x3D && b[j + 1] == 0x3F && charsetEnd(b, wordAt: j) != nil { break }
                j += 1
            }
            if !terminated && j + 1 >= n { noTerminatorFrom = textStart }
        }
        guard terminated else {
            return .malformed(MailDefect(.encodedWord, "unterminated encoded word \"\(excerpt())\"; kept as written"))
        }
        let payload = UnsafeBufferPointer(rebasing: b[textStart..<j])
        let end = j + 2
        switch encoding {
        case 0x62:  // b
            if payload.isEmpty { return .word(charset: charset, bytes: [], end: end, defect: nil) }
            let (decoded, d) = TransferDecoder.base64(payload)
            let defect = d.isEmpty ? nil : MailDefect(.encodedWord, "malformed base64 in encoded word \"\(excerpt())\"; decoded leniently")
            return .word(charset: charset, bytes: decoded, end: end, defect: defect)
        case 0x71:  // q
            var out: [UInt8] = []
            out.reserveCapacity(payload.count)
            var k = 0
            let m = payload.count
            var bad = false
            while k < m {
                let c = payload[k]
                if c == 0x5F {
                    out.append(0x20)
                } else if c == 0x3D {
                    if k + 2 < m, let h = payload[k + 1].hexDigitValue, let l = payload[k + 2].hexDigitValue {
                        out.append(h << 4 | l)
                        k += 2
                    } else {
                        bad = true
                        out.append(c)
                    }
                } else if c != 0x0D && c != 0x0A {
                    out.append(c)
                }
                k += 1
            }
            let defect = bad ? MailDefect(.encodedWord, "bad \"=\" escape in Q encoded word \"\(excerpt())\"; kept literally") : nil
            return .word(charset: charset, bytes: out, end: end, defect: defect)
        default:
            return .malformed(MailDefect(.encodedWord, "encoded word with unknown encoding \"\(String(UnicodeScalar(b[i + 1])))\" (\"\(excerpt())\"); kept as written"))
        }
    }
}

/// One piece of a header value being decoded.
enum EncodedWordsSegment {
    case text([UInt8])
    case word(charset: String, bytes: [UInt8])

    var isWord: Bool {
        if case .word = self { return true }
        return false
    }
}
