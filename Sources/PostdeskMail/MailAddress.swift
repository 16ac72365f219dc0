/// One mailbox from an address header.
public struct MailAddress: Sendable, Hashable {
    /// Display name, RFC 2047 decoded and unquoted; nil when there is none.
    public var name: String?
    /// `local@domain` as written (quotes around the local part kept only where needed). May lack `@`
    /// for malformed input.
    public var address: String
    /// The group this mailbox was listed in (`Team: a@x, b@y;`), if any.
    public var group: String?
    /// Whether the address was written malformed in a way no reading can repair without inventing another
    /// address (`john smith@example.com`, `<john smith@example.com>`: a space inside the local part). It is kept
    /// exactly as written, and is no address to write to or to take for the sender.
    public var isMalformed: Bool

    public init(name: String? = nil, address: String, group: String? = nil, isMalformed: Bool = false) {
        self.name = name
        self.address = address
        self.group = group
        self.isMalformed = isMalformed
    }

    /// Whether the address holds a control character (a NUL, an encoded line break): then it is no address to
    /// write to or to store (SQLite would cut it at a NUL, the composer would drop the character: either way
    /// another address).
    public var hasControlCharacters: Bool {
        address.unicodeScalars.contains { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) }
    }
}

/// RFC 5322 address lists, read leniently.
public enum AddressParser {
    /// Parses an address list (From, To, Cc, Reply-To, ...): groups are flattened into their members.
    public static func parseList(_ text: String) -> (addresses: [MailAddress], defects: [MailDefect]) {
        var tokenizer = AddressTokenizer(Array(text.utf8))
        let tokens = tokenizer.tokenize()
        var defects = tokenizer.defects
        var result: [MailAddress] = []
        var group: String? = nil
        var current: [AddressToken] = []

        func finish() {
            defer { current = [] }
            if current.isEmpty { return }
            // `a@x b@y` without commas: several addresses.
            let atoms = current.compactMap { t -> String? in if case .atom(let s) = t { return s }; return nil }
            if atoms.count > 1, atoms.count == current.count, atoms.allSatisfy({ $0.contains("@") && !$0.hasPrefix("@") && !$0.hasSuffix("@") }) {
                defects.append(MailDefect(.address, "addresses separated by spaces instead of commas"))
                for a in atoms { result.append(MailAddress(name: nil, address: a, group: group)) }
                return
            }
            if let a = mailbox(from: current, group: group, defects: &defects) { result.append(a) }
        }

        for token in tokens {
            switch token {
            case .comma:
                finish()
            case .semicolon:
                finish()
                group = nil
            case .colon:
                // `Name:` opens a group unless it is inside angle brackets (handled by the tokenizer).
                if group == nil, !current.isEmpty, !current.contains(where: { if case .angle = $0 { return true }; return false }) {
                    let name = phrase(current)
                    group = name.isEmpty ? "" : name
                    current = []
                } else {
                    current.append(.atom(":"))
                }
            default:
                current.append(token)
            }
        }
        finish()
        if text.utf8.count > 0 && result.isEmpty && !text.contains(":") && !text.trimmingMailWhitespace.isEmpty {
            defects.append(MailDefect(.address, "no address found in \"\(text.prefix(80))\""))
        }
        return (result, defects)
    }

    /// The first mailbox of an address header.
    public static func parseSingle(_ text: String) -> (address: MailAddress?, defects: [MailDefect]) {
        let (list, defects) = parseList(text)
        return (list.first, defects)
    }

