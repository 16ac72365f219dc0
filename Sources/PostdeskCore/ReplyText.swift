/// Separates the new text of a reply from the history it quotes and from a message it forwards.
///
/// Every line the sender wrote is new text, in order; each block of quoted history is folded away into `quoted`:
/// a run of `>` lines with the attribution that introduces it (`On … wrote:` and its translations, date-first
/// forms, wrapped over up to three lines), and Outlook's unquoted history (`-----Original Message-----`, a
/// `From: … Sent: …` header block in its localized languages, also with `Date:` first) from its first line to the
/// end when the sender wrote above it. A block cut from before more new text leaves one marker line, `cutMarker`
/// (`[…]`), so interleaved answers read in order; a block at the end leaves nothing. Signatures stay in the new text.
///
/// A forward is content, never history: from its separator (`---------- Forwarded message ---------` and its
/// translations, `Begin forwarded message:` and its translations, or Outlook's separator or header block when
/// nothing is written above it) to the end, it is `forwarded`. `thread` is what the thread shows: the new text,
/// then the forwarded message. A mail that is only a quote is kept whole: nothing the sender wrote is hidden.
public enum ReplyText {
    public struct Split: Sendable, Hashable {
        /// What the sender wrote, with `cutMarker` lines where quoted history was folded away before more text.
        public var new: String
        /// The quoted history, block after block (an empty line between blocks), or nil when there is none.
        public var quoted: String?
        /// The forwarded message, from its separator line on, or nil when the mail forwards none.
        public var forwarded: String? = nil

        /// The text the thread and the agents' notice show: the new text, then the forwarded message (under a
        /// `---------- Forwarded message ----------` line when it opens with Outlook's header block, which has no
        /// separator line of its own).
        public var thread: String {
            guard let forwarded else { return new }
            let lines = forwarded.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { Substring($0) }
            let body = ReplyText.isOutlookHeaderBlock(lines, 0) ? ReplyText.forwardHeading + "\n" + forwarded : forwarded
            return new.isEmpty ? body : new + "\n\n" + body
        }

        /// Adds a forwarded message (an attached one, `ReplyText.attachedForward`) after any forwarded text.
        public mutating func addForwarded(_ block: String) {
            forwarded = forwarded.map { $0 + "\n\n" + block } ?? block
        }
    }

    /// A message attached as `message/rfc822` (a "forward as attachment"), as the thread shows it: under the
    /// forward heading, its From, Date and Subject, then its text.
    public static func attachedForward(from: String?, date: String?, subject: String?, text: String) -> String {
        var lines = [forwardHeading]
        if let from { lines.append("From: \(from)") }
        if let date { lines.append("Date: \(date)") }
        if let subject { lines.append("Subject: \(subject)") }
        return (lines + ["", text.trimmingTrailingBlankLines]).joined(separator: "\n")
    }

    /// The line left in the new text where a block of quoted history was cut out before more new text.
    public static let cutMarker = "[…]"
    /// The heading `thread` puts above a forwarded Outlook header block.
    public static let forwardHeading = "---------- Forwarded message ----------"

