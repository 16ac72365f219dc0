import PostdeskCore
import PostdeskDaemon
import PostdeskMail
import PostdeskStore
import PostdeskSystem

#if canImport(Glibc)
import Glibc
#endif

// MARK: - stats

enum StatsCommand: PostdeskCommand {
    static let name = "stats"
    static let summary = "counts: tickets by status, mail in and out, outbox, quarantine, bounces"
    static let help = """
        usage: postdesk stats [--json]

        tickets         every ticket, and by status (new, open, pending, resolved, closed; zeros included)
        messages_in     mail received: customers', agents', automatic mail and bounces (notes are not counted)
        messages_out    mail Postdesk wrote, to customers and agents: sent, queued or failed (from the outbox)
        outbox_pending  mail waiting to be sent (status queued, retries included)
        outbox_failed   mail that failed for good
        quarantined     mail in data_dir/quarantine, as `postdesk quarantine list` shows it
        bounces         delivery status notifications received

        --json  {"tickets", "by_status": {...}, "messages_in", "messages_out", "outbox_pending", "outbox_failed",
                 "quarantined", "bounces"}, in this order
        """

    static func run(_ arguments: [String], _ context: CommandContext) throws(CommandError) -> ExitCode {
        let o = try OptionReader(arguments, valued: [], help: help)
        guard o.positional.isEmpty else { throw CommandError(.usage, "takes no arguments besides --json\n\n" + help) }
        let config = try context.loadConfig()
        let store = try context.openStore(config)
        let counts = try commandBody { try store.counts() }
        let data = DataDirectory(config.helpdesk.dataDir)
        let quarantined = ((try? FileSystem.list(data.reasons)) ?? []).filter { $0.hasSuffix(".reason") }.count
        let console = context.console
        if o.flags.contains("--json") {
            console.print(JSONValue.object([
                ("tickets", .int(counts.tickets)),
                ("by_status", .object(TicketStatus.allCases.map { ($0.rawValue, .int(counts.byStatus[$0] ?? 0)) })),
                ("messages_in", .int(counts.messagesIn)), ("messages_out", .int(counts.messagesOut)),
                ("outbox_pending", .int(counts.outboxPending)), ("outbox_failed", .int(counts.outboxFailed)),
                ("quarantined", .int(quarantined)), ("bounces", .int(counts.bounces)),
            ]).serialized())
            return .ok
        }
        let byStatus = TicketStatus.allCases.map { "\($0.rawValue) \(counts.byStatus[$0] ?? 0)" }.joined(separator: ", ")
        console.print("tickets         \(counts.tickets) (\(byStatus))")
        console.print("messages in     \(counts.messagesIn)")
        console.print("messages out    \(counts.messagesOut)")
        console.print("outbox pending  \(counts.outboxPending)")
        console.print("outbox failed   \(counts.outboxFailed)\(counts.outboxFailed > 0 ? " (see the outbox table's last_error)" : "")")
        console.print("quarantined     \(quarantined)\(quarantined > 0 ? " (see `postdesk quarantine list`)" : "")")
        console.print("bounces         \(counts.bounces)")
        return .ok
    }
}

// MARK: - backup

enum BackupCommand: PostdeskCommand {
    static let name = "backup"
    static let summary = "online, consistent copy of the database"
    static let help = """
        usage: postdesk backup FILE [--force]

        Copies the database into FILE while Postdesk keeps running (SQLite's backup API, one consistent snapshot:
        what was committed when the copy began). The copy is written to a temporary file in FILE's folder,
        checked with PRAGMA integrity_check, synced to disk and only then renamed to FILE, so FILE is either the
        whole checked copy or not there. Prints the copy's size, schema version and number of tickets.

        --force  replace FILE if it exists (without it, an existing FILE is refused with exit 65)

        Exit 75 when the database is busy (another process holds it locked): try again later. To restore, stop
        Postdesk and put the copy in the place of the database file (`database` in the config).
        """

    static func run(_ arguments: [String], _ context: CommandContext) throws(CommandError) -> ExitCode {
        let o = try OptionReader(arguments, valued: [], flags: ["--force"], help: help)
        guard o.positional.count == 1, !o.positional[0].isEmpty else { throw CommandError(.usage, "needs one FILE\n\n" + help) }
        let target = o.positional[0]
        let force = o.flags.contains("--force")
        let config = try context.loadConfig()
        let database = config.helpdesk.database
        guard FileSystem.kind(of: database) == .file else {
            throw CommandError(.configuration, "there is no database at \(database) (`database` in [helpdesk] of \(context.configPath))")
        }
        switch FileSystem.kind(of: target) {
        case .directory?: throw CommandError(.usage, "\(target) is a folder; give the backup's file name, as in \(target)/postdesk.sqlite")
        case .file?, .other?:
            if sameFile(target, database) { throw CommandError(.usage, "\(target) is the database itself; give another file name") }
            if !force { throw CommandError(.dataError, "\(target) exists; give --force to replace it, or choose another name") }
        case nil: break
        }
        let folder = FileSystem.directoryName(target)
        guard FileSystem.kind(of: folder) == .directory else {
            throw CommandError(.dataError, "the folder \(folder) does not exist; create it first")
        }

        // A new, private file in the same folder (same filesystem, so the rename is atomic).
        let temporary = folder + "/." + FileSystem.baseName(target) + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        func cleanUp() { for suffix in ["", "-journal", "-wal", "-shm"] { try? FileSystem.remove(temporary + suffix) } }
        do { try FileSystem.writeNew(temporary, [UInt8](), mode: 0o640) } catch {
            throw CommandError(fileErrorCode(error), "cannot create a file in \(folder): \(error)")
        }
        let check: Store.BackupCheck
        do {
            try Store.backup(database: database, to: temporary)
            check = try Store.checkCopy(temporary)
        } catch {
            cleanUp()
            if error.isBusy {
                throw CommandError(.temporaryFailure, "the database is busy (another process holds it locked): nothing was written; try again later (\(error))")
            }
            throw CommandError(error.isTemporary ? .temporaryFailure : .dataError, "the backup failed, nothing was written: \(error)")
        }
        guard check.integrity == "ok" else {
            cleanUp()
            throw CommandError(.dataError, """
                the copy fails PRAGMA integrity_check, so the database itself is damaged; nothing was written:
                \(check.integrity)
                Check it with: sqlite3 \(database) 'PRAGMA integrity_check'
                """)
        }
        do {
            try FileSystem.syncFiles([temporary])
            if force {
                try FileSystem.rename(temporary, to: target)
            } else {
                try renameNoReplace(temporary, to: target)
            }
            try FileSystem.syncDirectory(folder)
        } catch {
            cleanUp()
            if error.errno == EEXIST { throw CommandError(.dataError, "\(target) appeared meanwhile; give --force to replace it") }
            throw CommandError(fileErrorCode(error), "cannot write \(target): \(error)")
        }
        cleanUp()  // only the SQLite side files, if any were left: the copy has its final name now
        let size = FileSystem.size(of: target) ?? 0
        context.console.print("backup written to \(target): \(size) bytes, schema version \(check.schemaVersion), \(check.tickets) ticket(s), integrity ok")
        return .ok
    }

    /// Gives `from` the name `to` unless `to` exists (EEXIST): link(2), which never replaces, then unlink(2).
    static func renameNoReplace(_ from: String, to: String) throws(SystemError) {
        if link(from, to) != 0 { throw SystemError("link", path: to, errno: errno) }
        try FileSystem.remove(from)
    }

    static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }
}

/// A full disk or an I/O error may pass (75); anything else is a problem with the path given (65).
func fileErrorCode(_ error: SystemError) -> ExitCode {
    [ENOSPC, EDQUOT, EIO].contains(error.errno) ? .temporaryFailure : .dataError
}

// MARK: - export

enum ExportCommand: PostdeskCommand {
    static let name = "export"
    static let summary = "tickets as CSV (RFC 4180, header row, UTF-8)"
    static let help = """
        usage: postdesk export [--from DATE] [--to DATE] [--output FILE]

        Writes the tickets created from DATE to DATE (YYYY-MM-DD, both days included, in UTC) as CSV: RFC 4180,
        CRLF line ends, UTF-8 without a byte order mark, a header row, one ticket per row, oldest first:

          number, customer_reference, created, requester, requester_name, company, subject, status, assignee,
          priority, due, updated, resolved_at, closed_at

        company is the requester's organization (its name, else its domain); assignee is the agent's address;
        times are ISO 8601 in UTC; an empty field has no value. Fields holding a comma, a double quote, CR or LF
        are quoted, with double quotes doubled.

        Against formula injection in spreadsheets, a field that begins with =, +, -, @, a tab or CR is written
        with a leading apostrophe (') — e.g. the subject "=SUM(A1)" becomes '=SUM(A1) — so a spreadsheet shows it
        as text and never runs it. Remove that apostrophe if you read the file with a program instead.

        --output FILE  write FILE atomically (a temporary file, synced, then renamed); without it, standard output
        """

