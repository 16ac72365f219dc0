#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Mutable state of one parse: the limits, the part count and the defects found.
final class ParseContext {
    let limits: ParseLimits
    var partCount = 0
    var partLimitReported = false
    var defects: [MailDefect] = []

    init(limits: ParseLimits) { self.limits = limits }

    func report(_ kind: MailDefect.Kind, _ detail: String, at path: String) {
        defects.append(MailDefect(kind, path.isEmpty ? detail : "part \(path): \(detail)"))
    }
}

/// Builds the MIME tree of one buffer. Parts keep slices of the buffer, so nothing is copied.
struct MessageParser {
    let buffer: [UInt8]
    let context: ParseContext

    static func parse(_ input: [UInt8], limits: ParseLimits) -> Message {
        let context = ParseContext(limits: limits)
        var bytes = input
        if bytes.count > limits.maxMessageBytes {
            context.report(.limit, "message is \(bytes.count) bytes; only the first \(limits.maxMessageBytes) were read", at: "")
            bytes.removeLast(bytes.count - limits.maxMessageBytes)
        }
        // Bare CR line endings throughout (old Macs, some gateways): read them as LF.
        if !bytes.contains(0x0A) && bytes.contains(0x0D) {
            context.report(.structure, "lines end in bare CR; read as LF", at: "")
            for i in bytes.indices where bytes[i] == 0x0D { bytes[i] = 0x0A }
        }
        let parser = MessageParser(buffer: bytes, context: context)
        let root = parser.parseEntity(bytes.startIndex..<bytes.endIndex, depth: 0, defaultType: .textPlain, path: "", topLevel: true)
        var message = Message(root: root, defects: context.defects)
        message.limits = limits
        return message
    }

    // MARK: - Entities

    func parseEntity(_ range: Range<Int>, depth: Int, defaultType: ContentType, path: String, topLevel: Bool = false) -> MIMEPart {
        context.partCount += 1
        let (headers, bodyStart) = parseHeaderBlock(range, path: path, topLevel: topLevel)
        let body = buffer[bodyStart..<range.upperBound]

        var (contentType, typeDefects) = ContentType.read(headers["Content-Type"]?.value, default: defaultType)
        for d in typeDefects { context.report(d.kind, d.detail, at: path) }
        let (encoding, encodingDefect) = ContentTransferEncoding.parse(headers["Content-Transfer-Encoding"]?.value)
        if let d = encodingDefect { context.report(d.kind, d.detail, at: path) }
        var disposition: ParameterizedValue? = nil
        if let raw = headers["Content-Disposition"]?.text().text, !raw.trimmingMailWhitespace.isEmpty {
            var parsed = ParameterizedValue.parse(raw)
            parsed.value = parsed.value.trimmingMailWhitespace.asciiLowercased
            for d in parsed.defects { context.report(d.kind, d.detail, at: path) }
            disposition = parsed
        }

        var content = MIMEPart.Content.single
        if contentType.isMultipart {
            if depth >= context.limits.maxDepth {
                context.report(.limit, "multipart nested deeper than \(context.limits.maxDepth) levels; kept unparsed", at: path)
            } else if let parsed = parseMultipart(body, contentType: contentType, depth: depth, path: path) {
                content = parsed
            } else {
                contentType = ContentType(type: "text", subtype: "plain", parameters: contentType.parameters)
            }
        } else if contentType.isEmbeddedMessage {
            if depth >= context.limits.maxDepth {
                context.report(.limit, "embedded message nested deeper than \(context.limits.maxDepth) levels; kept unparsed", at: path)
            } else {
                content = .message(parseEmbedded(body, encoding: encoding, depth: depth, path: path))
            }
        }
        return MIMEPart(
            headers: headers, contentType: contentType, disposition: disposition, transferEncoding: encoding,
            body: body, content: content, path: path)
    }

