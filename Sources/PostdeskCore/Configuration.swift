/// A problem in the configuration, with the file and line it is on.
public struct ConfigProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }
    public var file: String
    /// 1-based; 0 when the problem is about the file as a whole (a missing section).
    public var line: Int
    public var message: String
    public var severity: Severity

    public init(file: String, line: Int, _ message: String, severity: Severity = .error) {
        self.file = file
        self.line = line
        self.message = message
        self.severity = severity
    }

    /// `FILE:LINE: message` (`FILE: message` without a line), `warning: ` before warnings.
    public var description: String {
        let location = line > 0 ? "\(file):\(line)" : file
        return severity == .warning ? "\(location): warning: \(message)" : "\(location): \(message)"
    }
}

/// Every problem found in a configuration (reading goes on past the first error, so all are reported).
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Postdesk's configuration: one INI file (INTERFACE.md), read strictly.
public struct Configuration: Sendable, Hashable {
    public enum AgentAuth: String, Sendable, Hashable {
        case authenticationResults = "authentication-results"
        case from
    }

    /// What a customer's mail needs for the privileged acts (bringing people in To/Cc onto a ticket, `#close`,
    /// a status summary, a reset code): `SenderPolicy` decides with it.
    public enum CustomerAuth: String, Sendable, Hashable, CaseIterable {
        /// Only a sender the MTA verified (DMARC, or aligned DKIM or SPF, pass).
        case verified
        /// A verified sender, or one whose account was confirmed by reply or reset code (unless the mail failed).
        case confirmed
        /// The From address alone (Postdesk before 14): anyone can pose as a customer.
        case from
    }

    public struct Helpdesk: Sendable, Hashable {
        public var name = "Postdesk"
        public var database = "/var/lib/postdesk/postdesk.sqlite"
        public var dataDir = "/var/lib/postdesk"
        public var language = "en"
        public var timezone = "UTC"
        public var autoCloseAfter = ConfigDuration(seconds: 48 * 3600)
        /// How long before closing the reminder goes out; nil is `off`.
        public var autoCloseReminder: ConfigDuration? = nil
        public var agentAuth = AgentAuth.authenticationResults
        public var trustedAuthservID: String? = nil
        /// The host names the operator's MTAs write after `by` in Received (`mta_hosts`); empty means just
        /// `trusted_authserv_id`. Authentication-Results count only above the hop from outside (SenderAuthentication).
        public var mtaHosts: [String] = []
        public var customerAuth = CustomerAuth.verified
        /// The operator's templates (`LANG/KIND.txt`); nil until the config is read (then `templates` next to it).
        public var templates: String? = nil
    }

    public struct Mailbox: Sendable, Hashable {
        /// The section's name: the queue's name.
        public var name: String
        public var maildir: String
        public var address: String
        public var tag: String
        public var turnaround = ConfigDuration(seconds: 2 * 86_400)
        /// The language of this queue's mail when the customer's is unknown; nil uses the helpdesk's.
        public var language: String? = nil
        /// Line of the section header, for messages about it.
        public var line: Int
    }

    public struct Agent: Sendable, Hashable {
        /// The section's name (`[agent alice]` gives `alice`).
        public var id: String
        public var address: String
        public var name: String
        /// Queues this agent works; empty means every queue.
        public var queues: [String] = []
        public var line: Int

        /// Whether the agent works the queue (an agent without `queues` works every queue).
        public func works(_ queue: String) -> Bool { queues.isEmpty || queues.contains(queue) }

        public init(id: String, address: String, name: String, queues: [String] = [], line: Int) {
            self.id = id; self.address = address; self.name = name; self.queues = queues; self.line = line
        }
    }

    public struct Outbound: Sendable, Hashable {
        public enum Transport: String, Sendable, Hashable { case smtp, maildir }
        public enum StartTLS: String, Sendable, Hashable { case required, optional, off }
        public var transport = Transport.maildir
        public var url = "smtp://127.0.0.1:25"
        public var starttls = StartTLS.required
        public var username: String? = nil
        public var passwordFile: String? = nil
        public var caFile: String? = nil
        public var maildir: String? = nil
        public var retryAfter = ConfigDuration(seconds: 60)
        public var giveUpAfter = ConfigDuration(seconds: 5 * 86_400)
        /// How long sent mail keeps its text in the outbox; then only what it was (kind, recipient, Message-ID,
        /// when) stays, which threading, the auto-reply caps and `explain` need.
        public var keepSent = ConfigDuration(seconds: 30 * 86_400)
        public var timeout = ConfigDuration(seconds: 60)
        /// The line of each key of [outbound] (for FILE:LINE in check-config's reports).
        public var lines: [String: Int] = [:]
        /// Caps on automatic mail (confirmations, notices) to one customer address.
        public var maxAutoRepliesPerHour = 5
        public var maxAutoRepliesPerDay = 20
        /// How many mails one connection carries before the sender reconnects.
        public var batchSize = 100
    }