    static func run(_ arguments: [String], _ context: CommandContext) throws(CommandError) -> ExitCode {
        let o = try OptionReader(arguments, valued: ["--from", "--to", "--output"], flags: [], help: help)
        guard o.positional.isEmpty else { throw CommandError(.usage, "unexpected argument \(o.positional[0])\n\n" + help) }
        for option in ["--from", "--to"] {
            if let d = o.values[option], !isCalendarDay(d) {
                throw CommandError(.usage, "\(option) \(d): not a date; write it as YYYY-MM-DD, as in 2026-01-31")
            }
        }
        if let from = o.values["--from"], let to = o.values["--to"], from > to {
            throw CommandError(.usage, "--from \(from) is after --to \(to)")
        }
        let config = try context.loadConfig()
        let store = try context.openStore(config)
        let rows = try commandBody { try store.exportRows(from: o.values["--from"], to: o.values["--to"]) }
        let text = csv(header: Store.ExportRow.columns, rows: rows.map(\.fields))
        guard let output = o.values["--output"] else {
            context.console.write(text)
            return .ok
        }
        do { try FileSystem.writeAtomically(output, Array(text.utf8), mode: 0o640) } catch {
            throw CommandError(fileErrorCode(error), "cannot write \(output): \(error)")
        }
        context.console.print("\(rows.count) ticket(s) written to \(output)")
        return .ok
    }

