import Dispatch
import PostdeskCore
import PostdeskCrypt
import PostdeskMail
import PostdeskStore
import PostdeskSystem

/// What became of one inbound mail.
public enum IngestOutcome: Sendable, Hashable, CustomStringConvertible {
    case newTicket(Int64)
    case followUp(Int64, of: Int64)
    case reply(Int64)
    /// An agent's mail on a ticket: commands applied, the answer relayed (or kept as an internal note).
    case agentMail(Int64)
    /// A request for the customer's ticket summary: answered, no ticket opened.
    case statusSummary
    /// Over an inbound limit: recorded on this held ticket, not answered.
    case held(Int64)
    /// Account mail: a reply to a welcome mail, or a password reset request. Never a ticket.
    case account(String)
    case bounce(Int64?)
    /// Already ingested (delivered twice, or re-read after a crash between commit and rename).
    case duplicate(Int64?)
    case quarantined(id: String, reason: String)
    /// A temporary failure (database busy, disk full): the mail stays where it is for the next scan.
    case deferred(String)

    public var description: String {
        switch self {
        case .newTicket(let n): return "new ticket #\(n)"
        case .followUp(let n, let old): return "follow-up ticket #\(n) of closed #\(old)"
        case .reply(let n): return "added to ticket #\(n)"
        case .agentMail(let n): return "agent mail on ticket #\(n)"
        case .statusSummary: return "status summary requested"
        case .held(let n): return "held on ticket #\(n) (over an inbound limit, not answered)"
        case .account(let what): return what
        case .bounce(let n): return n.map { "bounce recorded on ticket #\($0)" } ?? "bounce recorded (no ticket)"
        case .duplicate(let n): return "already ingested\(n.map { " (ticket #\($0))" } ?? "")"
        case .quarantined(let id, let reason): return "quarantined as \(id): \(reason)"
        case .deferred(let why): return "deferred: \(why)"
        }
    }
}

/// Where an inbound message came from: a mailbox's maildir (mail), or the portal's maildir in data_dir
/// (what a signed-in customer wrote in the portal, `PortalDesk`).
public enum IngestOrigin: String, Sendable, Hashable {
    case mail, portal
}

/// What a portal message asks for beyond its text, read from the `X-Postdesk-Portal-*` fields that `PortalDesk`
/// writes. Read only from the portal's own maildir in data_dir (which nobody outside writes); the same fields
/// in mail from outside are never read.
public struct PortalRequest: Sendable, Hashable {
    /// The ticket the customer wrote on (reply, people added); nil: a new ticket.
    public var ticket: Int64?
    public var priority: TicketPriority?
    public var type: String?
    public var reference: String?

    static let ticketField = "X-Postdesk-Portal-Ticket"
    static let priorityField = "X-Postdesk-Portal-Priority"
    static let typeField = "X-Postdesk-Portal-Type"
    static let referenceField = "X-Postdesk-Portal-Reference"

    /// The fields as `PortalDesk` writes them (the reference percent-encoded, so any text survives a header).
    var fields: [(name: String, value: String)] {
        var f: [(name: String, value: String)] = [(Self.ticketField, ticket.map(String.init) ?? "new")]
        if let priority { f.append((Self.priorityField, priority.rawValue)) }
        if let type { f.append((Self.typeField, Self.percentEncoded(type))) }
        if let reference { f.append((Self.referenceField, Self.percentEncoded(reference))) }
        return f
    }

    init(ticket: Int64?, priority: TicketPriority? = nil, type: String? = nil, reference: String? = nil) {
        self.ticket = ticket; self.priority = priority; self.type = type; self.reference = reference
    }

    init(_ headers: HeaderFields) {
        let t = headers[Self.ticketField]?.value.trimmingWhitespaceAndNewlines ?? "new"
        ticket = Int64(t)
        priority = headers[Self.priorityField].flatMap { TicketPriority(rawValue: $0.value.trimmingWhitespaceAndNewlines) }
        type = headers[Self.typeField].flatMap { Self.percentDecoded($0.value.trimmingWhitespaceAndNewlines) }
        reference = headers[Self.referenceField].flatMap { Self.percentDecoded($0.value.trimmingWhitespaceAndNewlines) }
    }

    static func percentEncoded(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F || b == 0x2E {
                out.append(Character(Unicode.Scalar(b)))
            } else {
                out += "%" + String(b >> 4, radix: 16, uppercase: true) + String(b & 15, radix: 16, uppercase: true)
            }
        }
        return out
    }

