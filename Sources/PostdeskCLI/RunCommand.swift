import Dispatch
import Synchronization
import PostdeskCore
import PostdeskDaemon
import PostdeskMail
import PostdeskStore
import PostdeskSystem

#if canImport(Glibc)
import Glibc
#endif

/// Set from the SIGTERM/SIGINT handler; read by the loop. A plain atomic-sized flag is what a signal
/// handler may touch.
nonisolated(unsafe) var stopRequested: sig_atomic_t = 0

enum RunCommand: PostdeskCommand {
    static let name = "run"
    static let summary = "the daemon; --once: process everything pending, then exit"
    static let help = """
        usage: postdesk run [--once]

        Reads every mailbox's maildir (new/ and unseen cur/), turns each message into a ticket, a reply, a
        recorded bounce or a quarantined message, exactly once, and moves it to cur/ with the S flag after its
        database transaction committed.

          --once   process everything pending, then exit (0, or 75 when something was deferred)

        Without --once it keeps running until SIGTERM or SIGINT, finishing the batch in hand: inotify wakes it
        when mail arrives in a new/ folder, and it rescans every 10 seconds as a safety net.
        Logs go to stderr, one line per event, with syslog priority prefixes (<3> error ... <6> info).
        """

    static func run(_ arguments: [String], _ context: CommandContext) throws(CommandError) -> ExitCode {
        var once = false
        for a in arguments {
            if a == "--once" { once = true } else { throw CommandError(.usage, "unknown argument \(a)\n\n" + help) }
        }
        let config = try context.loadConfig(showWarnings: true)
        let store = try context.openStore(config)
        let console = context.console
        let log: @Sendable (LogLevel, String) -> Void = { level, line in console.error("<\(level.rawValue)>\(line)") }
        let loaded = TemplateLoader.load(config)
        if !loaded.problems.isEmpty {
            throw CommandError(.configuration, "the templates have problems:\n" + loaded.problems.joined(separator: "\n"))
        }
        let ingestor: Ingestor
        do {
            ingestor = try Ingestor(config: config, store: store, templates: loaded.templates, log: log)
        } catch {
            throw CommandError(.configuration, "cannot prepare data_dir \(config.helpdesk.dataDir): \(error)")
        }
        for m in config.mailboxes where !Maildir(m.maildir).exists {
            throw CommandError(.configuration, "mailbox \(m.name): \(m.maildir) is not a maildir (it needs new/, cur/ and tmp/)")
        }
        // The sender has its own database connection: SMTP may block for a while, ingestion goes on.
        let sender = OutboxSender(config: config, store: try context.openStore(config), log: log)
        if once {
            let report = ingestor.processPending()
            let deferred = report.outcomes.filter { if case .deferred = $0.outcome { return true }; return false }.count
            console.error("<6>run --once: \(report.count) message(s) processed, \(deferred) deferred")
            let scheduler = Scheduler(ingestor)
            do { _ = try scheduler.runDue() } catch { console.error("<4>scheduler: \(error)") }
            let sent = sender.sendDue()
            if sent.total > 0 {
                console.error("<6>run --once: outbox: \(sent.sent) sent, \(sent.retrying) to retry later, \(sent.failed) failed")
            }
            return deferred > 0 ? .temporaryFailure : .ok
        }
        signal(SIGTERM) { _ in stopRequested = 1 }
        signal(SIGINT) { _ in stopRequested = 1 }
        // A parent may hand us a blocked signal mask (Foundation's Process does): the daemon must still stop.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
        let watcher: DirectoryWatcher
        do { watcher = try DirectoryWatcher(config.mailboxes.map { $0.maildir + "/new" }) } catch {
            throw CommandError(.temporaryFailure, "cannot watch the maildirs: \(error)")
        }
        console.error("<6>postdesk running: \(config.mailboxes.count) mailbox(es)")
        // Scan, then sleep until inotify says mail arrived (or the periodic rescan is due: a safety net for
        // events lost to a full queue or to folders on network filesystems).
        let outbox = OutboxLoop(sender)
        outbox.start()
        let scheduler = Scheduler(ingestor)
        while stopRequested == 0 {
            let report = ingestor.processPending(shouldStop: { stopRequested != 0 })
            var queued = report.count > 0
            do {
                let due = try scheduler.runDue()
                queued = queued || !due.closed.isEmpty || !due.reminded.isEmpty
            } catch { console.error("<4>scheduler: \(error)") }
            if queued { outbox.wake() }
            if stopRequested != 0 { break }
            _ = watcher.wait(timeoutMilliseconds: 10_000)
        }
        console.error("<6>postdesk stopping")
        outbox.stop()
        return .ok
    }
}

