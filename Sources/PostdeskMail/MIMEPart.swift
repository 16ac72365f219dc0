/// One node of a message's MIME tree.
public struct MIMEPart: Sendable {
    /// What a part holds beyond its own bytes.
    public indirect enum Content: Sendable {
        /// A leaf: the body is data (text, an image, ...).
        case single
        /// A multipart: its parts, and the text before the first and after the last boundary.
        case multipart(parts: [MIMEPart], preamble: ArraySlice<UInt8>, epilogue: ArraySlice<UInt8>)
        /// An embedded message (message/rfc822), parsed.
        case message(Message)
    }

    public var headers: HeaderFields
    public var contentType: ContentType
    /// Content-Disposition, if the part has one (its value lower-cased: `inline`, `attachment`).
    public var disposition: ParameterizedValue?
    public var transferEncoding: ContentTransferEncoding
    /// The body as it appears in the message (still transfer-encoded).
    public var body: ArraySlice<UInt8>
    public var content: Content
    /// Where the part sits in the tree: `""` for the root, `1`, `1.2`, ... (IMAP-style numbering).
    public var path: String

    public var parts: [MIMEPart] {
        if case .multipart(let parts, _, _) = content { return parts }
        return []
    }

    public var embeddedMessage: Message? {
        if case .message(let message) = content { return message }
        return nil
    }

    /// Whether Content-Disposition says `attachment`.
    public var isAttachmentDisposition: Bool { disposition?.value == "attachment" }
    /// Whether Content-Disposition says `inline`.
    public var isInlineDisposition: Bool { disposition?.value == "inline" }

    /// The file name the sender gave: Content-Disposition `filename`, else Content-Type `name`
    /// (RFC 2231 / RFC 2047 decoded), else, for an x-uuencode body, the name on its `begin MODE NAME` line.
    /// Control characters are removed; it is data, never a path.
    public var filename: String? {
        var raw = disposition?["filename"] ?? contentType.parameters["name"]
        if raw == nil, transferEncoding == .uuencode { raw = TransferDecoder.decodedUUEncodeFilename(body) }
        guard let raw else { return nil }
        let cleaned = String(String.UnicodeScalarView(raw.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
            .trimmingMailWhitespace
        return cleaned.isEmpty ? nil : cleaned
    }

    /// The body with its transfer encoding undone.
    public func decodedBody() -> (bytes: [UInt8], defects: [MailDefect]) {
        TransferDecoder.decode(body, encoding: transferEncoding)
    }

    /// The body as text: transfer encoding undone, charset decoded, line endings made LF.
    public func decodedText() -> DecodedText {
        let (bytes, transferDefects) = decodedBody()
        var text = Charset.decode(bytes, label: contentType.charset)
        text.defects = transferDefects + text.defects
        text.text = Self.normalizingLineEndings(text.text)
        return text
    }

    /// The body as text, at most `maxBytes` UTF-8 bytes of it (cut on a character boundary), and how many bytes
    /// of the transfer-decoded body were left out. An unencoded body is not copied, and only what is kept is
    /// charset-decoded, so a huge text part costs no more than the limit.
    public func decodedText(maxBytes: Int) -> (text: DecodedText, omittedBytes: Int) {
        func cutDecode(_ raw: UnsafeBufferPointer<UInt8>, _ transferDefects: [MailDefect]) -> (DecodedText, Int) {
            if raw.count <= maxBytes {
                var text = Charset.decode(raw, label: contentType.charset)
                text.defects = transferDefects + text.defects
                text.text = Self.normalizingLineEndings(text.text)
                return (text, 0)
            }
            // A few bytes more than kept, so that the character at the cut is decoded whole; a multiple of four
            // for UTF-16 and UTF-32.
            let take = min(raw.count, (maxBytes + 4) & ~3)
            var text = Charset.decode(UnsafeBufferPointer(rebasing: raw[0..<take]), label: contentType.charset)
            text.defects = transferDefects + text.defects
            var kept = ""
            kept.reserveCapacity(maxBytes)
            var bytes = 0
            for ch in text.text {
                let n = ch.utf8.count
                if bytes + n > maxBytes { break }
                kept.append(ch)
                bytes += n
            }
            text.text = Self.normalizingLineEndings(kept)
            return (text, raw.count - bytes)
        }
        switch transferEncoding {
        case .base64, .quotedPrintable, .uuencode:
            let (bytes, defects) = decodedBody()
            return bytes.withUnsafeBufferPointer { cutDecode($0, defects) }
        default:
            return body.withUnsafeBufferPointer { cutDecode($0, []) }
        }
    }

    static func normalizingLineEndings(_ s: String) -> String {
        guard s.utf8.contains(0x0D) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var previousCR = false
        for b in s.utf8 {
            if b == 0x0D {
                out.append(0x0A)
                previousCR = true
            } else {
                if !(b == 0x0A && previousCR) { out.append(b) }
                previousCR = false
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Every part of the tree in depth-first order, this one first; embedded messages are entered.
    public func walk(_ visit: (MIMEPart) -> Void) {
        visit(self)
        switch content {
        case .single: break
        case .multipart(let parts, _, _): for p in parts { p.walk(visit) }
        case .message(let m): m.root.walk(visit)
        }
    }
}