    /// `YYYY-MM-DD`, a day that exists (leap years included).
    static func isCalendarDay(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
              u.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 || (48...57).contains($0.element) }),
              let year = Int(s.prefix(4)), let month = Int(s.dropFirst(5).prefix(2)), let day = Int(s.suffix(2)),
              (1...12).contains(month)
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    /// RFC 4180 text: CRLF after every record, the header first.
    static func csv(header: [String], rows: [[String]]) -> String {
        var out = ""
        for record in [header] + rows {
            out += record.map(csvField).joined(separator: ",")
            out += "\r\n"
        }
        return out
    }

    /// One field: an apostrophe before a leading =, +, -, @, tab or CR (formula injection); quoted when it holds
    /// a comma, a double quote, CR or LF, with double quotes doubled.
    static func csvField(_ value: String) -> String {
        var scalars = value.unicodeScalars
        if let first = scalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { scalars.insert("'", at: scalars.startIndex) }
        guard scalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return String(scalars) }
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for s in scalars {
            if s == "\"" { quoted.append("\"") }
            quoted.append(s)
        }
        quoted.append("\"")
        return String(quoted)
    }
}

// MARK: - tickets assign | status | reply

/// `postdesk tickets assign|status|reply`: acting as an agent from the shell (TicketsCommand dispatches here).
enum TicketActions {
    static let help = """
        usage: postdesk tickets assign N AGENT [--as AGENT]
               postdesk tickets status N STATUS [--as AGENT]
               postdesk tickets reply N --file F [--internal] [--as AGENT]

        The same as an agent's commands by mail, with the same audit entries and mail to the customer:
        assign   like #assign: the ticket goes to AGENT (key, name or address; a new ticket becomes open); the
                 customer gets the `assigned` notice
        status   like #status: open, pending, resolved or closed. Closed tickets are final; resolved and closed tell
                 the customer (resolved: it closes by itself after auto_close_after unless they reply)
        reply    an answer relayed to the requester and the Cc participants from the queue address, signed with the
                 --as agent's name, else the assignee's, else the helpdesk's (never an agent's address). The text is
                 read from F (- for standard input), UTF-8.
                 --internal: an internal note instead, never sent to the customer; the assignee (else the queue's
                 agents) is told, but not its author
        --as     act as this agent: the audit log names them (otherwise it names "operator")

        Everything happens in one database transaction. Mail is queued in the outbox; the running daemon sends it
        at once (or run `postdesk run --once`). Exit 65 for an unknown ticket or agent or a closed ticket.
        """

