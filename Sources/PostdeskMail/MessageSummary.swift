/// An attachment or inline part, as the helpdesk keeps it.
public struct AttachmentInfo: Sendable, Hashable {
    /// The sender's file name (decoded); data only, never used as a path. Nil when none was given.
    public var filename: String?
    /// `image/png`, ... (lower case).
    public var contentType: String
    /// Decoded size in bytes.
    public var size: Int
    /// SHA-256 of the decoded content, lower-case hex.
    public var sha256: String
    /// Whether the part is shown inline (Content-Disposition inline, or a resource of an HTML body).
    public var inline: Bool
    /// Content-ID without angle brackets, if any.
    public var contentID: String?
    /// Where the part sits in the tree (`1.2`).
    public var path: String
    /// The decoded content, when the summary was asked to keep it (ingestion stores it; `inspect` does not).
    public var data: [UInt8]? = nil
}

/// What a helpdesk reads from a message: the fields `postdesk inspect` prints.
public struct MessageSummary: Sendable {
    public var subject: String?
    /// The addresses of every From field, in order. With two or more From fields (a sign of forgery) the first
    /// field's address is the sender, and `fromFieldCount` and a defect say so, so that agents can be told.
    public var from: [MailAddress]
    /// How many From fields the message has (more than one is a sign of forgery).
    public var fromFieldCount: Int
    /// Addresses written malformed (`john smith@example.com`: a space in the local part), by field name. They are
    /// kept as written, never repaired into another address, and left out of `from`, `to`, `cc` and `replyTo`,
    /// so nothing writes to them or takes them for the sender.
    public var malformedAddresses: [(field: String, address: MailAddress)]
    public var to: [MailAddress]
    public var cc: [MailAddress]
    public var replyTo: [MailAddress]
    public var date: MailDate?
    public var messageID: String?
    public var inReplyTo: [String]
    public var references: [String]
    public var contentLanguage: String?
    /// Accept-Language (Outlook and others send it): the reader's preferred languages.
    public var acceptLanguage: String?
    /// Outlook's Thread-Index, to continue its conversation view.
    public var threadIndex: String?
    /// The best plain-text body: the text/plain alternative, else text converted from HTML.
    public var text: String
    /// The HTML body, when there is one.
    public var html: String?
    /// Whether `text` was converted from HTML because no plain text was sent.
    public var textFromHTML: Bool
    public var attachments: [AttachmentInfo]
    public var automatic: AutomaticVerdict?
    /// Structural defects plus those found reading the fields and bodies above.
    public var defects: [MailDefect]

    /// The longest subject kept (characters); a longer one is cut, with a defect.
    public static let maxSubjectCharacters = 1_000
    /// The longest display name kept (characters).
    public static let maxNameCharacters = 200

