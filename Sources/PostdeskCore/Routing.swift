import PostdeskMail

/// Everything routing needs about one inbound mail, gathered by the ingest layer (which does the lookups).
public struct RoutingInput: Sendable {
    /// The queue the mail arrived in.
    public var queue: String
    /// The queue's address (`support@acme.test`).
    public var mailboxAddress: String
    /// Every address of Postdesk itself (all mailboxes): never a participant.
    public var ownAddresses: Set<String>
    public var from: String
    /// To and Cc of the mail.
    public var recipients: [MailAddress]
    public var automatic: AutomaticVerdict?

    /// The first of In-Reply-To, then References (newest first), that names a message Postdesk knows.
    public var thread: (messageID: String, ticket: TicketFacts)?
    /// `[Tag #N]` in the subject, and the ticket N if it exists.
    public var subjectTag: (number: Int64, ticket: TicketFacts?)?
    /// `support+N@...` among the recipients, and the ticket N if it exists.
    public var plusAddress: (number: Int64, ticket: TicketFacts?)?
    /// For a delivery status notification: the ticket of the mail that bounced, found through the report's
    /// original Message-ID.
    public var bouncedTicket: TicketFacts?

    /// The sender as `SenderPolicy` sees it (what the MTA said, a confirmed account), and the policy. The
    /// defaults are a verified sender, as routing was before sender verification; the ingest path sets both.
    public var sender = SenderPolicy.Standing(auth: .verified)
    public var policy = Configuration.CustomerAuth.verified
    /// `participants_per_mail` and `participants_per_ticket`.
    public var participantsPerMail = 10
    public var participantsPerTicket = 20

    public init(queue: String, mailboxAddress: String, ownAddresses: Set<String>, from: String, recipients: [MailAddress] = [],
                automatic: AutomaticVerdict? = nil) {
        self.queue = queue
        self.mailboxAddress = mailboxAddress
        self.ownAddresses = Set(ownAddresses.map { $0.lowercased() })
        self.from = from.lowercased()
        self.recipients = recipients
        self.automatic = automatic
    }
}

/// What to do with an inbound mail, and why.
public struct RoutingDecision: Sendable, Hashable, CustomStringConvertible {
    public enum Action: Sendable, Hashable {
        /// Open a new ticket in the queue (status `new`, no assignee).
        case newTicket
        /// Open a new ticket linked to a closed one (a reply to a closed ticket).
        case followUp(of: Int64)
        /// Add the mail to a ticket; `reopen` when it was resolved and a person replied.
        case append(ticket: Int64, reopen: Bool)
        /// A delivery status notification: record it on the ticket of the bounced mail (or on none).
        case bounce(ticket: Int64?)
    }

    /// Which rule decided.
    public enum Rule: String, Sendable, Hashable {
        case inReplyTo = "in-reply-to"
        case references
        case subjectTag = "subject-tag"
        case plusAddress = "plus-address"
        case bounce
        case new
    }

    public var action: Action
    public var rule: Rule
    /// A sentence for the operator (`postdesk explain`, the log, the audit trail).
    public var reason: String
    /// A ticket the mail named but may not join (sender not a participant): recorded on the new ticket.
    public var reference: Int64?
    /// Addresses from To/Cc that join the ticket as participants.
    public var newParticipants: [MailAddress]
    /// Addresses from To/Cc that do not join, each with the reason (for the agents' notice and `explain`).
    public var notJoined: [NotJoined] = []

    public struct NotJoined: Sendable, Hashable {
        public var address: String
        public var why: String
        public init(address: String, why: String) { self.address = address; self.why = why }
    }

    public var ticket: Int64? {
        switch action {
        case .append(let t, _): return t
        case .bounce(let t): return t
        default: return nil
        }
    }

    public var description: String { reason }
}

/// The routing rules, as one pure function.
public enum Router {
    public static func route(_ input: RoutingInput, inReplyTo: [String] = []) -> RoutingDecision {
        var decision = decide(input, inReplyTo: inReplyTo)
        admit(&decision, input)
        return decision
    }

