/// Separates the new text of a reply from the history it quotes.
///
/// Looks for the first quote marker after some new text: an attribution line (`On … wrote:` and its
/// translations), an Outlook separator (`-----Original Message-----`, `From: … Sent: …` headers, a line of
/// underscores before `From:`), or a trailing block of `>` lines. Everything from the marker on is the quoted
/// history; the thread shows the new text. Mail that is only a quote, or has no marker, is kept whole.
public enum ReplyText {
    public struct Split: Sendable, Hashable {
        public var new: String
        public var quoted: String?
    }

    public static func split(_ text: String) -> Split {
        // Lines as slices of the text (split on the LF byte: no per-character work, no copies).
        let lines = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { Substring($0) }
        guard let cut = quoteStart(lines) else { return Split(new: text, quoted: nil) }
        let new = lines[..<cut].joined(separator: "\n").trimmingTrailingBlankLines
        let quoted = lines[cut...].joined(separator: "\n")
        if new.trimmingWhitespaceAndNewlines.isEmpty { return Split(new: text, quoted: nil) }
        return Split(new: new, quoted: quoted)
    }

    static func quoteStart(_ lines: [Substring]) -> Int? {
        var sawText = false
        for (i, raw) in lines.enumerated() {
            guard let first = raw.utf8.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            let last = raw.utf8.last(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) ?? first
            // Cheap filters on bytes before any string work: a marker line is a quote (`>`), ends in `:` (an
            // attribution), starts with `-` or `_` (a separator), or starts a `From:`-like header word.
            var marker: Int? = nil
            if first == 0x3E {
                if restIsQuote(lines, from: i) { marker = i }
            } else if last == 0x3A || first == 0x2D || first == 0x5F || first == 0x2A || first.isHeaderInitial {
                let line = String(raw).trimmingWhitespace
                if last == 0x3A && isAttribution(lines, i) { marker = attributionStart(lines, i) }
                else if isOutlookSeparator(line) || isOutlookHeaderBlock(lines, i) { marker = i }
            }
            if let marker {
                if sawText { return marker }
                continue  // a marker before any new text is not new text
            }
            if first != 0x3E { sawText = true }
        }
        return nil
    }

    /// `On Sun, 22 Nov 2026 … wrote:` and translations; the attribution may wrap over two lines.
    static func isAttribution(_ lines: [Substring], _ i: Int) -> Bool {
        let line = lines[i].trimmingWhitespace.lowercased()
        guard line.hasSuffix(":") || line.hasSuffix(": ") else { return false }
        let starts = ["on ", "el ", "am ", "le ", "il ", "w dniu ", "dnia ", "em ", "op ", "den "]
        let verbs = ["wrote", "escribió", "schrieb", "a écrit", "ha scritto", "scrisse", "pisze", "napisał", "napisała",
                     "napisał(a)", "escreveu", "schreef", "skrev"]
        if verbs.contains(where: { line.contains($0) }) {
            if starts.contains(where: { line.hasPrefix($0) }) { return true }
            // The attribution wrapped: the line before starts it.
            if i > 0 {
                let previous = lines[i - 1].trimmingWhitespace.lowercased()
                return starts.contains(where: { previous.hasPrefix($0) })
            }
        }
        return false
    }

    static func attributionStart(_ lines: [Substring], _ i: Int) -> Int {
        let line = lines[i].trimmingWhitespace.lowercased()
        let starts = ["on ", "el ", "am ", "le ", "il ", "w dniu ", "dnia ", "em ", "op ", "den "]
        if !starts.contains(where: { line.hasPrefix($0) }) && i > 0 { return i - 1 }
        return i
    }

    static func isOutlookSeparator(_ line: String) -> Bool {
        let l = line.lowercased()
        let separators = ["-----original message-----", "-----ursprüngliche nachricht-----", "-----mensaje original-----",
                          "-----message d'origine-----", "-----messaggio originale-----", "-----oryginalna wiadomość-----",
                          "----- original message -----", "-------- original message --------", "-------- forwarded message --------",
                          "---------- forwarded message ---------", "-------- weitergeleitete nachricht --------"]
        return separators.contains(where: { l.hasPrefix($0) })
    }

    /// `From: …` followed within three lines by `Sent:`/`Date:` (and their translations): Outlook's reply header.
    static func isOutlookHeaderBlock(_ lines: [Substring], _ i: Int) -> Bool {
        var line = lines[i].trimmingWhitespace.lowercased()
        if line.allSatisfy({ $0 == "_" }) && line.count >= 10, i + 1 < lines.count {
            line = lines[i + 1].trimmingWhitespace.lowercased()
        }
        let froms = ["from:", "von:", "de:", "od:", "da:", "*from:*"]
        guard froms.contains(where: { line.hasPrefix($0) }) else { return false }
        let dates = ["sent:", "date:", "gesendet:", "enviado:", "wysłano:", "envoyé :", "envoyé:", "inviato:", "data:", "datum:", "*sent:*"]
        for k in (i + 1)..<min(lines.count, i + 5) {
            let next = lines[k].trimmingWhitespace.lowercased()
            if dates.contains(where: { next.hasPrefix($0) }) { return true }
        }
        return false
    }

    /// Whether every non-blank line from `i` on is quoted (a trailing quote block).
    static func restIsQuote(_ lines: [Substring], from i: Int) -> Bool {
        var quoted = 0
        for line in lines[i...] {
            guard let first = line.utf8.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            if first != 0x3E { return false }
            quoted += 1
        }
        return quoted > 0
    }
}

extension UInt8 {
    /// First letters of the words that open a quoted reply header: From, Von, De, Od, Da.
    var isHeaderInitial: Bool {
        switch self | 0x20 {
        case 0x66, 0x76, 0x64, 0x6F: return true  // f v d o
        default: return false
        }
    }
}

extension String {
    var trimmingTrailingBlankLines: String {
        var lines = split(separator: "\n", omittingEmptySubsequences: false)
        while let last = lines.last, last.allSatisfy({ $0 == " " || $0 == "\t" }) { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    var trimmingWhitespaceAndNewlines: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