    /// Reads the summary of a parsed message. Decodes bodies and hashes attachments; with
    /// `keepingAttachmentData`, each attachment's decoded bytes stay in `AttachmentInfo.data`.
    public init(_ message: Message, keepingAttachmentData: Bool = false) {
        var defects = message.defects
        let headers = message.headers
        // 8-bit bytes in headers are most often in the charset of the first text part.
        let hint = Self.firstTextCharset(message.root)

        func headerText(_ name: String) -> String? {
            guard let field = headers[name] else { return nil }
            let decoded = field.text(fallbackCharset: hint)
            defects += decoded.defects
            return decoded.text
        }
        // What a sender wrote in a header becomes one line of text without control characters (CR, LF and NUL
        // included, also when they came from an encoded word), of a readable length: it is shown in lists,
        // stored, and echoed in the mail Postdesk sends.
        func oneLine(_ name: String, _ text: String, max: Int) -> String {
            let (clean, changed) = Self.oneLine(text)
            if changed { defects.append(MailDefect(.headerSyntax, "\(name): control characters or line breaks removed")) }
            let (cut, wasCut) = Self.cut(clean, characters: max)
            if wasCut { defects.append(MailDefect(.limit, "\(name): \(clean.count) characters long; cut to \(max)")) }
            return cut
        }
        var malformed: [(field: String, address: MailAddress)] = []
        func addresses(_ name: String) -> [MailAddress] {
            var result: [MailAddress] = []
            for field in headers.all(name) {
                let decoded = field.text(fallbackCharset: hint)
                defects += decoded.defects
                let (list, d) = AddressParser.parseList(decoded.text)
                defects += d.map { MailDefect($0.kind, "\(name): \($0.detail)") }
                for var a in list {
                    // An address with control characters (a NUL, an encoded line break) is no address to write to.
                    if a.hasControlCharacters {
                        defects.append(MailDefect(.address, "\(name): an address with control characters; skipped"))
                        continue
                    }
                    if a.isMalformed {
                        a.name = a.name.map { oneLine("\(name) display name", $0, max: Self.maxNameCharacters) }
                        malformed.append((name, a))
                        continue
                    }
                    a.name = a.name.map { oneLine("\(name) display name", $0, max: Self.maxNameCharacters) }
                    if a.name?.isEmpty == true { a.name = nil }
                    result.append(a)
                }
            }
            return result
        }
        func ids(_ name: String) -> [String] {
            guard let value = headerText(name) else { return [] }
            let (list, d) = MessageIDParser.parseList(value)
            defects += d.map { MailDefect($0.kind, "\(name): \($0.detail)") }
            let clean = list.filter { !$0.unicodeScalars.contains(where: { Self.isControl($0) || $0 == " " }) }
            if clean.count < list.count {
                defects.append(MailDefect(.messageID, "\(name): \(list.count - clean.count) id(s) with control characters or spaces; skipped"))
            }
            return clean
        }

        if let raw = headerText("Subject") {
            let decoded = EncodedWords.decode(raw)
            defects += decoded.defects.map { MailDefect($0.kind, "Subject: \($0.detail)") }
            subject = oneLine("Subject", decoded.text, max: Self.maxSubjectCharacters).trimmingMailWhitespace
        } else {
            subject = nil
        }
        from = addresses("From")
        fromFieldCount = headers.all("From").count
        if fromFieldCount > 1 {
            let first = from.first?.address ?? "no address"
            defects.append(MailDefect(.address, "\(fromFieldCount) From fields (a sign of forgery): the first usable address (\(first)) is the sender; all are listed"))
        }
        to = addresses("To")
        cc = addresses("Cc")
        replyTo = addresses("Reply-To")
        malformedAddresses = malformed
        if let raw = headerText("Date") {
            let (d, dd) = DateParser.parse(raw)
            date = d
            defects += dd.map { MailDefect($0.kind, "Date: \($0.detail)") }
        } else {
            date = nil
        }
        let mid = ids("Message-ID")
        messageID = mid.first
        inReplyTo = ids("In-Reply-To")
        references = ids("References")
        contentLanguage = headerText("Content-Language").map { oneLine("Content-Language", $0, max: 200) }
        acceptLanguage = headerText("Accept-Language").map { oneLine("Accept-Language", $0, max: 1_000) }
        threadIndex = headerText("Thread-Index")
            .map { oneLine("Thread-Index", $0, max: 1_000) }
            .flatMap { $0.split(separator: ",").first.map { $0.trimmingMailWhitespace } }
            .flatMap { $0.isEmpty ? nil : $0 }

        var collector = BodyCollector()
        collector.keepData = keepingAttachmentData
        collector.maxTextBytes = message.limits.maxTextBytes
        collector.collect(message.root, isRoot: true)
        defects += collector.defects
        let htmlBody = collector.html.isEmpty ? nil : collector.html.joined(separator: "\n")
        var omitted = 0
        (text, textFromHTML) = Self.shownText(collector.shown)
        if !collector.plain.isEmpty { omitted += collector.plainOmitted }
        if collector.shown.contains(where: \.isHTML) || (collector.plain.isEmpty && htmlBody != nil) { omitted += collector.htmlOmitted }
        if omitted > 0 {
            if !text.hasSuffix("\n") { text += "\n" }
            text += Self.textCutNote(limit: message.limits.maxTextBytes, omitted: omitted)
        }
        html = htmlBody
        attachments = collector.attachments
        automatic = AutomaticVerdict.judge(message)
        self.defects = defects
    }