    static func run(_ sub: String, _ arguments: [String], _ context: CommandContext) throws(CommandError) -> ExitCode {
        let o = try OptionReader(arguments, valued: ["--file", "--as"], flags: ["--internal"], help: help)
        guard let first = o.positional.first, let number = Int64(first.trimmingCharacters(in: "#")), number > 0 else {
            throw CommandError(.usage, "\(sub) needs a ticket number first\n\n" + help)
        }
        let rest = Array(o.positional.dropFirst())
        if sub != "reply" && (o.values["--file"] != nil || o.flags.contains("--internal")) {
            throw CommandError(.usage, "--file and --internal belong to `tickets reply`\n\n" + help)
        }
        // Validate the arguments before opening anything.
        var status: TicketStatus? = nil
        var text = ""
        switch sub {
        case "assign":
            guard rest.count == 1 else { throw CommandError(.usage, "assign needs N and one AGENT (key, name in quotes, or address)\n\n" + help) }
        case "status":
            guard rest.count == 1 else { throw CommandError(.usage, "status needs N and one STATUS\n\n" + help) }
            // The agents' own parser, so the shell and mail give the same answers.
            let parsed = MailCommands.parseAgent("#status \(rest[0])")
            if let problem = parsed.problems.first { throw CommandError(.usage, problem.message) }
            guard case .status(let s)? = parsed.commands.first?.command else { throw CommandError(.usage, "status needs a STATUS\n\n" + help) }
            status = s
        case "reply":
            guard rest.isEmpty else { throw CommandError(.usage, "unexpected argument \(rest[0]); the text comes from --file F\n\n" + help) }
            guard let file = o.values["--file"] else { throw CommandError(.usage, "reply needs --file F (- for standard input)\n\n" + help) }
            text = try readText(file)
        default:
            throw CommandError(.usage, "unknown subcommand \(sub)\n\n" + help)
        }

        let config = try context.loadConfig()
        let store = try context.openStore(config)
        let ingestor = try context.ingestor(config, store)
        let acting = o.values["--as"]
        let report: OperatorReport
        do {
            switch sub {
            case "assign": report = try ingestor.operatorAssign(number, to: rest[0], as: acting)
            case "status": report = try ingestor.operatorSetStatus(number, status!, as: acting)
            default: report = try ingestor.operatorReply(number, text: text, internal: o.flags.contains("--internal"), as: acting)
            }
        } catch let e as OperatorRefusal {
            throw CommandError(.dataError, e.message)
        } catch let e as StoreError {
            throw CommandError(e.isTemporary ? .temporaryFailure : .dataError,
                               "nothing was changed: \(e)\(e.isBusy ? " (the database is busy; try again)" : "")")
        } catch {
            throw CommandError(.dataError, "nothing was changed: \(error)")
        }
        let console = context.console
        console.print("ticket #\(number): " + report.changes.joined(separator: "; "))
        for m in report.mail {
            if m.status == "suppressed" {
                console.print("not sent: \(m.kind) to \(m.recipient): \(m.note ?? "suppressed")")
            } else {
                console.print("queued: \(m.kind) to \(m.recipient)")
            }
        }
        if report.mail.contains(where: { $0.status == "queued" }) {
            console.print("the mail is in the outbox: the running daemon sends it at once (or run `postdesk run --once`)")
        }
        return .ok
    }

    /// The answer's text: all of F, or of standard input for "-"; UTF-8, line ends made LF.
    static func readText(_ file: String) throws(CommandError) -> String {
        let limit = 16 << 20
        let bytes = try readInput(file, limit: limit)
        let source = file == "-" ? "standard input" : file
        guard bytes.count <= limit else { throw CommandError(.dataError, "\(source) is larger than \(limit >> 20) MiB; an answer is text") }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CommandError(.dataError, "\(source) is not UTF-8 text; convert it first (e.g. iconv -t UTF-8)")
        }
        let lf = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\r" }))
        guard !lf.allSatisfy(\.isWhitespace) else { throw CommandError(.dataError, "\(source) is empty: there is nothing to send") }
        return lf
    }
}