    /// An embedded message/rfc822: parsed in place, or from its decoded bytes when it was encoded.
    private func parseEmbedded(_ body: ArraySlice<UInt8>, encoding: ContentTransferEncoding, depth: Int, path: String) -> Message {
        let first = context.defects.count
        let innerPath = path.isEmpty ? "message" : (path.hasSuffix("message") ? path + ".message" : path)
        let root: MIMEPart
        switch encoding {
        case .base64, .quotedPrintable, .uuencode:
            let (decoded, defects) = TransferDecoder.decode(body, encoding: encoding)
            for d in defects { context.report(d.kind, d.detail, at: path) }
            let inner = MessageParser(buffer: decoded, context: context)
            root = inner.parseEntity(decoded.startIndex..<decoded.endIndex, depth: depth + 1, defaultType: .textPlain, path: innerPath)
        default:
            root = parseEntity(body.startIndex..<body.endIndex, depth: depth + 1, defaultType: .textPlain, path: innerPath)
        }
        return Message(root: root, defects: Array(context.defects[first...]))
    }

    // MARK: - Header blocks

    /// Reads the header block at the start of `range`; returns the fields and where the body starts.
    func parseHeaderBlock(_ range: Range<Int>, path: String, topLevel: Bool) -> (HeaderFields, Int) {
        var fields = HeaderFields()
        let end = range.upperBound
        let limits = context.limits
        var i = range.lowerBound
        var current: (name: String, valueStart: Int, valueEnd: Int)? = nil
        var dropping = false
        var isFirstLine = true

        func flush() {
            if let c = current {
                if !dropping { fields.append(HeaderField(name: c.name, rawValue: buffer[c.valueStart..<c.valueEnd])) }
                current = nil
            }
        }

        return buffer.withUnsafeBufferPointer { buf -> (HeaderFields, Int) in
            while i < end {
                var j = i
                while j < end, buf[j] != 0x0A, buf[j] != 0x0D { j += 1 }
                let contentEnd = j
                var next = j
                if next < end {
                    if buf[next] == 0x0D {
                        next += 1
                        if next < end, buf[next] == 0x0A { next += 1 }
                    } else {
                        next += 1
                    }
                }
                defer { isFirstLine = false }
                if contentEnd == i {
                    flush()
                    return (fields, next)
                }
                let first = buf[i]
                if first == 0x20 || first == 0x09 {
                    var k = i
                    while k < contentEnd, buf[k] == 0x20 || buf[k] == 0x09 { k += 1 }
                    if k == contentEnd && !Self.headerContinuesAfter(buf, next, end) {
                        flush()
                        if isFirstLine {
                            context.report(.headerSyntax, "the message starts with a whitespace-only line; read as an empty header block", at: path)
                        } else {
                            context.report(.headerSyntax, "header block ends in a whitespace-only line", at: path)
                        }
                        return (fields, next)
                    }
                    if k == contentEnd {
                        // A whitespace-only line inside the header (more fields or folding follow):
                        // part of the folded value, as RFC 5322's obsolete syntax allows.
                        i = next
                        continue
                    }
                    if current != nil {
                        current!.valueEnd = contentEnd
                    } else {
                        context.report(.headerSyntax, "continuation line with no header field before it; ignored", at: path)
                    }
                    i = next
                    continue
                }
                // A field line: name, optional whitespace (obsolete syntax), colon.
                var colon = i
                while colon < contentEnd, buf[colon] != 0x3A { colon += 1 }
                var nameEnd = colon
                while nameEnd > i, buf[nameEnd - 1] == 0x20 || buf[nameEnd - 1] == 0x09 { nameEnd -= 1 }
                var validName = colon < contentEnd && nameEnd > i
                if validName {
                    for k in i..<nameEnd where buf[k] <= 0x20 || buf[k] >= 0x7F { validName = false; break }
                }
                if !validName {
                    if isFirstLine && topLevel && Self.startsWith(buf, i, contentEnd, "From ") {
                        context.report(.headerSyntax, "mbox \"From \" line before the header; skipped", at: path)
                        i = next
                        continue
                    }
                    flush()
                    if i == range.lowerBound {
                        context.report(.structure, "no header block; the whole entity is read as body", at: path)
                    } else {
                        context.report(.structure, "missing blank line between header and body; body starts at a line that is not a header field", at: path)
                    }
                    return (fields, i)
                }
                flush()
                if fields.count >= limits.maxHeaderFields || i - range.lowerBound > limits.maxHeaderBytes {
                    if !dropping {
                        dropping = true
                        context.report(.limit, "header block over \(limits.maxHeaderFields) fields or \(limits.maxHeaderBytes) bytes; the rest of it is skipped", at: path)
                    }
                }
                let name = String(decoding: UnsafeBufferPointer(rebasing: buf[i..<nameEnd]), as: UTF8.self)
                if nameEnd != colon {
                    context.report(.headerSyntax, "whitespace before the colon of \(name) (obsolete syntax); accepted", at: path)
                }
                current = (name, colon + 1, contentEnd)
                i = next
            }
            flush()
            return (fields, end)
        }
    }

