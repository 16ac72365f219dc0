#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import PostdeskCore
import PostdeskMail
import PostdeskSMTP
import PostdeskStore
import PostdeskSystem

/// Where queued mail goes: an SMTP server, or a maildir (the demo's default, and handy for tests).
public protocol MailTransport: AnyObject {
    /// Delivers one message to one recipient. Connections may be kept open between calls.
    func send(_ message: [UInt8], from envelopeFrom: String, to recipient: String, outboxID: Int64) -> DeliveryResult
}

extension SMTPTransport: MailTransport {
    public func send(_ message: [UInt8], from envelopeFrom: String, to recipient: String, outboxID: Int64) -> DeliveryResult {
        send(message, from: envelopeFrom, to: recipient)
    }
}

/// Writes each message into a maildir, as a local delivery agent would (Return-Path and Delivered-To first).
/// The file name comes from the outbox id, so a mail sent again after a crash replaces its first copy.
public final class MaildirTransport: MailTransport {
    public let maildir: Maildir
    public init(_ path: String) throws {
        maildir = Maildir(path)
        if !maildir.exists { try maildir.create() }
    }

    public func send(_ message: [UInt8], from envelopeFrom: String, to recipient: String, outboxID: Int64) -> DeliveryResult {
        func safe(_ s: String) -> String { MessageComposer.sanitized(s).filter { $0 != "<" && $0 != ">" } }
        let trace = "Return-Path: <\(safe(envelopeFrom))>\r\nDelivered-To: \(safe(recipient))\r\n"
        do {
            let path = try maildir.deliver(Array(trace.utf8) + message, name: "postdesk-outbox-\(outboxID)")
            return .delivered("written to \(path)")
        } catch {
            return .temporaryFailure("maildir \(maildir.path): \(error)")
        }
    }
}

/// Delivers due outbox mail: one transport connection per batch, results recorded per mail. Temporary
/// failures are retried with exponential backoff and jitter until `give_up_after`; permanent ones stop at
/// once. Both end with an internal note on the ticket and a log line with the server's answer.
public final class OutboxSender: @unchecked Sendable {
    public let config: Configuration
    public let store: Store
    public let clock: any Clock
    public var log: (LogLevel, String) -> Void
    let makeTransport: () throws -> any MailTransport

    public struct Report: Sendable, Hashable {
        public var sent = 0
        public var retrying = 0
        public var failed = 0
        public var total: Int { sent + retrying + failed }
    }

    public init(config: Configuration, store: Store, clock: any Clock = SystemClock(),
                log: @escaping (LogLevel, String) -> Void = { _, _ in },
                transport: (() throws -> any MailTransport)? = nil) {
        self.config = config
        self.store = store
        self.clock = clock
        self.log = log
        makeTransport = transport ?? { try Self.transport(for: config) }
    }

    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The transport the config names. The SMTP password comes from `password_file`, else from systemd's
    /// credential `smtp` ($CREDENTIALS_DIRECTORY/smtp).
    public static func transport(for config: Configuration) throws -> any MailTransport {
        let o = config.outbound
        switch o.transport {
        case .maildir:
            return try MaildirTransport(o.maildir ?? "outbound")
        case .smtp:
            var password: String? = nil
            var file = o.passwordFile
            if file == nil, o.username != nil, let dir = getenv("CREDENTIALS_DIRECTORY") {
                file = String(cString: dir) + "/smtp"
            }
            if let file {
                do {
                    var text = String(decoding: try FileSystem.readFile(file, maxBytes: 4096), as: UTF8.self)
                    while let last = text.last, last.isNewline { text.removeLast() }
                    password = text
                } catch {
                    throw SetupError(description: "cannot read the SMTP password from \(file): \(error)")
                }
            }
            return SMTPTransport(SMTPSettings(
                url: o.url, startTLS: SMTPSettings.StartTLS(rawValue: o.starttls.rawValue) ?? .required, username: o.username,
                password: password, caFile: o.caFile, timeoutSeconds: Int(o.timeout.seconds)))
        }
    }

    /// Called after each mail handed to the transport (the daemon's watchdog counts it as progress).
    public var onProgress: (@Sendable () -> Void)?

