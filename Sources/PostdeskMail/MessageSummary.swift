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
    public var from: [MailAddress]
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
        func addresses(_ name: String) -> [MailAddress] {
            var result: [MailAddress] = []
            for field in headers.all(name) {
                let decoded = field.text(fallbackCharset: hint)
                defects += decoded.defects
                let (list, d) = AddressParser.parseList(decoded.text)
                defects += d.map { MailDefect($0.kind, "\(name): \($0.detail)") }
                result += list
            }
            return result
        }
        func ids(_ name: String) -> [String] {
            guard let value = headerText(name) else { return [] }
            let (list, d) = MessageIDParser.parseList(value)
            defects += d.map { MailDefect($0.kind, "\(name): \($0.detail)") }
            return list
        }

        if let raw = headerText("Subject") {
            let decoded = EncodedWords.decode(raw)
            defects += decoded.defects.map { MailDefect($0.kind, "Subject: \($0.detail)") }
            subject = decoded.text.trimmingMailWhitespace
        } else {
            subject = nil
        }
        from = addresses("From")
        to = addresses("To")
        cc = addresses("Cc")
        replyTo = addresses("Reply-To")
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
        contentLanguage = headerText("Content-Language")
        acceptLanguage = headerText("Accept-Language")
        threadIndex = headerText("Thread-Index")
            .flatMap { $0.split(separator: ",").first.map { $0.trimmingMailWhitespace } }
            .flatMap { $0.isEmpty ? nil : $0 }

        var collector = BodyCollector()
        collector.keepData = keepingAttachmentData
        collector.collect(message.root, isRoot: true)
        defects += collector.defects
        let plain = collector.plain.joined(separator: "\n")
        let htmlBody = collector.html.isEmpty ? nil : collector.html.joined(separator: "\n")
        if !collector.plain.isEmpty {
            text = plain
            textFromHTML = false
        } else if let htmlBody {
            text = HTMLText.plainText(fromHTML: htmlBody)
            textFromHTML = true
        } else {
            text = ""
            textFromHTML = false
        }
        html = htmlBody
        attachments = collector.attachments
        automatic = AutomaticVerdict.judge(message)
        self.defects = defects
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
    var plain: [String] = []
    var html: [String] = []
    var attachments: [AttachmentInfo] = []
    var defects: [MailDefect] = []

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
                let decoded = part.decodedText()
                defects += decoded.defects.map { MailDefect($0.kind, part.path.isEmpty ? $0.detail : "part \(part.path): \($0.detail)") }
                if part.contentType.subtype == "html" { html.append(decoded.text) } else { plain.append(Self.unflowed(decoded.text, part)) }
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
            collect(parts[plainChoice])
            // Keep only plain text from the plain alternative; HTML comes from the HTML one.
            if html.count > before { html.removeSubrange(before...) }
        }
        if let htmlChoice, htmlChoice != plainChoice {
            var sub = BodyCollector()
            sub.keepData = keepData
            sub.collect(parts[htmlChoice])
            html += sub.html
            if plainChoice == nil { plain += sub.plain }
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

    /// RFC 3676 format=flowed: soft line breaks (a line ending in a space) are joined.
    static func unflowed(_ text: String, _ part: MIMEPart) -> String {
        guard part.contentType.parameters["format"]?.asciiLowercased == "flowed" else { return text }
        let delsp = part.contentType.parameters["delsp"]?.asciiLowercased == "yes"
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var paragraph = ""
        for var line in lines {
            if line == "-- " { out += paragraph + line + "\n"; paragraph = ""; continue }
            if line.hasPrefix(" ") { line.removeFirst() }  // space-stuffing
            if line.hasSuffix(" ") {
                if delsp { line.removeLast() }
                paragraph += line
            } else {
                out += paragraph + line + "\n"
                paragraph = ""
            }
        }
        if !paragraph.isEmpty { out += paragraph + "\n" }
        return out
    }
}