/// The sender's own thread: sends what is due, then sleeps until woken (new mail was queued) or until the
/// next retry is due. Stopping lets the mail in hand finish.
final class OutboxLoop: @unchecked Sendable {
    let sender: OutboxSender
    private let wakeup = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)

    init(_ sender: OutboxSender) { self.sender = sender }

    func start() {
        let thread = DispatchQueue(label: "postdesk.outbox")
        thread.async { [self] in
            while !isStopping {
                _ = sender.sendDue(shouldStop: { self.isStopping })
                if isStopping { break }
                var wait: Int64 = 60
                if let next = try? sender.store.nextOutboxAttempt() {
                    wait = max(0, min(wait, next - sender.clock.now()))
                }
                if wait > 0 { _ = wakeup.wait(timeout: .now() + .seconds(Int(wait))) }
            }
            done.signal()
        }
    }

    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    func wake() { wakeup.signal() }

    func stop() {
        stopping.store(true, ordering: .releasing)
        wakeup.signal()
        done.wait()
    }
}

enum CheckConfigCommand: PostdeskCommand {
    static let name = "check-config"
    static let summary = "validate the config: exit 0, or print FILE:LINE: problem and exit 78"
    static let help = """
        usage: postdesk check-config

        Reads the config file strictly (unknown keys and bad values are errors, with file and line), checks that
        every mailbox's maildir exists and that the database's and data_dir's folders are there or can be made,
        reads the SMTP password file, and checks every template under the templates folder (unknown or missing
        placeholders, unknown files), each problem as FILE:LINE.
        Exit 0 when all is well, 78 otherwise.
        """

    static func run(_ arguments: [String], _ context: CommandContext) throws(CommandError) -> ExitCode {
        guard arguments.isEmpty else { throw CommandError(.usage, "takes no arguments\n\n" + help) }
        let config = try context.loadConfig(showWarnings: true)
        var problems: [String] = []
        for m in config.mailboxes where !Maildir(m.maildir).exists {
            problems.append("\(config.file):\(m.line): [mailbox \(m.name)] maildir \(m.maildir) does not exist or lacks new/, cur/, tmp/")
        }
        for (what, dir) in [("data_dir", config.helpdesk.dataDir), ("database", FileSystem.directoryName(config.helpdesk.database))] {
            if FileSystem.kind(of: dir) == nil {
                do { try FileSystem.makeDirectories(dir) } catch { problems.append("\(config.file): \(what) folder \(dir): \(error)") }
            } else if access(dir, W_OK) != 0 {
                problems.append("\(config.file): \(what) folder \(dir) is not writable")
            }
        }
        problems += TemplateLoader.load(config).problems
        if config.outbound.transport == .smtp {
            do { _ = try OutboxSender.transport(for: config) } catch { problems.append("\(config.file): [outbound] \(error)") }
        }
        if !problems.isEmpty { throw CommandError(.configuration, "the configuration has problems:\n" + problems.joined(separator: "\n")) }
        context.console.print("\(config.file): ok (\(config.mailboxes.count) mailbox(es), \(config.agents.count) agent(s))")
        return .ok
    }
}

enum ExplainCommand: PostdeskCommand {
    static let name = "explain"
    static let summary = "dry run: what `run` would do with a message, and why"
    static let help = """
        usage: postdesk explain FILE [--mailbox NAME]

        Parses FILE and tells what `run` would do with it: the ticket it would go to and by which rule, the
        automatic-mail verdict, and the people who would join the ticket. Changes nothing. The mailbox is the
        one whose maildir holds FILE, else --mailbox, else the first one configured.
        """