    public static func split(_ text: String) -> Split {
        // Lines as slices of the text (split on the LF byte: no per-character work, no copies).
        let lines = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { Substring($0) }
        var forward = forwardStart(lines)
        let end = forward ?? lines.count
        // The blocks of history, as ranges of lines, in order.
        var blocks: [Range<Int>] = []
        var i = 0
        while i < end {
            guard let first = lines[i].utf8.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { i += 1; continue }
            if first == 0x3E {
                let last = quoteRunEnd(lines, from: i, before: end)
                blocks.append(i..<(last + 1))
                i = last + 1
                continue
            }
            let lastByte = lines[i].utf8.last(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) ?? first
            if (lastByte == 0x3A || lastByte == 0x9A), isAttribution(lines, i), let q = nextNonBlank(lines, after: i, before: end),
               lines[q].utf8.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) == 0x3E {
                // The attribution may have started one or two lines up (wrapped); never inside an earlier block.
                let start = max(attributionStart(lines, i), blocks.last?.upperBound ?? 0)
                let last = quoteRunEnd(lines, from: q, before: end)
                blocks.append(start..<(last + 1))
                i = last + 1
                continue
            }
            if first == 0x2D || first == 0x5F || first == 0x2A || first.isHeaderInitial,
               isOutlookSeparator(lines[i].trimmingWhitespace) || isOutlookHeaderBlock(lines, i) {
                var covered = 0  // blocks are in order: walk them along the lines
                let textAbove = (0..<i).contains { k in
                    while covered < blocks.count, blocks[covered].upperBound <= k { covered += 1 }
                    return !isBlank(lines[k]) && !(covered < blocks.count && blocks[covered].contains(k))
                }
                if textAbove {
                    // Top-posted over Outlook's unquoted history: everything below is history, a forward in it too.
                    let last = (i..<lines.count).last { !isBlank(lines[$0]) } ?? i
                    blocks.append(i..<(last + 1))
                    forward = nil
                } else {
                    // Nothing written above it: a forward.
                    forward = i
                }
                break
            }
            i += 1
        }
        let forwarded = forward.map { f in lines[f...].joined(separator: "\n").trimmingTrailingBlankLines }
        let newEnd = forward ?? lines.count
        guard !blocks.isEmpty || forward != nil else { return Split(new: text, quoted: nil) }
        // The new text: every line outside the blocks; a block with new text after it leaves the marker.
        var lastText = -1  // the last non-blank line outside every block
        var inBlock = [Bool](repeating: false, count: newEnd)
        for r in blocks { for k in r where k < newEnd { inBlock[k] = true } }
        for k in 0..<newEnd where !inBlock[k] && !isBlank(lines[k]) { lastText = k }
        var newLines: [Substring] = []
        var k = 0
        var b = 0
        while k < newEnd {
            if b < blocks.count, blocks[b].lowerBound == k {
                let after = blocks[b].upperBound
                if after <= lastText { newLines.append(Substring(cutMarker)) }
                k = after
                b += 1
                continue
            }
            newLines.append(lines[k])
            k += 1
        }
        let hasNewText = newLines.contains { !isBlank($0) && $0 != Substring(cutMarker) }
        // Only a quote (no forward, nothing written): kept whole.
        if !hasNewText, forward == nil { return Split(new: text, quoted: nil) }
        let firstLine = newLines.firstIndex { !isBlank($0) } ?? newLines.count
        let lastLine = newLines.lastIndex { !isBlank($0) } ?? -1
        let new = hasNewText ? newLines[firstLine...lastLine].joined(separator: "\n") : ""
        let quoted = blocks.isEmpty ? nil
            : blocks.map { r in lines[r].joined(separator: "\n").trimmingTrailingBlankLines }.joined(separator: "\n\n")
        return Split(new: new, quoted: quoted, forwarded: forwarded)
    }

    static func isBlank(_ line: Substring) -> Bool {
        !line.utf8.contains { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }
    }

    static func nextNonBlank(_ lines: [Substring], after i: Int, before end: Int) -> Int? {
        ((i + 1)..<max(i + 1, end)).first { !isBlank(lines[$0]) }
    }

    /// The last `>` line of the run of quote lines starting at `i` (blank lines inside the run belong to it).
    static func quoteRunEnd(_ lines: [Substring], from i: Int, before end: Int) -> Int {
        var last = i
        var k = i + 1
        while k < end {
            guard let first = lines[k].utf8.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { k += 1; continue }
            if first != 0x3E { break }
            last = k
            k += 1
        }
        return last
    }

    /// The first forward separator line outside a quote: `---------- Forwarded message ---------` and its
    /// translations (any number of dashes), Apple Mail's `Begin forwarded message:` and its translations.
    static func forwardStart(_ lines: [Substring]) -> Int? {
        for (i, raw) in lines.enumerated() {
            guard let first = raw.utf8.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }), first != 0x3E else { continue }
            let last = raw.utf8.last(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) ?? first
            guard first == 0x2D || last == 0x3A else { continue }
            let line = raw.trimmingWhitespace.lowercased().trimmingTrailingCR
            if first == 0x2D {
                if line.hasPrefix("--"), line.hasSuffix("--"), forwardSeparatorWords.contains(line.dashCore) { return i }
            } else if forwardOpenings.contains(line) {
                return i
            }
        }
        return nil
    }

    /// The words between the dashes of a forward separator, lowercased.
    static let forwardSeparatorWords: Set<String> = [
        "forwarded message", "original message forwarded", "weitergeleitete nachricht", "message transféré", "message transfere",
        "mensaje reenviado", "messaggio inoltrato", "wiadomość przekazana dalej", "przekazana wiadomość", "przekazana wiadomosc",
        "mensagem encaminhada", "doorgestuurd bericht", "vidarebefordrat meddelande", "videresendt meddelelse", "videresendt besked",
        "videresendt melding", "пересылаемое сообщение", "пересланное сообщение", "переслане повідомлення", "thư đã chuyển tiếp",
        "tin nhắn đã chuyển tiếp", "přeposlaná zpráva", "välitetty viesti", "továbbított üzenet", "iletilen ileti", "转发的邮件",
        "轉寄的郵件", "転送メッセージ", "mesaj redirecționat", "missatge reenviat", "προωθημένο μήνυμα", "전달된 메시지",
    ]
    /// Apple Mail's (and others') line before a forwarded message, lowercased.
    static let forwardOpenings: Set<String> = [
        "begin forwarded message:", "anfang der weitergeleiteten nachricht:", "début du message réexpédié :",
        "début du message réexpédié:", "début du message transféré :", "inicio del mensaje reenviado:", "comienzo del mensaje reenviado:",
        "inizio messaggio inoltrato:", "początek przekazywanej wiadomości:", "begin doorgestuurd bericht:", "vidarebefordrat mejl:",
        "videresendt e-post:", "videresendt besked:", "videresendt meddelelse:", "начало переадресованного сообщения:",
        "início da mensagem reencaminhada:", "mensagem encaminhada:", "bắt đầu thư được chuyển tiếp:", "välitetty viesti alkaa:",
    ]

    /// `On Sun, 22 Nov 2026 … wrote:` and translations; the attribution may wrap over up to three lines.
    static let attributionStarts = ["on ", "el ", "am ", "le ", "il ", "w dniu ", "dnia ", "em ", "op ", "den ", "på ", "pe ", "vào ",
                                    "dne "]
    static let attributionVerbs = [
        "wrote", "escribió", "escribio", "schrieb", "a écrit", "a ecrit", "ha scritto", "scrisse", "pisze", "napisał", "napisała",
        "napisał(a)", "escreveu", "schreef", "skrev", "kirjoitti", "napsal", "napsala", "napísal", "írta", "yazdı", "a scris",
        "va escriure", "написал", "написала", "написал(а)", "написав", "написала(а)", "пишет", "писал", "пише", "έγραψε", "写道",
        "寫道", "が書きました", "님이 작성", "đã viết", "viết",
    ]

    static func isAttribution(_ lines: [Substring], _ i: Int) -> Bool {
        let line = lines[i].trimmingWhitespace.lowercased().trimmingTrailingCR
        guard line.hasSuffix(":") || line.hasSuffix("：") else { return false }
        if attributionVerbs.contains(where: { line.contains($0) }) { return true }
        // Gmail's attribution without a verb (Russian, Japanese: `вс, 22 нояб. 2026 г. в 09:12, Ana <ana@x.test>:`),
        // Yandex's and mail.ru's: a date, an address in angle brackets. The caller asks for a quote after it.
        // The date and the `<` may sit on the line before when it wrapped.
        var context = line
        if i > 0, !isBlank(lines[i - 1]) { context = lines[i - 1].lowercased() + " " + context }
        return context.contains("@") && context.contains("<") && context.contains(">")
            && context.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 })
    }

    /// Whether the next non-blank line after `i` is quoted with `>`.
    static func nextNonBlankIsQuote(_ lines: [Substring], _ i: Int) -> Bool {
        guard let k = nextNonBlank(lines, after: i, before: lines.count) else { return false }
        return lines[k].utf8.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) == 0x3E
    }

    /// The first line of the attribution that ends on line `i`: one or two lines up when it wrapped and the line
    /// up opens like an attribution (`On …`, a date, a name with `<address`), with no blank line between.
    static func attributionStart(_ lines: [Substring], _ i: Int) -> Int {
        let line = lines[i].trimmingWhitespace.lowercased()
        if attributionStarts.contains(where: { line.hasPrefix($0) }) { return i }
        var k = i
        var start = i
        while k > 0, i - k < 2 {
            let previous = lines[k - 1].trimmingWhitespace.lowercased().trimmingTrailingCR
            if isBlank(lines[k - 1]) || previous.hasPrefix(">") { break }
            if attributionStarts.contains(where: { previous.hasPrefix($0) }) { return k - 1 }
            // A date-first attribution wrapped: the line up holds a date or an address and ends no sentence.
            let datelike = previous.utf8.contains { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x40 }
            guard datelike, let end = previous.last, !".!?".contains(end) else { break }
            start = k - 1
            k -= 1
        }
        return start
    }

    /// The words between the dashes of Outlook's (and Zimbra's, Thunderbird's) separator before history, lowercased.
    static let originalMessageWords: Set<String> = [
        "original message", "ursprüngliche nachricht", "ursprüngliche mail", "mensaje original", "message d'origine",
        "message original", "messaggio originale", "oryginalna wiadomość", "wiadomość oryginalna", "mensagem original",
        "oorspronkelijk bericht", "originalbericht", "ursprungligt meddelande", "originalmeddelande", "oprindelig meddelelse",
        "opprinnelig melding", "original melding", "исходное сообщение", "оригинальное сообщение", "вихідне повідомлення",
        "původní zpráva", "alkuperäinen viesti", "eredeti üzenet", "orijinal ileti", "thư gốc", "tin nhắn gốc", "原始邮件", "原始郵件",
        "元のメッセージ", "αρχικό μήνυμα", "원본 메시지", "mesaj original",
    ]

    static func isOutlookSeparator(_ line: String) -> Bool {
        guard line.hasPrefix("---") else { return false }
        let l = line.lowercased().trimmingTrailingCR
        return l.hasSuffix("---") && originalMessageWords.contains(l.dashCore)
    }

    static let headerFroms = ["from:", "von:", "de:", "de :", "od:", "da:", "*from:*", "van:", "från:", "fra:", "от:", "від:",
                              "lähettäjä:", "feladó:", "kimden:", "từ:", "από:", "보낸 사람:", "发件人:", "发件人：", "寄件者:", "寄件者：",
                              "差出人:", "**from:**"]
    static let headerDates = ["sent:", "date:", "gesendet:", "datum:", "enviado:", "enviado el:", "enviada em:", "wysłano:",
                              "wysłane:", "data:", "envoyé :", "envoyé:", "date :", "inviato:", "*sent:*", "*date:*", "verzonden:",
                              "skickat:", "sendt:", "отправлено:", "дата:", "надіслано:", "lähetetty:", "elküldve:", "küldve:",
                              "gönderildi:", "tarih:", "odesláno:", "đã gửi:", "ngày:", "στάλθηκε:", "ημερομηνία:", "보낸 날짜:",
                              "发送时间:", "发送时间：", "日期:", "寄件日期:", "送信日時:", "fecha:", "**sent:**", "**date:**"]

    /// Outlook's header block before history: `From: …` followed within four lines by `Sent:`/`Date:` (and their
    /// translations), or a `Date:`/`Sent:` line followed within four lines by `From:`; a line of underscores may
    /// open it.
    static func isOutlookHeaderBlock(_ lines: [Substring], _ i: Int) -> Bool {
        guard i < lines.count else { return false }
        var i = i
        var line = lines[i].trimmingWhitespace.lowercased()
        if line.count >= 10, line.allSatisfy({ $0 == "_" || $0 == "\r" }), i + 1 < lines.count {
            i += 1
            line = lines[i].trimmingWhitespace.lowercased()
        }
        let firstIsFrom = headerFroms.contains(where: { line.hasPrefix($0) })
        let firstIsDate = !firstIsFrom && headerDates.contains(where: { line.hasPrefix($0) })
        guard firstIsFrom || firstIsDate else { return false }
        let wanted = firstIsFrom ? headerDates : headerFroms
        for k in (i + 1)..<min(lines.count, i + 5) {
            let next = lines[k].trimmingWhitespace.lowercased()
            if wanted.contains(where: { next.hasPrefix($0) }) { return true }
        }
        return false
    }
}

