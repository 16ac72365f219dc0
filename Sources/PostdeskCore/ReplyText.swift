/// Separates the new text of a reply from the history it quotes.
///
/// Looks for the first quote marker after some new text: an attribution line (`On … wrote:` and its
/// translations), an Outlook separator (`-----Original Message-----`, `From: … Sent: …` headers, a line of
/// underscores before `From:`), or a trailing block of `>` lines. Everything from the marker on is the quoted
/// history; the thread shows the new text. Mail that is only a quote, or has no marker, is kept whole, and so is
/// mail with new text after its quote (bottom-posted or interleaved answers): nothing the sender wrote is hidden.
/// A forward (`---------- Forwarded message ---------`, `Begin forwarded message:`) is history too, and is also
/// given as `forwarded`, so that it can be shown as a forwarded message rather than as a quote.
public enum ReplyText {
    public struct Split: Sendable, Hashable {
        public var new: String
        public var quoted: String?
        /// The forwarded message, from its separator line on, when the mail forwards one. With text before the
        /// separator it is also `quoted`; a forward with nothing written before it stays whole in `new`.
        public var forwarded: String? = nil
    }

    public static func split(_ text: String) -> Split {
        // Lines as slices of the text (split on the LF byte: no per-character work, no copies).
        let lines = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { Substring($0) }
        let cut = quoteStart(lines)
        if let forward = forwardStart(lines), cut == nil || forward <= cut! {
            let forwarded = lines[forward...].joined(separator: "\n")
            let new = lines[..<forward].joined(separator: "\n").trimmingTrailingBlankLines
            if new.trimmingWhitespaceAndNewlines.isEmpty { return Split(new: text, quoted: nil, forwarded: forwarded) }
            return Split(new: new, quoted: forwarded, forwarded: forwarded)
        }
        guard let cut else { return Split(new: text, quoted: nil) }
        let new = lines[..<cut].joined(separator: "\n").trimmingTrailingBlankLines
        if new.trimmingWhitespaceAndNewlines.isEmpty { return Split(new: text, quoted: nil) }
        let marker = String(lines[cut]).trimmingWhitespace
        if !isOutlookSeparator(marker), !isOutlookHeaderBlock(lines, cut), hasTextAfterQuote(lines, from: cut) {
            return Split(new: text, quoted: nil)
        }
        let quoted = lines[cut...].joined(separator: "\n")
        return Split(new: new, quoted: quoted)
    }

    /// Whether unquoted text follows the `>` block that starts at an attribution or quote line `cut` (an answer
    /// written below the quote). Outlook's history is unquoted, so it is not looked at.
    static func hasTextAfterQuote(_ lines: [Substring], from cut: Int) -> Bool {
        var i = cut
        var attributionLines = 0
        // The attribution (one or two lines, maybe blank lines) that opens the quote.
        while i < lines.count {
            guard let first = lines[i].utf8.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { i += 1; continue }
            if first == 0x3E { break }
            attributionLines += 1
            if attributionLines > 2 { return true }
            i += 1
        }
        guard i < lines.count else { return false }
        for line in lines[i...] {
            guard let first = line.utf8.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            if first != 0x3E { return true }
        }
        return false
    }

