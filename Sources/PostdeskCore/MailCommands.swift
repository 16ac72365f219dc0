/// Commands written by mail: `#` lines at the very top of an agent's mail, and `#close` on the first line of a
/// customer's. Pure: parsing and validation only; the daemon applies them.
public enum AgentCommand: Sendable, Hashable {
    case assign(String)
    case take
    case status(TicketStatus)
    case priority(TicketPriority)
    /// A calendar date, `YYYY-MM-DD`.
    case due(String)
    case type(String)
    case ccAdd(String)
    case ccRemove(String)
    case `internal`
}

/// A command line that cannot be used, with its line number in the mail's new text (1-based).
public struct CommandProblem: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var text: String
    public var message: String
    public init(line: Int, text: String, message: String) { self.line = line; self.text = text; self.message = message }
    public var description: String { "line \(line): \(text)\n  \(message)" }
}

public struct ParsedCommands: Sendable {
    public var commands: [(line: Int, command: AgentCommand)]
    public var problems: [CommandProblem]
    /// The text after the command lines: what is relayed (or kept as the internal note).
    public var body: String

    public var isInternal: Bool { commands.contains { $0.command == .internal } }
}

public enum MailCommands {
    /// Reads the command lines at the top of an agent's new text (blank lines before them are skipped). The
    /// first line that does not start with `#` ends the commands; everything from it on is the body.
    public static func parseAgent(_ text: String) -> ParsedCommands {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).trimmingWhitespaceAndNewlines }
        var commands: [(Int, AgentCommand)] = []
        var problems: [CommandProblem] = []
        var i = 0
        while i < lines.count, lines[i].isEmpty { i += 1 }
        while i < lines.count, lines[i].hasPrefix("#") {
            let line = lines[i]
            switch parseLine(line) {
            case .success(let c): commands.append((i + 1, c))
            case .failure(let message): problems.append(CommandProblem(line: i + 1, text: line, message: message.text))
            }
            i += 1
        }
        let body = lines[i...].joined(separator: "\n").trimmingWhitespaceAndNewlines
        return ParsedCommands(commands: commands, problems: problems, body: body)
    }

    struct Message: Error { var text: String }

    static func parseLine(_ line: String) -> Result<AgentCommand, Message> {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let name = Substring(words[0].dropFirst().lowercased())
        let args = Array(words.dropFirst())
        func one(_ what: String) -> Result<String, Message> {
            args.count == 1 ? .success(args[0]) : .failure(Message(text: "#\(name) takes one \(what), as in: \(example(name))"))
        }
        switch name {
        case "take":
            return args.isEmpty ? .success(.take) : .failure(Message(text: "#take takes nothing after it (to give the ticket to someone else: #assign NAME)"))
        case "internal":
            return args.isEmpty ? .success(.internal) : .failure(Message(text: "#internal stands alone on its line; the note follows below the commands"))
        case "assign":
            let who = args.joined(separator: " ").trimmingCharacters(in: "<>").trimmingWhitespaceAndNewlines
            guard !who.isEmpty else { return .failure(Message(text: "#assign needs an agent's name or address, as in: #assign alice")) }
            return .success(.assign(who))
        case "status":
            return one("status").flatMap { (v: String) -> Result<AgentCommand, Message> in
                guard let status = TicketStatus(rawValue: v.lowercased()) else {
                    return .failure(Message(text: "unknown status \"\(v)\"; use open, pending, resolved or closed"))
                }
                if status == .new { return .failure(Message(text: "a ticket cannot be set back to new; use open, pending, resolved or closed")) }
                return .success(.status(status))
            }
        case "priority":
            return one("priority").flatMap { v in
                TicketPriority(rawValue: v.lowercased()).map { .success(.priority($0)) }
                    ?? .failure(Message(text: "unknown priority \"\(v)\"; use low, normal, high or urgent"))
            }
        case "due":
            return one("date").flatMap { v in
                isDate(v) ? .success(.due(v)) : .failure(Message(text: "\"\(v)\" is not a date; write it as YYYY-MM-DD, e.g. #due 2026-12-24"))
            }
        case "type":
            return one("word").flatMap { v in
                v.count <= 40 && v.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
                    ? .success(.type(v.lowercased())) : .failure(Message(text: "a type is one word of letters, digits, - or _"))
            }
        case "cc":
            guard args.count == 2, ["add", "remove"].contains(args[0].lowercased()) else {
                return .failure(Message(text: "write #cc add ADDRESS or #cc remove ADDRESS"))
            }
            let address = args[1].trimmingCharacters(in: "<>").lowercased()
            guard isAddress(address) else { return .failure(Message(text: "\"\(args[1])\" is not a mail address")) }
            return .success(args[0].lowercased() == "add" ? .ccAdd(address) : .ccRemove(address))
        default:
            return .failure(Message(text: "unknown command #\(name); known: #assign, #take, #status, #priority, #due, #type, #cc, #internal"))
        }
    }

    static func example(_ name: Substring) -> String {
        switch name {
        case "status": return "#status resolved"
        case "priority": return "#priority high"
        case "due": return "#due 2026-12-24"
        case "type": return "#type hardware"
        default: return "#\(name) VALUE"
        }
    }

    /// `YYYY-MM-DD` naming a real day.
    public static func isDate(_ s: String) -> Bool {
        let p = s.split(separator: "-")
        guard p.count == 3, p[0].count == 4, p[1].count == 2, p[2].count == 2,
            let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]), y >= 2000, y <= 2200, (1...12).contains(m)
        else { return false }
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return (1...days).contains(d)
    }

    static func isAddress(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !s.contains(where: { $0.isWhitespace || $0 == "," })
    }

    /// Whether a customer's new text asks to close the ticket: `#close` alone on its first non-blank line.
    /// Returns the rest of the text when it does.
    public static func customerClose(_ text: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).trimmingWhitespaceAndNewlines }
        guard let first = lines.firstIndex(where: { !$0.isEmpty }), lines[first].lowercased() == "#close" else { return nil }
        return lines[(first + 1)...].joined(separator: "\n").trimmingWhitespaceAndNewlines
    }

    /// Whether a subject asks for the status summary: `status` or its translation, alone (a `Re:` is allowed).
    public static func isStatusRequest(_ subject: String?) -> Bool {
        subjectIs(subject, oneOf: LanguagePack.all.flatMap(\.statusSubjects))
    }

    /// Whether a mail's subject asks for a password reset code ("password reset" or a translation).
    public static func isPasswordResetRequest(_ subject: String?) -> Bool {
        subjectIs(subject, oneOf: LanguagePack.all.flatMap(\.resetSubjects))
    }

    /// The subject, without reply prefixes (any number of them: `Re: AW: status`), case and surrounding space,
    /// is one of `words`.
    static func subjectIs(_ subject: String?, oneOf words: [String]) -> Bool {
        var s = (subject ?? "").trimmingWhitespaceAndNewlines.lowercased()
        while let prefix = ["re:", "aw:", "odp:", "rv:", "r:", "sv:"].first(where: { s.hasPrefix($0) }) {
            s = String(s.dropFirst(prefix.count)).trimmingWhitespaceAndNewlines
        }
        return words.contains { $0.lowercased() == s }
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
