import PostdeskStore

enum TicketsCommand: PostdeskCommand {
    static let name = "tickets"
    static let summary = "list, show and search tickets; assign, set the status and answer as an agent"
    static let help = """
        usage: postdesk tickets list [--status S] [--queue Q] [--unassigned] [--requester ADDR] [--limit N] [--json]
               postdesk tickets show N [--json]
               postdesk tickets search QUERY [--json]
               postdesk tickets assign N AGENT [--as AGENT]
               postdesk tickets status N STATUS [--as AGENT]
               postdesk tickets reply N --file F [--internal] [--as AGENT]

        list     tickets, newest first (--unassigned: the "to be assigned" queue: no assignee, not resolved/closed)
        show     one ticket with its whole thread, internal notes included
        search   full-text search over subjects, bodies, references and requesters: every word must match a whole
                 word (end a word with * to match a prefix: print*); the tickets of the newest matches come first
        --json   the shapes of INTERFACE.md (list and search print an array of tickets without messages)
        """ + "\n\n" + TicketActions.help.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(4).joined(separator: "\n")

    static func run(_ arguments: [String], _ context: CommandContext) throws(CommandError) -> ExitCode {
        guard let sub = arguments.first else { throw CommandError(.usage, "needs list, show, search, assign, status or reply\n\n" + help) }
        if ["assign", "status", "reply"].contains(sub) { return try TicketActions.run(sub, Array(arguments.dropFirst()), context) }
        var args = Array(arguments.dropFirst())
        let json = args.contains("--json")
        args.removeAll { $0 == "--json" }
        let config = try context.loadConfig()
        let store = try context.openStore(config)
        let console = context.console
        do {
            switch sub {
            case "list":
                var filter = TicketFilter()
                var i = 0
                while i < args.count {
                    let a = args[i]
                    func value() throws(CommandError) -> String {
                        guard i + 1 < args.count else { throw CommandError(.usage, "\(a) needs a value\n\n" + help) }
                        i += 1
                        return args[i]
                    }
                    switch a {
                    case "--status":
                        let s = try value()
                        guard ["new", "open", "pending", "resolved", "closed"].contains(s) else {
                            throw CommandError(.usage, "--status must be new, open, pending, resolved or closed")
                        }
                        filter.status = s
                    case "--queue": filter.queue = try value()
                    case "--unassigned": filter.unassigned = true
                    case "--requester": filter.requester = try value()
                    case "--limit":
                        guard let n = Int(try value()), n >= 0 else { throw CommandError(.usage, "--limit takes a number") }
                        filter.limit = n
                    default: throw CommandError(.usage, "unknown option \(a)\n\n" + help)
                    }
                    i += 1
                }
                let tickets = try store.tickets(filter)
                if json { console.print(JSONValue.array(tickets.map(ticketJSON)).serialized()) } else { printTable(tickets, console) }
            case "show":
                guard args.count == 1, let n = Int64(args[0].trimmingCharacters(in: "#")) else {
                    throw CommandError(.usage, "show needs a ticket number\n\n" + help)
                }
                guard let t = try store.ticket(n) else { throw CommandError(.dataError, "there is no ticket #\(n)") }
                if json { console.print(ticketJSON(t).serialized()) } else { printTicket(t, console) }
            case "search":
                guard !args.isEmpty else { throw CommandError(.usage, "search needs a QUERY\n\n" + help) }
                let tickets = try store.search(args.joined(separator: " "))
                if json { console.print(JSONValue.array(tickets.map(ticketJSON)).serialized()) } else { printTable(tickets, console) }
            default:
                throw CommandError(.usage, "unknown subcommand \(sub)\n\n" + help)
            }
        } catch let e as CommandError {
            throw e
        } catch let e as StoreError {
            throw CommandError(e.isTemporary ? .temporaryFailure : .dataError, e.description)
        } catch {
            throw CommandError(.dataError, "\(error)")
        }
        return .ok
    }

    static func ticketJSON(_ t: TicketRecord) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("number", .int(Int(t.number))), ("subject", .string(t.subject)), ("status", .string(t.status)),
            ("queue", .string(t.queue)), ("requester", .string(t.requester)), ("cc", .array(t.cc.map { .string($0) })),
            ("assignee", .optional(t.assignee)), ("priority", .string(t.priority)), ("due", .optional(t.due)),
            ("follow_up_of", t.followUpOf.map { .int(Int($0)) } ?? .null), ("customer_reference", .optional(t.reference)),
            ("created", .string(t.created)), ("updated", .string(t.updated)),
            ("resolved_at", .optional(t.resolvedAt)), ("closed_at", .optional(t.closedAt)),
        ]
        if let messages = t.messages {
            members.append(("messages", .array(messages.map { m in
                .object([
                    ("id", .int(Int(m.id))), ("direction", .string(m.direction)), ("visibility", .string(m.visibility)),
                    ("kind", .string(m.kind)), ("author", .string(m.author)), ("date", .string(m.date)),
                    ("message_id", .optional(m.messageID)), ("text", .string(m.text)), ("sender_auth", .optional(m.senderAuth)),
                    ("attachments", .array(m.attachments.map { a in
                        .object([("filename", .optional(a.filename)), ("content_type", .string(a.contentType)),
                                 ("size", .int(Int(a.size))), ("sha256", .string(a.sha256)), ("inline", .bool(a.inline))])
                    })),
                ])
            })))
        }
        return .object(members)
    }

    static func printTable(_ tickets: [TicketRecord], _ console: Console) {
        if tickets.isEmpty { console.print("no tickets"); return }
        for t in tickets {
            let who = t.assignee ?? "(unassigned)"
            console.print("#\(t.number)  \(t.status.padding(8))  \(t.queue.padding(10))  \(t.requester.padding(28))  \(who.padding(20))  \(t.subject)")
        }
    }

    static func printTicket(_ t: TicketRecord, _ console: Console) {
        console.print("#\(t.number) \(t.subject)")
        console.print("status \(t.status), queue \(t.queue), priority \(t.priority), assignee \(t.assignee ?? "(unassigned)")")
        console.print("requester \(t.requester)\(t.cc.isEmpty ? "" : ", cc " + t.cc.joined(separator: ", "))")
        if let f = t.followUpOf { console.print("follow-up of #\(f)") }
        if let r = t.reference { console.print("refers to \(r)") }
        console.print("created \(t.created), updated \(t.updated)")
        for m in t.messages ?? [] {
            console.print("")
            console.print("--- \(m.direction == "in" ? "from" : "to") \(m.author) at \(m.date) [\(m.visibility)\(m.kind == "mail" ? "" : ", " + m.kind)]")
            console.print(m.text)
            for a in m.attachments { console.print("  [attachment] \(a.filename ?? "(no name)") \(a.contentType) \(a.size) bytes") }
        }
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func trimmingCharacters(in set: String) -> String { String(drop(while: { set.contains($0) })) }
}