extension UInt8 {
    /// First bytes of the words that open a quoted reply header: From, Von, Van, Från, Fra, De, Od, Da, Feladó,
    /// Kimden, Lähettäjä, Từ, Sent, Date, Envoyé, Gesendet; От and Від (a Cyrillic lead byte); Από (a Greek lead byte);
    /// 发件人, 寄件者, 差出人 and 보낸 (a CJK or Hangul lead byte); Outlook's `*From:*` and a line of underscores.
    var isHeaderInitial: Bool {
        if self == 0xD0 || self == 0xCE || self == 0xE5 || self == 0xEB || self == 0x2A || self == 0x5F { return true }
        switch self | 0x20 {
        case 0x66, 0x76, 0x64, 0x6F, 0x6B, 0x6C, 0x74, 0x73, 0x65, 0x67: return true  // f v d o k l t s e g
        default: return false
        }
    }
}

extension String {
    var trimmingTrailingBlankLines: String {
        var lines = split(separator: "\n", omittingEmptySubsequences: false)
        while let last = lines.last, last.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    var trimmingTrailingCR: String {
        hasSuffix("\r") ? String(dropLast()) : self
    }

    /// The words between the dashes of a separator line (`---- Forwarded message ----` → `forwarded message`).
    var dashCore: String {
        let core = drop { $0 == "-" || $0 == " " }.reversed().drop { $0 == "-" || $0 == " " }.reversed()
        return String(core)
    }

    var trimmingWhitespaceAndNewlines: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
