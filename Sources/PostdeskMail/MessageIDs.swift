/// Message-ID, In-Reply-To and References.
public enum MessageIDParser {
    /// Every id in the value, in order, without angle brackets, even when malformed.
    ///
    /// With angle brackets present, only bracketed ids count (text around them, such as
    /// `Your message of Mon ... <id@x>`, is ignored); without any, each whitespace- or comma-separated
    /// word is an id when all of them have an `@` or a digit (`00018 00019`), else only the words with `@`.
    public static func parseList(_ text: String) -> (ids: [String], defects: [MailDefect]) {
        var defects: [MailDefect] = []
        var ids: [String] = []
        // Remove comments.
        var bytes: [UInt8] = []
        var depth = 0
        var inQuote = false
        for c in text.utf8 {
            if c == 0x22 { inQuote.toggle() }
            if !inQuote {
                if c == 0x28 { depth += 1; continue }
                if c == 0x29 && depth > 0 { depth -= 1; continue }
            }
            if depth == 0 { bytes.append(c) }
        }
        if bytes.contains(0x3C) {
            var i = 0
            while i < bytes.count {
                guard bytes[i] == 0x3C else { i += 1; continue }
                var j = i + 1
                var id: [UInt8] = []
                var closed = false
                while j < bytes.count {
                    if bytes[j] == 0x3E { closed = true; break }
                    if bytes[j] == 0x3C { break }
                    if !bytes[j].isMailWhitespace { id.append(bytes[j]) }
                    j += 1
                }
                if !closed {
                    // Unbalanced `<`: take the word that follows.
                    id = Array(id.prefix { $0 != 0x2C })
                    if !id.isEmpty { defects.append(MailDefect(.messageID, "missing \">\" after <\(String(decoding: id, as: UTF8.self))")) }
                }
                if !id.isEmpty { ids.append(String(decoding: id, as: UTF8.self)) }
                i = closed ? j + 1 : max(j, i + 1)
            }
        } else {
            // No brackets at all (`Message-ID: 00020`, `In-Reply-To: someone@yahoo.com`): when every word has an `@`
            // or a digit, each word is an id, as Python's email and mail clients read them; in prose (`Your message
            // of Mon, 1 Jan`) only the words with `@` are.
            let words = bytes.split(whereSeparator: { $0.isMailWhitespace || $0 == 0x2C })
            let allLookLikeIDs = words.allSatisfy { w in w.contains { $0 == 0x40 || $0.isASCIIDigit } }
            for word in words where allLookLikeIDs || word.contains(0x40) {
                let w = String(decoding: word, as: UTF8.self)
                ids.append(w)
                defects.append(MailDefect(.messageID, "message id without angle brackets: \(w)"))
            }
        }
        for id in ids where !id.contains("@") {
            defects.append(MailDefect(.messageID, "message id without @: \(id)"))
        }
        return (ids, defects)
    }

    /// The first id of a Message-ID field.
    public static func parseSingle(_ text: String) -> (id: String?, defects: [MailDefect]) {
        let (ids, defects) = parseList(text)
        return (ids.first, defects)
    }
}