    /// Builds one mailbox from the tokens between separators.
    private static func mailbox(from tokens: [AddressToken], group: String?, defects: inout [MailDefect]) -> MailAddress? {
        // `Name <addr>`: the angle part is the address, everything else the name.
        if let angleIndex = tokens.firstIndex(where: { if case .angle = $0 { return true }; return false }),
            case .angle(var addr, let closed) = tokens[angleIndex]
        {
            if !closed { defects.append(MailDefect(.address, "missing \">\" after <\(addr)"))}
            // Obsolete route: <@a,@b:user@host>.
            if addr.hasPrefix("@"), let colon = addr.firstIndex(of: ":") {
                addr = String(addr[addr.index(after: colon)...])
                defects.append(MailDefect(.address, "obsolete source route dropped from <\(addr)>"))
            }
            addr = addr.trimmingMailWhitespace
            let malformed = hasUnquotedWhitespace(addr)
            if malformed {
                defects.append(MailDefect(.address, "<\(addr)> has a space inside the address; kept as written, not used as an address"))
            }
            var nameTokens = tokens
            nameTokens.remove(at: angleIndex)
            var name = phrase(nameTokens.filter { if case .comment = $0 { return false }; return true })
            if name.isEmpty { name = commentText(nameTokens) }
            if addr.isEmpty && name.isEmpty { return nil }
            if addr.isEmpty {
                return MailAddress(name: nil, address: "", group: group)
            }
            return MailAddress(name: name.isEmpty ? nil : name, address: addr, group: group, isMalformed: malformed)
        }
        // A bare address, maybe with a comment name: `a@b (Name)`; or words that are the address.
        let words = tokens.filter { if case .comment = $0 { return false }; return true }
        if words.isEmpty { return nil }
        let hasAt = words.contains(where: { if case .atom(let s) = $0 { return s.contains("@") }; if case .quoted(let s) = $0 { return s.contains("@") }; return false })
        if !hasAt, words.count == 1, case .atom(let local) = words[0] {
            // A bare local part (`eryq`): a mailbox on the local host. Kept, with a defect.
            defects.append(MailDefect(.address, "\"\(local)\" has no domain"))
            return MailAddress(name: commentText(tokens).isEmpty ? nil : commentText(tokens), address: local, group: group)
        }
        if !hasAt {
            let text = phrase(words)
            defects.append(MailDefect(.address, "\"\(text)\" is not an address (no @); skipped"))
            return nil
        }
        // The words of one address: the obsolete syntax allows space around `.` and `@` (`john . smith @ x.test`),
        // so words that meet there are joined; two words that meet anywhere else (`john smith@x.test`) are no
        // address, and are kept as written rather than joined into another one.
        var address = ""
        var malformed = false
        for t in words {
            let s: String
            switch t {
            case .atom(let a): s = a
            case .quoted(let q): s = quoteIfNeeded(q)
            default: continue
            }
            if let last = address.utf8.last, let next = s.utf8.first, !Self.joinsWithoutSpace(last), !Self.joinsWithoutSpace(next) {
                address += " "
                malformed = true
            }
            address += s
        }
        if words.count > 1, address.contains("@") {
            // `John Doe john@x` (no brackets): the last word with @ is the address, the rest the name, when the rest
            // reads as a name (a capital, a non-ASCII letter or a quoted string: `Big Bug bb@bug.com`); all-lower-case
            // ASCII words (`john smith@example.com`) may as well be a local part with a space, so it is malformed.
            if let at = words.lastIndex(where: { if case .atom(let s) = $0 { return s.contains("@") }; return false }),
                at > 0, case .atom(let a) = words[at], !a.hasPrefix("@")
            {
                let before = Array(words[..<at])
                if case .atom(let prev) = before.last!, prev.hasSuffix(".") || prev.hasSuffix("@") {
                    // part of a dotted local part: keep joined
                } else if !Self.readsAsName(before) {
                    // a local part with a space: malformed, below
                } else {
                    defects.append(MailDefect(.address, "address without angle brackets after a name: \(a)"))
                    let name = phrase(before)
                    return MailAddress(name: name.isEmpty ? nil : name, address: a, group: group)
                }
            }
        }
        if !address.contains("@") {
            defects.append(MailDefect(.address, "\"\(address)\" is not an address (no @)"))
        } else if malformed {
            defects.append(MailDefect(.address, "\"\(address)\" has a space inside the address; kept as written, not used as an address"))
        }
        let name = commentText(tokens)
        return MailAddress(name: name.isEmpty ? nil : name, address: address, group: group, isMalformed: malformed)
    }

    private static func joinsWithoutSpace(_ c: UInt8) -> Bool { AddressTokenizer.joinsWithoutSpace(c) }