    /// Inbound limits (token buckets): how much mail one sender, and everyone together, may send before
    /// further mail is held (recorded on a held ticket, never answered).
    public struct Limits: Sendable, Hashable {
        /// Mails one address may send at once, then `senderRate` refills.
        public var senderBurst = 20
        public var senderRate = Rate(count: 30, per: ConfigDuration(seconds: 3600))
        public var globalBurst = 500
        public var globalRate = Rate(count: 3000, per: ConfigDuration(seconds: 3600))
        /// Cc participants one ticket may have: mail and `#cc add` stop there, a relayed answer goes to at most
        /// the requester and this many.
        public var participantsPerTicket = 20
        /// People one mail may bring onto a ticket.
        public var participantsPerMail = 10
        public var line = 0
    }

    /// "N/DURATION": N mails per duration (`30/1h`, `5/10m`; `30/h` means one hour).
    public struct Rate: Sendable, Hashable, CustomStringConvertible {
        public var count: Int
        public var per: ConfigDuration
        public init(count: Int, per: ConfigDuration) { self.count = count; self.per = per }
        public var perSecond: Double { Double(count) / Double(max(1, per.seconds)) }
        public var description: String { "\(count)/\(per)" }

        public init?(parsing text: String) {
            let parts = text.split(separator: "/", maxSplits: 1).map { String($0).trimmingWhitespace }
            guard parts.count == 2, let n = Int(parts[0]), n > 0 else { return nil }
            let unit = parts[1].first?.isNumber == true ? parts[1] : "1" + parts[1]
            guard let d = ConfigDuration(parsing: unit), d.seconds > 0, d <= Configuration.longestDuration else { return nil }
            count = n
            per = d
        }
    }

    /// `[portal]`: the customer portal (`postdesk portal`). Absent section: the defaults, and `url` unset (mail
    /// carries no portal links).
    public struct Portal: Sendable, Hashable {
        public enum Listen: Sendable, Hashable, CustomStringConvertible {
            case tcp(host: String, port: Int)
            case unix(path: String)
            public var description: String {
                switch self {
                case .tcp(let h, let p): return h.contains(":") ? "[\(h)]:\(p)" : "\(h):\(p)"
                case .unix(let p): return "unix:" + p
                }
            }
        }
        public enum Access: String, Sendable, Hashable { case all, invited }
        public var listen = Listen.tcp(host: "127.0.0.1", port: 8080)
        /// The public address (`https://support.acme.test`), for links in mail; nil: no links.
        public var url: String? = nil
        public var access = Access.all
        /// Peers whose `X-Forwarded-For` is believed (addresses, or networks as `10.0.0.0/8`).
        /// `unix` trusts the peer of a Unix socket (nginx on `listen = unix:...`).
        public var trustedProxies: [String] = ["127.0.0.1", "::1", "unix"]
        /// The queue (mailbox name) that tickets opened in the portal land in; nil: the first mailbox.
        public var queue: String? = nil
        /// Ticket types a customer may choose on the new-ticket form and filter by.
        public var ticketTypes: [String] = ["question", "problem", "request"]
        /// HTTP worker threads (libmicrohttpd's thread pool).
        public var threads = 4
        /// At most this many connections at once, and per client address.
        public var maxConnections = 256
        /// A connection idle this long is closed (slow clients).
        public var connectionTimeout = ConfigDuration(seconds: 30)
        /// The largest request body (a reply with its attachments): larger ones get 413.
        public var maxUploadBytes = 25 << 20
        /// A session ends after this long without a request, and this long after sign-in whatever happens.
        public var sessionIdle = ConfigDuration(seconds: 2 * 3600)
        public var sessionMax = ConfigDuration(seconds: 7 * 86_400)
        /// A mailed sign-in link or code lives this long (at most 10 minutes).
        public var linkLifetime = ConfigDuration(seconds: 600)
        /// The config line of each key, for messages.
        public var lines: [String: Int] = [:]
        public var line = 0
    }

