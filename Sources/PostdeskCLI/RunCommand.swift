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

enum RunCommand: PostdeskCommand {
    static let name = "run"
    static let summary = "the daemon; --once: process everything pending, then exit"
    static let help = """
        usage: postdesk run [--once]

        Reads every mailbox's maildir (new/, and mail in cur/ it has not taken in yet, whatever its flags),
        turns each message into a ticket, a reply, a recorded bounce or a quarantined message, exactly once,
        and moves it to cur/ with the S flag after its database transaction committed. Sends the mail this
        causes from the outbox, and runs the scheduler (reminders, auto-close).

          --once   process everything pending, the due outbox and the due scheduled jobs, then exit
                   (0, or 75 when something was deferred)

        Without --once it runs until SIGTERM or SIGINT: inotify wakes it when mail arrives in a new/ folder, and
        it rescans every 10 seconds as a safety net. Under systemd (Type=notify) it speaks the notify protocol
        over $NOTIFY_SOCKET: READY=1 after the first scan, STATUS= with a one-line summary, WATCHDOG=1 at half
        of $WATCHDOG_USEC while its services make progress, RELOADING=1 and STOPPING=1.
          SIGHUP           reload the config, its agents and the templates; a bad new config is rejected and the
                           old one kept
          SIGTERM, SIGINT  finish the batch and the mail in hand, then exit 0
        Logs go to stderr, one line per event, with syslog priority prefixes (<3> error ... <6> info).
        """

    static func run(_ arguments: [String], _ context: CommandContext) throws(CommandError) -> ExitCode {
        var once = false
        for a in arguments {
            if a == "--once" { once = true } else { throw CommandError(.usage, "unknown argument \(a)\n\n" + help) }
        }
        if once { return try runOnce(context) }
        return try Daemon(context).run()
    }

    static func runOnce(_ context: CommandContext) throws(CommandError) -> ExitCode {
        let console = context.console
        let services = try DaemonServices(context, log: { level, line in console.error("<\(level.rawValue)>\(line)") })
        let report = services.ingestor.processPending()
        let deferred = report.outcomes.filter { if case .deferred = $0.outcome { return true }; return false }.count
        console.error("<6>run --once: \(report.count) message(s) processed, \(deferred) deferred")
        do { _ = try services.scheduler.runDue() } catch { console.error("<4>scheduler: \(error)") }
        let sent = services.sender.sendDue()
        if sent.total > 0 {
            console.error("<6>run --once: outbox: \(sent.sent) sent, \(sent.retrying) to retry later, \(sent.failed) failed")
        }
        return deferred > 0 ? .temporaryFailure : .ok
    }
}

/// Everything built from one configuration: the services `run` drives. A reload builds a new set and swaps
/// it in only when the whole set could be built.
final class DaemonServices: @unchecked Sendable {
    let config: Configuration
    let ingestor: Ingestor
    let scheduler: Scheduler
    let sender: OutboxSender

    init(_ context: CommandContext, log: @escaping @Sendable (LogLevel, String) -> Void) throws(CommandError) {
        let config = try context.loadConfig()
        for w in config.warnings { log(.notice, w.description) }
        let store = try context.openStore(config)
        let loaded = TemplateLoader.load(config)
        if !loaded.problems.isEmpty {
            throw CommandError(.configuration, "the templates have problems:\n" + loaded.problems.joined(separator: "\n"))
        }
        for m in config.mailboxes where !Maildir(m.maildir).exists {
            throw CommandError(.configuration, "mailbox \(m.name): \(m.maildir) is not a maildir (it needs new/, cur/ and tmp/)")
        }
        do {
            ingestor = try Ingestor(config: config, store: store, templates: loaded.templates, log: log)
        } catch let e as Ingestor.SetupError {
            throw CommandError(e.isTemporary ? .temporaryFailure : .configuration, e.description)
        } catch {
            throw CommandError(.configuration, "\(error)")
        }
        self.config = config
        scheduler = Scheduler(ingestor)
        // The sender has its own database connection: SMTP may block for a while, ingestion goes on.
        sender = OutboxSender(config: config, store: try context.openStore(config), log: log)
    }
}

/// `postdesk run`: one thread polls inotify, the signalfd and its timers; the outbox sends on its own thread.
final class Daemon: @unchecked Sendable {
    let context: CommandContext
    let console: Console
    let signals: SignalSource
    let notifier: SystemdNotifier?
    /// The last warning or error, for STATUS (written from both threads).
    let lastError = Mutex<String?>(nil)