    /// Sends everything due now, batch after batch, until nothing is due or `shouldStop` says so. Stopping
    /// finishes the mail in hand and records the batch's results; the rest of the batch stays queued.
    public func sendDue(shouldStop: () -> Bool = { false }) -> Report {
        var report = Report()
        // Results the database would not take last time come first: until they are recorded nothing else is
        // sent, and the mail they name is not sent again.
        if !unrecorded.isEmpty {
            guard recordOrKeep(unrecorded, report: &report, shouldStop: shouldStop) else { return report }
        }
        var transport: (any MailTransport)? = nil
        while !shouldStop() {
            let now = clock.now()
            let due: [Store.OutboxEntry]
            do { due = try store.dueOutbox(now: now, limit: config.outbound.batchSize) } catch {
                log(.warning, "outbox: cannot read the queue: \(error)")
                return report
            }
            if due.isEmpty { break }
            if transport == nil {
                if let until = transportRetryAt, MonotonicClock.seconds < until { return report }
                do { transport = try makeTransport() } catch {
                    transportFailed("\(error)", queued: due.count)
                    return report
                }
                transportWorks()
            }
            var results: [(Store.OutboxEntry, DeliveryResult)] = []
            var connectionDown: String? = nil
            for entry in due {
                if let down = connectionDown {
                    // The server could not be reached: the rest of the batch waits for the next round.
                    results.append((entry, .temporaryFailure(down)))
                    continue
                }
                // Stopping (SIGTERM, reload): the mail in hand was finished; the rest stays queued as it is.
                if !results.isEmpty && shouldStop() { break }
                guard !entry.raw.isEmpty else {
                    // Only a hand-edited database queues mail whose text is gone: say so instead of sending nothing.
                    results.append((entry, .permanentFailure("the text of this mail is no longer in the outbox (kept for keep_sent after sending)")))
                    continue
                }
                let result = transport!.send(entry.raw, from: entry.envelopeFrom, to: entry.recipient, outboxID: entry.id)
                onProgress?()
                if result.reachedNoServer, case .temporaryFailure(let why) = result { connectionDown = why }
                results.append((entry, result))
            }
            guard recordOrKeep(results, report: &report, shouldStop: shouldStop) else { return report }
            if connectionDown != nil { break }
        }
        return report
    }

    // MARK: - A transport that cannot be built

    /// Why the transport could not be built (an outbound maildir that cannot be made, an unreadable password
    /// file), while it cannot; for STATUS. Read from any thread.
    public var transportProblem: String? { problem.withLock { $0?.reason } }
    /// Seconds until the next try to build the transport, while it cannot be built.
    public var transportRetryIn: Double? {
        transportRetryAt.map { max(0, $0 - MonotonicClock.seconds) }
    }
    private let problem = Mutex<(reason: String, delay: Double)?>(nil)
    private var transportRetryAt: Double?

    /// Backs off (1 s doubling to 60 s) and says so once per distinct reason, not once per round: a setup
    /// problem does not go away by itself, and retrying at once made the thread spin and flood the log.
    private func transportFailed(_ reason: String, queued: Int) {
        let previous = problem.withLock { $0 }
        let delay = previous.map { min($0.delay * 2, Self.maxTransportDelay) } ?? 1
        problem.withLock { $0 = (reason, delay) }
        transportRetryAt = MonotonicClock.seconds + delay
        if previous?.reason != reason {
            log(.error, "outbox: cannot send: \(reason); \(queued) mail(s) stay queued; trying again in 1 s, then less and less often (at most every \(Int(Self.maxTransportDelay)) s)")
        }
    }

    private func transportWorks() {
        guard let previous = problem.withLock({ $0 }) else { return }
        problem.withLock { $0 = nil }
        transportRetryAt = nil
        log(.notice, "outbox: sending again (the transport could be set up; before: \(previous.reason))")
    }

    /// The longest pause between two tries to build the transport.
    public static let maxTransportDelay = 60.0

    // MARK: - Results the database would not take

    /// Delivery results not yet recorded because the database refused them (locked by another process for
    /// longer than the busy timeout, disk full). Kept in memory and recorded before anything else is sent:
    /// otherwise the mail, still queued and due in the database, would go out again at every round while the
    /// database stays locked. Lost only if the process dies meanwhile (then the mail is sent again with the
    /// same Message-ID: at least once).
    private var unrecorded: [(Store.OutboxEntry, DeliveryResult)] = []
    /// The pause before the next try to record them.
    private var recordRetryDelay = 0.0

    /// Hands the results kept in memory to another sender (a reload's): call only once this sender's thread
    /// has finished. The new sender records them before it sends anything, so the mail they name is not sent
    /// again.
    public func handOverKeptResults(to next: OutboxSender) {
        guard !unrecorded.isEmpty else { return }
        log(.notice, "outbox: the results of \(unrecorded.count) mail(s) not yet recorded go to the reloaded sender")
        next.unrecorded = unrecorded + next.unrecorded
        unrecorded = []
    }

    /// How many results are kept in memory, not yet recorded.
    public var keptResults: Int { unrecorded.count }