    /// The text shown for the body parts in order: plain parts as they are, each run of HTML parts converted
    /// together (empty plain parts between them left out); and whether all of it came from HTML.
    static func shownText(_ pieces: [(text: String, isHTML: Bool)]) -> (String, Bool) {
        guard pieces.contains(where: \.isHTML) else { return (pieces.map(\.text).joined(separator: "\n"), false) }
        var out: [String] = []
        var htmlRun: [String] = []
        var allHTML = true
        var htmlHasWords = false
        func flushHTML() {
            guard !htmlRun.isEmpty else { return }
            let converted = HTMLText.plainText(fromHTML: htmlRun.joined(separator: "\n"))
            if !converted.isEmpty { htmlHasWords = true }
            out.append(converted)
            htmlRun = []
        }
        for piece in pieces {
            if piece.isHTML { htmlRun.append(piece.text); continue }
            if piece.text.allSatisfy(\.isWhitespace) { continue }
            allHTML = false
            flushHTML()
            out.append(piece.text)
        }
        flushHTML()
        // HTML parts without a word in them change nothing: the plain parts are the text, as they are.
        if !htmlHasWords, pieces.contains(where: { !$0.isHTML }) {
            return (pieces.filter { !$0.isHTML }.map(\.text).joined(separator: "\n"), false)
        }
        return (out.joined(separator: "\n"), allHTML)
    }

    // MARK: - Hostile text

    /// The line that ends a text cut at `ParseLimits.maxTextBytes`.
    static func textCutNote(limit: Int, omitted: Int) -> String {
        "[Postdesk: the text was cut after \(limit) bytes; \(omitted) more bytes of text are not shown here; the message is kept whole as received]\n"
    }

    /// C0 and C1 controls and DEL.
    static func isControl(_ u: Unicode.Scalar) -> Bool { u.value < 0x20 || (u.value >= 0x7F && u.value < 0xA0) }

    /// One line of header text: CR, LF, tab and the Unicode line separators become a space, other control
    /// characters (NUL, ESC, ...) go. Also says whether anything but a tab (common in folded fields) changed.
    static func oneLine(_ s: String) -> (String, Bool) {
        guard s.unicodeScalars.contains(where: { isControl($0) || $0.value == 0x2028 || $0.value == 0x2029 }) else { return (s, false) }
        var out = String.UnicodeScalarView()
        var changed = false
        for u in s.unicodeScalars {
            switch u.value {
            case 0x09: if out.last != " " { out.append(" ") }
            case 0x0A, 0x0D, 0x85, 0x2028, 0x2029:
                if out.last != " " { out.append(" ") }
                changed = true
            case _ where isControl(u): changed = true
            default: out.append(u)
            }
        }
        return (String(out), changed)
    }

    /// At most `characters` characters, cut with an ellipsis; and whether it was cut.
    static func cut(_ s: String, characters: Int) -> (String, Bool) {
        guard s.utf8.count > characters, s.count > characters else { return (s, false) }
        return (String(s.prefix(characters - 1)) + "…", true)
    }

    /// Body text as a helpdesk keeps it: a NUL becomes U+FFFD (it is a sign of binary data or a wrong charset,
    /// and would end a C string), other control characters except tab and line feed go (an ESC sequence would
    /// drive the terminal of whoever reads the ticket). Returns how many characters were changed.
    static func cleanText(_ s: String) -> (String, Int) {
        var needed = false
        var previous: UInt8 = 0
        for b in s.utf8 {
            if (b < 0x20 && b != 0x09 && b != 0x0A) || b == 0x7F || (previous == 0xC2 && b >= 0x80 && b < 0xA0) { needed = true; break }
            previous = b
        }
        guard needed else { return (s, 0) }
        var out = String.UnicodeScalarView()
        var changed = 0
        for u in s.unicodeScalars {
            if u.value == 0 {
                out.append("\u{FFFD}")
                changed += 1
            } else if isControl(u) && u.value != 0x09 && u.value != 0x0A {
                changed += 1
            } else {
                out.append(u)
            }
        }
        return (String(out), changed)
    }

    private static func firstTextCharset(_ root: MIMEPart) -> String? {
        var found: String? = nil
        root.walk { part in
            if found == nil, part.contentType.isText, let cs = part.contentType.charset,
                !cs.equalsIgnoringASCIICase("us-ascii"), !cs.equalsIgnoringASCIICase("utf-8")
            {
                found = cs
            }
        }
        return found
    }
}

/// Walks a MIME tree choosing the body a person would read and listing the rest as attachments.
struct BodyCollector {
    var keepData = false
    /// At most this many bytes of plain text, and as many of HTML, are kept (`ParseLimits.maxTextBytes`).
    var maxTextBytes = ParseLimits.default.maxTextBytes
    var plain: [String] = []
    var html: [String] = []
    /// The text a person reads, in the order of the parts: plain text as it is, HTML still to be converted.
    /// A `multipart/mixed` of plain and inline HTML parts shows all of them; alternatives only the chosen one.
    var shown: [(text: String, isHTML: Bool)] = []
    var attachments: [AttachmentInfo] = []
    var defects: [MailDefect] = []
    /// Bytes kept so far, and bytes left out beyond the limit.
    var plainBytes = 0, htmlBytes = 0
    var plainOmitted = 0, htmlOmitted = 0

