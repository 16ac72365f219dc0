import PostdeskMail

/// Ticket numbers written into subjects (`[Acme #123]`) and plus addresses (`support+123@acme.test`).
public enum TicketReferences {
    /// The ticket number of the first `[TAG #N]` in `subject` for any of `tags` (case-insensitive; spaces
    /// around `#` tolerated, as some clients rewrap them). Where tags share a prefix the longest one matches.
    public static func subjectTag(in subject: String, tags: [String]) -> Int64? {
        let s = Array(subject.utf8)
        // ASCII case only, on both sides: a tag with a non-ASCII capital (ÄRGER) must match itself byte for byte.
        // The longest tag first: with `it` and `it-security`, `[it-security #5]` must not stop at `it`.
        let lowered = tags.map { Array($0.utf8).map(\.asciiLowercasedByte) }.enumerated()
            .sorted { $0.element.count != $1.element.count ? $0.element.count > $1.element.count : $0.offset < $1.offset }
            .map(\.element)
        var i = 0
        while i < s.count {
            guard s[i] == 0x5B else { i += 1; continue }  // [
            var j = i + 1
            while j < s.count, s[j] == 0x20 { j += 1 }
            var matched = false
            for tag in lowered where j + tag.count <= s.count {
                if zip(s[j..<j + tag.count], tag).allSatisfy({ $0.asciiLowercasedByte == $1 }) {
                    j += tag.count
                    matched = true
                    break
                }
            }
            if matched {
                while j < s.count, s[j] == 0x20 { j += 1 }
                if j < s.count, s[j] == 0x23 {  // #
                    j += 1
                    while j < s.count, s[j] == 0x20 { j += 1 }
                    var n: Int64 = 0
                    var digits = 0
                    while j < s.count, s[j] >= 0x30, s[j] <= 0x39, digits < 15 {
                        n = n * 10 + Int64(s[j] - 0x30)
                        j += 1
                        digits += 1
                    }
                    while j < s.count, s[j] == 0x20 { j += 1 }
                    if digits > 0, j < s.count, s[j] == 0x5D, n > 0 { return n }
                }
            }
            i += 1
        }
        return nil
    }

    /// The ticket number in a plus address of the mailbox (`support+123@acme.test` for `support@acme.test`).
    public static func plusAddress(in recipients: [String], mailboxAddress: String) -> Int64? {
        let parts = mailboxAddress.lowercased().split(separator: "@", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let local = parts[0], domain = parts[1]
        for r in recipients {
            let rp = r.lowercased().split(separator: "@", maxSplits: 1)
            guard rp.count == 2, rp[1] == domain, rp[0].hasPrefix(local + "+") else { continue }
            let suffix = rp[0].dropFirst(local.count + 1)
            if let n = Int64(suffix), n > 0 { return n }
        }
        return nil
    }

    /// Reply and forward prefixes in the languages customers write: `Re:`, `AW:`, `Odp:`, `RV:`, `WG:`, `Fwd:`...
    static let prefixes: Set<String> = [
        "re", "aw", "antw", "odp", "rv", "r", "ref", "réf", "sv", "vs", "res", "fw", "fwd", "wg", "tr", "enc", "i", "pd",
        "rif", "doorst", "fs", "vl", "odg", "přeposlat", "trs",
    ]

    /// The subject without leading reply/forward prefixes (`Re: AW: Fwd[2]: x` gives `x`) and without a
    /// ticket tag. For display and comparison only: a reply never renames its ticket.
    public static func baseSubject(_ subject: String, tags: [String] = []) -> String {
        var s = Substring(subject)
        var changed = true
        while changed {
            changed = false
            s = s.drop(while: { $0 == " " || $0 == "\t" })
            // A leading [Tag #N]
            if s.hasPrefix("["), let close = s.firstIndex(of: "]"),
                subjectTag(in: String(s[...close]), tags: tags) != nil
            {
                s = s[s.index(after: close)...]
                changed = true
                continue
            }
            if let colon = s.firstIndex(of: ":"), s.distance(from: s.startIndex, to: colon) <= 12 {
                var word = s[..<colon].lowercased()
                if let bracket = word.firstIndex(where: { $0 == "[" || $0 == "(" }) { word = String(word[..<bracket]) }
                word = word.trimmingWhitespace
                if prefixes.contains(word) {
                    s = s[s.index(after: colon)...]
                    changed = true
                }
            }
        }
        return String(s).trimmingWhitespace
    }
}

extension UInt8 {
    var asciiLowercasedByte: UInt8 { (self >= 0x41 && self <= 0x5A) ? self | 0x20 : self }
}