    /// One last try to record the kept results (at stop): true when there are none left.
    public func recordKeptResults() -> Bool {
        guard !unrecorded.isEmpty else { return true }
        var report = Report()
        let kept = unrecorded
        do {
            try record(kept, now: clock.now(), report: &report)
            unrecorded = []
            log(.notice, "outbox: the results of \(kept.count) mail(s) kept in memory are recorded")
            return true
        } catch {
            log(.error, "outbox: the results of \(kept.count) mail(s) could not be recorded (\(error)); they will be sent again after the restart")
            return false
        }
    }

    /// Records `results`; when the database refuses, keeps them for the next round, waits a little (without
    /// spinning on a full disk, and stopping early when asked) and returns false.
    private func recordOrKeep(_ results: [(Store.OutboxEntry, DeliveryResult)], report: inout Report,
                              shouldStop: () -> Bool) -> Bool {
        if results.isEmpty { return true }
        do {
            var counted = report  // counts change only once the transaction committed
            try record(results, now: clock.now(), report: &counted)
            report = counted
            if !unrecorded.isEmpty {
                log(.notice, "outbox: the results of \(results.count) mail(s) kept in memory are recorded")
            }
            unrecorded = []
            recordRetryDelay = 0
            return true
        } catch {
            unrecorded = results
            // A locked database already made the failed call wait its busy timeout: try again at once. Anything
            // else (a full disk fails at once) waits 1 s, doubling up to 30 s, so the thread does not spin.
            let busy = (error as? StoreError)?.isBusy == true
            recordRetryDelay = busy ? 0 : min(max(recordRetryDelay * 2, 1), 30)
            log(.warning, "outbox: cannot record the results of \(results.count) mail(s) (\(error)); they are kept and "
                + "recorded first, nothing else is sent meanwhile; next try in \(Int(recordRetryDelay)) s")
            // A wait in small steps that counts as progress (the thread is not stuck, it waits on purpose) and
            // ends early on stop.
            var left = recordRetryDelay
            while left > 0 && !shouldStop() {
                usleep(100_000)
                left -= 0.1
                onProgress?()
            }
            return false
        }
    }

    /// The delay before retry number `attempt` (1 is the first retry): retry_after doubled each time, at most
    /// 4 hours, with ±20% jitter so that mail queued together does not retry together.
    public static func backoff(attempt: Int, base: Int64, jitter: Double) -> Int64 {
        let exp = min(max(attempt - 1, 0), 20)
        let raw = min(base << Int64(exp), 4 * 3600)
        let factor = 0.8 + 0.4 * min(max(jitter, 0), 1)
        return max(1, Int64(Double(raw) * factor))
    }

    private func record(_ results: [(Store.OutboxEntry, DeliveryResult)], now: Int64, report: inout Report) throws {
        var lines: [(LogLevel, String)] = []
        try store.transaction {
            for (entry, result) in results {
                let what = "\(entry.kind) <\(entry.messageID)> to \(entry.recipient)\(entry.ticket.map { " (ticket #\($0))" } ?? "")"
                switch result {
                case .delivered(let answer):
                    try store.markSent(entry.id, answer: answer, now: now)
                    report.sent += 1
                    lines.append((.info, "outbox: sent \(what): \(answer)"))
                case .permanentFailure(let answer):
                    try store.markFailed(entry.id, error: answer, now: now)
                    report.failed += 1
                    if let t = entry.ticket {
                        try store.addSystemNote(ticket: t, text: "Mail to \(entry.recipient) (\(entry.kind)) was rejected and will not be retried: \(answer)", at: now.iso8601)
                    }
                    lines.append((.error, "outbox: \(what) rejected: \(answer)"))
                case .temporaryFailure(let why):
                    if now - entry.queuedAt >= config.outbound.giveUpAfter.seconds {
                        try store.markFailed(entry.id, error: why, now: now)
                        report.failed += 1
                        if let t = entry.ticket {
                            try store.addSystemNote(ticket: t, text: "Mail to \(entry.recipient) (\(entry.kind)) could not be delivered for \(config.outbound.giveUpAfter) and was given up: \(why)", at: now.iso8601)
                        }
                        lines.append((.error, "outbox: \(what) given up after \(config.outbound.giveUpAfter): \(why)"))
                    } else {
                        let delay = Self.backoff(attempt: entry.attempts + 1, base: config.outbound.retryAfter.seconds, jitter: Double.random(in: 0...1))
                        try store.reschedule(entry.id, error: why, next: now + delay)
                        report.retrying += 1
                        lines.append((.warning, "outbox: \(what) not sent (\(why)); retry in \(delay) s"))
                    }
                }
            }
        }
        for (level, line) in lines { log(level, line) }
    }
}