    var services: DaemonServices!
    var outbox: OutboxLoop!
    /// A reload's sender, waiting for the old outbox thread to finish the mail in hand.
    var nextSender: OutboxSender?
    var watcher: DirectoryWatcher!
    /// data_dir/run/: the portal touches `outbox-wake` in it after it queued mail, and the outbox sends at once.
    var wakeWatcher: DirectoryWatcher?
    var stopping = false
    var reloadRequested = false
    var state = "starting"
    var lastWatchdog = 0.0
    var lastStatus = ""
    var lastStatusAt = 0.0

    /// How often every new/ folder is rescanned even without an inotify event.
    static let rescanInterval = 10.0

    init(_ context: CommandContext) throws(CommandError) {
        self.context = context
        console = context.console
        // First of all, before any thread exists: the stop and reload signals become events on a descriptor.
        // Threads started later inherit the blocked mask, so a signal can never kill one of them midway.
        do { signals = try SignalSource([SIGTERM, SIGINT, SIGHUP]) } catch {
            throw CommandError(.temporaryFailure, "cannot set up signal handling: \(error)")
        }
        notifier = SystemdNotifier(environment: PostdeskCommandLine.currentEnvironment())
    }

    func log(_ level: LogLevel, _ line: String) {
        console.error("<\(level.rawValue)>\(line)")
        if level.rawValue <= LogLevel.warning.rawValue {
            let stamp = SystemClock().now().iso8601
            lastError.withLock { $0 = "\(stamp.dropFirst(11).prefix(8)) \(line)" }
        }
    }

    func run() throws(CommandError) -> ExitCode {
        let logger: @Sendable (LogLevel, String) -> Void = { [unowned self] level, line in self.log(level, line) }
        notifier?.status("starting: opening the database and reading the config")
        services = try DaemonServices(context, log: logger)
        watcher = try makeWatcher(services.config)
        wakeWatcher = makeWakeWatcher(services.config)
        outbox = OutboxLoop(services.sender)
        outbox.start()
        log(.info, "postdesk running: \(services.config.mailboxes.count) mailbox(es)\(notifier == nil ? "" : ", systemd notify on")"
            + (notifier?.watchdogInterval.map { ", watchdog every \(Int($0))s" } ?? ""))

        // The first scan, then READY=1: systemd starts dependent units only once mail is really being taken in.
        var nextScan = 0.0
        var retryDelay = 0.0
        var first = true
        while true {
            readSignals()
            if stopping { break }
            if reloadRequested { reload(); nextScan = 0 }
            let now = MonotonicClock.seconds
            if now >= nextScan {
                let report = services.ingestor.processPending(shouldStop: { [unowned self] in
                    self.readSignals()
                    self.watchdogTick()  // each batch done is progress
                    return self.stopping
                }, skippingBackedOff: true)
                var queued = report.count > 0
                do {
                    let due = try services.scheduler.runDue()
                    queued = queued || !due.closed.isEmpty || !due.reminded.isEmpty
                } catch { log(.warning, "scheduler: \(error)") }
                if queued { outbox.wake() }
                let deferred = report.outcomes.compactMap { if case .deferred(let why) = $0.outcome { return why }; return nil }
                if let why = deferred.first {
                    // The database is busy or the disk full: nothing is lost (the mail stays in new/); try again soon.
                    retryDelay = min(max(retryDelay * 2, 1), 30)
                    state = "paused: \(deferred.count) message(s) deferred (\(Self.short(why))); retrying in \(Int(retryDelay))s"
                    nextScan = MonotonicClock.seconds + retryDelay
                } else {
                    retryDelay = 0
                    // Still paused while a file deferred earlier waits out its backoff (this scan skipped it).
                    if services.ingestor.nextDeferredRetry == nil { state = "idle" }
                    nextScan = MonotonicClock.seconds + Self.rescanInterval
                }
                // A file deferred earlier waits out its own backoff (the Ingestor skips it until then).
                if let due = services.ingestor.nextDeferredRetry { nextScan = min(nextScan, due) }
                updateStatus(force: first || !report.outcomes.isEmpty)
                if first {
                    notifier?.ready(status: statusLine())
                    first = false
                }
            }
            swapSenderWhenIdle()
            watchdogTick()
            updateStatus(force: false)
            // Sleep until mail arrives, a signal comes, or a timer is due.
            var timeout = nextScan - MonotonicClock.seconds
            if nextSender != nil { timeout = min(timeout, 0.1) }  // look again soon for the old sender's end
            if let w = notifier?.watchdogInterval {
                // While the outbox is stalled no ping goes out and lastWatchdog stands still: look again in a
                // quarter interval rather than spinning.
                let untilPing = w - (MonotonicClock.seconds - lastWatchdog)
                timeout = min(timeout, untilPing > 0 ? untilPing : w / 4)
            }
            let ready = Poller.wait([watcher.fileDescriptor, signals.fileDescriptor] + (wakeWatcher.map { [$0.fileDescriptor] } ?? []),
                                    timeoutMilliseconds: Int32(max(0, min(timeout, 60)) * 1000) + 1)
            if ready.count > 2, ready[2], let wakeWatcher {
                // The portal queued mail (a reply, a new ticket's confirmation and notice): send it now.
                wakeWatcher.drain()
                outbox.wake()
            }
            if ready[0] {
                // New mail is taken at once, even while other mail is deferred: deferral is per file.
                watcher.drain()
                nextScan = 0
            }
        }
        notifier?.stopping()
        log(.info, "postdesk stopping")
        outbox.stop()
        if let next = nextSender {
            outbox.sender.handOverKeptResults(to: next)
            _ = next.recordKeptResults()
        } else {
            _ = outbox.sender.recordKeptResults()
        }
        log(.info, "postdesk stopped")
        return .ok
    }

