import PostdeskCore
import PostdeskDaemon
import PostdeskMail
import PostdeskStore
import PostdeskSystem

#if canImport(Glibc)
import Glibc
#endif

/// Arguments after the subcommand: positional words and `--option value` pairs (and bare flags).
struct OptionReader {
    var positional: [String] = []
    var values: [String: String] = [:]
    var flags: Set<String> = []

    init(_ arguments: [String], valued: Set<String>, flags allowed: Set<String> = ["--json"], help: String) throws(CommandError) {
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if valued.contains(a) {
                guard i + 1 < arguments.count else { throw CommandError(.usage, "\(a) needs a value\n\n" + help) }
                values[a] = arguments[i + 1]
                i += 2
                continue
            }
            if allowed.contains(a) {
                flags.insert(a)
            } else if a.hasPrefix("--") {
                throw CommandError(.usage, "unknown option \(a)\n\n" + help)
            } else {
                positional.append(a)
            }
            i += 1
        }
    }
}

/// Builds the services a command needs to queue mail (the running daemon, or `run --once`, sends it).
extension CommandContext {
    func ingestor(_ config: Configuration, _ store: Store) throws(CommandError) -> Ingestor {
        let loaded = TemplateLoader.load(config)
        if !loaded.problems.isEmpty {
            throw CommandError(.configuration, "the templates have problems:\n" + loaded.problems.joined(separator: "\n"))
        }
        let console = self.console
        do {
            return try Ingestor(config: config, store: store, templates: loaded.templates,
                                log: { level, line in console.error("<\(level.rawValue)>\(line)") })
        } catch let e as Ingestor.SetupError {
            throw CommandError(e.isTemporary ? .temporaryFailure : .configuration, e.description)
        } catch {
            throw CommandError(.configuration, "\(error)")
        }
    }
}

/// The bytes of FILE, or of standard input for "-": at most `limit` + 1 of them (so the caller can tell that there
/// were more), and from standard input only up to the first line end when `firstLine` (a typed password ends at
/// Enter, not at end of input).
func readInput(_ file: String, limit: Int, firstLine: Bool = false) throws(CommandError) -> [UInt8] {
    guard file == "-" else {
        do { return try FileSystem.readFile(file, maxBytes: limit + 1) } catch {
            throw CommandError(.dataError, "cannot read \(file): \(error)")
        }
    }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while bytes.count <= limit, !(firstLine && bytes.contains(10)) {
        let n = read(0, &buffer, min(buffer.count, limit + 1 - bytes.count))
        if n < 0 && errno == EINTR { continue }
        if n < 0 { throw CommandError(.dataError, "cannot read standard input: \(SystemError("read", errno: errno))") }
        if n == 0 { break }
        bytes += buffer[0..<n]
    }
    return bytes
}

/// A mail address given on the command line (`ana@example.org`, `<ana@example.org>` or `Ana <ana@example.org>`).
func mailAddressArgument(_ text: String) throws(CommandError) -> MailAddress {
    guard let parsed = AddressParser.parseList(text).addresses.first, parsed.address.contains("@") else {
        throw CommandError(.usage, "\(text) is not a mail address")
    }
    return parsed
}

/// Maps store and other failures of a command body to exit codes.
func commandBody<T>(_ body: () throws -> T) throws(CommandError) -> T {
    do { return try body() } catch let e as CommandError {
        throw e
    } catch let e as StoreError {
        throw CommandError(e.isTemporary ? .temporaryFailure : .dataError, e.description)
    } catch {
        throw CommandError(.dataError, "\(error)")
    }
}

enum CustomersCommand: PostdeskCommand {
    static let name = "customers"
    static let summary = "customer accounts, companies and primary contacts; welcome mail and reset codes"
    static let help = """
        usage: postdesk customers list [--organization DOMAIN] [--json]
               postdesk customers show ADDR [--json]
               postdesk customers invite ADDR [--name NAME] [--language L]
               postdesk customers reset-code ADDR
               postdesk customers set ADDR [--name NAME] [--language L] [--timezone ZONE] [--primary-contact yes|no]
               postdesk customers set-password ADDR --code CODE --password-file FILE
               postdesk customers organizations [--json]
               postdesk customers add-organization DOMAIN [--name NAME]

        list              every customer (a record is made on a customer's first mail), with the company
        show              one customer's account and their tickets
        invite            create the account if needed and queue the welcome mail; replying to it confirms the
                          account (an already confirmed account gets no mail)
        reset-code        queue a mail with a one-time password reset code (15 minutes, single use, 5 tries)
        set               change the name, language (en es de pl fr it), time zone (e.g. Europe/Warsaw), or make
                          the customer a primary contact of their company (who then sees the company's tickets)
        set-password      set a password with a reset code the customer received; the password is read from
                          FILE (- for standard input, first line) and stored as a yescrypt hash
        organizations     companies: a company is an organization by mail domain
        add-organization  create (or rename) the company of DOMAIN; its customers, present and future, join it

        Mail is queued in the outbox; the running daemon sends it at once (or run `postdesk run --once`).
        """