    /// Whether the line at `i` continues a header block: folding (leading whitespace) or a field line.
    private static func headerContinuesAfter(_ buf: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Bool {
        guard i < end else { return false }
        if buf[i] == 0x20 || buf[i] == 0x09 {
            // Folding, unless it is one more whitespace-only line.
            var k = i
            while k < end, buf[k] == 0x20 || buf[k] == 0x09 { k += 1 }
            return k < end && buf[k] != 0x0A && buf[k] != 0x0D
        }
        var k = i
        while k < end, buf[k] > 0x20, buf[k] < 0x7F, buf[k] != 0x3A { k += 1 }
        return k > i && k < end && buf[k] == 0x3A
    }

    private static func startsWith(_ buf: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ prefix: StaticString) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard end - start >= n else { return false }
        let p = prefix.utf8Start
        for k in 0..<n where buf[start + k] != p[k] { return false }
        return true
    }

    // MARK: - Multipart

    /// Splits a multipart body at its boundary. Returns nil when no boundary line was found at all
    /// (the caller then reads the body as text).
    private func parseMultipart(_ body: ArraySlice<UInt8>, contentType: ContentType, depth: Int, path: String) -> MIMEPart.Content? {
        var boundaryText = contentType.boundary ?? ""
        if boundaryText.isEmpty {
            if let guessed = guessBoundary(body) {
                context.report(.structure, "\(contentType.mimeType) has no boundary parameter; used the boundary line found in its body", at: path)
                boundaryText = guessed
            } else {
                context.report(.structure, "\(contentType.mimeType) has no boundary parameter; body read as text/plain", at: path)
                return nil
            }
        }
        let boundary = Array(boundaryText.utf8)
        let delimiters = findDelimiters(body, boundary: boundary)
        guard let firstDelimiter = delimiters.first else {
            context.report(.structure, "\(contentType.mimeType) body has no boundary line \"--\(boundaryText)\"; body read as text/plain", at: path)
            return nil
        }
        let childDefault: ContentType = contentType.subtype == "digest" ? .messageRFC822 : .textPlain
        var parts: [MIMEPart] = []
        let preamble = body[body.startIndex..<firstDelimiter.lineStart]
        var epilogue = body[body.endIndex..<body.endIndex]
        var closed = false
        for (n, delimiter) in delimiters.enumerated() {
            if delimiter.isClose {
                epilogue = body[delimiter.next..<body.endIndex]
                closed = true
                break
            }
            let partEnd = n + 1 < delimiters.count ? delimiters[n + 1].lineStart : body.endIndex
            if context.partCount >= context.limits.maxParts {
                if !context.partLimitReported {
                    context.partLimitReported = true
                    context.report(.limit, "more than \(context.limits.maxParts) MIME parts; the rest are not parsed", at: path)
                }
                break
            }
            let childPath = path.isEmpty ? "\(parts.count + 1)" : "\(path).\(parts.count + 1)"
            let start = min(delimiter.next, partEnd)
            parts.append(parseEntity(start..<partEnd, depth: depth + 1, defaultType: childDefault, path: childPath))
        }
        if !closed {
            context.report(.structure, "\(contentType.mimeType) is never closed with \"--\(boundaryText)--\"; read to the end", at: path)
        }
        return .multipart(parts: parts, preamble: preamble, epilogue: epilogue)
    }