    public var file: String
    public var limits = Limits()
    public var portal = Portal()
    public var helpdesk = Helpdesk()
    public var mailboxes: [Mailbox] = []
    public var agents: [Agent] = []
    public var outbound = Outbound()
    /// Problems that do not stop Postdesk (`agent_auth = from`, ...).
    public var warnings: [ConfigProblem] = []

    public init(file: String) { self.file = file }

    public static let languages = ["en", "es", "de", "pl", "fr", "it"]

    /// The longest duration a config may give (3650d): times in the future are `now + duration`, and the outbox
    /// backs off by doubling, which must not overflow.
    public static let longestDuration = ConfigDuration(seconds: 3650 * 86_400)

    /// Reads a configuration from its text. `file` is used in messages; relative paths are made
    /// absolute against `baseDirectory` (the config file's folder).
    public static func parse(_ text: String, file: String, baseDirectory: String) -> Result<Configuration, ConfigErrors> {
        var reader = ConfigReader(file: file, base: baseDirectory)
        reader.read(text)
        if reader.problems.contains(where: { $0.severity == .error }) {
            return .failure(ConfigErrors(problems: reader.problems))
        }
        var config = reader.config
        config.warnings = reader.problems
        return .success(config)
    }
}

/// The line-by-line reader behind `Configuration.parse`.
private struct ConfigReader {
    let file: String
    let base: String
    var config: Configuration
    var problems: [ConfigProblem] = []

    init(file: String, base: String) {
        self.file = file
        self.base = base
        config = Configuration(file: file)
    }

    enum Section {
        case none, helpdesk, outbound, limits, portal
        case mailbox(Int)
        case agent(Int)
    }

    mutating func error(_ line: Int, _ message: String) {
        problems.append(ConfigProblem(file: file, line: line, message))
    }

    mutating func read(_ text: String) {
        var section = Section.none
        var seenSections: [String: Int] = [:]
        var seenKeys: [String: Int] = [:]
        var keyLines: [String: Int] = [:]
        var mailboxKeys: [Int: Set<String>] = [:]
        var agentKeys: [Int: Set<String>] = [:]

        // "\r\n" is one Character in Swift, so splitting at "\n" alone would leave a CRLF file as one line.
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let lineNumber = index + 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line.removeLast() }
            let stripped = Self.stripComment(line).trimmingWhitespace
            if stripped.isEmpty { continue }

            if stripped.hasPrefix("[") {
                guard stripped.hasSuffix("]") else {
                    error(lineNumber, "section header \"\(stripped)\" is missing its closing \"]\"")
                    section = .none
                    continue
                }
                let inner = String(stripped.dropFirst().dropLast()).trimmingWhitespace
                if let bad = inner.unicodeScalars.first(where: Self.isControl) {
                    error(lineNumber, "section header [\(inner)] contains the control character U+\(Self.hex(bad)); remove it")
                    section = .none
                    continue
                }
                let words = inner.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                let key = words.joined(separator: " ")
                if let earlier = seenSections[key] {
                    error(lineNumber, "section [\(key)] appears twice (first on line \(earlier)); merge them")
                }
                seenSections[key] = lineNumber
                seenKeys = [:]
                switch (words.first, words.count) {
                case ("helpdesk", 1): section = .helpdesk
                case ("outbound", 1): section = .outbound
                case ("limits", 1):
                    section = .limits
                    config.limits.line = lineNumber
                case ("portal", 1):
                    section = .portal
                    config.portal.line = lineNumber
                case ("mailbox", 2):
                    config.mailboxes.append(Configuration.Mailbox(name: words[1], maildir: "", address: "", tag: "", line: lineNumber))
                    section = .mailbox(config.mailboxes.count - 1)
                    mailboxKeys[config.mailboxes.count - 1] = []
                case ("agent", 2):
                    config.agents.append(Configuration.Agent(id: words[1], address: "", name: words[1], line: lineNumber))
                    section = .agent(config.agents.count - 1)
                    agentKeys[config.agents.count - 1] = []
                case ("mailbox", _), ("agent", _):
                    error(lineNumber, "[\(words[0])] needs exactly one name, as in [\(words[0]) support]")
                    section = .none
                default:
                    error(lineNumber, "unknown section [\(key)]; known: [helpdesk], [mailbox NAME], [agent NAME], [outbound], [limits], [portal]")
                    section = .none
                }
                continue
            }