    /// A watcher on data_dir/run/ (made by the Ingestor's `DataDirectory.prepare`), or nil with a warning: then
    /// mail the portal queues goes out at the next scan (10 s) instead of at once.
    func makeWakeWatcher(_ config: Configuration) -> DirectoryWatcher? {
        let folder = DataDirectory(config.helpdesk.dataDir).runFolder
        do { return try DirectoryWatcher([folder]) } catch {
            log(.warning, "cannot watch \(folder) for the portal's wake-ups (its mail goes out at the next scan instead): \(error)")
            return nil
        }
    }

    func makeWatcher(_ config: Configuration) throws(CommandError) -> DirectoryWatcher {
        do { return try DirectoryWatcher(config.mailboxes.map { $0.maildir + "/new" }) } catch {
            throw CommandError(.temporaryFailure, "cannot watch the maildirs: \(error)")
        }
    }

    func readSignals() {
        for s in signals.pending() {
            switch s {
            case SIGHUP: reloadRequested = true
            default:
                if !stopping { log(.info, "signal \(s == SIGINT ? "SIGINT" : "SIGTERM"): stopping after the work in hand") }
                stopping = true
            }
        }
    }

    /// SIGHUP: a new config, templates and services, or (if any of it is wrong) the old ones, with the reason.
    func reload() {
        reloadRequested = false
        notifier?.reloading()
        log(.info, "SIGHUP: reloading \(context.configPath)")
        let logger: @Sendable (LogLevel, String) -> Void = { [unowned self] level, line in self.log(level, line) }
        do {
            let fresh = try DaemonServices(context, log: logger)
            let freshWatcher = try makeWatcher(fresh.config)
            services = fresh
            watcher = freshWatcher
            wakeWatcher = makeWakeWatcher(fresh.config)
            // The old sender finishes the mail in hand on its thread (an SMTP answer may take up to `timeout`)
            // while this loop goes on (and feeds the watchdog); the new one starts once it is done, with the
            // results it could not record (`swapSenderWhenIdle`).
            outbox.requestStop()
            nextSender = fresh.sender
            swapSenderWhenIdle()
            log(.info, "reloaded: \(fresh.config.mailboxes.count) mailbox(es), \(fresh.config.agents.count) agent(s)")
            state = "idle"
        } catch {
            log(.error, "reload rejected, still running with the previous configuration: \(error.message)")
            state = "idle (reload rejected: \(Self.short(error.message)))"
        }
        notifier?.ready(status: statusLine())
        lastStatus = ""
    }

    /// After a reload: once the old outbox thread has finished, its kept results go to the new sender, which
    /// then starts on its own thread.
    func swapSenderWhenIdle() {
        guard let next = nextSender, outbox.isDone else { return }
        outbox.sender.handOverKeptResults(to: next)
        nextSender = nil
        outbox = OutboxLoop(next)
        outbox.start()
    }

