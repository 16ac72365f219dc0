/// An outgoing message, as Postdesk writes it.
public struct OutgoingMessage: Sendable, Hashable {
    public struct Attachment: Sendable, Hashable {
        public var filename: String
        public var contentType: String
        public var data: [UInt8]
        public init(filename: String, contentType: String, data: [UInt8]) {
            self.filename = filename
            self.contentType = contentType
            self.data = data
        }
    }

    public var from: MailAddress
    public var to: [MailAddress]
    public var cc: [MailAddress] = []
    public var replyTo: MailAddress?
    public var subject: String
    /// Without angle brackets; unique, under the sending mailbox's domain.
    public var messageID: String
    public var inReplyTo: String?
    /// Oldest first.
    public var references: [String] = []
    /// Seconds since the epoch, and the offset to show it in.
    public var date: MailDate
    public var text: String
    public var html: String?
    public var attachments: [Attachment] = []
    /// `auto-replied` or `auto-generated` for automatic mail (RFC 3834); nil for mail a person wrote.
    public var autoSubmitted: String?
    /// Extra header fields (`X-Postdesk-Loop`, `X-Postdesk-Ticket`, ...), in order.
    public var extraHeaders: [(name: String, value: String)] = []
    /// The language of the text (Content-Language).
    public var language: String?
    /// Outlook's thread identity (Thread-Topic / Thread-Index), if the ticket has one.
    public var threadTopic: String?
    public var threadIndex: String?

    public init(from: MailAddress, to: [MailAddress], subject: String, messageID: String, date: MailDate, text: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.messageID = messageID
        self.date = date
        self.text = text
    }

    public static func == (a: Self, b: Self) -> Bool { MessageComposer.compose(a) == MessageComposer.compose(b) }
    public func hash(into hasher: inout Hasher) { hasher.combine(MessageComposer.compose(self)) }
}

/// Writes RFC 5322 + MIME messages: CRLF line ends, no line over 998 octets, RFC 2047 encoded non-ASCII
/// names and subjects, quoted-printable or base64 bodies as fits, multipart/alternative and attachments.
/// Every value that reaches a header is neutralised first: CR, LF and other control characters cannot
/// inject header fields, whatever a customer put in a subject or a display name.
public enum MessageComposer {
    public static func compose(_ m: OutgoingMessage, boundarySeed: String? = nil) -> [UInt8] {
        Prepared(m, boundarySeed: boundarySeed).bytes
    }

    /// A message composed once and written out for several recipients: only the To field differs between the
    /// copies (an agents' notice goes to every agent of a queue, one message under one Message-ID). The subject,
    /// threading fields and the whole body, the costly part, are encoded once.
    public struct Prepared: Sendable {
        private var header: [String]
        private let toField: Int
        private let tail: [UInt8]

