import PostdeskCore
import PostdeskMail
import PostdeskStore
import PostdeskSystem
import Synchronization

/// What a signed-in customer does in the portal, done the way the same act by mail is done: a reply, a new
/// ticket or people added become a message that goes through the ingest path (routing, lifecycle, participant
/// caps, inbound limits, confirmations and agents' notices), with the sender verified by the sign-in; a close
/// is the `#close` rule (`TicketAccess`). Every call is one transaction; the daemon is woken to send the mail.
///
/// How: the desk composes a real RFC 5322 message (From the customer, To the queue's address, Cc the people
/// added, `X-Postdesk-Origin: portal`, and the `X-Postdesk-Portal-*` fields that say which ticket and what the
/// new-ticket form chose), delivers it into `data_dir/portal` (tmp/, then new/) and ingests it at once with the
/// Ingestor's own batch code (origin `portal`: the sender verified by the sign-in, never by a header), which
/// moves it to cur/ after the commit. A message left in new/ by a crash is ingested, once (the ledger), when the
/// next desk starts. After each commit the desk touches `data_dir/run/outbox-wake`, which `postdesk run` watches.
///
/// Calls are serialized (one SQLite connection, one Ingestor): they come from the portal's HTTP threads.
public final class PortalDesk: @unchecked Sendable {
    public let ingestor: Ingestor
    private let lock = Mutex(())

    /// Ingests what a crash left in the portal's maildir (`recover`).
    public init(ingestor: Ingestor) {
        self.ingestor = ingestor
        recover()
    }

    /// The signed-in customer.
    public struct Customer: Sendable, Hashable {
        public var id: Int64
        public var address: String
        public var name: String?
        public init(id: Int64, address: String, name: String?) { self.id = id; self.address = address; self.name = name }
    }

    /// A file the customer uploaded (already on disk; the desk copies it into the attachment store).
    public struct Upload: Sendable, Hashable {
        public var filename: String
        public var contentType: String
        public var path: String
        public init(filename: String, contentType: String, path: String) {
            self.filename = filename; self.contentType = contentType; self.path = path
        }
    }

    public enum Outcome: Sendable, Hashable {
        /// Added to the ticket (reopened when it was resolved).
        case added(ticket: Int64)
        case newTicket(Int64)
        /// The ticket was closed: a follow-up ticket linked to it was opened.
        case followUp(Int64, of: Int64)
        /// Over an inbound limit: kept on a held ticket, not answered.
        case held(Int64)
        /// Nothing done: the ticket is not the customer's (the portal answers 404), or another reason.
        case notFound
        case refused(String)
    }

    public struct NewTicket: Sendable, Hashable {
        public var subject: String
        public var text: String
        public var priority: TicketPriority? = nil
        public var type: String? = nil
        public var reference: String? = nil
        public var cc: [String] = []
        public var files: [Upload] = []
        public init(subject: String, text: String) { self.subject = subject; self.text = text }
    }

    /// The database was busy or the disk full: nothing was done (the message was taken back); try again.
    public struct Busy: Error, CustomStringConvertible {
        public var description: String
    }

    /// The longest customer reference kept.
    public static let maxReferenceCharacters = 100

    public func reply(_ customer: Customer, ticket number: Int64, text: String, cc: [String] = [], files: [Upload] = []) throws -> Outcome {
        try serialized {
            guard let facts = try visibleTicket(customer, number) else { return .notFound }
            if text.trimmingWhitespaceAndNewlines.isEmpty && files.isEmpty { return .refused("nothing to add: no text and no file") }
            let mailbox = mailbox(queue: facts.queue)
            let subject = try ingestor.store.mailContext(ticket: number)?.subject ?? ""
            let message = try compose(customer, mailbox: mailbox, subject: "[\(mailbox.tag) #\(number)] Re: \(subject)", text: text,
                                      cc: cc, files: files, request: PortalRequest(ticket: number))
            return try ingest(message, mailbox: mailbox).outcome
        }
    }

