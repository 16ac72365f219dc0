/// The mail Postdesk writes, one kind per template.
public enum TemplateKind: String, Sendable, Hashable, CaseIterable {
    /// To the customer: their mail became ticket N.
    case confirmation
    /// To the queue's agents: a new ticket.
    case agentNewTicket = "agent_new_ticket"
    /// To the assignee (or the agents): the customer wrote again.
    case agentCustomerReply = "agent_customer_reply"
    /// To the other agents: an agent wrote an internal note. Replying to it writes another internal note.
    case agentInternalNote = "agent_internal_note"
    /// To the customer: an agent's answer, relayed from the queue address.
    case relay
    /// To the customer: who handles the ticket, and by when.
    case assigned
    /// To the customer: resolved; reply to reopen, closes by itself after a while.
    case resolved
    /// To the customer: the resolved ticket closes soon.
    case reminder
    /// To the customer: the ticket is closed.
    case closed
    /// To the customer: their reply to a closed ticket opened a new one.
    case followUp = "follow_up"
    /// To the customer: their tickets and where each stands.
    case statusSummary = "status_summary"
    /// To the customer: an account was made; reply to confirm it.
    case welcome
    /// To the customer: a password reset code.
    case passwordReset = "password_reset"
    /// To whoever sent commands that failed: which line and why.
    case commandError = "command_error"
    /// To the customer: a single-use link and code to sign in to the portal (DefaultTemplates+SignIn).
    case signInLink = "sign_in_link"

    /// The file name under `templates/LANG/`.
    public var fileName: String { rawValue + ".txt" }

    /// Who reads it: agents get the helpdesk's language, customers their own.
    public var forAgents: Bool { self == .agentNewTicket || self == .agentCustomerReply || self == .agentInternalNote }

    /// RFC 3834: an answer to a message (`auto-replied`) or mail Postdesk starts itself (`auto-generated`).
    /// A relayed agent reply is written by a person: nil.
    public var autoSubmitted: String? {
        switch self {
        case .relay: return nil
        case .confirmation, .followUp, .statusSummary, .commandError, .passwordReset: return "auto-replied"
        default: return "auto-generated"
        }
    }

    /// Placeholders every template may use. `portal_link` is the ticket's page in the customer portal
    /// (`[portal] url` + `/tickets/N`), empty when no url is set or the mail is about no ticket.
    public static let common: Set<String> = ["helpdesk_name", "queue_address", "ticket_number", "ticket_tag", "subject", "customer_name",
                                             "portal_link"]

    /// What the agents' notices say about who sent a mail and who it brought along: one of `sender_verified`,
    /// `sender_unverified`, `sender_failed` has a value (the reason), `recipients` lists To/Cc, `cc_joined` who
    /// joined the ticket, `cc_not_joined` who did not and why; `from_fields` lists the From addresses of a mail
    /// with several From fields (a sign of forgery), `malformed_from` a malformed From address as written.
    public static let senderNotes: Set<String> = ["sender_verified", "sender_unverified", "sender_failed", "recipients", "cc_joined", "cc_not_joined",
                                                  "from_fields", "malformed_from"]

    /// The placeholders this template may use (besides the common ones).
    public var placeholders: Set<String> {
        switch self {
        case .confirmation: return ["turnaround", "received_at"]
        case .agentNewTicket: return Self.senderNotes.union(["requester", "requester_name", "queue", "text", "attachments", "priority"])
        case .agentCustomerReply: return Self.senderNotes.union(["requester", "requester_name", "queue", "text", "attachments", "status"])
        case .agentInternalNote: return ["author_name", "text", "status"]
        case .relay: return ["agent_name", "text"]
        case .assigned: return ["agent_name", "due"]
        case .resolved: return ["close_after", "close_at"]
        case .reminder: return ["close_at"]
        case .closed: return []
        case .followUp: return ["previous_number", "previous_tag"]
        case .statusSummary: return ["ticket_list", "ticket_count"]
        case .welcome: return []
        case .passwordReset: return ["code", "expires_minutes"]
        case .commandError: return ["errors"]
        case .signInLink: return ["link", "code", "expires_minutes"]
        }
    }