    /// The first forward separator line: `---------- Forwarded message ---------` and its translations (any number
    /// of dashes), Apple Mail's `Begin forwarded message:`.
    static func forwardStart(_ lines: [Substring]) -> Int? {
        let dashed = ["forwarded message", "weitergeleitete nachricht", "message transféré", "mensaje reenviado",
                      "messaggio inoltrato", "wiadomość przekazana dalej", "przekazana wiadomość", "mensagem encaminhada",
                      "doorgestuurd bericht", "vidarebefordrat meddelande", "videresendt meddelelse", "videresendt melding"]
        let opening = ["begin forwarded message:", "anfang der weitergeleiteten nachricht:", "début du message réexpédié :",
                       "début du message réexpédié:", "inicio del mensaje reenviado:", "inizio messaggio inoltrato:",
                       "początek przekazywanej wiadomości:"]
        for (i, raw) in lines.enumerated() {
            guard let first = raw.utf8.first(where: { $0 != 0x20 && $0 != 0x09 }), first == 0x2D || first == 0x42 || first == 0x62
                || first == 0x41 || first == 0x61 || first == 0x44 || first == 0x64 || first == 0x49 || first == 0x69 || first == 0x50
                || first == 0x70 || first >= 0x80
            else { continue }
            let line = String(raw).trimmingWhitespace.lowercased()
            if first == 0x2D {
                let core = line.drop { $0 == "-" || $0 == " " }.reversed().drop { $0 == "-" || $0 == " " }.reversed()
                let word = String(core)
                if line.hasPrefix("--"), line.hasSuffix("--"), dashed.contains(word) { return i }
            } else if opening.contains(line) {
                return i
            }
        }
        return nil
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
            } else if last == 0x3A || last == 0x9A || first == 0x2D || first == 0x5F || first == 0x2A || first.isHeaderInitial {
                let line = String(raw).trimmingWhitespace
                if (last == 0x3A || last == 0x9A) && isAttribution(lines, i) { marker = attributionStart(lines, i) }
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
    static let attributionStarts = ["on ", "el ", "am ", "le ", "il ", "w dniu ", "dnia ", "em ", "op ", "den ", "på ", "pe "]
    static let attributionVerbs = [
        "wrote", "escribió", "schrieb", "a écrit", "ha scritto", "scrisse", "pisze", "napisał", "napisała", "napisał(a)",
        "escreveu", "schreef", "skrev", "kirjoitti", "napsal", "napsala", "napísal", "írta", "yazdı", "a scris", "va escriure",
        "написал", "написала", "написал(а)", "написав", "написала(а)", "έγραψε", "写道", "寫道", "が書きました", "님이 작성",
    ]

    static func isAttribution(_ lines: [Substring], _ i: Int) -> Bool {
        let line = lines[i].trimmingWhitespace.lowercased()
        guard line.hasSuffix(":") || line.hasSuffix(": ") || line.hasSuffix("：") else { return false }
        let starts = attributionStarts
        if attributionVerbs.contains(where: { line.contains($0) }) {
            if starts.contains(where: { line.hasPrefix($0) }) { return true }
            // The attribution wrapped: the line before starts it.
            if i > 0 {
                let previous = lines[i - 1].trimmingWhitespace.lowercased()
                if starts.contains(where: { previous.hasPrefix($0) }) { return true }
            }
            // Languages whose attribution opens with the date or the name (Russian, Czech, Finnish, Chinese,
            // Japanese, ...): it must be followed by a quote.
            return nextNonBlankIsQuote(lines, i)
        }
        // Gmail's attribution without a verb (Russian, Japanese: `вс, 22 нояб. 2026 г. в 09:12, Ana <ana@x.test>:`):
        // a date, an address in angle brackets, then a quote.
        if line.contains("@"), line.contains("<"), line.contains(">"), line.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) {
            return nextNonBlankIsQuote(lines, i)
        }
        return false
    }

    /// Whether the next non-blank line after `i` is quoted with `>`.
    static func nextNonBlankIsQuote(_ lines: [Substring], _ i: Int) -> Bool {
        for line in lines[(i + 1)...] {
            guard let first = line.utf8.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            return first == 0x3E
        }
        return false
    }

    static func attributionStart(_ lines: [Substring], _ i: Int) -> Int {
        let line = lines[i].trimmingWhitespace.lowercased()
        let starts = attributionStarts
        guard !starts.contains(where: { line.hasPrefix($0) }), i > 0 else { return i }
        // The line before starts a wrapped attribution only when it opens like one.
        let previous = lines[i - 1].trimmingWhitespace.lowercased()
        return starts.contains(where: { previous.hasPrefix($0) }) ? i - 1 : i
    }

    static func isOutlookSeparator(_ line: String) -> Bool {
        let l = line.lowercased()
        let separators = ["-----original message-----", "-----ursprüngliche nachricht-----", "-----mensaje original-----",
                          "-----message d'origine-----", "-----messaggio originale-----", "-----oryginalna wiadomość-----",
                          "----- original message -----", "-------- original message --------"]
        return separators.contains(where: { l.hasPrefix($0) })
    }

    /// `From: …` followed within three lines by `Sent:`/`Date:` (and their translations): Outlook's reply header.
    static func isOutlookHeaderBlock(_ lines: [Substring], _ i: Int) -> Bool {
        var line = lines[i].trimmingWhitespace.lowercased()
        if line.allSatisfy({ $0 == "_" }) && line.count >= 10, i + 1 < lines.count {
            line = lines[i + 1].trimmingWhitespace.lowercased()
        }
        let froms = ["from:", "von:", "de:", "od:", "da:", "*from:*", "van:", "från:", "fra:", "от:", "від:", "lähettäjä:",
                     "feladó:", "kimden:", "发件人:", "发件人：", "寄件者:", "寄件者：", "差出人:"]
        guard froms.contains(where: { line.hasPrefix($0) }) else { return false }
        let dates = ["sent:", "date:", "gesendet:", "enviado:", "wysłano:", "envoyé :", "envoyé:", "inviato:", "data:", "datum:", "*sent:*",
                     "verzonden:", "skickat:", "sendt:", "отправлено:", "дата:", "надіслано:", "lähetetty:", "elküldve:", "küldve:",
                     "gönderildi:", "tarih:", "odesláno:", "发送时间:", "发送时间：", "日期:", "寄件日期:", "送信日時:"]
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
    /// First bytes of the words that open a quoted reply header: From, Von, Van, Från, Fra, De, Od, Da, Feladó,
    /// Kimden, Lähettäjä; От and Від (a Cyrillic lead byte); 发件人, 寄件者 and 差出人 (a CJK lead byte).
    var isHeaderInitial: Bool {
        if self == 0xD0 || self == 0xE5 { return true }
        switch self | 0x20 {
        case 0x66, 0x76, 0x64, 0x6F, 0x6B, 0x6C: return true  // f v d o k l
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