    private struct Delimiter {
        /// Where the delimiter's preceding line break starts (the end of the previous part).
        var lineStart: Int
        /// Where the line after the delimiter starts.
        var next: Int
        var isClose: Bool
    }

    /// Finds every `--boundary` line in `body`: memchr from line start to line start.
    private func findDelimiters(_ body: ArraySlice<UInt8>, boundary: [UInt8]) -> [Delimiter] {
        var delimiters: [Delimiter] = []
        let start = body.startIndex, end = body.endIndex
        let blen = boundary.count
        buffer.withUnsafeBufferPointer { buf in
            boundary.withUnsafeBufferPointer { bd in
                let base = buf.baseAddress!
                var lineStart = start
                while lineStart < end {
                    // Is this line `--boundary`?
                    if end - lineStart >= blen + 2, buf[lineStart] == 0x2D, buf[lineStart + 1] == 0x2D,
                        blen == 0 || memcmp(base + lineStart + 2, bd.baseAddress!, blen) == 0
                    {
                        var k = lineStart + 2 + blen
                        var isClose = false
                        var matches = true
                        if k + 1 < end, buf[k] == 0x2D, buf[k + 1] == 0x2D {
                            isClose = true
                            k += 2
                        } else if k < end, buf[k] != 0x0A, buf[k] != 0x0D, buf[k] != 0x20, buf[k] != 0x09 {
                            matches = false  // a longer boundary that merely starts with this one
                        }
                        if matches {
                            // The line break before the delimiter belongs to it, not to the part before.
                            var partEnd = lineStart
                            if partEnd > start, buf[partEnd - 1] == 0x0A {
                                partEnd -= 1
                                if partEnd > start, buf[partEnd - 1] == 0x0D { partEnd -= 1 }
                            }
                            let lf = memchr(base + k, 0x0A, end - k)
                            let next = lf.map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) + 1 } ?? end
                            delimiters.append(Delimiter(lineStart: partEnd, next: next, isClose: isClose))
                            if isClose { return }
                            lineStart = next
                            continue
                        }
                    }
                    guard let lf = memchr(base + lineStart, 0x0A, end - lineStart) else { break }
                    lineStart = base.distance(to: lf.assumingMemoryBound(to: UInt8.self)) + 1
                }
            }
        }
        return delimiters
    }

    /// A boundary guessed from the body: the first line that looks like `--token`.
    private func guessBoundary(_ body: ArraySlice<UInt8>) -> String? {
        var lineStart = body.startIndex
        var linesSeen = 0
        while lineStart < body.endIndex, linesSeen < 200 {
            var e = lineStart
            while e < body.endIndex, body[e] != 0x0A { e += 1 }
            var contentEnd = e
            while contentEnd > lineStart, body[contentEnd - 1] == 0x0D || body[contentEnd - 1] == 0x20 { contentEnd -= 1 }
            if contentEnd - lineStart > 2, body[lineStart] == 0x2D, body[lineStart + 1] == 0x2D {
                var token = Array(body[(lineStart + 2)..<contentEnd])
                if token.count > 2, token.suffix(2) == [0x2D, 0x2D] { token.removeLast(2) }
                if !token.isEmpty, token.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
                    return String(decoding: token, as: UTF8.self)
                }
            }
            lineStart = e + 1
            linesSeen += 1
        }
        return nil
    }
}