    /// Placeholders the template must use: without them the mail would not do its job.
    public var required: Set<String> {
        switch self {
        case .confirmation: return ["ticket_number"]
        case .agentNewTicket, .agentCustomerReply, .agentInternalNote: return ["ticket_number", "text"]
        case .relay: return ["text"]
        case .assigned: return ["agent_name"]
        case .followUp: return ["ticket_number", "previous_number"]
        case .statusSummary: return ["ticket_list"]
        case .passwordReset: return ["code"]
        case .commandError: return ["errors"]
        case .signInLink: return ["code"]
        case .resolved, .reminder, .closed, .welcome: return []
        }
    }
}

/// A problem in a template, with its line (1 is the Subject line).
public struct TemplateProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public init(line: Int, _ message: String) { self.line = line; self.message = message }
    public var description: String { "line \(line): \(message)" }
}

/// A mail template: a `Subject:` line, a blank line, then the body. `{{name}}` inserts a value;
/// `{{#name}}...{{/name}}` keeps its content only when `name` has a value, `{{^name}}...{{/name}}` only when
/// it has none. Values are inserted as they are (templates are text, not HTML).
public struct MailTemplate: Sendable, Hashable {
    enum Node: Sendable, Hashable {
        case text(String)
        case value(String)
        case section(String, inverted: Bool, [Node])
    }

    public let kind: TemplateKind
    let subject: [Node]
    let body: [Node]
    /// Every placeholder named, with the line it is first on.
    public let names: [String: Int]

    /// Reads and checks a template: unknown placeholders, required ones missing, unbalanced sections.
    public static func parse(_ text: String, kind: TemplateKind) -> Result<MailTemplate, TemplateProblem> {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        guard let first = lines.first, first.lowercased().hasPrefix("subject:") else {
            return .failure(TemplateProblem(line: 1, "the first line must be \"Subject: ...\""))
        }
        let subjectText = String(first.dropFirst("subject:".count)).trimmingWhitespace
        if subjectText.isEmpty { return .failure(TemplateProblem(line: 1, "the subject is empty")) }
        lines.removeFirst()
        var bodyStart = 2
        if let l = lines.first, l.trimmingWhitespace.isEmpty { lines.removeFirst(); bodyStart = 3 } else if !lines.isEmpty {
            return .failure(TemplateProblem(line: 2, "a blank line must follow the Subject line"))
        }
        while let l = lines.last, l.trimmingWhitespace.isEmpty { lines.removeLast() }
        var names: [String: Int] = [:]
        let subject: [Node]
        let body: [Node]
        switch parseNodes(subjectText, firstLine: 1, names: &names) {
        case .failure(let p): return .failure(p)
        case .success(let n): subject = n
        }
        switch parseNodes(lines.joined(separator: "\n"), firstLine: bodyStart, names: &names) {
        case .failure(let p): return .failure(p)
        case .success(let n): body = n
        }
        let allowed = TemplateKind.common.union(kind.placeholders)
        for (name, line) in names.sorted(by: { $0.value < $1.value }) where !allowed.contains(name) {
            return .failure(TemplateProblem(line: line, "unknown placeholder {{\(name)}}; \(kind.rawValue) knows \(allowed.sorted().map { "{{\($0)}}" }.joined(separator: ", "))"))
        }
        for name in kind.required.sorted() where names[name] == nil {
            return .failure(TemplateProblem(line: 1, "the placeholder {{\(name)}} is missing; a \(kind.rawValue) mail needs it"))
        }
        return .success(MailTemplate(kind: kind, subject: subject, body: body, names: names))
    }