    /// WATCHDOG=1 at half of WATCHDOG_USEC, but only while the services make progress: this loop is alive
    /// (it is the one calling), and the outbox thread is idle or moved on recently.
    func watchdogTick() {
        guard let notifier, let interval = notifier.watchdogInterval else { return }
        let now = MonotonicClock.seconds
        guard now - lastWatchdog >= interval else { return }
        guard outbox.isMakingProgress(within: interval * 2) else {
            if state.hasPrefix("stalled") == false { log(.warning, "outbox thread stalled: no watchdog ping until it moves") }
            state = "stalled: the outbox thread has made no progress for \(Int(interval * 2))s"
            return
        }
        if state.hasPrefix("stalled") { state = "idle" }
        notifier.watchdog()
        lastWatchdog = now
    }

    /// The counts STATUS shows (tickets, outbox, held mail), with when they were read and the outbox's activity
    /// then: read again only after work was done here or by the outbox thread, or once a minute (for changes
    /// made by other processes, such as `postdesk tickets assign`), not at every 10 s tick of an idle daemon.
    var counts: [String] = []
    var countsAt = -Double.infinity
    var countsActivity: UInt64 = .max
    static let countsMaxAge = 60.0

    func statusLine(refresh: Bool = true) -> String {
        let now = MonotonicClock.seconds
        let activity = outbox.activity
        if refresh || activity != countsActivity || now - countsAt >= Self.countsMaxAge {
            var parts: [String] = []
            if let c = try? services.ingestor.store.daemonCounts() {
                parts.append("\(c.unassigned) unassigned, \(c.open) open")
                parts.append("outbox \(c.outboxQueued) queued, \(c.outboxFailed) failed")
            }
            if let held = try? services.ingestor.store.heldMessages(since: (SystemClock().now() - 3600).iso8601), held > 0 {
                parts.append("\(held) held over the inbound limits in the last hour")
            }
            counts = parts
            countsAt = now
            countsActivity = activity
        }
        var parts = [state] + counts
        if let problem = outbox.sender.transportProblem {
            parts.append("outbox cannot send: \(Self.short(problem))")
        }
        parts.append("last error: \(lastError.withLock { $0 } ?? "none")")
        return parts.joined(separator: "; ")
    }

    /// STATUS= after every scan that did something, and every 10 s otherwise (the counts as `statusLine` keeps
    /// them); only when the line changed.
    func updateStatus(force: Bool) {
        guard let notifier else { return }
        let now = MonotonicClock.seconds
        guard force || now - lastStatusAt >= Self.rescanInterval else { return }
        let line = statusLine(refresh: force)
        lastStatusAt = now
        if line != lastStatus {
            notifier.status(line)
            lastStatus = line
        }
    }

    /// One line of at most 160 characters (a multi-line config report keeps its first problems).
    static func short(_ s: String) -> String {
        let one = s.split(separator: "\n").map { String($0.drop(while: { $0 == " " || $0 == "\t" })) }.joined(separator: " ")
        return one.count > 160 ? String(one.prefix(157)) + "..." : one
    }
}