    static func percentDecoded(_ s: String) -> String? {
        var bytes: [UInt8] = []
        var u = Array(s.utf8)[...]
        while let b = u.first {
            u = u.dropFirst()
            if b == 0x25 {
                guard u.count >= 2, let v = UInt8(String(decoding: u.prefix(2), as: UTF8.self), radix: 16) else { return nil }
                bytes.append(v)
                u = u.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// Everything Postdesk reads and decides about one message, before anything is written: the dry run of
/// `postdesk explain` and the first half of ingestion.
public struct IngestPlan: Sendable {
    /// Mail, or the portal (then `portal` holds what the customer asked for).
    public var origin = IngestOrigin.mail
    public var portal: PortalRequest? = nil
    public var key: String
    public var summary: MessageSummary
    public var sender: MailAddress?
    public var decision: RoutingDecision
    /// The current state of the ticket the mail goes to, if any.
    public var ticket: TicketFacts?
    public var quarantineReason: String?
    /// When the sender's address is an agent's: which agent, and whether the mail proves it (agent_auth).
    public var agent: AgentClaim?
    /// When the mail arrived (its maildir file's modification time), for the inbound limits: a backlog taken in
    /// after downtime is judged by when it came, not by when it is read.
    public var arrival: Int64? = nil
    /// What the operator's MTA said about the sender (Authentication-Results in the trust window).
    public var auth = SenderAuthentication.Verdict(result: .unverified, reason: "not read")
    /// The sender as `SenderPolicy` sees it: the verdict (verified for a proven agent) and a confirmed account.
    public var standing = SenderPolicy.Standing(auth: .unverified)
    /// Messages attached as `message/rfc822` (forwarded as attachments), as the thread shows them
    /// (`ReplyText.attachedForward`), outermost ones only, in order.
    public var attachedForwards: [String] = []
    /// A reset code and its yescrypt hash, made in the batch's parallel prepare phase for a mail that asks for
    /// one (never inside the ingest transaction); nil for every other mail.
    var resetCode: PreparedCode? = nil

    /// Whether the mail is a stranger's (`SenderPolicy.isStranger`): its own ticket, nobody along, no command,
    /// no automatic answer.
    public var isStranger: Bool { SenderPolicy.isStranger(standing.auth, policy: policy) }
    var policy = Configuration.CustomerAuth.verified

    /// Whether the sender may do `act` (`SenderPolicy.may`).
    public func may(_ act: SenderPolicy.Act) -> (allowed: Bool, why: String) { SenderPolicy.may(act, standing, policy: policy) }
}

/// A one-time code and its yescrypt hash, made before a transaction opens (the hash takes about 15 ms).
public struct PreparedCode: Sendable {
    public var code: String
    public var hash: String

    public static func make() throws -> PreparedCode {
        let code = OneTimeCode.generate()
        return PreparedCode(code: code, hash: try PasswordHash.make(code))
    }
}

/// What applying one mail did, and what the exactly-once ledger records of it: every branch of ingestion
/// returns one, and `processBatch` writes the ledger row from it in one place.
struct Applied {
    var outcome: IngestOutcome
    /// The ledger's `outcome` text (the outcome's description unless the branch says more).
    var ledger: String
    var ticket: Int64?
    var message: Int64?

    init(_ outcome: IngestOutcome, ledger: String? = nil, ticket: Int64?, message: Int64?) {
        self.outcome = outcome
        self.ledger = ledger ?? outcome.description
        self.ticket = ticket
        self.message = message
    }
}

public struct AgentClaim: Sendable, Hashable {
    public var key: String
    public var address: String
    public var name: String
    public var verified: Bool
    public var reason: String
}

/// Turns maildir messages into tickets and replies, exactly once.
public final class Ingestor: @unchecked Sendable {
    /// The configuration, with the agents added by `postdesk agents add` appended to the config's own.
    public private(set) var config: Configuration
    public let store: Store
    public let data: DataDirectory
    public let clock: any Clock
    public let limits: ParseLimits
    public var log: (LogLevel, String) -> Void {
        didSet { mailer.log = log }
    }
    /// Writes the confirmations and notices that ingestion causes, in the same transaction.
    public let mailer: Mailer

    /// `dryRun` (for `explain`): changes nothing, neither data_dir nor the agents table (the store may be
    /// read-only); the agents are the config's and those added by command, as a start would make them.
    public init(config: Configuration, store: Store, clock: any Clock = SystemClock(), limits: ParseLimits = .default,
                templates: TemplateSet? = nil, dryRun: Bool = false, log: @escaping (LogLevel, String) -> Void = { _, _ in }) throws {
        self.config = config
        self.configuredAgents = config.agents
        self.store = store
        self.data = DataDirectory(config.helpdesk.dataDir)
        self.clock = clock
        self.limits = limits
        self.dryRun = dryRun
        self.log = log
        mailer = Mailer(config: config, store: store, templates: templates ?? TemplateSet(fallbackLanguage: config.helpdesk.language),
                        clock: clock, log: log)
        legacyLedger = try store.hasLegacyLedgerRows()
        guard !dryRun else {
            try refreshAgents()
            return
        }
        do { try data.prepare() } catch { throw SetupError(description: "cannot prepare data_dir \(config.helpdesk.dataDir): \(error)") }
        var sync = Store.AgentSync()
        let agents = config.agents.map { (key: $0.id, address: $0.address, name: $0.name) }
        do {
            if try !store.agentsMatch(agents) {
                sync = try store.transaction { try store.syncAgents(agents, at: clock.now().iso8601) }
            }
        } catch {
            throw SetupError(description: "cannot record the config's agents in the database \(config.helpdesk.database): \(error)",
                             isTemporary: (error as? StoreError)?.isTemporary == true)
        }
        for r in sync.renamed { log(.notice, "agent \(r.address): section renamed from [agent \(r.from)] to [agent \(r.to)]") }
        for d in sync.deactivated {
            log(.notice, "agent \(d.key) <\(d.address)> is no longer in the config: no longer an agent (their tickets and history stay)")
        }
        try refreshAgents()
    }

    /// Why an Ingestor could not be made, naming the step (data_dir, or the agents table) and its cause.
    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
        /// The database was busy or the disk full: trying again later may work.
        public var isTemporary = false
    }

    /// Reads who the agents are from the database (the one source: the config's agents as the last start or
    /// reload recorded them, and those added or removed with `postdesk agents`), with the queues the config
    /// gives them. Called before every scan; costs one small query. A dry run takes the config's agents and
    /// the command line's, as a start would record them.
    public func refreshAgents() throws {
        var rows = try store.activeAgents()
        if dryRun {
            let named = Set(configuredAgents.map { $0.address.lowercased() })
            rows = configuredAgents.map { (key: $0.id, address: $0.address.lowercased(), name: $0.name, source: "config") }
                + rows.filter { $0.source == "cli" && !named.contains($0.address) }
        }
        let seen = rows.map { "\($0.key)\u{1}\($0.address)\u{1}\($0.name)" }
        guard seen != lastAgentRows else { return }
        lastAgentRows = seen
        var merged: [Configuration.Agent] = []
        let byAddress = Dictionary(configuredAgents.map { ($0.address.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        // The config's order first (notices list agents in it), then the others in the order they were added.
        for a in configuredAgents where rows.contains(where: { $0.address == a.address.lowercased() }) {
            var agent = a
            if let row = rows.first(where: { $0.address == a.address.lowercased() }) { agent.id = row.key; agent.name = row.name }
            merged.append(agent)
        }
        for r in rows where byAddress[r.address] == nil {
            merged.append(Configuration.Agent(id: r.key, address: r.address, name: r.name, line: 0))
        }
        config.agents = merged
        agentAddresses = Set(merged.map { $0.address.lowercased() })
        mailer.config = config
    }
    private var lastAgentRows: [String]? = nil
    /// The agents' addresses (lowercased), from `config.agents`.
    public private(set) var agentAddresses: Set<String> = []

    /// Routing's view of ticket `number`, with the agents this Ingestor knows.
    func facts(_ number: Int64) throws -> TicketFacts? { try store.ticketFacts(number, agents: agentAddresses) }
    private let configuredAgents: [Configuration.Agent]
    private let dryRun: Bool
    /// Whether the ledger holds rows with the earlier key (`Store.hasLegacyLedgerRows`), read once at start: no
    /// row is written with that key any more.
    private var legacyLedger = true
    /// Files recorded but not movable to cur/ (a read-only maildir), so that the warning is logged once each.
    private var unmovable: Set<String> = []
    /// The routing decision of each portal message ingested, by its path in the portal's new/ (who joined and who
    /// did not, for `PortalDesk.addPeople`); the caller takes its entry out.
    var portalDecisions: [String: RoutingDecision] = [:]

    // MARK: - Scanning

    public struct Report: Sendable {
        public var outcomes: [(mailbox: String, file: String, outcome: IngestOutcome)] = []
        public var count: Int { outcomes.count }
    }

    /// How many messages share one transaction (group commit). One fsync round per batch, not per message.
    public var batchSize = 64
    /// How many bytes of mail one batch may hold in memory (parsed and decoded) at most.
    public var batchBytes = 16 << 20

    /// Processes every pending message of every mailbox, oldest first, in batches. With `skippingBackedOff`
    /// (the daemon), a file deferred before waits out its own backoff while the mail around it is taken.
    public func processPending(shouldStop: () -> Bool = { false }, skippingBackedOff: Bool = false) -> Report {
        var report = Report()
        do { try refreshAgents() } catch { log(.warning, "cannot read the agents from the database: \(error)") }
        backoff = backoff.filter { FileSystem.kind(of: $0.key) != nil }
        for mailbox in config.mailboxes {
            let maildir = Maildir(mailbox.maildir)
            var entries: [Maildir.Entry]
            do { entries = try pendingEntries(maildir, mailbox) } catch {
                log(.error, "mailbox \(mailbox.name): cannot list \(mailbox.maildir): \(error)")
                continue
            }
            if skippingBackedOff {
                let now = MonotonicClock.seconds
                entries.removeAll { (backoff[$0.path]?.until ?? 0) > now }
            }
            var i = 0
            while i < entries.count {
                if shouldStop() { return report }
                // A batch ends at batchSize messages or batchBytes of mail, whichever comes first, so memory
                // stays bounded however large the mail is.
                var end = i
                var bytes = 0
                while end < entries.count, end - i < max(1, batchSize), end == i || bytes < batchBytes {
                    bytes += FileSystem.size(of: entries[end].path) ?? 0
                    end += 1
                }
                let batch = Array(entries[i..<end])
                for (entry, outcome) in processBatch(batch, in: mailbox) {
                    noteDeferral(entry, outcome)
                    report.outcomes.append((mailbox.name, entry.name, outcome))
                }
                i += batch.count
            }
        }
        return report
    }

    // MARK: - What is pending

    /// What Postdesk knows of one mailbox's cur/: when it last listed it, the folder's modification stamp
    /// then, the (hashed) unique names known to be in the ledger, and the files there still to be taken.
    private struct CurFolder {
        var stamp: Int64? = nil
        var listedAt = -Double.infinity
        var known: Set<Int> = []
        var waiting: [Maildir.Entry] = []
    }
    private var curFolders: [String: CurFolder] = [:]
    /// cur/ is listed again at least this often even when its stamp did not change (a safety net, like the
    /// 10 s rescan of new/).
    static let curRelistInterval = 600.0

    /// Mail to take from a maildir: everything in `new/`, and in `cur/` every file the ledger does not know,
    /// whatever its flags: another reader (Dovecot, an operator) may have flagged mail Seen before Postdesk
    /// took it in, and a reader may flag mail Postdesk took in as unread again, which Postdesk then leaves
    /// alone. The ledger decides, not the flag. cur/ can hold a million files, so it is listed only when its
    /// modification stamp changed since the last look (or that stamp was too recent to tell two changes
    /// apart), at start, and every 10 minutes; a name is looked up in the ledger once and then kept as a hash
    /// in memory.
    func pendingEntries(_ maildir: Maildir, _ mailbox: Configuration.Mailbox) throws -> [Maildir.Entry] {
        try pendingEntries(maildir, ledgerName: mailbox.name)
    }

    /// The name the ledger files a maildir's names under: the mailbox's, or `(portal)` for the portal's maildir
    /// (no mailbox can be named so: section names have no parentheses).
    static let portalLedgerName = "(portal)"

    func pendingEntries(_ maildir: Maildir, ledgerName: String) throws -> [Maildir.Entry] {
        let fresh = try maildir.entries(in: "new")
        var state = curFolders[maildir.path] ?? CurFolder()
        let stamp = FileSystem.modificationStamp(of: maildir.path + "/cur")
        let now = MonotonicClock.seconds
        if stamp == nil || stamp != state.stamp || now - state.listedAt > Self.curRelistInterval {
            // A folder's stamp moves in clock ticks of a few milliseconds: one taken within the last two seconds
            // could hide a change made in the same tick, so it is not trusted and cur/ is listed again next time.
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            let wall = Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
            state.stamp = stamp.flatMap { wall - $0 > 2_000_000_000 ? $0 : nil }
            state.listedAt = now
            state.waiting = []
            for entry in try maildir.entries(in: "cur") {
                let h = entry.unique.hashValue
                if state.known.contains(h) { continue }
                if try store.isIngestedMaildirName(mailbox: ledgerName, name: entry.unique) {
                    state.known.insert(h)
                    continue
                }
                state.waiting.append(entry)
            }
        }
        state.waiting.removeAll { state.known.contains($0.unique.hashValue) || FileSystem.kind(of: $0.path) == nil }
        curFolders[maildir.path] = state
        return Maildir.inArrivalOrder(fresh + state.waiting)
    }

    /// Files deferred (database busy, disk full, not movable to the quarantine), each with its own backoff:
    /// 1, 2, 4 ... 30 s (300 s for a file that could not be quarantined), so one stuck file never holds up
    /// the mail around it. By path; forgotten when the file is gone or taken.
    private var backoff: [String: (until: Double, delay: Double)] = [:]

    /// When the next deferred file is due again (monotonic seconds), if any is waiting.
    public var nextDeferredRetry: Double? { backoff.values.map(\.until).min() }

    private func noteDeferral(_ entry: Maildir.Entry, _ outcome: IngestOutcome) {
        guard case .deferred(let why) = outcome else {
            backoff[entry.path] = nil
            return
        }
        let cap = why.hasPrefix("could not quarantine") ? 300.0 : 30.0
        let delay = min(max((backoff[entry.path]?.delay ?? 0) * 2, 1), cap)
        backoff[entry.path] = (MonotonicClock.seconds + delay, delay)
    }

    /// Ingests one maildir entry: exactly one ticket, reply, recorded bounce or quarantined message.
    public func process(_ entry: Maildir.Entry, in mailbox: Configuration.Mailbox) -> IngestOutcome {
        processBatch([entry], in: mailbox)[0].1
    }

    /// A message read and parsed, before any database work.
    struct Prepared {
        var index: Int
        var path: String
        var bytes: [UInt8]
        var message: Message
        var summary: MessageSummary
        var key: String
        /// For a reset request whose sender may be given a code: made in `prepareResetCodes`.
        var resetCode: PreparedCode? = nil
        /// The key schema 5 and earlier wrote (`legacyIdempotencyKey`), looked up when `key` is not in the ledger;
        /// computed only when the ledger holds such rows.
        var legacyKey: String?
    }

    /// Ingests a batch in one transaction. Files are written first and synced once, right before the commit;
    /// the maildir renames follow the commit, with one folder sync. A crash anywhere leaves each message
    /// either untouched in the maildir, or committed (and then only moved on the next scan).
    func processBatch(_ entries: [Maildir.Entry], in mailbox: Configuration.Mailbox,
                      origin: IngestOrigin = .mail) -> [(Maildir.Entry, IngestOutcome)] {
        let maildir = origin == .portal ? data.portal : Maildir(mailbox.maildir)
        let ledgerName = origin == .portal ? Self.portalLedgerName : mailbox.name
        var outcomes = [IngestOutcome?](repeating: nil, count: entries.count)
        // Read and parse every message of the batch, on both cores: pure CPU work, no shared state (each
        // iteration writes only its own slot).
        enum Read { case ok([UInt8], Message, MessageSummary, String, String?), failed(SystemError), tooBig }
        let reads = UnsafeMutableBufferPointer<Read?>.allocate(capacity: entries.count)
        reads.initialize(repeating: nil)
        defer {
            _ = reads.deinitialize()  // releases each slot's buffers before the memory goes
            reads.deallocate()
        }
        nonisolated(unsafe) let slots = reads
        let limits = self.limits
        let legacy = legacyLedger
        DispatchQueue.concurrentPerform(iterations: entries.count) { k in
            do throws(SystemError) {
                let bytes = try FileSystem.readFile(entries[k].path, maxBytes: limits.maxMessageBytes + 1)
                if bytes.count > limits.maxMessageBytes { slots[k] = .tooBig; return }
                let message = Message.parse(bytes, limits: limits)
                let summary = MessageSummary(message, keepingAttachmentData: true)
                slots[k] = .ok(bytes, message, summary, Self.exactlyOnceKey(bytes, messageID: summary.messageID),
                               legacy ? Self.legacyIdempotencyKey(message, summary) : nil)
            } catch {
                slots[k] = .failed(error)
            }
        }
        var prepared: [Prepared] = []
        for (k, entry) in entries.enumerated() {
            switch reads[k]! {
            case .failed(let error):
                outcomes[k] = error.errno == ENOENT
                    ? .deferred("\(entry.name) disappeared (another reader took it)")
                    : quarantine(entry, mailbox, reason: "unreadable: \(error)", bytes: nil)
            case .tooBig:
                outcomes[k] = quarantine(entry, mailbox, reason: "larger than the \(limits.maxMessageBytes)-byte limit", bytes: nil)
            case .ok(let bytes, let message, let summary, let key, let legacyKey):
                prepared.append(Prepared(index: k, path: entry.path, bytes: bytes, message: message, summary: summary, key: key,
                                         legacyKey: legacyKey))
            }
        }
        guard !prepared.isEmpty else { return zip(entries, outcomes.map { $0! }).map { ($0, $1) } }
        prepareResetCodes(&prepared)

        var seen: [Int] = []
        var quarantines: [(Int, String)] = []
        var logLines: [String] = []
        do {
            try store.transaction {
                var written: [String] = []
                var folders: Set<String> = []
                for p in prepared {
                    // A duplicate: delivered twice, re-read after a crash, or twice in this very batch.
                    if let done = try alreadyIngested(p) {
                        outcomes[p.index] = .duplicate(done.ticket)
                        seen.append(p.index)
                        try store.recordMaildirName(mailbox: ledgerName, name: entries[p.index].unique)
                        logLines.append("mailbox \(mailbox.name): \(entries[p.index].name) already ingested (\(done.outcome)); only to be moved to cur/")
                        continue
                    }
                    var plan = try self.plan(p.message, p.summary, key: p.key, mailbox: mailbox, origin: origin)
                    plan.arrival = FileSystem.modificationTime(of: p.path)
                    plan.resetCode = p.resetCode
                    if let reason = plan.quarantineReason {
                        quarantines.append((p.index, reason))
                        continue
                    }
                    let rawPath = data.rawMailPath(key: p.key, day: String(clock.now().iso8601.prefix(10)))
                    let w = try writeFiles(plan, p, rawPath: rawPath)
                    written += w.files
                    folders.formUnion(w.folders)
                    let applied = try applyToDatabase(plan, mailbox: mailbox, rawPath: rawPath)
                    // The one ledger write, for every kind of outcome: a branch cannot forget it.
                    try store.recordIngested(key: plan.key, messageID: plan.summary.messageID, mailbox: ledgerName,
                                             outcome: applied.ledger, ticket: applied.ticket, message: applied.message,
                                             at: clock.now().iso8601)
                    try store.recordMaildirName(mailbox: ledgerName, name: entries[p.index].unique)
                    if origin == .portal { portalDecisions[entries[p.index].path] = plan.decision }
                    let outcome = applied.outcome
                    outcomes[p.index] = outcome
                    seen.append(p.index)
                    logLines.append("mailbox \(mailbox.name): \(entries[p.index].name): \(outcome) from \(plan.sender?.address ?? "?") message-id <\(plan.summary.messageID ?? "none")> (\(plan.decision.rule.rawValue))")
                }
                // The files the transaction refers to are on disk before it commits.
                var unique: Set<String> = []
                try FileSystem.syncFiles(written.filter { unique.insert($0).inserted })
                for folder in folders.sorted() { try FileSystem.syncDirectory(folder) }
            }
        } catch {
            let temporary = (error as? StoreError)?.isTemporary == true
                || [ENOSPC, EDQUOT, EIO].contains((error as? SystemError)?.errno ?? 0)
            if temporary {
                log(.warning, "mailbox \(mailbox.name): \(prepared.count) message(s) deferred: \(error)")
                for p in prepared { outcomes[p.index] = .deferred("\(error)") }
                return zip(entries, outcomes.map { $0 ?? .deferred("\(error)") }).map { ($0, $1) }
            }
            if prepared.count > 1 {
                // Find the message that fails: each one on its own.
                for p in prepared { outcomes[p.index] = processBatch([entries[p.index]], in: mailbox, origin: origin)[0].1 }
                return zip(entries, outcomes.map { $0! }).map { ($0, $1) }
            }
            let p = prepared[0]
            outcomes[p.index] = quarantine(entries[p.index], mailbox, reason: "could not be stored: \(error)", bytes: p.bytes)
            return zip(entries, outcomes.map { $0! }).map { ($0, $1) }
        }
        for line in logLines { log(.info, line) }
        for k in seen {
            curFolders[maildir.path]?.known.insert(entries[k].unique.hashValue)
            do {
                try maildir.markSeenUnsynced(entries[k])
                unmovable.remove(entries[k].path)
            } catch {
                // Committed but not moved: the next scan finds it, sees the key, and moves it then. Said once per file.
                if unmovable.insert(entries[k].path).inserted {
                    log(.warning, "mailbox \(mailbox.name): \(entries[k].name) is recorded but could not be moved to cur/ (it will be on every scan until it can): \(error)")
                }
            }
        }
        if !seen.isEmpty {
            do { try maildir.syncFolders() } catch { log(.warning, "mailbox \(mailbox.name): syncing cur/ and new/: \(error)") }
        }
        for (k, reason) in quarantines {
            outcomes[k] = quarantine(entries[k], mailbox, reason: reason, bytes: prepared.first { $0.index == k }?.bytes)
        }
        return zip(entries, outcomes.map { $0 ?? .deferred("not processed") }).map { ($0, $1) }
    }

    // MARK: - Deciding

    /// Parses and routes a message without changing anything.
    public func plan(_ bytes: [UInt8], mailbox: Configuration.Mailbox, origin: IngestOrigin = .mail) throws -> IngestPlan {
        let message = Message.parse(bytes, limits: limits)
        let summary = MessageSummary(message)
        return try plan(message, summary, key: Self.exactlyOnceKey(bytes, messageID: summary.messageID), mailbox: mailbox, origin: origin)
    }

    func plan(_ message: Message, _ summary: MessageSummary, key: String, mailbox: Configuration.Mailbox,
              origin: IngestOrigin = .mail) throws -> IngestPlan {
        // Every fallback is held to the same rule as From: an address with a control character in it is none.
        let usable: (MailAddress) -> Bool = { $0.address.contains("@") && !$0.hasControlCharacters }
        let sender = summary.from.first(where: usable)
            ?? AddressParser.parseList(message.headers["Sender"]?.value ?? "").addresses.first(where: usable)
            ?? summary.replyTo.first(where: usable)
            ?? AddressParser.parseList(message.headers["Return-Path"]?.value ?? "").addresses.first(where: usable)
        let own = Set(config.mailboxes.map { $0.address.lowercased() })
        let from = sender?.address.lowercased() ?? ""
        // A portal message's sender signed in: verified by that, never by any header field. Mail is judged by what
        // the operator's MTA said, whatever it carries (an X-Postdesk-Origin or X-Postdesk-Portal-* field from
        // outside counts for nothing: they are read only from the portal's own maildir).
        let portal = origin == .portal ? PortalRequest(message.headers) : nil
        let auth = origin == .portal ? SenderAuthentication.Verdict(result: .verified, reason: "signed in to the portal")
                                     : senderAuthentication(message, from: from)
        var claim: AgentClaim? = nil
        if !from.isEmpty, let agent = config.agents.first(where: { $0.address.lowercased() == from }) {
            let proven = config.helpdesk.agentAuth == .from
                ? (true, "agent_auth = from trusts the From address") : (auth.verified, auth.reason)
            claim = AgentClaim(key: agent.id, address: agent.address, name: agent.name, verified: proven.0, reason: proven.1)
        }
        // A proven agent is verified whatever agent_auth says; a confirmed account counts only under
        // customer_auth = confirmed (the one lookup it needs is made only then).
        var standing = SenderPolicy.Standing(auth: claim?.verified == true ? .verified : auth.result)
        if config.helpdesk.customerAuth == .confirmed, standing.auth == .unverified, !from.isEmpty {
            standing.confirmedAccount = try store.customerAccount(address: from)?.confirmedAt != nil
        }
        var input = RoutingInput(queue: mailbox.name, mailboxAddress: mailbox.address, ownAddresses: own,
                                 from: sender?.address ?? "", recipients: summary.to + summary.cc, automatic: summary.automatic)
        input.sender = standing
        input.policy = config.helpdesk.customerAuth
        input.participantsPerMail = config.limits.participantsPerMail
        input.participantsPerTicket = config.limits.participantsPerTicket
        // Threading: In-Reply-To first, then References newest first.
        for id in summary.inReplyTo + summary.references.reversed() {
            if let number = try store.ticket(forMessageID: id), let facts = try self.facts(number) {
                input.thread = (id, facts)
                break
            }
        }
        if let portal {
            // The customer chose the ticket (or a new one) in the portal: that ticket is the subject tag, and
            // routing's "takes part" rule decides as for mail. Nothing in the subject they typed names another.
            input.thread = nil
            if let n = portal.ticket { input.subjectTag = (n, try facts(n)) }
        } else {
            let tags = config.mailboxes.map(\.tag)
            if let n = TicketReferences.subjectTag(in: summary.subject ?? "", tags: tags) {
                input.subjectTag = (n, try facts(n))
            }
            if let n = TicketReferences.plusAddress(in: (summary.to + summary.cc).map(\.address), mailboxAddress: mailbox.address) {
                input.plusAddress = (n, try facts(n))
            }
        }
        if summary.automatic?.kind == .bounce, let original = Self.bouncedMessageID(message),
            let number = try store.ticket(forMessageID: original)
        {
            input.bouncedTicket = try facts(number)
        }
        let decision = Router.route(input, inReplyTo: summary.inReplyTo)
        var quarantineReason: String? = nil
        if sender == nil, summary.automatic?.kind != .bounce {
            quarantineReason = "no sender address (no usable From, Sender, Reply-To or Return-Path)"
        }
        let ticket = try decision.ticket.flatMap { try facts($0) }
        var plan = IngestPlan(key: key, summary: summary, sender: sender, decision: decision, ticket: ticket, quarantineReason: quarantineReason,
                              agent: claim)
        plan.auth = auth
        plan.standing = standing
        plan.origin = origin
        plan.portal = portal
        plan.policy = config.helpdesk.customerAuth
        if summary.attachments.contains(where: { $0.contentType == "message/rfc822" || $0.contentType == "message/global" }) {
            plan.attachedForwards = ReplyText.attachedForwards(message)
        }
        return plan
    }

    /// What the operator's MTA said about the sender of `message` (pure: `SenderAuthentication`).
    func senderAuthentication(_ message: Message, from: String) -> SenderAuthentication.Verdict {
        let fields = message.headers.lazy.filter {
            let n = $0.name.lowercased()
            return n == "received" || n == "authentication-results"
        }.map { (name: $0.name, value: $0.value) }
        return SenderAuthentication.verify(fields: Array(fields), trustedID: config.helpdesk.trustedAuthservID,
                                           ownHosts: config.helpdesk.mtaHosts, fromAddress: from)
    }

    /// Makes a reset code and its yescrypt hash (about 15 ms each) for every mail of the batch that asks for one
    /// and whose sender may have one as far as the mail alone tells (`SenderPolicy`; a confirmed account is looked
    /// up later, in the transaction), on both cores, before the transaction opens.
    func prepareResetCodes(_ prepared: inout [Prepared]) {
        let wanted = prepared.indices.filter { i in
            let p = prepared[i]
            guard p.summary.automatic == nil, MailCommands.isPasswordResetRequest(p.summary.subject) else { return false }
            let from = p.summary.from.first?.address.lowercased() ?? ""
            let auth = senderAuthentication(p.message, from: from).result
            let policy = config.helpdesk.customerAuth
            return SenderPolicy.may(.resetCode, .init(auth: auth, confirmedAccount: true), policy: policy).allowed
        }
        guard !wanted.isEmpty else { return }
        let codes = UnsafeMutableBufferPointer<PreparedCode?>.allocate(capacity: wanted.count)
        codes.initialize(repeating: nil)
        defer {
            _ = codes.deinitialize()
            codes.deallocate()
        }
        nonisolated(unsafe) let slots = codes
        DispatchQueue.concurrentPerform(iterations: wanted.count) { k in
            slots[k] = try? PreparedCode.make()
        }
        for (k, i) in wanted.enumerated() { prepared[i].resetCode = codes[k] }
    }

    /// The exactly-once key: the Message-ID plus SHA-256 of the mail's raw bytes without the header fields
    /// that change between deliveries of one mail (the trace fields MTAs and filters add: Received,
    /// Delivered-To, Return-Path, ..., `traceFields`; an mbox `From ` line first), folding lines included.
    /// It depends on the bytes only, not on how this version of Postdesk (or of iconv) parses them: an upgrade
    /// reads mail still in new/ to the same key, and two mails that differ anywhere (past the 1 MiB text
    /// cap too) have two keys.
    public static func exactlyOnceKey(_ bytes: [UInt8], messageID: String?) -> String {
        var hasher = SHA256()
        bytes.withUnsafeBytes { raw in
            let b = raw.bindMemory(to: UInt8.self)
            let n = b.count
            var i = 0
            var skipping = false
            var first = true
            while i < n {
                var end = i
                while end < n, b[end] != 0x0A, b[end] != 0x0D { end += 1 }
                var next = end
                if next < n { next += (b[next] == 0x0D && next + 1 < n && b[next + 1] == 0x0A) ? 2 : 1 }
                if end == i { break }  // the empty line: the body follows
                if b[i] != 0x20 && b[i] != 0x09 {  // a new field (else a folded line of the one before)
                    var colon = i
                    while colon < end, b[colon] != 0x3A { colon += 1 }
                    var name = ""
                    for c in b[i..<colon] where c != 0x20 && c != 0x09 { name.append(Character(Unicode.Scalar(c >= 0x41 && c <= 0x5A ? c + 32 : c))) }
                    skipping = traceFields.contains(name) || (first && end - i >= 5 && Array(b[i..<i + 5]) == Array("From ".utf8))
                }
                first = false
                if !skipping { hasher.update(UnsafeRawBufferPointer(rebasing: raw[i..<next])) }
                i = next
            }
            if i < n { hasher.update(UnsafeRawBufferPointer(rebasing: raw[i..<n])) }
        }
        let contentHash = SHA256.hex(hasher.finalize())
        return SHA256.hexHash(Array(((messageID ?? "") + "\n" + contentHash).utf8))
    }

    /// Whether this mail was taken in before: its key in the ledger; or, for rows written before the key
    /// was taken from the raw bytes (schema 5 and earlier), its legacy key; or, should the parser have read
    /// that mail differently then, a row with the same Message-ID whose stored raw mail has this mail's key.
    /// Both fallbacks can only ever match such rows, so without any (`legacyLedger`) they are not tried.
    func alreadyIngested(_ p: Prepared) throws -> Store.IngestedRecord? {
        try alreadyIngested(key: p.key, legacyKey: p.legacyKey, messageID: p.summary.messageID)
    }

    /// `alreadyIngested` for a mail given as bytes (`postdesk explain`): the same three lookups, so explain and
    /// run agree on mail recorded by earlier versions too.
    public func alreadyIngested(_ bytes: [UInt8]) throws -> Store.IngestedRecord? {
        let message = Message.parse(bytes, limits: limits)
        let summary = MessageSummary(message)
        return try alreadyIngested(key: Self.exactlyOnceKey(bytes, messageID: summary.messageID),
                                   legacyKey: legacyLedger ? Self.legacyIdempotencyKey(message, summary) : nil,
                                   messageID: summary.messageID)
    }

    func alreadyIngested(key: String, legacyKey: String?, messageID: String?) throws -> Store.IngestedRecord? {
        if let done = try store.ingested(key: key) { return done }
        guard legacyLedger else { return nil }
        if let legacyKey, let done = try store.ingested(key: legacyKey) { return done }
        guard let id = messageID else { return nil }
        for row in try store.ingested(messageID: id) {
            guard let raw = row.rawPath, let bytes = try? FileSystem.readFile(raw, maxBytes: limits.maxMessageBytes + 1) else { continue }
            if Self.exactlyOnceKey(bytes, messageID: id) == key { return row.record }
        }
        return nil
    }

    /// The key of Postdesk's schema 5 and earlier, kept so that their ledger rows stay valid: the Message-ID
    /// plus a hash of the parser's reading of the content (header fields other than `traceFields`, decoded
    /// text and HTML, attachment hashes). It changed with the parser and lost differences past the text cap.
    public static func legacyIdempotencyKey(_ message: Message, _ summary: MessageSummary) -> String {
        var hasher = SHA256()
        func add(_ bytes: [UInt8]) { bytes.withUnsafeBytes { hasher.update($0) } }
        for field in message.headers where !traceFields.contains(field.name.lowercased()) {
            add(Array(field.name.lowercased().utf8) + [0x3A] + field.unfoldedBytes + [0x0A])
        }
        add([0x00] + Array(summary.text.utf8) + [0x00] + Array((summary.html ?? "").utf8) + [0x00])
        for a in summary.attachments { add(Array("\(a.sha256) \(a.size) \(a.contentType) \(a.filename ?? "")\n".utf8)) }
        let contentHash = SHA256.hex(hasher.finalize())
        return SHA256.hexHash(Array(((summary.messageID ?? "") + "\n" + contentHash).utf8))
    }

    static let traceFields: Set<String> = [
        "received", "delivered-to", "return-path", "x-original-to", "authentication-results", "arc-seal",
        "arc-message-signature", "arc-authentication-results", "received-spf", "x-spam-status", "x-spam-score",
        "x-spam-flag", "x-spam-level", "x-virus-scanned", "dkim-filter", "x-envelope-from", "x-envelope-to", "status",
        "x-status", "x-uid", "lines", "content-length", "x-keywords",
    ]

    /// The Message-ID of the mail a delivery status notification reports on (its message/rfc822 or
    /// text/rfc822-headers part).
    public static func bouncedMessageID(_ message: Message) -> String? {
        var found: String? = nil
        message.root.walk { part in
            guard found == nil else { return }
            if let inner = part.embeddedMessage, let id = inner.headers["Message-ID"]?.value {
                found = MessageIDParser.parseSingle(id).id
            } else if part.contentType.mimeType == "text/rfc822-headers" {
                let headers = Message.parse(part.decodedBody().bytes).headers
                if let id = headers["Message-ID"]?.value { found = MessageIDParser.parseSingle(id).id }
            }
        }
        return found
    }

    // MARK: - Applying

    /// Writes the raw mail and the attachments (content-addressed, idempotent; not yet synced). Returns the
    /// files whose content must be synced and the folders whose entries must be, for the batch's sync.
    private func writeFiles(_ plan: IngestPlan, _ p: Prepared, rawPath: String) throws -> (files: [String], folders: Set<String>) {
        var files: [String] = []
        var folders: Set<String> = []
        if FileSystem.kind(of: rawPath) == .file {
            // Left by an earlier attempt (a crash before its commit): this very maildir file (a hard link) is
            // kept; anything else only when it holds exactly these bytes, and it is synced with the batch (it
            // never was); otherwise rewritten.
            if !FileSystem.isSameFile(p.path, rawPath) {
                try data.storeOnce(p.bytes, at: rawPath)
                files.append(rawPath)
            }
        } else {
            // The raw mail: a hard link to the maildir file when data_dir shares its filesystem (nothing copied,
            // and it survives an operator cleaning cur/; its content was synced by the MTA), else a copy.
            try data.prepareFolder(for: rawPath)
            if try FileSystem.link(p.path, as: rawPath), FileSystem.isSameFile(p.path, rawPath) {
                folders.insert(FileSystem.directoryName(rawPath))
            } else {
                try data.storeOnce(p.bytes, at: rawPath)
                files.append(rawPath)
            }
        }
        for a in plan.summary.attachments {
            // Content-addressed: a file already there is reused only when it holds these bytes (a zero-length
            // leftover of a crash is rewritten), and is synced with the batch either way.
            let file = data.attachmentPath(sha256: a.sha256)
            let bytes = a.data ?? Self.part(p.message.root, at: a.path)?.decodedBody().bytes ?? []
            try data.storeOnce(bytes, at: file)
            files.append(file)
        }
        return (files, folders)
    }

    /// The database half of ingesting one message; runs inside the batch's transaction.
    private func applyToDatabase(_ plan: IngestPlan, mailbox: Configuration.Mailbox, rawPath: String) throws -> Applied {
        let summary = plan.summary
        let at = clock.now().iso8601
        var split = ReplyText.split(summary.text)
        for forward in plan.attachedForwards { split.addForwarded(forward) }
        // The thread and the notices show what the sender wrote and what they forwarded (commands are read from
        // the top lines only, so a forward's lines are never taken for commands).
        split.new = split.thread.trimmingTrailingWhitespace
        let automatic = summary.automatic
        let kind = automatic?.kind == .bounce ? "bounce" : (automatic != nil ? "automatic" : "mail")
        let senderAddress = plan.sender?.address.lowercased()
        // Over an inbound limit: held (a reply to an existing ticket is still added to it, but unanswered).
        var unanswered = false
        if let over = try inboundLimit(plan) {
            guard case .append = plan.decision.action else {
                return try hold(plan, reason: over.reason, global: over.global, mailbox: mailbox, split: split, rawPath: rawPath, at: at)
            }
            unanswered = true
            log(.notice, "mail from \(senderAddress ?? "?") <\(summary.messageID ?? "none")> not answered: \(over.reason)")
        }
        if !unanswered, let special = try applyWork(plan, mailbox: mailbox, rawPath: rawPath, split: split, at: at) { return special }
        do {
            var ticket: Int64?
            var outcome: IngestOutcome
            switch plan.decision.action {
            case .newTicket, .followUp:
                let requester = try store.customer(address: senderAddress ?? "", name: plan.sender?.name, at: at)
                var followUpOf: Int64? = nil
                if case .followUp(let old) = plan.decision.action { followUpOf = old }
                let number = try store.createTicket(
                    subject: Self.ticketSubject(summary.subject), queue: mailbox.name, requester: requester,
                    followUpOf: followUpOf, reference: followUpOf == nil ? plan.decision.reference : nil,
                    language: summary.contentLanguage.map { String($0.prefix(2)).lowercased() }, origin: plan.origin.rawValue, at: at)
                try store.audit(ticket: number, actor: senderAddress ?? "?", action: "created", detail: plan.decision.reason, cause: nil, at: at)
                if let portal = plan.portal, portal.ticket == nil {
                    // The portal's new-ticket form: what the customer chose, in the same transaction.
                    if let p = portal.priority, p != .normal {
                        try store.setPriority(number, p, at: at)
                        try store.audit(ticket: number, actor: senderAddress ?? "?", action: "priority", detail: p.rawValue, cause: nil, at: at)
                    }
                    if let t = portal.type {
                        try store.setType(number, t, at: at)
                        try store.audit(ticket: number, actor: senderAddress ?? "?", action: "type", detail: t, cause: nil, at: at)
                    }
                    if let r = portal.reference { try store.setCustomerReference(number, r, at: at) }
                }
                if let old = followUpOf {
                    try store.audit(ticket: old, actor: senderAddress ?? "?", action: "follow-up", detail: "reply to the closed ticket opened #\(number)", cause: nil, at: at)
                    outcome = .followUp(number, of: old)
                } else {
                    outcome = .newTicket(number)
                }
                ticket = number
            case .append(let number, let reopen):
                ticket = number
                if reopen {
                    try store.setStatus(number, .open, at: at)
                    try store.audit(ticket: number, actor: senderAddress ?? "?", action: "status", detail: "resolved → open: the customer replied", cause: nil, at: at)
                } else if automatic == nil, plan.ticket?.status == .pending, plan.ticket?.requester == senderAddress {
                    try store.setStatus(number, .open, at: at)
                    try store.audit(ticket: number, actor: senderAddress ?? "?", action: "status", detail: "pending → open: the customer replied", cause: nil, at: at)
                }
                try store.touch(number, customerReply: automatic == nil, at: at)
                if automatic == nil, let rest = MailCommands.customerClose(split.new) {
                    let may = plan.may(.close)
                    if may.allowed {
                        split.new = rest
                        _ = try customerCloses(number, by: senderAddress ?? "", at: at)
                    } else {
                        // The line stays in the text, so the agents see what was asked.
                        try store.audit(ticket: number, actor: senderAddress ?? "?", action: "#close refused", detail: may.why, cause: nil, at: at)
                        log(.notice, "ticket #\(number): #close from \(senderAddress ?? "?") not applied: \(may.why)")
                    }
                }
                outcome = .reply(number)
            case .bounce(let number):
                ticket = number
                outcome = .bounce(number)
            }

            let messageRow = try recordInbound(plan, ticket: ticket, visibility: automatic == nil ? "public" : "internal", kind: kind,
                                               text: split.new, quoted: split.quoted, rawPath: rawPath, at: at)
            if let ticket {
                for p in plan.decision.newParticipants where try store.addParticipant(ticket, address: p.address, name: p.name, at: at) {
                    try store.audit(ticket: ticket, actor: senderAddress ?? "?", action: "cc added", detail: p.address, cause: messageRow, at: at)
                }
            }
            if plan.isStranger, let ticket {
                try store.audit(ticket: ticket, actor: senderAddress ?? "?", action: "failed authentication", detail: plan.auth.reason,
                                cause: messageRow, at: at)
                if let claim = plan.agent {
                    // An agent's address forged: the real agent hears of it (an agent is no backscatter victim).
                    try store.audit(ticket: ticket, actor: claim.address, action: "forged agent mail", detail: claim.reason, cause: messageRow, at: at)
                    try warnAgent(claim, about: ticket, plan: plan, cause: messageRow)
                }
                log(.warning, "mail from \(senderAddress ?? "?") <\(summary.messageID ?? "none")> failed sender authentication (\(plan.auth.reason)): ticket #\(ticket) of its own, no answer")
            }
            if !unanswered { try queueMail(for: outcome, plan: plan, text: split.new, messageRow: messageRow, mailbox: mailbox) }
            return Applied(outcome, ticket: ticket, message: messageRow)
        }
    }

    /// The mail an inbound message causes: a confirmation (or follow-up notice) to the customer and a notice
    /// to the agents for a new ticket; a notice to the assignee (or the queue's agents) for a customer's reply.
    /// Automatic mail causes none.
    private func queueMail(for outcome: IngestOutcome, plan: IngestPlan, text: String, messageRow: Int64,
                           mailbox: Configuration.Mailbox) throws {
        let summary = plan.summary
        guard summary.automatic == nil, let sender = plan.sender else { return }
        let senderAddress = sender.address.lowercased()
        let senderIsAgent = plan.agent != nil
        let attachmentNames = summary.attachments.filter { !$0.inline }.map { $0.filename ?? $0.contentType }.joined(separator: ", ")
        // Agents get the text (at most 20,000 characters: the rest is on the ticket), not the whole of a huge mail.
        let excerpt = text.count > 20_000 ? String(text.prefix(20_000)) + "\n\n[… \(text.count - 20_000) more characters on the ticket]" : text
        var noticeValues = ["text": excerpt, "attachments": attachmentNames, "priority": plan.portal?.priority?.rawValue ?? "normal"]
        for (k, v) in identityNotes(plan) { noticeValues[k] = v }
        func notifyAgents(_ kind: TemplateKind, _ number: Int64, only assignee: String? = nil) throws {
            try mailer.queue(kind, ticket: number, to: agentsToTell(assignee: assignee, mailbox: mailbox, except: senderAddress),
                             values: noticeValues, answering: summary, causeMessage: messageRow)
        }
        switch outcome {
        case .newTicket(let number):
            // A stranger's mail (failed authentication) gets no answer: it would go to the real owner of the address.
            if !senderIsAgent && !plan.isStranger {
                try mailer.queue(.confirmation, ticket: number, to: .init(address: senderAddress, name: sender.name),
                                 answering: summary, causeMessage: messageRow)
            }
            try notifyAgents(.agentNewTicket, number)
        case .followUp(let number, let old):
            let tag = "[\(mailbox.tag) #\(old)]"
            try mailer.queue(.followUp, ticket: number, to: .init(address: senderAddress, name: sender.name),
                             values: ["previous_number": String(old), "previous_tag": tag], answering: summary, causeMessage: messageRow)
            try notifyAgents(.agentNewTicket, number)
        case .reply(let number):
            guard !senderIsAgent else { return }
            let assignee = try store.mailContext(ticket: number)?.assigneeAddress
            try notifyAgents(.agentCustomerReply, number, only: assignee)
        default:
            return
        }
    }

    static func ticketSubject(_ subject: String?) -> String {
        let s = (subject ?? "").trimmingWhitespaceAndNewlines
        return s.isEmpty ? "(no subject)" : s
    }

    static func part(_ root: MIMEPart, at path: String) -> MIMEPart? {
        var found: MIMEPart? = nil
        root.walk { p in if found == nil && p.path == path { found = p } }
        return found
    }

    // MARK: - Quarantine

    /// Moves a message that cannot be processed into the quarantine maildir, with a reason file, under an ID
    /// no other quarantined mail has (`<mailbox>.<maildir name>`, then `.2` ...). Nothing is deleted before its
    /// copy is durable and verified: the copy is written in quarantine/tmp, fsynced, compared with the
    /// original, published in quarantine/new without replacing anything; then the reason (never overwritten);
    /// only then the original goes. Mail too big to hold is renamed (one filesystem) or copied in chunks
    /// (data_dir on another filesystem). A copy left by an attempt that could not finish is found and reused.
    private func quarantine(_ entry: Maildir.Entry, _ mailbox: Configuration.Mailbox, reason: String, bytes: [UInt8]?) -> IngestOutcome {
        let q = data.quarantine
        do {
            var id: String
            if let earlier = try earlierQuarantine(entry, mailbox, bytes: bytes) {
                id = earlier
            } else {
                while true {
                    id = data.freeQuarantineID(mailbox: mailbox.name, unique: entry.unique)
                    let target = q.path + "/new/" + id
                    if let bytes {
                        let tmp = q.path + "/tmp/" + id
                        try FileSystem.writeNew(tmp, bytes, mode: DataDirectory.fileMode)
                        guard FileSystem.contentEquals(tmp, bytes) else {
                            try FileSystem.remove(tmp)
                            throw SystemError("verify copy", path: tmp, errno: EIO)
                        }
                        guard try FileSystem.publish(tmp, as: target) else {
                            try FileSystem.remove(tmp)
                            continue
                        }
                        try FileSystem.syncDirectory(q.path + "/new")
                        try FileSystem.syncDirectory(q.path + "/tmp")
                        break
                    }
                    // Unreadable or too big to hold: the file itself is moved.
                    if try FileSystem.moveDurably(entry.path, to: target, tmpFolder: q.path + "/tmp", mode: DataDirectory.fileMode) { break }
                }
            }
            let reasonFile = data.reasons + "/" + id + ".reason"
            if FileSystem.kind(of: reasonFile) == nil {
                let record = QuarantineRecord(id: id, mailbox: mailbox.name, originalName: entry.name, reason: reason, at: clock.now().iso8601)
                guard try FileSystem.writeNewDurably(reasonFile, Array(record.serialized.utf8), mode: DataDirectory.fileMode) else {
                    throw SystemError("write", path: reasonFile, errno: EEXIST)
                }
            }
            if FileSystem.kind(of: entry.path) == .file {
                try FileSystem.remove(entry.path)
                try FileSystem.syncDirectory(FileSystem.directoryName(entry.path))
            }
            log(.warning, "mailbox \(mailbox.name): \(entry.name) quarantined as \(id): \(reason)")
            return .quarantined(id: id, reason: reason)
        } catch {
            log(.error, "mailbox \(mailbox.name): \(entry.name) could not be quarantined (\(error)); left in place: \(reason)")
            return .deferred("could not quarantine: \(error)")
        }
    }

    /// The ID of a copy of this very mail an earlier attempt left in quarantine/new (its original could not
    /// be removed, or the attempt died before the reason was written), so a retry does not copy it again.
    private func earlierQuarantine(_ entry: Maildir.Entry, _ mailbox: Configuration.Mailbox, bytes: [UInt8]?) throws -> String? {
        let q = data.quarantine.path + "/new/"
        for id in data.takenQuarantineIDs(mailbox: mailbox.name, unique: entry.unique).taken where FileSystem.kind(of: q + id) == .file {
            if let text = try? FileSystem.readFile(data.reasons + "/" + id + ".reason"),
                let record = QuarantineRecord(parsing: String(decoding: text, as: UTF8.self)),
                record.mailbox != mailbox.name || record.originalName != entry.name
            { continue }
            let same = bytes.map { FileSystem.contentEquals(q + id, $0) } ?? ((try? FileSystem.contentEquals(q + id, entry.path)) ?? false)
            if same { return id }
        }
        return nil
    }
}

public enum LogLevel: Int, Sendable {
    case error = 3, warning = 4, notice = 5, info = 6, debug = 7
}

/// Why a message is in the quarantine: `key: value` lines, easy to read and to parse.
public struct QuarantineRecord: Sendable, Hashable {
    public var id: String
    public var mailbox: String
    public var originalName: String
    public var reason: String
    public var at: String

    public var serialized: String {
        "id: \(id)\nmailbox: \(mailbox)\noriginal: \(originalName)\nat: \(at)\nreason: \(reason.replacingNewlines)\n"
    }

    public init(id: String, mailbox: String, originalName: String, reason: String, at: String) {
        self.id = id; self.mailbox = mailbox; self.originalName = originalName; self.reason = reason; self.at = at
    }

    public init?(parsing text: String) {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingWhitespaceAndNewlines
        }
        guard let id = fields["id"], let mailbox = fields["mailbox"] else { return nil }
        self.init(id: id, mailbox: mailbox, originalName: fields["original"] ?? id, reason: fields["reason"] ?? "", at: fields["at"] ?? "")
    }
}

extension String {
    var trimmingTrailingWhitespace: String {
        var s = Substring(self)
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
    var replacingNewlines: String { String(map { $0 == "\n" || $0 == "\r" ? " " : $0 }) }
    var trimmingWhitespaceAndNewlines: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

#if canImport(Glibc)
import Glibc
#endif