    public func newTicket(_ customer: Customer, _ ticket: NewTicket) throws -> Outcome {
        try serialized {
            let address = customer.address.lowercased()
            guard !ingestor.agentAddresses.contains(address) else {
                return .refused("\(address) is an agent's address: agents work by mail and on the command line, not in the portal")
            }
            let subject = ticket.subject.trimmingWhitespaceAndNewlines
            guard !subject.isEmpty else { return .refused("a subject is required") }
            if let t = ticket.type, !ingestor.config.portal.ticketTypes.contains(t) {
                return .refused("no ticket type \"\(t)\"; types: \(ingestor.config.portal.ticketTypes.joined(separator: ", "))")
            }
            var reference = ticket.reference?.trimmingWhitespaceAndNewlines
            if reference?.isEmpty == true { reference = nil }
            if let r = reference, r.count > Self.maxReferenceCharacters || r.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                return .refused("the reference may have at most \(Self.maxReferenceCharacters) characters and no control characters")
            }
            let mailbox = ingestor.config.mailboxes.first { $0.name == ingestor.config.portal.queue } ?? ingestor.config.mailboxes[0]
            let message = try compose(customer, mailbox: mailbox, subject: subject, text: ticket.text, cc: ticket.cc, files: ticket.files,
                                      request: PortalRequest(ticket: nil, priority: ticket.priority, type: ticket.type, reference: reference))
            return try ingest(message, mailbox: mailbox).outcome
        }
    }

    /// What adding people did: the outcome of the message, who is on the ticket now of those asked for (joined,
    /// or there already), and who is not, with why (the participant caps, not an address).
    public struct PeopleResult: Sendable, Hashable {
        public var outcome: Outcome
        public var joined: [String]
        public var notJoined: [RoutingDecision.NotJoined]
    }

    /// Adds people to the conversation (the participant caps apply), as a short message on the thread.
    public func addPeople(_ customer: Customer, ticket number: Int64, addresses: [String]) throws -> Outcome {
        try addPeopleResult(customer, ticket: number, addresses: addresses).outcome
    }

    /// `addPeople`, with who is on the ticket now of those asked for (joined, or there already) and who did not
    /// join, with why. The message ("I added X, Y to the conversation.", in the customer's language) carries the
    /// addresses in Cc, so routing admits them exactly as it does mail's Cc; it names only those who join, and
    /// when nobody new would, nothing is written (`.refused`).
    public func addPeopleResult(_ customer: Customer, ticket number: Int64, addresses: [String]) throws -> PeopleResult {
        try serialized {
            guard let facts = try visibleTicket(customer, number) else { return PeopleResult(outcome: .notFound, joined: [], notJoined: []) }
            // A closed ticket is final: a message on it would open a follow-up ticket just to hold the people.
            guard facts.status != .closed else {
                return PeopleResult(outcome: .refused("ticket #\(number) is closed; write a reply to open a follow-up"), joined: [], notJoined: [])
            }
            var valid: [String] = []
            var invalid: [RoutingDecision.NotJoined] = []
            for a in addresses {
                let trimmed = a.trimmingWhitespaceAndNewlines
                if let parsed = Self.address(trimmed) {
                    if !valid.contains(parsed) { valid.append(parsed) }
                } else if !trimmed.isEmpty {
                    invalid.append(.init(address: trimmed, why: "not an email address"))
                }
            }
            guard !valid.isEmpty else { return PeopleResult(outcome: .refused("no email address to add"), joined: [], notJoined: invalid) }
            let mailbox = mailbox(queue: facts.queue)
            let context = try ingestor.store.mailContext(ticket: number)
            let settings = try ingestor.store.customerSettings(address: customer.address.lowercased())
            let language = LanguagePack.choose(account: settings?.language ?? context?.ticketLanguage, contentLanguage: nil, acceptLanguage: nil,
                                               mailbox: mailbox.language, helpdesk: ingestor.config.helpdesk.language)
            let pack = LanguagePack.named(language)
            let subject = "[\(mailbox.tag) #\(number)] Re: \(context?.subject ?? "")"
            // Routing decides who joins (`Router.admit`: the caps). Asked first without writing anything, so that the
            // message names only the people who do join, and nothing is posted when nobody would.
            let draft = try compose(customer, mailbox: mailbox, subject: subject, text: pack.peopleAdded(valid.joined(separator: ", ")),
                                    cc: valid, files: [], request: PortalRequest(ticket: number))
            let planned = try ingestor.plan(draft, mailbox: mailbox, origin: .portal).decision
            let onIt = valid.filter { facts.participants.contains($0) || $0 == facts.requester }
            let joining = planned.newParticipants.map(\.address).filter { !onIt.contains($0) && valid.contains($0) }
            let refusedHere = planned.notJoined.filter { valid.contains($0.address) }
            guard !joining.isEmpty else {
                return PeopleResult(outcome: .refused("nobody could be added"), joined: onIt, notJoined: refusedHere + invalid)
            }
            let message = try compose(customer, mailbox: mailbox, subject: subject, text: pack.peopleAdded(joining.joined(separator: ", ")),
                                      cc: joining, files: [], request: PortalRequest(ticket: number))
            let done = try ingest(message, mailbox: mailbox)
            let joined = done.decision?.newParticipants.map(\.address) ?? []
            return PeopleResult(outcome: done.outcome, joined: onIt + joined.filter { !onIt.contains($0) },
                                notJoined: refusedHere + (done.decision?.notJoined ?? []) + invalid)
        }
    }

    public enum CloseOutcome: Sendable, Hashable {
        case closed
        case notFound
        /// The ticket is resolved or closed already.
        case notClosable(TicketStatus)
    }

    /// The `#close` rule (`Ingestor.customerCloses`, one implementation for mail and the portal).
    public func close(_ customer: Customer, ticket number: Int64) throws -> CloseOutcome {
        try serialized {
            let ingestor = self.ingestor
            let result = try ingestor.store.transaction {
                try ingestor.customerCloses(number, by: customer.address, at: ingestor.clock.now().iso8601, how: "close in the portal")
            }
            switch result {
            case .closed:
                wake()
                return .closed
            case .notFound: return .notFound
            case .notClosable(let s): return .notClosable(s)
            }
        }
    }

    // MARK: - Recovery

    /// Ingests every message in the portal's maildir that the ledger does not know (a crash between writing one
    /// and its commit): exactly once, as the daemon does with mail left in new/. Called by `init`.
    @discardableResult
    public func recover() -> [IngestOutcome] {
        lock.withLock { _ in
            let portal = ingestor.data.portal
            guard portal.exists else { return [] }
            let entries: [Maildir.Entry]
            do { entries = try ingestor.pendingEntries(portal, ledgerName: Ingestor.portalLedgerName) } catch {
                ingestor.log(.error, "portal: cannot list \(portal.path): \(error)")
                return []
            }
            guard !entries.isEmpty else { return [] }
            do { try ingestor.refreshAgents() } catch { ingestor.log(.warning, "portal: cannot read the agents: \(error)") }
            var outcomes: [IngestOutcome] = []
            for entry in entries {
                let outcome = ingestor.processBatch([entry], in: mailbox(of: entry), origin: .portal)[0].1
                ingestor.portalDecisions[entry.path] = nil
                ingestor.log(.notice, "portal: \(entry.name) left by an earlier run: \(outcome)")
                outcomes.append(outcome)
            }
            wake()
            return outcomes
        }
    }

    /// The mailbox a message left in the portal's maildir was written to (its To), else the portal's queue.
    private func mailbox(of entry: Maildir.Entry) -> Configuration.Mailbox {
        let config = ingestor.config
        let fallback = config.mailboxes.first { $0.name == config.portal.queue } ?? config.mailboxes[0]
        guard let bytes = try? FileSystem.readFile(entry.path, maxBytes: 1 << 20) else { return fallback }
        let to = MessageSummary(Message.parse(bytes)).to.map { $0.address.lowercased() }
        return config.mailboxes.first { to.contains($0.address.lowercased()) } ?? fallback
    }

    // MARK: - Steps

    private func serialized<T>(_ body: () throws -> T) throws -> T {
        try lock.withLock { _ throws -> T in
            try ingestor.refreshAgents()
            return try body()
        }
    }

    /// The ticket's facts when the customer sees it (`TicketAccess.customerSees`); nil for an agent's address
    /// and for every ticket they may not see, as for one that does not exist (the portal answers 404 for both).
    private func visibleTicket(_ customer: Customer, _ number: Int64) throws -> TicketFacts? {
        let address = customer.address.lowercased()
        guard !ingestor.agentAddresses.contains(address), let facts = try ingestor.facts(number),
              TicketAccess.customerSees(address, facts) else { return nil }
        return facts
    }

    private func mailbox(queue: String) -> Configuration.Mailbox {
        ingestor.config.mailboxes.first { $0.name == queue } ?? ingestor.config.mailboxes[0]
    }

    /// One address as typed (`ana@example.org`, `Ana <ana@example.org>`), lower-cased; nil when it is none.
    /// Typed text with a control character (`a@x\r\nBcc: b@y`) or a group (`x: b@y;`) is none: the parser would
    /// read the address inside the group, not the one the customer saw.
    static func address(_ text: String) -> String? {
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0.properties.generalCategory == .control }) else { return nil }
        let list = AddressParser.parseList(text).addresses
        guard list.count == 1, let a = list.first, a.group == nil, !a.isMalformed, !a.hasControlCharacters else { return nil }
        let parts = a.address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return nil }
        return a.address.lowercased()
    }

    /// A client's content type when it is a plain `type/subtype` (RFC 9110 tokens, no parameters), lower-cased;
    /// anything else is `application/octet-stream`. The portal serves every attachment as a download anyway.
    static func contentType(_ given: String) -> String {
        let t = given.trimmingWhitespaceAndNewlines.lowercased()
        let parts = t.split(separator: "/", omittingEmptySubsequences: false)
        let token: (Substring) -> Bool = { p in
            !p.isEmpty && p.count <= 127 && p.unicodeScalars.allSatisfy { u in
                (u.value >= 0x30 && u.value <= 0x39) || (u.value >= 0x61 && u.value <= 0x7A) || "!#$&-^_.+".unicodeScalars.contains(u)
            }
        }
        return parts.count == 2 && token(parts[0]) && token(parts[1]) ? t : "application/octet-stream"
    }

    /// The customer's act as a message, as a mail client would have sent it.
    private func compose(_ customer: Customer, mailbox: Configuration.Mailbox, subject: String, text: String, cc: [String],
                         files: [Upload], request: PortalRequest) throws -> [UInt8] {
        let now = ingestor.clock.now()
        let domain = mailbox.address.split(separator: "@").last.map(String.init) ?? "postdesk.invalid"
        var random = SystemRandomNumberGenerator()
        let token = (0..<2).map { _ in String(random.next() as UInt64, radix: 36) }.joined(separator: ".")
        var message = OutgoingMessage(
            from: MailAddress(name: customer.name, address: customer.address.lowercased()),
            to: [MailAddress(address: mailbox.address)], subject: subject, messageID: "portal.\(token)@\(domain)",
            date: MailDate(secondsSinceEpoch: now, utcOffsetSeconds: 0), text: text)
        message.cc = cc.compactMap { Self.address($0) }.map { MailAddress(address: $0) }
        if let language = try ingestor.store.customerSettings(address: customer.address.lowercased())?.language { message.language = language }
        for f in files {
            let bytes = try FileSystem.readFile(f.path, maxBytes: ingestor.limits.maxMessageBytes)
            message.attachments.append(.init(filename: SafeFilename.make(f.filename) ?? "attachment", contentType: Self.contentType(f.contentType),
                                             data: bytes))
        }
        message.extraHeaders = [("X-Postdesk-Origin", "portal")] + request.fields
        return MessageComposer.compose(message)
    }

    /// Writes the message into the portal's maildir and ingests it through the ingest path, in one transaction;
    /// wakes the daemon's outbox after the commit.
    private func ingest(_ bytes: [UInt8], mailbox: Configuration.Mailbox) throws -> (outcome: Outcome, decision: RoutingDecision?) {
        let portal = ingestor.data.portal
        let path = try portal.deliver(bytes)
        guard let entry = try portal.entries(in: "new").first(where: { $0.path == path }) else {
            throw Busy(description: "\(path) disappeared before it was ingested")
        }
        let outcome = ingestor.processBatch([entry], in: mailbox, origin: .portal)[0].1
        let decision = ingestor.portalDecisions.removeValue(forKey: entry.path)
        switch outcome {
        case .newTicket(let n): wake(); return (.newTicket(n), decision)
        case .followUp(let n, let old): wake(); return (.followUp(n, of: old), decision)
        case .reply(let n), .agentMail(let n): wake(); return (.added(ticket: n), decision)
        case .held(let n): return (.held(n), decision)
        case .duplicate(let n): return (n.map { .added(ticket: $0) } ?? .refused("already recorded"), decision)
        case .deferred(let why):
            // Nothing was recorded: the message is taken back, so that it is not ingested later behind the
            // customer's back (they were told it failed and may send it again).
            try? FileSystem.remove(path)
            throw Busy(description: why)
        case .quarantined(_, let reason): return (.refused(reason), decision)
        case .statusSummary, .account, .bounce: return (.refused("\(outcome)"), decision)
        }
    }

    /// Tells a running `postdesk run` that the outbox has new mail (data_dir/run/outbox-wake, which it watches), so
    /// it is sent at once: after every commit of the desk, and after the portal's own (sign-in links, reset codes).
    public func wake() {
        do { try ingestor.data.wakeOutbox() } catch {
            ingestor.log(.warning, "portal: cannot touch \(ingestor.data.wakeFile) (the daemon sends the mail at its next look): \(error)")
        }
    }
}