        public init(_ m: OutgoingMessage, boundarySeed: String? = nil) {
            var h: [String] = []
            h.append(field("Date", rfc5322Date(m.date)))
            h.append(field("From", address(m.from)))
            toField = h.count
            h.append(field("To", m.to.map(address).joined(separator: ", ")))
            if !m.cc.isEmpty { h.append(field("Cc", m.cc.map(address).joined(separator: ", "))) }
            if let r = m.replyTo { h.append(field("Reply-To", address(r))) }
            h.append(field("Subject", encodeUnstructured(sanitized(m.subject), used: "Subject: ".count)))
            h.append(field("Message-ID", "<\(idText(m.messageID))>"))
            if let irt = m.inReplyTo { h.append(field("In-Reply-To", "<\(idText(irt))>")) }
            if !m.references.isEmpty { h.append(field("References", foldedIDs(m.references))) }
            if let topic = m.threadTopic { h.append(field("Thread-Topic", encodeUnstructured(sanitized(topic), used: 14))) }
            if let index = m.threadIndex { h.append(field("Thread-Index", sanitized(index))) }
            if let a = m.autoSubmitted {
                h.append(field("Auto-Submitted", sanitized(a)))
                h.append(field("X-Auto-Response-Suppress", "All"))
                h.append(field("Precedence", "bulk"))
            }
            for (name, value) in m.extraHeaders where isFieldName(name) {
                h.append(field(name, encodeUnstructured(sanitized(value), used: name.count + 2)))
            }
            if let l = m.language { h.append(field("Content-Language", sanitized(l))) }
            h.append("MIME-Version: 1.0")

            let seed = boundarySeed ?? m.messageID
            let multipart = m.html != nil || !m.attachments.isEmpty
            let textPart = bodyPart(contentType: "text/plain; charset=utf-8", text: m.text, inMultipart: multipart)
            var body: [String]
            if let html = m.html {
                let alt = "=_alt_" + boundaryToken(seed)
                body = ["Content-Type: multipart/alternative; boundary=\"\(alt)\"", "", "--" + alt] + textPart + ["--" + alt]
                    + bodyPart(contentType: "text/html; charset=utf-8", text: html, inMultipart: true) + ["--" + alt + "--"]
            } else {
                body = textPart
            }
            if !m.attachments.isEmpty {
                let mixed = "=_mixed_" + boundaryToken(seed)
                var parts = ["Content-Type: multipart/mixed; boundary=\"\(mixed)\"", "", "--" + mixed] + body
                for a in m.attachments {
                    parts.append("--" + mixed)
                    let name = sanitized(a.filename)
                    let type = isMIMEType(a.contentType) ? a.contentType : "application/octet-stream"
                    parts.append("Content-Type: \(type); name=\"\(quotedParameter(name))\"")
                    parts.append("Content-Disposition: attachment; " + filenameParameter(name))
                    parts.append("Content-Transfer-Encoding: base64")
                    parts.append("")
                    parts += base64Lines(a.data)
                }
                parts.append("--" + mixed + "--")
                body = parts
            }
            // The first body lines (the top entity's Content-Type) belong to the header block.
            var k = 0
            while k < body.count, !body[k].isEmpty { h.append(body[k]); k += 1 }
            header = h
            tail = Array(("\r\n" + body[min(k + 1, body.count)...].map { $0 + "\r\n" }.joined()).utf8)
        }

        /// The message as composed.
        public var bytes: [UInt8] { Self.join(header, tail) }

        /// A copy of the message to other recipients.
        public func copy(to: [MailAddress]) -> [UInt8] {
            var h = header
            h[toField] = MessageComposer.field("To", to.map(MessageComposer.address).joined(separator: ", "))
            return Self.join(h, tail)
        }

        private static func join(_ header: [String], _ tail: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(header.reduce(0) { $0 + $1.utf8.count + 2 } + tail.count)
            for line in header { out += line.utf8; out += [13, 10] }
            out += tail
            return out
        }
    }

    // MARK: - Header values

    /// Removes CR, LF and other control characters (tab becomes a space): a value can never start a new field.
    public static func sanitized(_ value: String) -> String {
        var out = String.UnicodeScalarView()
        for u in value.unicodeScalars {
            switch u.value {
            case 0x09, 0x0A, 0x0D: if out.last != " " { out.append(" ") }
            case 0x00..<0x20, 0x7F, 0x80..<0xA0, 0x2028, 0x2029: continue
            default: out.append(u)
            }
        }
        return String(out).trimmingMailWhitespace
    }