    /// Who of the candidates joins: the sender may bring people (`SenderPolicy`), and only up to the caps
    /// (`participants_per_mail`, then `participants_per_ticket` with the ticket's Cc participants counted).
    /// Everyone else is listed in `notJoined` with the reason.
    private static func admit(_ decision: inout RoutingDecision, _ input: RoutingInput) {
        let candidates = decision.newParticipants
        guard !candidates.isEmpty else { return }
        let permission = SenderPolicy.may(.bringPeople, input.sender, policy: input.policy)
        guard permission.allowed else {
            decision.newParticipants = []
            decision.notJoined += candidates.map { .init(address: $0.address, why: permission.why) }
            decision.reason += "; nobody in To/Cc joins: \(permission.why)"
            return
        }
        var onTicket: TicketFacts? = nil
        if case .append(let n, _) = decision.action {
            onTicket = [input.thread?.ticket, input.subjectTag?.ticket, input.plusAddress?.ticket].compactMap { $0 }.first { $0.number == n }
        }
        var joined: [MailAddress] = []
        var count = onTicket?.ccCount ?? 0
        var added = 0
        var capped: [String] = []
        for c in candidates {
            if let t = onTicket, t.participants.contains(c.address) { joined.append(c); continue }  // already on it
            if added >= input.participantsPerMail {
                decision.notJoined.append(.init(address: c.address, why: "over participants_per_mail = \(input.participantsPerMail)"))
                capped.append(c.address)
            } else if count >= input.participantsPerTicket {
                decision.notJoined.append(.init(address: c.address, why: "over participants_per_ticket = \(input.participantsPerTicket)"))
                capped.append(c.address)
            } else {
                joined.append(c)
                added += 1
                count += 1
            }
        }
        decision.newParticipants = joined
        if !capped.isEmpty {
            decision.reason += "; \(capped.count) address(es) in To/Cc do not join (over participants_per_mail = \(input.participantsPerMail) or participants_per_ticket = \(input.participantsPerTicket))"
        }
    }

    private static func decide(_ input: RoutingInput, inReplyTo: [String]) -> RoutingDecision {
        let participants = input.automatic == nil ? joiningParticipants(input) : []

        // Delivery status notifications never open a ticket.
        if input.automatic?.kind == .bounce {
            if let t = input.bouncedTicket ?? input.thread?.ticket {
                return RoutingDecision(action: .bounce(ticket: t.number), rule: .bounce,
                                       reason: "delivery status notification for a mail of ticket #\(t.number); recorded on it, no ticket opened",
                                       reference: nil, newParticipants: [])
            }
            return RoutingDecision(action: .bounce(ticket: nil), rule: .bounce,
                                   reason: "delivery status notification for no mail Postdesk knows; recorded, no ticket opened",
                                   reference: nil, newParticipants: [])
        }

        // A sender that failed authentication is a stranger: a ticket of its own, whatever it names, and nobody
        // along (it records the ticket it named, as a refused subject tag does).
        if SenderPolicy.isStranger(input.sender.auth, policy: input.policy) {
            let named = input.thread?.ticket.number ?? input.subjectTag?.number ?? input.plusAddress?.number
            let auto = input.automatic.map { " (automatic mail: \($0.reason); no automatic answer)" } ?? ""
            return RoutingDecision(action: .newTicket, rule: .new,
                                   reason: "the sender failed authentication, so its mail is a stranger's\(named.map { ": it names ticket #\($0), but" } ?? ":") a new ticket of its own in queue \(input.queue), nobody in To/Cc joins\(auto)",
                                   reference: named, newParticipants: [],
                                   notJoined: participants.map { .init(address: $0.address, why: "the sender failed authentication") })
        }

        // 1. Threading headers: a reply to any message Postdesk has seen or sent.
        if let (id, ticket) = input.thread {
            let rule: RoutingDecision.Rule = inReplyTo.contains(id) ? .inReplyTo : .references
            return onTicket(ticket, input, rule: rule, why: "\(rule == .inReplyTo ? "In-Reply-To" : "References") names <\(id)> of ticket #\(ticket.number)", participants)
        }

        // 2 and 3. A ticket number in the subject tag or the plus address: only for its participants.
        var reference: Int64? = nil
        var refusal = ""
        for (rule, match) in [(RoutingDecision.Rule.subjectTag, input.subjectTag), (.plusAddress, input.plusAddress)] {
            guard let match else { continue }
            let how = rule == .subjectTag ? "the subject tag" : "the plus address"
            guard let ticket = match.ticket else {
                reference = reference ?? match.number
                refusal = "; \(how) names ticket #\(match.number), which does not exist"
                continue
            }
            if takesPart(input.from, in: ticket) {
                return onTicket(ticket, input, rule: rule, why: "\(how) names ticket #\(ticket.number) and \(input.from) takes part in it", participants)
            }
            reference = reference ?? ticket.number
            refusal = "; \(how) names ticket #\(ticket.number), but \(input.from) does not take part in it, so it opens a new ticket that records the reference"
        }

        let auto = input.automatic.map { " (automatic mail: \($0.reason); no automatic answer)" } ?? ""
        return RoutingDecision(action: .newTicket, rule: .new,
                               reason: "no known message, tag or plus address matched\(refusal): new ticket in queue \(input.queue)\(auto)",
                               reference: reference, newParticipants: participants)
    }