    /// Whether space outside quotes is left in an address (after the obsolete syntax's spaces were removed).
    static func hasUnquotedWhitespace(_ address: String) -> Bool {
        var inQuote = false
        for c in address.utf8 {
            if c == 0x22 { inQuote.toggle() }
            if !inQuote && (c == 0x20 || c == 0x09) { return true }
        }
        return false
    }

    /// Whether words before a bare address read as a display name rather than as more of the local part.
    private static func readsAsName(_ words: [AddressToken]) -> Bool {
        words.contains { t in
            switch t {
            case .quoted: return true
            case .atom(let s): return s.utf8.contains { ($0 >= 0x41 && $0 <= 0x5A) || $0 >= 0x80 }
            default: return false
            }
        }
    }

    private static func quoteIfNeeded(_ s: String) -> String {
        s.utf8.contains(where: { $0 == 0x20 || $0 == 0x40 || $0 == 0x2C || $0 == 0x22 }) ? "\"\(s)\"" : s
    }

    /// A display name from atoms and quoted strings, RFC 2047 decoded, whitespace collapsed.
    static func phrase(_ tokens: [AddressToken]) -> String {
        var parts: [String] = []
        for t in tokens {
            switch t {
            case .atom(let s), .quoted(let s): parts.append(s)
            default: break
            }
        }
        let joined = parts.joined(separator: " ")
        let decoded = EncodedWords.decode(joined).text
        return collapse(decoded)
    }

    private static func commentText(_ tokens: [AddressToken]) -> String {
        for t in tokens { if case .comment(let c) = t { return collapse(EncodedWords.decode(c).text) } }
        return ""
    }

    static func collapse(_ s: String) -> String {
        s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).joined(separator: " ")
    }
}

enum AddressToken {
    case atom(String)
    case quoted(String)
    case comment(String)
    /// The inside of `<...>`, and whether `>` was found.
    case angle(String, closed: Bool)
    case comma, semicolon, colon
}

/// Splits an address header into tokens: quoted strings, comments, angle addresses, separators.
struct AddressTokenizer {
    let b: [UInt8]
    var i = 0
    var defects: [MailDefect] = []
    /// Set by `comment()` when it ran to the end without its `)`.
    private var commentUnterminated = false
    /// After an unterminated comment: `(` is an ordinary character for the rest of the field.
    private var commentsAsText = false

    init(_ bytes: [UInt8]) { b = bytes }

    mutating func tokenize() -> [AddressToken] {
        var tokens: [AddressToken] = []
        let n = b.count
        while i < n {
            let c = b[i]
            switch c {
            case 0x20, 0x09, 0x0D, 0x0A: i += 1
            case 0x2C: tokens.append(.comma); i += 1
            case 0x3B: tokens.append(.semicolon); i += 1
            case 0x3A: tokens.append(.colon); i += 1
            case 0x22: tokens.append(.quoted(quoted()))
            case 0x28 where !commentsAsText:
                let start = i
                commentUnterminated = false
                let text = comment()
                if commentUnterminated {
                    // `Ana (Support <ana@x>` or a stray `(` from bytes read in the wrong charset: a comment that
                    // never ends would swallow the address. Read `(` as text from here on (for the rest of the
                    // field, so a field of a million `(` is scanned twice, not a million times).
                    commentsAsText = true
                    defects[defects.count - 1] = MailDefect(.address, "unterminated comment; its \"(\" read as text")
                    i = start
                } else {
                    tokens.append(.comment(text))
                }
            case 0x3C: tokens.append(angle())
            case 0x3E: i += 1  // a stray `>`
            default:
                let start = i
                while i < n, !Self.isSpecial(b[i]) || (commentsAsText && b[i] == 0x28) { i += 1 }
                if i == start { i += 1; continue }
                var atom = String(decoding: b[start..<i], as: UTF8.self)
                // An encoded word may contain specials like `?` `=` only; keep them together.
                if atom.hasPrefix("=?"), !atom.hasSuffix("?="), let end = findEncodedWordEnd(from: i) {
                    atom += String(decoding: b[i..<end], as: UTF8.self)
                    i = end
                }
                tokens.append(.atom(atom))
            }
        }
        return tokens
    }