    mutating func collect(_ part: MIMEPart, isRoot: Bool = false, inRelated: Bool = false) {
        switch part.content {
        case .multipart(let parts, _, _):
            switch part.contentType.subtype {
            case "alternative": collectAlternative(parts)
            case "related":
                guard !parts.isEmpty else { return }
                let startID = part.contentType.parameters["start"].map(Self.stripBrackets)
                let rootIndex = parts.firstIndex { p in
                    startID != nil && p.headers["Content-ID"].map { Self.stripBrackets($0.value) } == startID
                } ?? 0
                collect(parts[rootIndex])
                for (i, p) in parts.enumerated() where i != rootIndex { attach(p, inline: true) }
            default:
                for p in parts { collect(p) }
            }
        case .message(let inner):
            // A message that is only a wrapper around another: read the inner one.
            if isRoot { collect(inner.root, isRoot: true); return }
            attach(part, inline: part.isInlineDisposition)
        case .single:
            if isBodyText(part, isRoot: isRoot) {
                let isHTML = part.contentType.subtype == "html"
                let budget = max(0, maxTextBytes - (isHTML ? htmlBytes : plainBytes))
                let (decoded, omitted) = part.decodedText(maxBytes: budget)
                func note(_ detail: String) -> MailDefect {
                    MailDefect(.limit, part.path.isEmpty ? detail : "part \(part.path): \(detail)")
                }
                defects += decoded.defects.map { MailDefect($0.kind, part.path.isEmpty ? $0.detail : "part \(part.path): \($0.detail)") }
                if omitted > 0 {
                    defects.append(note("text over the \(maxTextBytes)-byte limit; \(omitted) bytes left out (ParseLimits.maxTextBytes)"))
                }
                let (text, changed) = MessageSummary.cleanText(decoded.text)
                if changed > 0 {
                    defects.append(MailDefect(.charset, (part.path.isEmpty ? "" : "part \(part.path): ")
                        + "\(changed) control character(s) in the text; NUL shown as U+FFFD, the others removed"))
                }
                if isHTML {
                    htmlOmitted += omitted
                    htmlBytes += text.utf8.count
                    if !text.isEmpty || omitted == 0 { html.append(text); shown.append((text, true)) }
                } else {
                    plainOmitted += omitted
                    plainBytes += text.utf8.count
                    if !text.isEmpty || omitted == 0 {
                        let unflowed = Self.unflowed(text, part)
                        plain.append(unflowed)
                        shown.append((unflowed, false))
                    }
                }
            } else {
                attach(part, inline: part.isInlineDisposition || part.headers["Content-ID"] != nil && !part.isAttachmentDisposition)
            }
        }
    }

    /// multipart/alternative: the plain-text alternative for `text`, the HTML one for `html`;
    /// everything else in the losing alternatives (images of an HTML body) is kept as inline parts.
    private mutating func collectAlternative(_ parts: [MIMEPart]) {
        func offers(_ p: MIMEPart, _ subtype: String) -> Bool {
            var found = false
            p.walk { q in
                if case .single = q.content, q.contentType.type == "text", q.contentType.subtype == subtype, !q.isAttachmentDisposition { found = true }
            }
            return found
        }
        let plainChoice = parts.lastIndex { offers($0, "plain") }
        let htmlChoice = parts.lastIndex { offers($0, "html") }
        if let plainChoice {
            let before = html.count
            let shownBefore = shown.count
            let (bytesBefore, omittedBefore) = (htmlBytes, htmlOmitted)
            collect(parts[plainChoice])
            // Keep only plain text from the plain alternative; HTML comes from the HTML one.
            if html.count > before {
                html.removeSubrange(before...)
                let added = shown[shownBefore...].filter { !$0.isHTML }
                shown.removeSubrange(shownBefore...)
                shown += added
            }
            (htmlBytes, htmlOmitted) = (bytesBefore, omittedBefore)
        }
        if let htmlChoice, htmlChoice != plainChoice {
            var sub = BodyCollector()
            sub.keepData = keepData
            sub.maxTextBytes = maxTextBytes
            sub.htmlBytes = htmlBytes
            sub.plainBytes = plainBytes
            sub.collect(parts[htmlChoice])
            html += sub.html
            htmlBytes = sub.htmlBytes
            htmlOmitted += sub.htmlOmitted
            if plainChoice == nil {
                plain += sub.plain
                plainBytes = sub.plainBytes
                plainOmitted += sub.plainOmitted
                shown += sub.shown
            }
            attachments += sub.attachments
            defects += sub.defects
        }
        if plainChoice == nil, htmlChoice == nil, let last = parts.last { collect(last) }
    }