    static func run(_ arguments: [String], _ context: CommandContext) throws(CommandError) -> ExitCode {
        guard let sub = arguments.first else { throw CommandError(.usage, "needs a subcommand\n\n" + help) }
        let o = try OptionReader(Array(arguments.dropFirst()),
                                 valued: ["--organization", "--name", "--language", "--timezone", "--primary-contact", "--code", "--password-file"],
                                 help: help)
        let config = try context.loadConfig()
        let store = try context.openStore(config)
        let console = context.console
        let json = o.flags.contains("--json")
        func address() throws(CommandError) -> String {
            guard o.positional.count == 1 else { throw CommandError(.usage, "\(sub) needs one address\n\n" + help) }
            return try mailAddressArgument(o.positional[0]).address.lowercased()
        }
        func language() throws(CommandError) -> String? {
            guard let l = o.values["--language"] else { return nil }
            guard LanguagePack.all.contains(where: { $0.code == l }) else {
                throw CommandError(.usage, "--language must be one of \(LanguagePack.all.map(\.code).joined(separator: ", "))")
            }
            return l
        }

        switch sub {
        case "list":
            let rows = try commandBody { try store.customerAccounts(organization: o.values["--organization"]) }
            if json {
                console.print(JSONValue.array(rows.map(customerJSON)).serialized())
            } else if rows.isEmpty {
                console.print("no customers")
            } else {
                for c in rows {
                    let state = c.confirmedAt != nil ? "confirmed" : c.invitedAt != nil ? "invited" : "unconfirmed"
                    let company = c.organization.map { " \($0)\(c.isPrimaryContact ? " (primary contact)" : "")" } ?? ""
                    console.print("\(c.address.padding(32))  \(state.padding(11))  \(c.tickets) ticket(s)\(company)  \(c.name ?? "")")
                }
            }
        case "show":
            let a = try address()
            guard let c = try commandBody({ try store.customerAccount(address: a) }) else {
                throw CommandError(.dataError, "there is no customer \(a) (a record is made on a customer's first mail, or by `customers invite`)")
            }
            let tickets = try commandBody { try store.tickets(TicketFilter(requester: a)) }
            if json {
                guard case .object(var members) = customerJSON(c) else { return .ok }
                members.append(("ticket_numbers", .array(tickets.map { .int(Int($0.number)) })))
                console.print(JSONValue.object(members).serialized())
            } else {
                console.print("\(c.name.map { "\($0) " } ?? "")<\(c.address)>")
                console.print("account: \(c.confirmedAt.map { "confirmed \($0)" } ?? c.invitedAt.map { "invited \($0), not confirmed" } ?? "not confirmed")"
                              + (c.hasPassword ? ", password set" : ", no password"))
                console.print("company: \(c.organization.map { "\(c.organizationName ?? $0) (\($0))\(c.isPrimaryContact ? ", primary contact" : "")" } ?? "(none)")")
                console.print("language: \(c.language ?? "(from their mail)"), time zone: \(c.timezone ?? config.helpdesk.timezone)")
                console.print("since: \(c.created)")
                TicketsCommand.printTable(tickets, console)
            }
        case "invite":
            let a = try address()
            let lang = try language()
            let ingestor = try context.ingestor(config, store)
            switch try commandBody({ try ingestor.invite(address: a, name: o.values["--name"], language: lang) }) {
            case .sent(let id): console.print("welcome mail to \(a) queued (Message-ID <\(id)>); replying to it confirms the account")
            case .alreadyConfirmed: console.print("\(a) is already confirmed: no welcome mail sent")
            case .notSent(let why): throw CommandError(.dataError, "the welcome mail to \(a) was not sent: \(why)")
            }
        case "reset-code":
            let a = try address()
            let ingestor = try context.ingestor(config, store)
            // The code's hash (about 15 ms) is made before the transaction opens.
            let prepared = try commandBody { try PreparedCode.make() }
            let outcome = try commandBody {
                try store.transaction { try ingestor.issueResetCode(address: a, name: nil, requestedBy: "operator", prepared: prepared) }
            }
            switch outcome {
            case .mailed(let expires): console.print("reset code for \(a) queued; it expires at \(expires.iso8601)")
            case .noAccount:
                throw CommandError(.dataError, "there is no customer \(a); `customers invite \(a)` creates the account")
            case .notMailed(let why), .rateLimited(let why), .refused(let why):
                throw CommandError(.dataError, "no reset code was sent to \(a): \(why)")
            }
        case "set":
            let a = try address()
            let lang = try language()
            var primary: Bool? = nil
            if let p = o.values["--primary-contact"] {
                guard p == "yes" || p == "no" else { throw CommandError(.usage, "--primary-contact takes yes or no") }
                primary = p == "yes"
            }
            if let zone = o.values["--timezone"] {
                do { _ = try TimeZoneRules.load(zone) } catch {
                    throw CommandError(.usage, "--timezone \(zone): not a known time zone (\(error)); use a name such as Europe/Warsaw")
                }
            }
            guard o.values["--name"] != nil || lang != nil || o.values["--timezone"] != nil || primary != nil else {
                throw CommandError(.usage, "set needs at least one of --name, --language, --timezone, --primary-contact\n\n" + help)
            }
            guard let c = try commandBody({ try store.customerAccount(address: a) }) else {
                throw CommandError(.dataError, "there is no customer \(a)")
            }
            if primary == true, c.organization == nil {
                throw CommandError(.dataError, "\(a) belongs to no company: `customers add-organization \(a.split(separator: "@").last ?? "")` first")
            }
            try commandBody {
                try store.transaction {
                    try store.updateCustomer(c.id, name: o.values["--name"], language: lang, timezone: o.values["--timezone"], primaryContact: primary)
                    try store.audit(ticket: nil, actor: "operator", action: "customer", detail: "\(a) changed", cause: nil, at: SystemClock().now().iso8601)
                }
            }
            console.print("\(a) updated")
        case "set-password":
            let a = try address()
            guard let code = o.values["--code"], let file = o.values["--password-file"] else {
                throw CommandError(.usage, "set-password needs --code and --password-file\n\n" + help)
            }
            let password = try readSecret(file)
            guard AccountRules.passwordLength.contains(password.count) else {
                throw CommandError(.usage, "a password has \(AccountRules.passwordLength.lowerBound) to \(AccountRules.passwordLength.upperBound) characters")
            }
            let ingestor = try context.ingestor(config, store)
            switch try commandBody({ try ingestor.redeemResetCode(address: a, code: code, newPassword: password) }) {
            case .passwordSet: console.print("password set for \(a)")
            case .refused:
                throw CommandError(.dataError, "the code is wrong, used or expired; ask for a new one (mail \"password reset\" to the support address)")
            }
        case "organizations":
            let rows = try commandBody { try store.organizations() }
            if json {
                console.print(JSONValue.array(rows.map { r in
                    .object([("domain", .string(r.domain)), ("name", .optional(r.name)), ("customers", .int(r.customers)),
                             ("primary_contacts", .array(r.primaryContacts.map { .string($0) }))])
                }).serialized())
            } else if rows.isEmpty {
                console.print("no organizations")
            } else {
                for r in rows {
                    console.print("\(r.domain.padding(24))  \((r.name ?? "").padding(24))  \(r.customers) customer(s)"
                                  + (r.primaryContacts.isEmpty ? "" : ", primary: " + r.primaryContacts.joined(separator: ", ")))
                }
            }
        case "add-organization":
            guard o.positional.count == 1 else { throw CommandError(.usage, "add-organization needs one DOMAIN\n\n" + help) }
            let domain = o.positional[0].lowercased()
            guard domain.contains("."), !domain.contains("@"), domain.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) else {
                throw CommandError(.usage, "\(o.positional[0]) is not a mail domain (for example acme.test)")
            }
            let n = try commandBody {
                try store.transaction { () throws -> Int in
                    let now = SystemClock().now().iso8601
                    let n = try store.addOrganization(domain: domain, name: o.values["--name"], at: now)
                    try store.audit(ticket: nil, actor: "operator", action: "organization", detail: domain, cause: nil, at: now)
                    return n
                }
            }
            console.print("organization \(domain) has \(n) customer(s)")
        default:
            throw CommandError(.usage, "unknown subcommand \(sub)\n\n" + help)
        }
        return .ok
    }

    static func customerJSON(_ c: Store.CustomerAccount) -> JSONValue {
        .object([
            ("address", .string(c.address)), ("name", .optional(c.name)), ("organization", .optional(c.organization)),
            ("primary_contact", .bool(c.isPrimaryContact)), ("language", .optional(c.language)), ("timezone", .optional(c.timezone)),
            ("confirmed", .bool(c.confirmedAt != nil)), ("confirmed_at", .optional(c.confirmedAt)), ("invited_at", .optional(c.invitedAt)),
            ("has_password", .bool(c.hasPassword)), ("created", .string(c.created)), ("tickets", .int(c.tickets)),
            ("open_tickets", .int(c.openTickets)),
        ])
    }

    /// The first line of FILE, or of standard input for "-".
    static func readSecret(_ file: String) throws(CommandError) -> String {
        let bytes = try readInput(file, limit: 8192, firstLine: true)
        let line = bytes.split(separator: 10, maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        var s = String(decoding: line, as: UTF8.self)
        if s.hasSuffix("\r") { s.removeLast() }
        return s
    }
}