    static func run(_ arguments: [String], _ context: CommandContext) throws(CommandError) -> ExitCode {
        var file: String? = nil
        var mailboxName: String? = nil
        var i = 0
        while i < arguments.count {
            if arguments[i] == "--mailbox", i + 1 < arguments.count { mailboxName = arguments[i + 1]; i += 2; continue }
            if arguments[i].hasPrefix("-") || file != nil { throw CommandError(.usage, "unexpected argument \(arguments[i])\n\n" + help) }
            file = arguments[i]
            i += 1
        }
        guard let file else { throw CommandError(.usage, "needs a FILE\n\n" + help) }
        let config = try context.loadConfig()
        let bytes: [UInt8]
        do { bytes = try FileSystem.readFile(file) } catch { throw CommandError(.dataError, "\(error)") }
        let mailbox = config.mailboxes.first(where: { $0.name == mailboxName })
            ?? config.mailboxes.first(where: { file.hasPrefix($0.maildir + "/") })
            ?? config.mailboxes[0]
        if let mailboxName, mailbox.name != mailboxName { throw CommandError(.usage, "no mailbox named \(mailboxName)") }
        let store = try context.openStore(config)
        let plan: IngestPlan
        let work: String?
        do {
            let ingestor = try Ingestor(config: config, store: store)
            plan = try ingestor.plan(bytes, mailbox: mailbox)
            work = try ingestor.describeWork(plan)
        } catch { throw CommandError(.temporaryFailure, "cannot look up tickets: \(error)") }
        let s = plan.summary
        let c = context.console
        c.print("message:    \(file)")
        c.print("subject:    \(s.subject ?? "(none)")")
        c.print("from:       \(plan.sender?.address ?? "(no sender)")")
        c.print("message-id: \(s.messageID.map { "<\($0)>" } ?? "(none)")")
        c.print("mailbox:    \(mailbox.name) (\(mailbox.address))")
        c.print("automatic:  \(s.automatic?.description ?? "no (a person wrote it)")")
        if let q = plan.quarantineReason {
            c.print("decision:   quarantine: \(q)")
            return .ok
        }
        if let done = try? store.ingested(key: plan.key) {
            c.print("decision:   already ingested (\(done.outcome)): run would only move the file to cur/")
            return .ok
        }
        if let work {
            c.print("decision:   \(work)")
            return .ok
        }
        c.print("decision:   \(describe(plan.decision.action, plan.ticket))")
        c.print("rule:       \(plan.decision.rule.rawValue)")
        c.print("why:        \(plan.decision.reason)")
        if let r = plan.decision.reference { c.print("reference:  ticket #\(r) (recorded on the new ticket)") }
        if !plan.decision.newParticipants.isEmpty {
            c.print("joins:      \(plan.decision.newParticipants.map(\.address).joined(separator: ", "))")
        }
        let split = ReplyText.split(s.text)
        if split.quoted != nil { c.print("quoted:     history below the new text is kept apart (\(split.quoted!.split(separator: "\n").count) lines)") }
        if !s.attachments.isEmpty { c.print("attachments: \(s.attachments.count)") }
        switch plan.decision.action {
        case _ where s.automatic != nil:
            c.print("mail:       none: automatic mail is never answered (\(s.automatic!.description))")
        case .newTicket:
            c.print("mail:       a confirmation to \(plan.sender?.address ?? "the sender") (unless an auto-reply rule holds it back), a notice to the queue's agents")
        case .followUp:
            c.print("mail:       a follow-up notice to \(plan.sender?.address ?? "the sender"), a notice to the queue's agents")
        case .append:
            c.print("mail:       a notice to the assignee (or the queue's agents)")
        case .bounce:
            c.print("mail:       none")
        }
        return .ok
    }

    static func describe(_ action: RoutingDecision.Action, _ ticket: TicketFacts?) -> String {
        switch action {
        case .newTicket: return "open a new ticket (status new, to be assigned)"
        case .followUp(let old): return "open a follow-up ticket linked to closed ticket #\(old)"
        case .append(let n, let reopen):
            return "add to ticket #\(n) (\(ticket?.status.rawValue ?? "?"))" + (reopen ? " and reopen it" : "")
        case .bounce(let n): return n.map { "record the bounce on ticket #\($0)" } ?? "record the bounce (no ticket)"
        }
    }
}