    private static func onTicket(_ ticket: TicketFacts, _ input: RoutingInput, rule: RoutingDecision.Rule, why: String,
                                 _ participants: [MailAddress]) -> RoutingDecision {
        // Someone who has the thread but does not take part in the ticket (a colleague the customer forwarded
        // it to) may write on it, but brings nobody along: the people in their To/Cc would otherwise get every
        // answer on someone else's ticket. The requester, a participant or an agent adds them (or `#cc add`).
        var why = why
        var participants = participants
        var notJoined: [RoutingDecision.NotJoined] = []
        if ticket.status != .closed, !takesPart(input.from, in: ticket), !participants.isEmpty {
            why += "; \(input.from) does not take part in it, so nobody in To/Cc joins (\(participants.map(\.address).joined(separator: ", ")))"
            notJoined = participants.map { .init(address: $0.address, why: "the sender does not take part in the ticket") }
            participants = []
        }
        // The lifecycle of a customer's reply is `TicketAccess.customerReply`, the one rule for mail and the portal;
        // automatic mail never reopens anything.
        switch TicketAccess.customerReply(to: ticket.status) {
        case .followUp:
            return RoutingDecision(action: .followUp(of: ticket.number), rule: rule,
                                   reason: "\(why); the ticket is closed, so a follow-up ticket linked to it is opened",
                                   reference: ticket.number, newParticipants: participants, notJoined: notJoined)
        case .append(reopen: true) where input.automatic == nil:
            return RoutingDecision(action: .append(ticket: ticket.number, reopen: true), rule: rule,
                                   reason: "\(why); the ticket was resolved and is reopened", reference: nil, newParticipants: participants,
                                   notJoined: notJoined)
        case .append:
            let auto = input.automatic.map { "; automatic mail (\($0.reason)) is recorded without changing the ticket" } ?? ""
            return RoutingDecision(action: .append(ticket: ticket.number, reopen: false), rule: rule,
                                   reason: "\(why)\(auto)", reference: nil, newParticipants: participants, notJoined: notJoined)
        }
    }

    /// Whether `address` is the ticket's requester or one of its participants. Addresses are the same person
    /// when they are the same after lower-casing, code point for code point, exactly as the database compares
    /// them (`customers.address = ?`), so routing, status summaries and relays agree on who someone is:
    /// `ANA@Example.org` is `ana@example.org`; `ana+x@example.org` is not (subaddressing is the receiving domain's
    /// own convention), nor is `ana@xn--exmple-cua.org` `ana@exämple.org` (Postdesk converts no IDNs), nor a
    /// decomposed `exa\u{308}mple` the precomposed `exämple` (Swift's `==` would call those two equal).
    public static func takesPart(_ address: String, in ticket: TicketFacts) -> Bool {
        let a = address.lowercased()
        func same(_ b: String) -> Bool { a.unicodeScalars.elementsEqual(b.unicodeScalars) }
        return same(ticket.requester) || ticket.participants.contains(where: same)
    }

    /// To/Cc addresses that join the conversation: not Postdesk's own (plus forms included), not the sender.
    static func joiningParticipants(_ input: RoutingInput) -> [MailAddress] {
        var seen: Set<String> = [input.from]
        var out: [MailAddress] = []
        for r in input.recipients {
            let a = r.address.lowercased()
            guard a.contains("@"), !seen.contains(a), !isOwn(a, input.ownAddresses) else { continue }
            seen.insert(a)
            out.append(MailAddress(name: r.name, address: a))
        }
        return out
    }

    static func isOwn(_ address: String, _ own: Set<String>) -> Bool {
        if own.contains(address) { return true }
        // support+123@acme.test is support@acme.test.
        let parts = address.split(separator: "@", maxSplits: 1)
        guard parts.count == 2, let plus = parts[0].firstIndex(of: "+") else { return false }
        return own.contains(parts[0][..<plus] + "@" + parts[1])
    }
}