/// The sender's own thread: sends what is due, then sleeps until woken (new mail was queued) or until the
/// next retry is due. Stopping lets the mail in hand finish.
final class OutboxLoop: @unchecked Sendable {
    let sender: OutboxSender
    private let wakeup = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)
    /// Monotonic microseconds of the last sign of life, and whether the thread is asleep waiting for work.
    private let lastProgress = Atomic<UInt64>(MonotonicClock.microseconds)
    private let idle = Atomic<Bool>(false)

    init(_ sender: OutboxSender) { self.sender = sender }

    func start() {
        sender.onProgress = { [unowned self] in self.lastProgress.store(MonotonicClock.microseconds, ordering: .relaxed) }
        let thread = DispatchQueue(label: "postdesk.outbox")
        thread.async { [self] in
            while !isStopping {
                idle.store(false, ordering: .relaxed)
                lastProgress.store(MonotonicClock.microseconds, ordering: .relaxed)
                if sender.sendDue(shouldStop: { self.isStopping }).total > 0 {
                    activityCount.add(1, ordering: .relaxed)
                }
                if isStopping { break }
                var wait = 60.0
                if let next = try? sender.store.nextOutboxAttempt() {
                    wait = max(0, min(wait, Double(next - sender.clock.now())))
                }
                // A transport that cannot be built: due mail waits for the next try (backing off), no spinning.
                if let retry = sender.transportRetryIn { wait = max(wait, retry) }
                idle.store(true, ordering: .relaxed)
                if wait > 0 { _ = wakeup.wait(timeout: .now() + .milliseconds(Int(wait * 1000))) }
            }
            finished.store(true, ordering: .releasing)
            done.signal()
        }
    }

    /// Counts the rounds that sent or recorded something (STATUS reads its counts again after one).
    var activity: UInt64 { activityCount.load(ordering: .relaxed) }
    private let activityCount = Atomic<UInt64>(0)

    /// Whether the thread has ended (after `requestStop`).
    var isDone: Bool { finished.load(ordering: .acquiring) }
    private let finished = Atomic<Bool>(false)

    /// Asks the thread to end after the mail in hand, without waiting for it.
    func requestStop() {
        stopping.store(true, ordering: .releasing)
        wakeup.signal()
    }

    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Asleep waiting for work, or moved on within the last `seconds`.
    func isMakingProgress(within seconds: Double) -> Bool {
        idle.load(ordering: .relaxed)
            || Double(MonotonicClock.microseconds &- lastProgress.load(ordering: .relaxed)) / 1_000_000 < seconds
    }

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
        placeholders, unknown files), each problem as FILE:LINE. Prints the portal's listen address and public url
        (a warning when the url is http:// and not https://).
        Exit 0 when all is well, 78 otherwise.
        """

    static func run(_ arguments: [String], _ context: CommandContext) throws(CommandError) -> ExitCode {
        guard arguments.isEmpty else { throw CommandError(.usage, "takes no arguments\n\n" + help) }
        let config = try context.loadConfig(showWarnings: true)
        var problems: [String] = []
        for m in config.mailboxes {
            if !Maildir(m.maildir).exists {
                problems.append("\(config.file):\(m.line): [mailbox \(m.name)] maildir \(m.maildir) does not exist or lacks new/, cur/, tmp/")
            } else {
                // Postdesk moves each message from new/ to cur/ once it is stored.
                for sub in ["new", "cur"] where access(m.maildir + "/" + sub, W_OK | X_OK) != 0 {
                    problems.append("\(config.file):\(m.line): [mailbox \(m.name)] \(m.maildir)/\(sub) is not writable by this user (Postdesk moves mail from new/ to cur/)")
                }
            }
        }
        let outbound = { (key: String) in "\(config.file):\(config.outbound.lines[key].map(String.init) ?? "?"): [outbound]" }
        if config.outbound.transport == .maildir, let out = config.outbound.maildir {
            if let why = Self.cannotMakeFolder(out) { problems.append("\(outbound("maildir")) maildir \(out) \(why)") }
        }
        for (what, dir) in [("data_dir", config.helpdesk.dataDir), ("database", FileSystem.directoryName(config.helpdesk.database))] {
            if FileSystem.kind(of: dir) == nil {
                do { try FileSystem.makeDirectories(dir) } catch { problems.append("\(config.file): \(what) folder \(dir): \(error)") }
            } else if access(dir, W_OK) != 0 {
                problems.append("\(config.file): \(what) folder \(dir) is not writable")
            }
        }
        if case .unix(let socket) = config.portal.listen, let why = Self.cannotMakeFolder(FileSystem.directoryName(socket)) {
            let line = config.portal.lines["listen"].map(String.init) ?? "?"
            problems.append("\(config.file):\(line): [portal] listen = unix:\(socket): the folder \(FileSystem.directoryName(socket)) \(why)")
        }
        problems += TemplateLoader.load(config).problems
        if config.outbound.transport == .smtp {
            do { _ = try OutboxSender.transport(for: config) } catch {
                problems.append("\(outbound(config.outbound.passwordFile != nil ? "password_file" : "username")) \(error)")
            }
        }
        if !problems.isEmpty { throw CommandError(.configuration, "the configuration has problems:\n" + problems.joined(separator: "\n")) }
        context.console.print("\(config.file): ok (\(config.mailboxes.count) mailbox(es), \(config.agents.count) agent(s))")
        let portal = config.portal
        let queue = portal.queue ?? config.mailboxes.first?.name ?? "?"
        context.console.print("portal: listen \(portal.listen), url \(portal.url ?? "not set (mail carries no portal links)"), access \(portal.access.rawValue), new tickets in \(queue)")
        return .ok
    }
}

extension CheckConfigCommand {
    /// Why the folder `path` (with new/, cur/ and tmp/ inside) cannot be used or made by this user, or nil.
    /// Makes nothing: looks at the folder, or at the nearest folder above it that exists.
    static func cannotMakeFolder(_ path: String) -> String? {
        switch FileSystem.kind(of: path) {
        case .some(.directory):
            return access(path, W_OK | X_OK) == 0 ? nil : "is not writable by this user"
        case .some:
            return "is not a folder"
        case nil:
            var parent = FileSystem.directoryName(path)
            while FileSystem.kind(of: parent) == nil, parent != "/", parent != "." { parent = FileSystem.directoryName(parent) }
            if let kind = FileSystem.kind(of: parent), kind != .directory { return "cannot be made: \(parent) is not a folder" }
            return access(parent, W_OK | X_OK) == 0 ? nil : "cannot be made: \(parent) is not writable by this user"
        }
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
        // A dry run: the database is read as it is (never created or migrated), data_dir is left alone, and the
        // agents are the config's without recording them.
        let store: Store
        let path = config.helpdesk.database
        do {
            if FileSystem.kind(of: path) == nil {
                context.console.print("database:   \(path) does not exist yet: explaining as for an empty helpdesk (no tickets)")
                store = try Store.empty()
            } else {
                store = try Store(readOnlyPath: path)
            }
        } catch let e as StoreError {
            throw CommandError(e.isTemporary ? .temporaryFailure : .configuration, "cannot read the database: \(e)")
        } catch {
            throw CommandError(.configuration, "cannot read the database \(path): \(error)")
        }
        let plan: IngestPlan
        let work: String?
        let done: Store.IngestedRecord?
        do {
            let ingestor = try Ingestor(config: config, store: store, dryRun: true)
            plan = try ingestor.plan(bytes, mailbox: mailbox)
            work = try ingestor.describeWork(plan)
            done = try ingestor.alreadyIngested(bytes)  // the same lookups as run: old keys too
        } catch { throw CommandError(.temporaryFailure, "cannot look up tickets: \(error)") }
        let s = plan.summary
        let c = context.console
        c.print("message:    \(file)")
        c.print("subject:    \(s.subject ?? "(none)")")
        c.print("from:       \(plan.sender?.address ?? "(no sender)")")
        c.print("sender:     \(plan.standing.auth.rawValue) (\(plan.agent?.verified == true && !plan.auth.verified ? plan.agent!.reason : plan.auth.reason))")
        c.print("message-id: \(s.messageID.map { "<\($0)>" } ?? "(none)")")
        c.print("mailbox:    \(mailbox.name) (\(mailbox.address))")
        c.print("automatic:  \(s.automatic?.description ?? "no (a person wrote it)")")
        if let q = plan.quarantineReason {
            c.print("decision:   quarantine: \(q)")
            return .ok
        }
        if let done {
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
        if !plan.decision.notJoined.isEmpty {
            let shown = plan.decision.notJoined.prefix(20).map { "\($0.address) (\($0.why))" }
            c.print("not added:  \(shown.joined(separator: ", "))\(plan.decision.notJoined.count > 20 ? " and \(plan.decision.notJoined.count - 20) more" : "")")
        }
        let split = ReplyText.split(s.text)
        // The reply split the thread shows (ReplyText): what is folded away and what is shown as forwarded.
        if let quoted = split.quoted {
            c.print("quoted:     \(quoted.split(separator: "\n").count) lines of quoted history folded away; the thread shows the new text (\(split.new.split(separator: "\n").count) lines)")
        }
        if let forwarded = split.forwarded {
            c.print("forwarded:  a forwarded message (\(forwarded.split(separator: "\n").count) lines) is shown in the thread below the new text")
        }
        if !s.attachments.isEmpty { c.print("attachments: \(s.attachments.count)") }
        switch plan.decision.action {
        case _ where s.automatic != nil:
            c.print("mail:       none: automatic mail is never answered (\(s.automatic!.description))")
        case .newTicket where plan.isStranger:
            c.print("mail:       nothing to \(plan.sender?.address ?? "the sender") (it failed authentication: an answer would go to the real owner of the address), a notice to the queue's agents")
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