    static func isFieldName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x3A }
    }

    static func isMIMEType(_ s: String) -> Bool {
        let parts = s.split(separator: "/")
        return parts.count == 2 && s.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x3B && $0 != 0x22 }
    }

    /// A header field, folded at spaces so that no line passes 78 characters where it can be helped
    /// (and never 998).
    static func field(_ name: String, _ value: String) -> String {
        var line = name + ": "
        var out: [String] = []
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            if line.utf8.count + word.utf8.count + 1 > 78, line.utf8.count > name.utf8.count + 2 {
                out.append(line)
                line = " " + word
            } else {
                if !line.hasSuffix(": ") || line.utf8.count > name.utf8.count + 2 { if !line.hasSuffix(" ") { line += " " } }
                line += word
            }
        }
        out.append(line)
        // Hard limit: a single word longer than 998 octets is cut (ids and words never are in practice).
        return out.map { String(decoding: Array($0.utf8.prefix(998)), as: UTF8.self) }.joined(separator: "\r\n")
    }

    /// `Name <addr>` with the name encoded or quoted as needed; the address sanitised. A name longer than
    /// `MessageSummary.maxNameCharacters` is cut, so that it can never push the address out of the field.
    public static func address(_ a: MailAddress) -> String {
        let addr = sanitized(a.address).filter { $0 != "<" && $0 != ">" && $0 != "," && $0 != " " && $0 != "\"" }
        guard let rawName = a.name.map({ MessageSummary.cut(sanitized($0), characters: MessageSummary.maxNameCharacters).0 }),
            !rawName.isEmpty
        else { return "<\(addr)>" }
        // A name holding "=?" is encoded too: written as it is, readers would decode it as an encoded word.
        if !rawName.unicodeScalars.allSatisfy({ $0.isASCII }) || hasLongWord(rawName) || rawName.contains("=?") {
            return encodedWords(rawName) + " <\(addr)>"
        }
        let atomOK = rawName.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0 == " " || "!#$%&'*+-/=?^_`{|}~0123456789".unicodeScalars.contains($0) }
        return (atomOK ? rawName : "\"" + quotedParameter(rawName) + "\"") + " <\(addr)>"
    }

    static func quotedParameter(_ s: String) -> String {
        String(s.flatMap { $0 == "\"" || $0 == "\\" ? ["\\", $0] : [$0] })
    }

    static func idText(_ id: String) -> String {
        String(sanitized(id).filter { $0 != "<" && $0 != ">" && $0 != " " })
    }

    static func foldedIDs(_ ids: [String]) -> String {
        // Keep the first and the last ids when the list is long (as RT does), so the header stays sane.
        var list = ids.map(idText).filter { !$0.isEmpty }
        if list.count > 20 { list = [list[0]] + list.suffix(19) }
        return list.map { "<\($0)>" }.joined(separator: " ")
    }

    /// Unstructured text as is when ASCII, else RFC 2047 B words of at most 75 characters each, cut on
    /// character boundaries. ASCII with a word too long to fold (a line may not pass 998 octets) is encoded too.
    public static func encodeUnstructured(_ s: String, used: Int) -> String {
        if s.unicodeScalars.allSatisfy({ $0.isASCII }) && !s.contains("=?") && !hasLongWord(s) { return s }
        return encodedWords(s)
    }

    /// Whether a space-separated word is too long for a folded header line.
    static func hasLongWord(_ s: String) -> Bool {
        var run = 0
        for b in s.utf8 {
            if b == 0x20 { run = 0 } else { run += 1; if run > 900 { return true } }
        }
        return false
    }

    static func encodedWords(_ s: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        // 75 - "=?utf-8?B?".count - "?=".count = 63 characters of base64 = 45 bytes.
        for ch in s {
            let bytes = Array(String(ch).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?utf-8?B?" + base64(chunk) + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?utf-8?B?" + base64(chunk) + "?=") }
        return words.joined(separator: " ")
    }

    /// RFC 2231 `filename*=utf-8''...` for non-ASCII names, with a plain `filename=` too for old clients.
    static func filenameParameter(_ name: String) -> String {
        if name.unicodeScalars.allSatisfy({ $0.isASCII }) { return "filename=\"\(quotedParameter(name))\"" }
        var pct = ""
        for b in name.utf8 {
            if (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || b == 0x2E || b == 0x2D || b == 0x5F {
                pct.unicodeScalars.append(UnicodeScalar(b))
            } else {
                pct += "%" + String(b >> 4, radix: 16, uppercase: true) + String(b & 15, radix: 16, uppercase: true)
            }
        }
        return "filename*=utf-8''\(pct)"
    }

    static func rfc5322Date(_ d: MailDate) -> String {
        let local = d.secondsSinceEpoch + Int64(d.utcOffsetSeconds)
        var days = local / 86_400
        var rem = local % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        let (y, m, day) = MailDate.civilFromDays(days)
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((days % 7) + 7) % 7)]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let off = abs(d.utcOffsetSeconds)
        let sign = d.utcOffsetSeconds < 0 ? "-" : "+"
        return "\(weekday), \(day) \(months[m - 1]) \(y) \(two(rem / 3600)):\(two(rem % 3600 / 60)):\(two(rem % 60)) \(sign)\(two(Int64(off / 3600)))\(two(Int64(off % 3600 / 60)))"
    }

    // MARK: - Bodies

    /// A text part: 7bit when it is ASCII with short lines, else quoted-printable (readable for mostly-Latin
    /// text) or base64 (shorter for other scripts). The decoded text always ends in exactly one line break:
    /// for 7bit and quoted-printable the line break that ends the last line is it (inside a multipart an
    /// empty line is added, because the break before a boundary belongs to the boundary); for base64 it is
    /// part of the encoded data.
    static func bodyPart(contentType: String, text: String, inMultipart: Bool = false) -> [String] {
        var normalized = text.replacingLineEndings
        if normalized.hasSuffix("\n") { normalized.removeLast() }
        let bytes = Array(normalized.utf8)
        let lines = normalized.split(separator: "\n", omittingEmptySubsequences: false)
        let end: [String] = inMultipart ? [""] : []
        if bytes.isASCII && lines.allSatisfy({ $0.utf8.count <= 76 }) && !lines.contains(where: { $0.hasPrefix("From ") }) {
            return ["Content-Type: \(contentType)", "Content-Transfer-Encoding: 7bit", ""] + lines.map(String.init) + end
        }
        let nonASCII = bytes.filter { $0 >= 0x80 }.count
        if nonASCII * 3 < bytes.count {
            return ["Content-Type: \(contentType)", "Content-Transfer-Encoding: quoted-printable", ""] + quotedPrintable(normalized) + end
        }
        return ["Content-Type: \(contentType)", "Content-Transfer-Encoding: base64", ""] + base64Lines(bytes + [0x0A])
    }

    static func quotedPrintable(_ text: String) -> [String] {
        var out: [String] = []
        let hex: StaticString = "0123456789ABCDEF"
        // One reused buffer and byte loops: the text of a notice can be a megabyte, and this runs in the
        // ingest transaction.
        var encoded: [UInt8] = []
        encoded.reserveCapacity(80)
        var utf8 = text.utf8[...]
        while true {
            let lineEnd = utf8.firstIndex(of: 0x0A) ?? utf8.endIndex
            let line = utf8[utf8.startIndex..<lineEnd]
            encoded.removeAll(keepingCapacity: true)
            var startsWithFrom = false
            if line.starts(with: "From ".utf8) { startsWithFrom = true }
            var i = line.startIndex
            while i != lineEnd {
                let b = line[i]
                let next = line.index(after: i)
                let last = next == lineEnd
                let plain = (b >= 0x21 && b <= 0x7E && b != 0x3D) || ((b == 0x20 || b == 0x09) && !last)
                // A line that would start with "From " is safe: mail servers dot-stuff, and we encode the F.
                let escape = !plain || (startsWithFrom && i == line.startIndex)
                let width = escape ? 3 : 1
                // Soft break before passing 76 characters.
                if encoded.count + width > 75 {
                    encoded.append(0x3D)
                    out.append(String(decoding: encoded, as: UTF8.self))
                    encoded.removeAll(keepingCapacity: true)
                }
                if escape {
                    encoded.append(0x3D)
                    encoded.append(hex.utf8Start[Int(b >> 4)])
                    encoded.append(hex.utf8Start[Int(b & 15)])
                } else {
                    encoded.append(b)
                }
                i = next
            }
            out.append(String(decoding: encoded, as: UTF8.self))
            if lineEnd == utf8.endIndex { break }
            utf8 = utf8[utf8.index(after: lineEnd)...]
        }
        return out
    }

    static func base64Lines(_ data: [UInt8]) -> [String] {
        let all = base64(data)
        var lines: [String] = []
        var i = all.startIndex
        while i < all.endIndex {
            let j = all.index(i, offsetBy: 76, limitedBy: all.endIndex) ?? all.endIndex
            lines.append(String(all[i..<j]))
            i = j
        }
        return lines
    }

    static func base64(_ data: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out = [UInt8]()
        out.reserveCapacity((data.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= data.count {
            let v = UInt32(data[i]) << 16 | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2])
            out += [table[Int(v >> 18)], table[Int(v >> 12 & 63)], table[Int(v >> 6 & 63)], table[Int(v & 63)]]
            i += 3
        }
        if data.count - i == 1 {
            let v = UInt32(data[i]) << 16
            out += [table[Int(v >> 18)], table[Int(v >> 12 & 63)], 0x3D, 0x3D]
        } else if data.count - i == 2 {
            let v = UInt32(data[i]) << 16 | UInt32(data[i + 1]) << 8
            out += [table[Int(v >> 18)], table[Int(v >> 12 & 63)], table[Int(v >> 6 & 63)], 0x3D]
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func boundaryToken(_ seed: String) -> String {
        String(SHA256.hexHash(Array(seed.utf8)).prefix(24))
    }

    // MARK: - Outlook threading

    /// A Thread-Index for the first message of a conversation (MS-OXOMSG 2.2.1.3): 22 bytes: a 6-byte
    /// FILETIME prefix and a 16-byte GUID (here derived from the ticket's identity), base64.
    public static func threadIndexRoot(seconds: Int64, identity: String) -> String {
        let filetime = UInt64(seconds + 11_644_473_600) * 10_000_000
        var bytes: [UInt8] = (0..<6).map { UInt8(truncatingIfNeeded: filetime >> (56 - 8 * UInt64($0))) }
        bytes += SHA256.hash(Array(identity.utf8)).prefix(16)
        return base64(bytes)
    }

    /// The Thread-Index of a reply: the parent's bytes plus a 5-byte child block (time difference), so Outlook
    /// files it under its parent ("an identical index is not a reply").
    public static func threadIndexChild(parent: String, parentSeconds: Int64, seconds: Int64, counter: UInt8 = 0) -> String {
        let decoded = TransferDecoder.decode(ArraySlice(Array(parent.utf8)), encoding: .base64).bytes
        guard decoded.count >= 22 else { return threadIndexRoot(seconds: seconds, identity: parent) }
        let delta = UInt64(max(0, seconds - parentSeconds)) * 10_000_000
        // Bits 18..48 of the difference in 100-ns units, then 4 random bits and a sequence nibble.
        let v = (delta >> 18) & 0x7FFF_FFFF
        let block: [UInt8] = [UInt8(truncatingIfNeeded: v >> 23), UInt8(truncatingIfNeeded: v >> 15), UInt8(truncatingIfNeeded: v >> 7),
                              UInt8(truncatingIfNeeded: v << 1), counter & 0x0F]
        return base64(decoded + block)
    }
}

extension String {
    /// CRLF and bare CR to LF.
    var replacingLineEndings: String {
        guard utf8.contains(0x0D) else { return self }
        return MIMEPart.normalizingLineEndings(self)
    }
}