    /// Fills the template. Values missing from `values` are empty.
    public func render(_ values: [String: String]) -> (subject: String, text: String) {
        var subjectOut = ""
        Self.render(subject, values, into: &subjectOut)
        var bodyOut = ""
        Self.render(body, values, into: &bodyOut)
        // Sections on lines of their own leave blank lines behind: collapse runs of blank lines.
        var lines: [Substring] = []
        for line in bodyOut.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingWhitespace.isEmpty, let last = lines.last, last.trimmingWhitespace.isEmpty { continue }
            lines.append(line)
        }
        while let l = lines.first, l.trimmingWhitespace.isEmpty { lines.removeFirst() }
        while let l = lines.last, l.trimmingWhitespace.isEmpty { lines.removeLast() }
        let subjectLine = String(subjectOut.map { $0.isNewline ? " " : $0 }).trimmingWhitespace
        return (subjectLine, lines.joined(separator: "\n") + "\n")
    }

    private static func render(_ nodes: [Node], _ values: [String: String], into out: inout String) {
        for node in nodes {
            switch node {
            case .text(let t): out += t
            case .value(let name): out += values[name] ?? ""
            case .section(let name, let inverted, let inner):
                let present = !(values[name] ?? "").isEmpty
                if present != inverted { render(inner, values, into: &out) }
            }
        }
    }

    private static func parseNodes(_ text: String, firstLine: Int, names: inout [String: Int]) -> Result<[Node], TemplateProblem> {
        // A stack of open sections: (name, inverted, nodes so far, line).
        var stack: [(String, Bool, [Node], Int)] = [("", false, [], firstLine)]
        var line = firstLine
        var rest = Substring(text)
        while !rest.isEmpty {
            guard let open = rest.firstRange(of: "{{") else {
                stack[stack.count - 1].2.append(.text(String(rest)))
                break
            }
            let before = rest[..<open.lowerBound]
            if !before.isEmpty { stack[stack.count - 1].2.append(.text(String(before))) }
            line += before.filter { $0 == "\n" }.count
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                return .failure(TemplateProblem(line: line, "\"{{\" without a closing \"}}\""))
            }
            let tag = String(rest[open.upperBound..<close.lowerBound]).trimmingWhitespace
            rest = rest[close.upperBound...]
            var name = tag
            let sigil = tag.first
            if sigil == "#" || sigil == "^" || sigil == "/" { name = String(tag.dropFirst()).trimmingWhitespace }
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                return .failure(TemplateProblem(line: line, "\"{{\(tag)}}\" is not a placeholder: use {{name}}, {{#name}}...{{/name}} or {{^name}}...{{/name}}"))
            }
            if names[name] == nil { names[name] = line }
            switch sigil {
            case "#", "^":
                stack.append((name, sigil == "^", [], line))
            case "/":
                guard stack.count > 1, stack[stack.count - 1].0 == name else {
                    return .failure(TemplateProblem(line: line, "{{/\(name)}} closes a section that is not open"))
                }
                let (n, inverted, nodes, _) = stack.removeLast()
                stack[stack.count - 1].2.append(.section(n, inverted: inverted, nodes))
            default:
                stack[stack.count - 1].2.append(.value(name))
            }
        }
        if stack.count > 1 {
            let open = stack[stack.count - 1]
            return .failure(TemplateProblem(line: open.3, "{{#\(open.0)}} is never closed with {{/\(open.0)}}"))
        }
        return .success(stack[0].2)
    }
}

/// Every template in every language: the built-in ones, with the operator's files over them.
public struct TemplateSet: Sendable {
    private var templates: [String: MailTemplate] = [:]
    public let fallbackLanguage: String

    /// A problem in an operator's template file.
    public struct FileProblem: Sendable, Hashable, CustomStringConvertible {
        public var file: String
        public var problem: TemplateProblem
        public var description: String { "\(file):\(problem.line): \(problem.message)" }
    }

    /// The built-in templates only. They are checked by the tests; a broken one is a programming error.
    public init(fallbackLanguage: String) {
        self.fallbackLanguage = fallbackLanguage
        for (language, texts) in DefaultTemplates.all {
            for (kind, text) in texts {
                if case .success(let t) = MailTemplate.parse(text, kind: kind) { templates[language + "/" + kind.rawValue] = t }
            }
        }
    }

    /// Puts an operator's template over the built-in one. `file` names it in problems.
    public mutating func override(language: String, kind: TemplateKind, text: String, file: String) -> FileProblem? {
        switch MailTemplate.parse(text, kind: kind) {
        case .success(let t):
            templates[language + "/" + kind.rawValue] = t
            return nil
        case .failure(let p):
            return FileProblem(file: file, problem: p)
        }
    }

    /// The template for `kind` in `language`, else in the fallback language, else in English.
    public func template(_ kind: TemplateKind, language: String) -> (template: MailTemplate, language: String) {
        for l in [language, fallbackLanguage, "en"] {
            if let t = templates[l + "/" + kind.rawValue] { return (t, l) }
        }
        preconditionFailure("no built-in \(kind.rawValue) template")
    }
}