    /// `.` and `@` (and a route's `,` `:`) may have space around them in the obsolete syntax.
    static func joinsWithoutSpace(_ c: UInt8) -> Bool { c == 0x2E || c == 0x40 || c == 0x2C || c == 0x3A }

    static func isSpecial(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A || c == 0x2C || c == 0x3B || c == 0x3A || c == 0x22
            || c == 0x28 || c == 0x3C || c == 0x3E
    }

    private func findEncodedWordEnd(from start: Int) -> Int? {
        var j = start
        while j + 1 < b.count {
            if b[j] == 0x20 { return nil }
            if b[j] == 0x3F && b[j + 1] == 0x3D { return j + 2 }
            j += 1
        }
        return nil
    }

    private mutating func quoted() -> String {
        i += 1
        var out: [UInt8] = []
        while i < b.count {
            if b[i] == 0x5C, i + 1 < b.count { out.append(b[i + 1]); i += 2; continue }
            if b[i] == 0x22 { i += 1; return String(decoding: out, as: UTF8.self) }
            if b[i] != 0x0D && b[i] != 0x0A { out.append(b[i]) }
            i += 1
        }
        defects.append(MailDefect(.address, "unterminated quoted string \"\(String(decoding: out.prefix(40), as: UTF8.self))"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether a `>` comes before the next `,`, `;` or `<`: then a space inside brackets is just space.
    private func closesLater() -> Bool {
        var j = i
        while j < b.count {
            switch b[j] {
            case 0x3E: return true
            case 0x2C, 0x3B, 0x3C: return false
            default: j += 1
            }
        }
        return false
    }

    private mutating func comment() -> String {
        var depth = 0
        var out: [UInt8] = []
        while i < b.count {
            let c = b[i]
            if c == 0x5C, i + 1 < b.count { out.append(b[i + 1]); i += 2; continue }
            if c == 0x28 { depth += 1; if depth > 1 { out.append(c) }; i += 1; continue }
            if c == 0x29 {
                depth -= 1
                i += 1
                if depth == 0 { return String(decoding: out, as: UTF8.self) }
                out.append(c)
                continue
            }
            out.append(c)
            i += 1
        }
        defects.append(MailDefect(.address, "unterminated comment"))
        commentUnterminated = true
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func angle() -> AddressToken {
        i += 1
        var out: [UInt8] = []
        var pendingSpace: [UInt8] = []
        while i < b.count {
            let c = b[i]
            if c == 0x3E { i += 1; return .angle(String(decoding: out, as: UTF8.self), closed: true) }
            if c == 0x28 {
                // A comment inside the brackets (`<pete(his account)@silly.test>`): dropped.
                _ = comment()
                continue
            }
            if c == 0x22 {
                // A quoted local part inside brackets; space before it is kept like space before a word.
                if !pendingSpace.isEmpty, let last = out.last, !Self.joinsWithoutSpace(last) { out += pendingSpace }
                pendingSpace = []
                let q = quoted()
                out += Array(q.utf8.contains(0x20) ? "\"\(q)\"".utf8 : q.utf8)
                continue
            }
            // Missing `>`: the address ends at a separator that cannot be inside it.
            let inRoute = out.first == 0x40 && !out.contains(0x3A)  // <@a,@b:user@host>
            if (c == 0x2C && !inRoute) || c == 0x3B || c == 0x3C || (c == 0x20 && out.contains(0x40) && !inRoute && !closesLater()) {
                return .angle(String(decoding: out, as: UTF8.self), closed: false)
            }
            if c == 0x20 || c == 0x09 {
                if !out.isEmpty { pendingSpace.append(c) }
            } else if c != 0x0D && c != 0x0A {
                // Space around `.` and `@` is the obsolete syntax (dropped); between two words it stays, so that
                // `<john smith@x.test>` is not read as another address.
                if !pendingSpace.isEmpty, let last = out.last, !Self.joinsWithoutSpace(last), !Self.joinsWithoutSpace(c) {
                    out += pendingSpace
                }
                pendingSpace = []
                out.append(c)
            }
            i += 1
        }
        return .angle(String(decoding: out, as: UTF8.self), closed: false)
    }
}
