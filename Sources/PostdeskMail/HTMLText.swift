/// Turns HTML mail bodies into readable plain text.
public enum HTMLText {
    /// Readable paragraphs, line breaks, lists and links (`text <url>`), no tags, entities decoded,
    /// scripts/styles/head dropped, whitespace collapsed as a browser would.
    public static func plainText(fromHTML html: String) -> String {
        var copy = html
        return copy.withUTF8 { buffer in
            var writer = HTMLTextWriter(source: buffer)
            return writer.run()
        }
    }
}

/// A linear, tolerant pass over HTML bytes that writes text.
private struct HTMLTextWriter {
    let src: UnsafeBufferPointer<UInt8>
    var out: [UInt8] = []
    /// Line breaks wanted before the next text (1 = new line, 2 = blank line between).
    var pendingBreaks = 0
    var pendingSpace = false
    var preDepth = 0
    var quoteDepth = 0
    var lists: [Int] = []  // 0 for <ul>, the next number for <ol>
    var cellsInRow = 0
    var link: (href: String, textStart: Int)? = nil

    init(source: UnsafeBufferPointer<UInt8>) { src = source }

    static let blockTags: Set<String> = [
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "dt", "dd", "pre", "section", "article",
        "header", "footer", "nav", "aside", "main", "center", "form", "address", "fieldset", "figure", "figcaption",
        "hr", "tbody", "thead", "tfoot", "caption", "details", "summary", "body", "html", "blockquote",
    ]
    static let paragraphTags: Set<String> = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "blockquote", "hr", "dl"]
    /// Elements whose content is never shown.
    static let hiddenTags: Set<String> = ["head", "style", "script", "title", "xml", "template", "noscript", "object", "svg"]

    mutating func run() -> String {
        let n = src.count
        var i = 0
        while i < n {
            let c = src[i]
            if c == 0x3C {  // <
                i = tag(at: i)
                continue
            }
            if c == 0x26, let (scalar, next) = HTMLEntities.decode(src, at: i) {
                if scalar.value == 0xA0 { text(0x20, collapsible: false) } else { emit(scalar) }
                i = next
                continue
            }
            text(c, collapsible: true)
            i += 1
        }
        return finish()
    }

    // MARK: Output

    mutating func requestBreak(_ n: Int) {
        if out.isEmpty { return }
        pendingBreaks = max(pendingBreaks, n)
        pendingSpace = false
    }

    mutating func startTextIfNeeded() {
        if pendingBreaks > 0 {
            for k in 0..<min(pendingBreaks, 2) {
                out.append(0x0A)
                // A blank line inside a quote keeps its `>` marks.
                if k == 0 && pendingBreaks > 1 && quoteDepth > 0 { writeQuotePrefix() }
            }
            pendingBreaks = 0
            pendingSpace = false
            writeQuotePrefix()
        } else if pendingSpace {
            if let last = out.last, last != 0x0A, last != 0x20 { out.append(0x20) }
            pendingSpace = false
        }
        if out.isEmpty { writeQuotePrefix() }
    }

    mutating func writeQuotePrefix() {
        for _ in 0..<quoteDepth { out += [0x3E, 0x20] }
    }

    mutating func text(_ c: UInt8, collapsible: Bool) {
        if preDepth > 0 {
            if c == 0x0A {
                out.append(0x0A)
                writeQuotePrefix()
            } else if c != 0x0D {
                startTextIfNeeded()
                out.append(c)
            }
            return
        }
        if collapsible && (c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C) {
            pendingSpace = true
            return
        }
        startTextIfNeeded()
        out.append(c)
    }

    mutating func emit(_ s: Unicode.Scalar) {
        startTextIfNeeded()
        out += Array(String(Character(s)).utf8)
    }

    mutating func emit(_ s: String) {
        startTextIfNeeded()
        out += Array(s.utf8)
    }

    func finish() -> String {
        // Right-trim lines, at most one blank line in a row, no blank lines at the ends.
        var lines: [[UInt8]] = []
        for raw in out.split(separator: 0x0A, omittingEmptySubsequences: false) {
            var line = Array(raw)
            while let l = line.last, l == 0x20 || l == 0x09 { line.removeLast() }
            let blank = line.isEmpty || line.allSatisfy { $0 == 0x3E || $0 == 0x20 }
            if blank, let last = lines.last, last.isEmpty || last.allSatisfy({ $0 == 0x3E || $0 == 0x20 }) { continue }
            lines.append(line)
        }
        while let f = lines.first, f.isEmpty { lines.removeFirst() }
        while let l = lines.last, l.isEmpty || l.allSatisfy({ $0 == 0x3E || $0 == 0x20 }) { lines.removeLast() }
        return String(decoding: Array(lines.joined(separator: [0x0A])), as: UTF8.self)
    }

    // MARK: Tags

    /// Handles the markup at `i` (`<`); returns where text resumes.
    mutating func tag(at start: Int) -> Int {
        let n = src.count
        var i = start + 1
        guard i < n else { text(0x3C, collapsible: false); return n }
        // Comments (and Outlook's conditional comments).
        if src[i] == 0x21 {
            if i + 2 < n, src[i + 1] == 0x2D, src[i + 2] == 0x2D {
                var j = i + 3
                while j + 2 < n, !(src[j] == 0x2D && src[j + 1] == 0x2D && src[j + 2] == 0x3E) { j += 1 }
                return min(n, j + 3)
            }
            return skipPast(0x3E, from: i)  // <!DOCTYPE>, <![endif]>
        }
        if src[i] == 0x3F { return skipPast(0x3E, from: i) }  // <?xml ...?>
        var closing = false
        if src[i] == 0x2F { closing = true; i += 1 }
        let nameStart = i
        while i < n, src[i].isASCIILetter || src[i].isASCIIDigit || src[i] == 0x3A || src[i] == 0x2D { i += 1 }
        if i == nameStart {
            // Not a tag: a literal `<`.
            text(0x3C, collapsible: false)
            return start + 1
        }
        let name = String(decoding: UnsafeBufferPointer(rebasing: src[nameStart..<i]), as: UTF8.self).asciiLowercased
        // Attributes up to `>`, respecting quotes.
        let attrStart = i
        var quote: UInt8 = 0
        while i < n {
            let c = src[i]
            if quote != 0 { if c == quote { quote = 0 } }
            else if c == 0x22 || c == 0x27 { quote = c }
            else if c == 0x3E { break }
            i += 1
        }
        let attrEnd = i
        let end = min(n, i + 1)
        let selfClosing = attrEnd > attrStart && src[attrEnd - 1] == 0x2F

        if name.contains(":") { return end }  // o:p, v:shape, ... (Office namespaces)
        if !closing && Self.hiddenTags.contains(name) && !selfClosing {
            return skipElement(name, from: end)
        }
        if closing { close(name) } else { open(name, attributes: attrStart..<attrEnd) }
        return end
    }

    func skipPast(_ byte: UInt8, from i: Int) -> Int {
        var j = i
        while j < src.count, src[j] != byte { j += 1 }
        return min(src.count, j + 1)
    }

    /// Skips to after `</name>` (or to the end).
    func skipElement(_ name: String, from i: Int) -> Int {
        let needle = Array("</\(name)".utf8)
        var j = i
        let n = src.count
        while j + needle.count <= n {
            if src[j] == 0x3C {
                var match = true
                for k in 0..<needle.count where src[j + k].asciiLowercased != needle[k] { match = false; break }
                if match { return skipPast(0x3E, from: j) }
            }
            j += 1
        }
        return n
    }

    mutating func open(_ name: String, attributes: Range<Int>) {
        switch name {
        case "br": 
            if preDepth > 0 { out.append(0x0A) } else {
                if out.isEmpty || out.last == 0x0A { startTextIfNeeded() }
                out.append(0x0A)
                pendingSpace = false
                if pendingBreaks == 0 { writeQuotePrefix() }
            }
        case "li":
            requestBreak(1)
            let indent = String(repeating: "  ", count: max(0, lists.count - 1))
            if var top = lists.last, top > 0 {
                emit(indent + "\(top). ")
                top += 1
                lists[lists.count - 1] = top
            } else {
                emit(indent + "- ")
            }
        case "ul": requestBreak(lists.isEmpty ? 2 : 1); lists.append(0)
        case "ol": requestBreak(lists.isEmpty ? 2 : 1); lists.append(Int(attribute("start", in: attributes) ?? "") ?? 1)
        case "tr": requestBreak(1); cellsInRow = 0
        case "td", "th":
            if cellsInRow > 0 {
                pendingSpace = false
                startTextIfNeeded()
                while out.last == 0x20 { out.removeLast() }
                out.append(0x09)
            }
            cellsInRow += 1
        case "pre": requestBreak(2); preDepth += 1
        case "blockquote": requestBreak(2); quoteDepth += 1
        case "hr": requestBreak(2); emit("----"); requestBreak(2)
        case "a":
            link = attribute("href", in: attributes).map { ($0, out.count) }
        case "img":
            if let alt = attribute("alt", in: attributes)?.trimmingMailWhitespace, !alt.isEmpty { emit("[\(alt)]") }
        default:
            if Self.paragraphTags.contains(name) { requestBreak(2) }
            else if Self.blockTags.contains(name) { requestBreak(1) }
        }
    }

    mutating func close(_ name: String) {
        switch name {
        case "ul", "ol": if !lists.isEmpty { lists.removeLast() }; requestBreak(lists.isEmpty ? 2 : 1)
        case "pre": preDepth = max(0, preDepth - 1); requestBreak(2)
        case "blockquote": requestBreak(2); quoteDepth = max(0, quoteDepth - 1)
        case "a":
            guard let l = link else { return }
            link = nil
            let shown = String(decoding: out[min(l.textStart, out.count)...], as: UTF8.self).trimmingMailWhitespace
            let href = l.href.trimmingMailWhitespace
            let lower = href.asciiLowercased
            if href.isEmpty || href.hasPrefix("#") || lower.hasPrefix("javascript:") || lower.hasPrefix("cid:") { return }
            let target = lower.hasPrefix("mailto:") ? String(href.dropFirst(7)) : href
            if shown == href || shown == target || shown.isEmpty && lower.hasPrefix("mailto:") { return }
            if shown.asciiLowercased.trimmingSlash == target.asciiLowercased.trimmingSlash { return }
            if shown.isEmpty { emit(target) } else { emit(" <\(target)>") }
        case "td", "th", "li": break
        default:
            if Self.paragraphTags.contains(name) { requestBreak(2) }
            else if Self.blockTags.contains(name) { requestBreak(1) }
        }
    }

    /// The decoded value of an attribute, if present.
    func attribute(_ wanted: String, in range: Range<Int>) -> String? {
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            while i < end, src[i] == 0x20 || src[i] == 0x09 || src[i] == 0x0A || src[i] == 0x0D || src[i] == 0x2F { i += 1 }
            let nameStart = i
            while i < end, src[i] != 0x3D, src[i] != 0x20, src[i] != 0x09, src[i] != 0x0A, src[i] != 0x0D, src[i] != 0x3E { i += 1 }
            let name = String(decoding: UnsafeBufferPointer(rebasing: src[nameStart..<i]), as: UTF8.self).asciiLowercased
            while i < end, src[i] == 0x20 || src[i] == 0x09 || src[i] == 0x0A || src[i] == 0x0D { i += 1 }
            var value: Range<Int>? = nil
            if i < end, src[i] == 0x3D {
                i += 1
                while i < end, src[i] == 0x20 || src[i] == 0x09 { i += 1 }
                if i < end, src[i] == 0x22 || src[i] == 0x27 {
                    let q = src[i]
                    let vs = i + 1
                    i = vs
                    while i < end, src[i] != q { i += 1 }
                    value = vs..<i
                    i += 1
                } else {
                    let vs = i
                    while i < end, src[i] != 0x20, src[i] != 0x09, src[i] != 0x0A, src[i] != 0x0D { i += 1 }
                    value = vs..<i
                }
            }
            if name == wanted {
                guard let value else { return "" }
                return decodeEntities(value)
            }
            if i == nameStart { i += 1 }
        }
        return nil
    }

    func decodeEntities(_ range: Range<Int>) -> String {
        var out: [UInt8] = []
        var i = range.lowerBound
        while i < range.upperBound {
            if src[i] == 0x26, let (s, next) = HTMLEntities.decode(UnsafeBufferPointer(rebasing: src[..<range.upperBound]), at: i) {
                out += Array(String(Character(s)).utf8)
                i = next
            } else {
                out.append(src[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

private extension String {
    var trimmingSlash: String { hasSuffix("/") ? String(dropLast()) : self }
}