    private func isBodyText(_ part: MIMEPart, isRoot: Bool) -> Bool {
        guard part.contentType.type == "text", part.contentType.subtype == "plain" || part.contentType.subtype == "html" else {
            return false
        }
        if part.isAttachmentDisposition { return false }
        // A uuencoded file (`begin 644 notes.txt`) is a file even when labelled text: the file, not its contents.
        if part.transferEncoding == .uuencode && part.filename != nil { return false }
        if part.filename != nil && !isRoot && !(plain.isEmpty && html.isEmpty) { return false }
        return true
    }

    private mutating func attach(_ part: MIMEPart, inline: Bool) {
        let (bytes, d) = part.decodedBody()
        defects += d.map { MailDefect($0.kind, "part \(part.path): \($0.detail)") }
        var name = part.filename
        if name == nil, case .message(let inner) = part.content {
            let subject = inner.headers["Subject"].map { EncodedWords.decode($0.value).text.trimmingMailWhitespace }
            if let subject, !subject.isEmpty { name = subject + ".eml" }
        }
        // The sender's name is data: shown, listed, offered on download, so made safe for all of that.
        if let raw = name {
            name = SafeFilename.make(raw)
            if name != raw {
                defects.append(MailDefect(.parameter, "part \(part.path): file name \"\(raw.prefix(80))\" made safe: \(name.map { "\"\($0.prefix(80))\"" } ?? "no name")"))
            }
        }
        attachments.append(AttachmentInfo(
            filename: name, contentType: part.contentType.mimeType, size: bytes.count,
            sha256: SHA256.hexHash(bytes), inline: inline,
            contentID: part.headers["Content-ID"].map { Self.stripBrackets($0.value) }, path: part.path,
            data: keepData ? bytes : nil))
    }

    static func stripBrackets(_ s: String) -> String {
        var t = s.trimmingMailWhitespace
        if t.hasPrefix("<") { t.removeFirst() }
        if t.hasSuffix(">") { t.removeLast() }
        return t
    }

    /// RFC 3676 format=flowed: soft line breaks (a line ending in a space) are joined within a paragraph of one
    /// quote depth. A continuation line's quote marks (`>`) and space-stuffing go; a flowed line followed by a line
    /// of another quote depth ends its paragraph (§4.5), so `> Hi ` then `Hello` stays two lines, and the signature
    /// separator `-- ` is never joined. Unquoted lines lose their space-stuffing; quoted lines keep their marks.
    static func unflowed(_ text: String, _ part: MIMEPart) -> String {
        guard part.contentType.parameters["format"]?.asciiLowercased == "flowed" else { return text }
        let delsp = part.contentType.parameters["delsp"]?.asciiLowercased == "yes"
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        var paragraph = ""
        var paragraphDepth = -1  // -1: no paragraph open
        for line in lines {
            let utf8 = line.utf8
            var depth = 0
            var index = utf8.startIndex
            while index < utf8.endIndex, utf8[index] == UInt8(ascii: ">") { depth += 1; index = utf8.index(after: index) }
            // Space-stuffing (or the space after the quote marks) is not content.
            let contentStart = index < utf8.endIndex && utf8[index] == UInt8(ascii: " ") ? utf8.index(after: index) : index
            var content = Substring(line[contentStart...])
            let isSignatureSeparator = content == "-- "
            if paragraphDepth >= 0 && (depth != paragraphDepth || isSignatureSeparator) {
                // A flowed line followed by another quote depth (or the signature separator): the paragraph ends.
                out += paragraph + "\n"
                paragraph = ""
                paragraphDepth = -1
            }
            if paragraphDepth < 0 {
                // The first line of a paragraph keeps its quote marks as written.
                if depth > 0 { paragraph = String(line[..<contentStart]) }
            }
            if content.hasSuffix(" ") && !isSignatureSeparator {
                if delsp { content.removeLast() }
                paragraph += content
                paragraphDepth = depth
            } else {
                out += paragraph + content + "\n"
                paragraph = ""
                paragraphDepth = -1
            }
        }
        if paragraphDepth >= 0 { out += paragraph + "\n" }
        return out
    }
}