enum AgentsCommand: PostdeskCommand {
    static let name = "agents"
    static let summary = "list, add and remove agents"
    static let help = """
        usage: postdesk agents list [--all] [--json]
               postdesk agents add ADDR --name NAME
               postdesk agents remove ADDR

        list    the agents: from the config's [agent NAME] sections and from `agents add`, with their open
                tickets; --all also shows former agents (removed, or no longer in the config), marked inactive
        add     add an agent without editing the config; the running daemon picks it up before its next scan.
                Mail from the agent is believed as agent_auth says (Authentication-Results or From).
        remove  an agent added with `agents add` is no longer an agent from the daemon's next scan on: their mail
                is a customer's. Their tickets, assignments and history stay. An agent of the config is removed
                by deleting their [agent NAME] section and reloading (exit 65 names the line).
        """

    static func run(_ arguments: [String], _ context: CommandContext) throws(CommandError) -> ExitCode {
        guard let sub = arguments.first else { throw CommandError(.usage, "needs list, add or remove\n\n" + help) }
        let o = try OptionReader(Array(arguments.dropFirst()), valued: ["--name"], flags: ["--json", "--all"], help: help)
        let config = try context.loadConfig()
        let store = try context.openStore(config)
        let console = context.console
        switch sub {
        case "list":
            // The config's agents are recorded (and those it no longer names retired) as at the daemon's start.
            _ = try context.ingestor(config, store)
            let all = o.flags.contains("--all")
            let rows = try commandBody { try store.agentListing() }.filter { all || $0.active }
            if o.flags.contains("--json") {
                console.print(JSONValue.array(rows.map { r in
                    .object([("key", .string(r.key)), ("address", .string(r.address)), ("name", .string(r.name)),
                             ("source", .string(r.source)), ("active", .bool(r.active)), ("open_tickets", .int(r.assigned))])
                }).serialized())
            } else {
                for r in rows {
                    console.print("\(r.key.padding(12))  \(r.address.padding(28))  \(r.name.padding(20))  \(r.source.padding(6))  \(r.assigned) open ticket(s)\(r.active ? "" : " (inactive)")")
                }
                if rows.isEmpty { console.print("no agents") }
            }
        case "add":
            guard o.positional.count == 1, let name = o.values["--name"], !name.isEmpty else {
                throw CommandError(.usage, "add needs ADDR and --name NAME\n\n" + help)
            }
            let a = try mailAddressArgument(o.positional[0]).address.lowercased()
            if config.mailboxes.contains(where: { $0.address.lowercased() == a }) {
                throw CommandError(.usage, "\(a) is a mailbox's address, not a person's")
            }
            if try commandBody({ try store.customerAccount(address: a) }) != nil {
                console.error("note: \(a) has written as a customer; from now on their mail counts as an agent's")
            }
            let key = try commandBody {
                try store.transaction { () throws -> String? in
                    let now = SystemClock().now().iso8601
                    guard let key = try store.addAgent(address: a, name: name, at: now) else { return nil }
                    try store.audit(ticket: nil, actor: "operator", action: "agent", detail: "added \(a) as \(key)", cause: nil, at: now)
                    return key
                }
            }
            guard let key else { throw CommandError(.dataError, "\(a) is already an agent") }
            console.print("agent \(key) <\(a)> added (\(name))")
        case "remove":
            guard o.positional.count == 1 else { throw CommandError(.usage, "remove needs one ADDR\n\n" + help) }
            let a = try mailAddressArgument(o.positional[0]).address.lowercased()
            if let section = config.agents.first(where: { $0.address.lowercased() == a }) {
                throw CommandError(.dataError, "\(config.file):\(section.line): \(a) is [agent \(section.id)] of the config: "
                                   + "delete that section and reload the daemon (systemctl reload postdesk) to remove them")
            }
            let removed = try commandBody {
                try store.transaction { () throws -> String? in
                    let now = SystemClock().now().iso8601
                    guard let key = try store.removeAgent(address: a) else { return nil }
                    try store.audit(ticket: nil, actor: "operator", action: "agent", detail: "removed \(a) (\(key))", cause: nil, at: now)
                    return key
                }
            }
            guard let removed else { throw CommandError(.dataError, "\(a) is not an agent (`agents list` shows them)") }
            console.print("agent \(removed) <\(a)> removed: from the daemon's next scan on their mail is a customer's; their tickets and history stay")
        default:
            throw CommandError(.usage, "unknown subcommand \(sub)\n\n" + help)
        }
        return .ok
    }
}