            guard let eq = stripped.firstIndex(of: "=") else {
                error(lineNumber, "expected \"key = value\" or a [section], found \"\(stripped)\"")
                continue
            }
            let key = String(stripped[..<eq]).trimmingWhitespace
            let value = String(stripped[stripped.index(after: eq)...]).trimmingWhitespace
            guard !key.isEmpty else {
                error(lineNumber, "a value without a key")
                continue
            }
            if let earlier = seenKeys[key] {
                error(lineNumber, "\(key) is set twice in this section (first on line \(earlier))")
                continue
            }
            // Values end up in mail headers, subjects and paths, where a control character is dropped or breaks
            // things (a tag with ESC in it would never be found again in a reply's subject).
            if let bad = value.unicodeScalars.first(where: Self.isControl) {
                error(lineNumber, "\(key) contains the control character U+\(Self.hex(bad)); remove it")
                continue
            }
            seenKeys[key] = lineNumber
            keyLines[key] = lineNumber
            switch section {
            case .none: error(lineNumber, "\(key) is outside any section; put it under [helpdesk], [mailbox NAME], [agent NAME] or [outbound]")
            case .helpdesk: helpdeskKey(key, value, lineNumber)
            case .outbound: outboundKey(key, value, lineNumber)
            case .limits: limitsKey(key, value, lineNumber)
            case .portal: portalKey(key, value, lineNumber)
            case .mailbox(let i):
                mailboxKeys[i, default: []].insert(key)
                mailboxKey(i, key, value, lineNumber)
            case .agent(let i):
                agentKeys[i, default: []].insert(key)
                agentKey(i, key, value, lineNumber)
            }
        }

        // Required keys and cross-checks.
        if config.mailboxes.isEmpty {
            error(0, "no [mailbox NAME] section: Postdesk needs at least one mailbox to read")
        }
        for (i, m) in config.mailboxes.enumerated() {
            for required in ["maildir", "address"] where !(mailboxKeys[i] ?? []).contains(required) {
                error(m.line, "[mailbox \(m.name)] needs \(required)")
            }
            if config.mailboxes.firstIndex(where: { $0.address.lowercased() == m.address.lowercased() && !m.address.isEmpty }) != i {
                error(m.line, "[mailbox \(m.name)] uses the address \(m.address) of another mailbox")
            }
            if config.mailboxes[i].tag.isEmpty { config.mailboxes[i].tag = m.name }
        }
        if let q = config.portal.queue, !config.mailboxes.isEmpty, !config.mailboxes.contains(where: { $0.name == q }) {
            error(config.portal.lines["queue"] ?? config.portal.line, "[portal] queue = \(q) names no [mailbox \(q)]")
        }
        if config.portal.sessionIdle > config.portal.sessionMax {
            error(config.portal.lines["session_idle"] ?? config.portal.line,
                  "[portal] session_idle (\(config.portal.sessionIdle)) is longer than session_max (\(config.portal.sessionMax))")
        }
        for (i, a) in config.agents.enumerated() {
            if !(agentKeys[i] ?? []).contains("address") { error(a.line, "[agent \(a.id)] needs address") }
            if config.agents.firstIndex(where: { $0.address.lowercased() == a.address.lowercased() && !a.address.isEmpty }) != i {
                error(a.line, "[agent \(a.id)] uses the address \(a.address) of another agent")
            }
            if config.mailboxes.contains(where: { $0.address.lowercased() == a.address.lowercased() }) {
                error(a.line, "[agent \(a.id)] uses the address of a mailbox: Postdesk would read its own mail")
            }
            for q in a.queues where !config.mailboxes.contains(where: { $0.name == q }) {
                error(a.line, "[agent \(a.id)] names the queue \(q), but there is no [mailbox \(q)]")
            }
        }
        switch config.helpdesk.agentAuth {
        case .authenticationResults:
            if config.helpdesk.trustedAuthservID == nil && !config.agents.isEmpty {
                error(keyLines["agent_auth"] ?? 0, "agent_auth = authentication-results needs trusted_authserv_id (the authserv-id your MTA writes in Authentication-Results)")
            }
        case .from:
            problems.append(ConfigProblem(
                file: file, line: keyLines["agent_auth"] ?? 0,
                "agent_auth = from trusts the From: address alone: anyone can pose as an agent; use it only on closed networks",
                severity: .warning))
        }
        if config.helpdesk.trustedAuthservID == nil {
            problems.append(ConfigProblem(
                file: file, line: 0,
                "trusted_authserv_id is not set: no sender is verified, so \(config.helpdesk.customerAuth == .from ? "agents cannot be proven" : "customers cannot add people in Cc, #close, or ask for a status summary or a reset code by mail"); set it to the authserv-id your MTA writes in Authentication-Results",
                severity: .warning))
        }
        if let url = config.portal.url, url.hasPrefix("http://") {
            problems.append(ConfigProblem(
                file: file, line: config.portal.lines["url"] ?? config.portal.line,
                "[portal] url = \(url) is not https: the portal's session cookie is Secure (__Host-), so browsers keep no session over plain http, and mailed sign-in links would travel in the clear; put TLS in front (deploy/nginx) and write https://",
                severity: .warning))
        }
        if config.helpdesk.customerAuth == .from {
            problems.append(ConfigProblem(
                file: file, line: keyLines["customer_auth"] ?? 0,
                "customer_auth = from trusts the From: address alone: anyone can pose as a customer, add people to their tickets, close them and ask for their status or a reset code",
                severity: .warning))
        }
        if let reminder = config.helpdesk.autoCloseReminder, reminder >= config.helpdesk.autoCloseAfter {
            error(keyLines["auto_close_reminder"] ?? 0, "auto_close_reminder (\(reminder)) must be shorter than auto_close_after (\(config.helpdesk.autoCloseAfter))")
        }
        if config.helpdesk.templates == nil { config.helpdesk.templates = path("templates") }
        if config.outbound.transport == .maildir && config.outbound.maildir == nil {
            config.outbound.maildir = path("outbound")
        }
    }

    // MARK: - Sections

    mutating func helpdeskKey(_ key: String, _ value: String, _ line: Int) {
        switch key {
        case "name": config.helpdesk.name = nonEmpty(value, key, line) ?? config.helpdesk.name
        case "database": config.helpdesk.database = path(value)
        case "data_dir": config.helpdesk.dataDir = path(value)
        case "language": if let l = language(value, line) { config.helpdesk.language = l }
        case "timezone":
            if Self.isTimezoneName(value) { config.helpdesk.timezone = value }
            else { error(line, "timezone \"\(value)\" is not a zone name such as Europe/Warsaw or UTC") }
        case "auto_close_after": if let d = duration(value, key, line) { config.helpdesk.autoCloseAfter = d }
        case "auto_close_reminder":
            if value == "off" { config.helpdesk.autoCloseReminder = nil }
            else if let d = duration(value, key, line) { config.helpdesk.autoCloseReminder = d }
        case "agent_auth":
            if let a = Configuration.AgentAuth(rawValue: value) { config.helpdesk.agentAuth = a }
            else { error(line, "agent_auth must be authentication-results or from, not \"\(value)\"") }
        case "trusted_authserv_id": config.helpdesk.trustedAuthservID = nonEmpty(value, key, line)
        case "mta_hosts":
            let hosts = value.split(separator: ",").map { String($0).trimmingWhitespace.lowercased() }.filter { !$0.isEmpty }
            if hosts.isEmpty || hosts.contains(where: { $0.contains(" ") || $0.contains("@") }) {
                error(line, "mta_hosts must be host names separated by commas (what your MTAs write after \"by\" in Received), not \"\(value)\"")
            } else {
                config.helpdesk.mtaHosts = hosts
            }
        case "customer_auth":
            if let a = Configuration.CustomerAuth(rawValue: value) { config.helpdesk.customerAuth = a }
            else { error(line, "customer_auth must be verified, confirmed or from, not \"\(value)\"") }
        case "templates": config.helpdesk.templates = path(value)
        default: unknown(key, "helpdesk", ["name", "database", "data_dir", "language", "timezone", "auto_close_after", "auto_close_reminder", "agent_auth", "trusted_authserv_id", "mta_hosts", "customer_auth", "templates"], line)
        }
    }

    mutating func mailboxKey(_ i: Int, _ key: String, _ value: String, _ line: Int) {
        switch key {
        case "maildir": config.mailboxes[i].maildir = path(value)
        case "address": if let a = address(value, line) { config.mailboxes[i].address = a }
        case "tag":
            if value.isEmpty || value.contains(where: { $0 == "[" || $0 == "]" || $0 == "#" }) {
                error(line, "tag must be a non-empty word without [, ] or #, not \"\(value)\"")
            } else {
                config.mailboxes[i].tag = value
            }
        case "turnaround": if let d = duration(value, key, line) { config.mailboxes[i].turnaround = d }
        case "language": if let l = language(value, line) { config.mailboxes[i].language = l }
        default: unknown(key, "mailbox", ["maildir", "address", "tag", "turnaround", "language"], line)
        }
    }

    mutating func agentKey(_ i: Int, _ key: String, _ value: String, _ line: Int) {
        switch key {
        case "address": if let a = address(value, line) { config.agents[i].address = a }
        case "name": if let n = nonEmpty(value, key, line) { config.agents[i].name = n }
        case "queues":
            config.agents[i].queues = value.split(separator: ",").map { String($0).trimmingWhitespace }.filter { !$0.isEmpty }
        default: unknown(key, "agent", ["address", "name", "queues"], line)
        }
    }

    mutating func count(_ value: String, _ key: String, _ line: Int, minimum: Int = 0) -> Int? {
        guard let n = Int(value), n >= minimum, n <= 1_000_000 else {
            error(line, "\(key) must be a whole number from \(minimum) to 1000000, not \"\(value)\"")
            return nil
        }
        return n
    }

    mutating func limitsKey(_ key: String, _ value: String, _ line: Int) {
        func rate() -> Configuration.Rate? {
            if let r = Configuration.Rate(parsing: value) { return r }
            error(line, "\(key) = \"\(value)\" is not a rate such as 30/1h or 5/10m (mails per duration)")
            return nil
        }
        switch key {
        case "sender_burst": if let n = count(value, key, line, minimum: 1) { config.limits.senderBurst = n }
        case "sender_rate": if let r = rate() { config.limits.senderRate = r }
        case "global_burst": if let n = count(value, key, line, minimum: 1) { config.limits.globalBurst = n }
        case "global_rate": if let r = rate() { config.limits.globalRate = r }
        case "participants_per_ticket": if let n = count(value, key, line, minimum: 1) { config.limits.participantsPerTicket = n }
        case "participants_per_mail": if let n = count(value, key, line, minimum: 0) { config.limits.participantsPerMail = n }
        default: unknown(key, "limits", ["sender_burst", "sender_rate", "global_burst", "global_rate", "participants_per_ticket", "participants_per_mail"], line)
        }
    }

    mutating func portalKey(_ key: String, _ value: String, _ line: Int) {
        config.portal.lines[key] = line
        switch key {
        case "listen":
            if let l = Self.listen(value, base: base) { config.portal.listen = l }
            else { error(line, "listen must be HOST:PORT (127.0.0.1:8080, [::1]:8080) or unix:/PATH, not \"\(value)\"") }
        case "url":
            var u = value
            while u.hasSuffix("/") { u.removeLast() }
            let rest = u.hasPrefix("https://") ? u.dropFirst(8) : u.hasPrefix("http://") ? u.dropFirst(7) : nil
            if let rest, !rest.isEmpty, !rest.contains("/"), !rest.contains("?"), !rest.contains("#"), !rest.contains(" "), !rest.contains("@") {
                config.portal.url = u
            } else {
                error(line, "url must be the portal's public address, as https://support.example.com (no path), not \"\(value)\"")
            }
        case "access":
            if let a = Configuration.Portal.Access(rawValue: value) { config.portal.access = a }
            else { error(line, "access must be all or invited, not \"\(value)\"") }
        case "trusted_proxies":
            let items = value.split(separator: ",").map { String($0).trimmingWhitespace }.filter { !$0.isEmpty }
            if let bad = items.first(where: { !Self.isAddressOrNetwork($0) }) {
                error(line, "trusted_proxies: \"\(bad)\" is not an IP address or network (127.0.0.1, ::1, 10.0.0.0/8) or unix (the peer of a Unix socket)")
            } else {
                config.portal.trustedProxies = items
            }
        case "queue": config.portal.queue = nonEmpty(value, key, line)
        case "ticket_types":
            let items = value.split(separator: ",").map { String($0).trimmingWhitespace }.filter { !$0.isEmpty }
            if items.isEmpty || items.contains(where: { $0.count > 40 || $0 == "held" }) {
                error(line, "ticket_types must be a list of names of at most 40 characters (not \"held\", which Postdesk uses itself)")
            } else {
                config.portal.ticketTypes = items
            }
        case "threads": if let n = count(value, key, line, minimum: 1) { config.portal.threads = min(n, 64) }
        case "max_connections": if let n = count(value, key, line, minimum: 1) { config.portal.maxConnections = n }
        case "connection_timeout": if let d = duration(value, key, line) { config.portal.connectionTimeout = d }
        case "max_upload":
            if let n = Self.bytes(value), n >= 1 << 16, n <= 1 << 30 { config.portal.maxUploadBytes = n }
            else { error(line, "max_upload must be a size between 64k and 1g, as 25m, not \"\(value)\"") }
        case "session_idle": if let d = duration(value, key, line) { config.portal.sessionIdle = d }
        case "session_max": if let d = duration(value, key, line) { config.portal.sessionMax = d }
        case "link_lifetime":
            if let d = duration(value, key, line) {
                if d.seconds > 600 { error(line, "link_lifetime may be at most 10m (a mailed sign-in link is a password for its life)") }
                else { config.portal.linkLifetime = d }
            }
        default:
            unknown(key, "portal", ["listen", "url", "access", "trusted_proxies", "queue", "ticket_types", "threads", "max_connections",
                                    "connection_timeout", "max_upload", "session_idle", "session_max", "link_lifetime"], line)
        }
    }

    /// `127.0.0.1:8080`, `[::1]:8080`, `localhost:8080`, `unix:/run/postdesk/portal.sock` (relative to the config's folder).
    static func listen(_ value: String, base: String) -> Configuration.Portal.Listen? {
        if value.hasPrefix("unix:") {
            let p = String(value.dropFirst(5))
            guard !p.isEmpty else { return nil }
            return .unix(path: p.hasPrefix("/") ? p : base + "/" + p)
        }
        var host: Substring
        var portText: Substring
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else { return nil }
            host = value[value.index(after: value.startIndex)..<close]
            let after = value[value.index(after: close)...]
            guard after.hasPrefix(":") else { return nil }
            portText = after.dropFirst()
        } else {
            guard let colon = value.lastIndex(of: ":") else { return nil }
            host = value[..<colon]
            portText = value[value.index(after: colon)...]
            if host.contains(":") { return nil }
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { return nil }
        return .tcp(host: String(host), port: port)
    }

    /// An IPv4 or IPv6 address, optionally with a /prefix.
    static func isAddressOrNetwork(_ s: String) -> Bool {
        if s == "unix" { return true }
        let parts = s.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let addr = parts[0]
        let isV6 = addr.contains(":")
        if parts.count == 2 {
            guard let n = Int(parts[1]), n >= 0, n <= (isV6 ? 128 : 32) else { return false }
        }
        if isV6 {
            return addr.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } && addr.filter { $0 == ":" }.count >= 2
        }
        let octets = addr.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { o in !o.isEmpty && o.count <= 3 && o.allSatisfy(\.isNumber) && (Int(o) ?? 999) <= 255 }
    }

    /// `25m`, `512k`, `1g`, or bytes.
    static func bytes(_ value: String) -> Int? {
        let v = value.lowercased()
        let units: [(String, Int)] = [("g", 1 << 30), ("m", 1 << 20), ("k", 1 << 10)]
        for (u, f) in units where v.hasSuffix(u) {
            // A huge number of gigabytes must be an error, not an overflow trap.
            guard let n = Int(v.dropLast()), n >= 0 else { return nil }
            let (product, overflow) = n.multipliedReportingOverflow(by: f)
            return overflow ? nil : product
        }
        return Int(v)
    }

    mutating func outboundKey(_ key: String, _ value: String, _ line: Int) {
        config.outbound.lines[key] = line
        switch key {
        case "transport":
            if let t = Configuration.Outbound.Transport(rawValue: value) { config.outbound.transport = t }
            else { error(line, "transport must be smtp or maildir, not \"\(value)\"") }
        case "url":
            if value.hasPrefix("smtp://") || value.hasPrefix("smtps://") { config.outbound.url = value }
            else { error(line, "url must start with smtp:// or smtps://, not \"\(value)\"") }
        case "starttls":
            if let s = Configuration.Outbound.StartTLS(rawValue: value) { config.outbound.starttls = s }
            else { error(line, "starttls must be required, optional or off, not \"\(value)\"") }
        case "username": config.outbound.username = nonEmpty(value, key, line)
        case "password":
            error(line, "secrets never sit in the config file: put the password in a file and name it with password_file")
        case "password_file": config.outbound.passwordFile = path(value)
        case "ca_file": config.outbound.caFile = path(value)
        case "maildir": config.outbound.maildir = path(value)
        case "retry_after": if let d = duration(value, key, line) { config.outbound.retryAfter = d }
        case "give_up_after": if let d = duration(value, key, line) { config.outbound.giveUpAfter = d }
        case "keep_sent": if let d = duration(value, key, line) { config.outbound.keepSent = d }
        case "timeout": if let d = duration(value, key, line) { config.outbound.timeout = d }
        case "max_auto_replies_per_hour": if let n = count(value, key, line) { config.outbound.maxAutoRepliesPerHour = n }
        case "max_auto_replies_per_day": if let n = count(value, key, line) { config.outbound.maxAutoRepliesPerDay = n }
        case "batch_size": if let n = count(value, key, line, minimum: 1) { config.outbound.batchSize = n }
        default: unknown(key, "outbound", ["transport", "url", "starttls", "username", "password_file", "ca_file", "maildir", "retry_after", "give_up_after", "keep_sent", "timeout", "max_auto_replies_per_hour", "max_auto_replies_per_day", "batch_size"], line)
        }
    }

    // MARK: - Values

    mutating func unknown(_ key: String, _ section: String, _ known: [String], _ line: Int) {
        error(line, "unknown key \(key) in [\(section)]; known keys: \(known.joined(separator: ", "))")
    }

    mutating func nonEmpty(_ value: String, _ key: String, _ line: Int) -> String? {
        if value.isEmpty { error(line, "\(key) is empty"); return nil }
        return value
    }

    mutating func duration(_ value: String, _ key: String, _ line: Int) -> ConfigDuration? {
        if let d = ConfigDuration(parsing: value), d.seconds > 0 {
            if d <= Configuration.longestDuration { return d }
            error(line, "\(key) = \(value) is longer than \(Configuration.longestDuration) (ten years), the longest Postdesk reckons with")
            return nil
        }
        error(line, "\(key) = \"\(value)\" is not a duration such as 30s, 15m, 48h or 2d")
        return nil
    }

    mutating func language(_ value: String, _ line: Int) -> String? {
        let l = value.lowercased()
        if Configuration.languages.contains(l) { return l }
        error(line, "language \"\(value)\" is not one Postdesk writes mail in (\(Configuration.languages.joined(separator: ", ")))")
        return nil
    }

    mutating func address(_ value: String, _ line: Int) -> String? {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        if parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !value.contains(where: { $0 == " " || $0 == "<" || $0 == ">" }) {
            return value
        }
        error(line, "\"\(value)\" is not a mail address such as support@example.com")
        return nil
    }

    func path(_ value: String) -> String {
        if value.hasPrefix("/") { return value }
        return base.hasSuffix("/") ? base + value : base + "/" + value
    }

    static func isTimezoneName(_ s: String) -> Bool {
        !s.isEmpty && !s.hasPrefix("/") && !s.contains("..")
            && s.unicodeScalars.allSatisfy { ($0.properties.isAlphabetic && $0.isASCII) || "/_-+0123456789".unicodeScalars.contains($0) }
    }

    /// C0 and C1 controls, DEL, and the Unicode line and paragraph separators (what `MessageComposer.sanitized`
    /// takes out of a header value).
    static func isControl(_ u: Unicode.Scalar) -> Bool {
        u.value < 0x20 || (0x7F..<0xA0).contains(u.value) || u.value == 0x2028 || u.value == 0x2029
    }

    static func hex(_ u: Unicode.Scalar) -> String {
        let h = String(u.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }

    /// Removes a `#` comment: at the line start, or after whitespace (so `a#b` values survive).
    static func stripComment(_ line: Substring) -> Substring {
        var previous: Character = " "
        for i in line.indices {
            let c = line[i]
            if c == "#" && (previous == " " || previous == "\t") { return line[..<i] }
            previous = c
        }
        return line
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
