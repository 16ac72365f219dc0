import PostdeskCore
import PostdeskMail
import PostdeskStore
import PostdeskSystem

/// Working by mail: agents' mail (commands, relayed answers, internal notes), forged agent mail, customers'
/// `#close` and status requests. Runs inside the ingest transaction, like everything it causes.
extension Ingestor {
    /// The mail that is not a plain customer message, as `applyWork` handles it and `explain` describes it.
    enum Work {
        /// A reply to a welcome mail (never a ticket): `invited` is the address the welcome went to.
        case welcomeReply(invited: String)
        /// Mail from an agent's address with proof, on a ticket.
        case agentMail(AgentClaim, ticket: Int64)
        /// Mail from an agent's address without proof; on a ticket it stays an internal note.
        case unprovenAgentMail(AgentClaim, ticket: Int64?)
        case statusRequest
        case passwordResetRequest
    }

    /// Which kind of special mail this is, if any: one decision for `applyWork` and `describeWork`.
    func work(_ plan: IngestPlan) throws -> Work? {
        let summary = plan.summary
        var newTicket = false
        var target: Int64? = nil
        switch plan.decision.action {
        case .append(let n, _): target = n
        case .followUp(let old): target = old
        case .newTicket: newTicket = true
        case .bounce: break
        }
        // Replies to a welcome mail never open a ticket, automatic or not (a stranger's does: it confirms nothing).
        if plan.agent == nil, newTicket, !plan.isStranger, let invited = try store.welcomeRecipient(answering: summary.inReplyTo + summary.references.reversed()) {
            return .welcomeReply(invited: invited)
        }
        guard summary.automatic == nil, plan.sender != nil else { return nil }
        if let claim = plan.agent {
            guard claim.verified else { return .unprovenAgentMail(claim, ticket: target) }
            return target.map { .agentMail(claim, ticket: $0) }
        }
        // A new ticket opened in the portal is a ticket whatever its subject says ("status", "password reset").
        guard newTicket, plan.origin == .mail else { return nil }
        // A status request the sender may not have (SenderPolicy) is an ordinary ticket: an agent answers it.
        if MailCommands.isStatusRequest(summary.subject), plan.may(.statusSummary).allowed { return .statusRequest }
        // A reset request is never a ticket: refused ones (resetCodeByMail) are recorded and not answered.
        if MailCommands.isPasswordResetRequest(summary.subject) { return .passwordResetRequest }
        return nil
    }

    /// Handles the mail that is not a plain customer message; nil leaves it to ordinary ingestion.
    func applyWork(_ plan: IngestPlan, mailbox: Configuration.Mailbox, rawPath: String, split: ReplyText.Split, at: String) throws -> Applied? {
        let summary = plan.summary
        switch try work(plan) {
        case nil:
            return nil
        case .welcomeReply(let invited):
            return try confirmByReply(plan, invited: invited, mailbox: mailbox, split: split, rawPath: rawPath, at: at)
        case .agentMail(let claim, let number):
            return try agentMail(number, claim: claim, plan: plan, mailbox: mailbox, split: split, rawPath: rawPath, at: at)
        case .unprovenAgentMail(let claim, let target):
            // Someone used an agent's address without proof: no command runs and nothing is relayed. On a ticket it
            // stays an internal note and the real agent is told; otherwise it is a stranger's mail (which opens a
            // ticket the agents hear of like any other).
            log(.warning, "mail from \(claim.address) <\(summary.messageID ?? "?")> failed agent authentication: \(claim.reason)")
            guard let number = target else { return nil }
            let row = try recordInbound(plan, ticket: number, visibility: "internal", kind: "mail", text: split.new,
                                        quoted: split.quoted, rawPath: rawPath, at: at)
            try store.audit(ticket: number, actor: claim.address, action: "forged agent mail", detail: claim.reason, cause: row, at: at)
            try warnAgent(claim, about: number, plan: plan, cause: row)
            return Applied(.reply(number), ledger: "unverified agent mail kept as an internal note on #\(number)", ticket: number, message: row)
        case .statusRequest:
            // A customer asking for their tickets: answered, no ticket opened.
            let row = try recordInbound(plan, ticket: nil, visibility: "internal", kind: "mail", text: split.new, quoted: split.quoted,
                                        rawPath: rawPath, at: at)
            try sendStatusSummary(to: plan.sender!, mailbox: mailbox, answering: summary, cause: row)
            return Applied(.statusSummary, ticket: nil, message: row)
        case .passwordResetRequest:
            return try resetCodeByMail(plan, sender: plan.sender!, mailbox: mailbox, split: split, rawPath: rawPath, at: at)
        }
    }

    /// For `explain`: what `applyWork` would do with this mail instead of ordinary ingestion, if anything.
    public func describeWork(_ plan: IngestPlan) throws -> String? {
        switch try work(plan) {
        case nil:
            return nil
        case .welcomeReply(let invited):
            return welcomeReplyConfirms(plan, invited: invited)
                ? "a reply to the welcome mail: confirm the account of \(invited); no ticket"
                : "a reply to the welcome mail for \(invited) that does not confirm it (automatic, or from someone else); no ticket"
        case .agentMail(let claim, _):
            let commands = MailCommands.parseAgent(plan.summary.text)
            return "agent \(claim.key)'s mail: \(commands.commands.count) command(s)\(commands.problems.isEmpty ? "" : ", \(commands.problems.count) invalid (nothing would change)"), answer relayed unless it is internal"
        case .unprovenAgentMail(let claim, _):
            return "mail claiming to be agent \(claim.key)'s, not proven (\(claim.reason)): no command runs, nothing is relayed"
        case .statusRequest:
            return "a status request: answer with the sender's ticket summary; no ticket"
        case .passwordResetRequest:
            let may = plan.may(.resetCode)
            return may.allowed
                ? "a password reset request: mail a one-time code to the sender (within the limits per address and per client); no ticket"
                : "a password reset request, refused: \(may.why); recorded, not answered, no ticket"
        }
    }

    /// Stores an inbound message with its attachments and search index entry.
    func recordInbound(_ plan: IngestPlan, ticket: Int64?, visibility: String, kind: String, text: String, quoted: String?,
                       rawPath: String, at: String) throws -> Int64 {
        let summary = plan.summary
        let sender = plan.sender?.address.lowercased()
        var message = Store.NewMessage(
            ticket: ticket, direction: "in", visibility: visibility, kind: kind, authorAddress: sender, authorName: plan.sender?.name,
            messageID: summary.messageID, date: summary.date?.iso8601 ?? at, subject: summary.subject, text: text, quoted: quoted,
            html: summary.html, rawPath: rawPath, automatic: summary.automatic?.description, routing: plan.decision.reason,
            senderAuth: plan.standing.auth.rawValue)
        message.origin = plan.origin.rawValue
        let row = try store.addMessage(message, at: at)
        for a in summary.attachments {
            try store.addAttachment(message: row, filename: a.filename, contentType: a.contentType, size: a.size, sha256: a.sha256,
                                    inline: a.inline, contentID: a.contentID)
        }
        try store.index(message: row, subject: summary.subject ?? "", body: text,
                        references: ([summary.messageID].compactMap { $0 } + summary.references + [plan.decision.reference.map { "#\($0)" } ?? ""]).joined(separator: " "),
                        requester: sender ?? "")
        return row
    }

    // MARK: - Agents

    private func agentMail(_ number: Int64, claim: AgentClaim, plan: IngestPlan, mailbox: Configuration.Mailbox, split: ReplyText.Split, rawPath: String, at: String) throws -> Applied {
        let summary = plan.summary
        let parsed = MailCommands.parseAgent(split.new)
        let facts = try self.facts(number)
        var problems = parsed.problems
        // Check every command against the ticket before changing anything.
        var resolvedAgents: [Int: Store.AgentRow] = [:]
        var ccCount = facts?.ccCount ?? 0
        var ccAdded: Set<String> = []
        for (line, command) in parsed.commands {
            switch command {
            case .ccAdd(let a) where !(facts?.participants.contains(a.lowercased()) ?? false) && ccAdded.insert(a.lowercased()).inserted:
                ccCount += 1
                if ccCount > config.limits.participantsPerTicket {
                    problems.append(CommandProblem(line: line, text: "#cc add \(a)",
                                                   message: "ticket #\(number) would have more than participants_per_ticket = \(config.limits.participantsPerTicket) Cc participants; remove one first (#cc remove)"))
                }
            case .assign(let who):
                if let a = try store.agent(matching: who) { resolvedAgents[line] = a } else {
                    problems.append(CommandProblem(line: line, text: "#assign \(who)", message: unknownAgent(who)))
                }
            case .take:
                if let a = try store.agent(matching: claim.address) { resolvedAgents[line] = a }
            case .status(let s):
                if let facts, let refusal = statusRefusal(number, from: facts.status, to: s) {
                    problems.append(CommandProblem(line: line, text: "#status \(s.rawValue)", message: refusal))
                }
            case .ccRemove(let a) where a == facts?.requester:
                problems.append(CommandProblem(line: line, text: "#cc remove \(a)", message: "\(a) is the requester, not a Cc participant"))
            default: break
            }
        }
        // A reply to an internal-note notice is itself an internal note, as is any mail with #internal.
        let answersNote = try summary.inReplyTo.contains { try store.isInternalNotice(messageID: $0) }
        let isInternal = parsed.isInternal || answersNote || !problems.isEmpty
        let row = try recordInbound(plan, ticket: number, visibility: isInternal ? "internal" : "public", kind: "mail",
                                    text: parsed.body, quoted: split.quoted, rawPath: rawPath, at: at)
        if !problems.isEmpty {
            // Nothing of this mail takes effect: the agent fixes the lines and sends it again.
            let errors = problems.sorted { $0.line < $1.line }.map(\.description).joined(separator: "\n")
            try mailer.queue(.commandError, ticket: number, to: .init(address: claim.address, name: claim.name, isAgent: true),
                             values: ["errors": errors], answering: summary, causeMessage: row)
            try store.audit(ticket: number, actor: claim.address, action: "commands refused", detail: errors, cause: row, at: at)
            log(.notice, "ticket #\(number): commands from \(claim.address) refused: \(errors.replacingNewlines)")
            return Applied(.agentMail(number), ledger: "agent mail with invalid commands on #\(number): nothing applied", ticket: number, message: row)
        }
        try store.touch(number, customerReply: false, at: at)
        var notices: [TemplateKind] = []
        for (line, command) in parsed.commands {
            let actor = claim.address
            switch command {
            case .assign, .take:
                try applyAssignment(number, to: resolvedAgents[line]!, actor: actor, cause: row, at: at)
                notices.append(.assigned)
            case .status(let s):
                if let change = try applyStatus(number, s, actor: actor, cause: row, at: at), let notice = change.notice {
                    notices.append(notice)
                }
            case .priority(let p):
                try store.setPriority(number, p, at: at)
                try store.audit(ticket: number, actor: actor, action: "priority", detail: p.rawValue, cause: row, at: at)
            case .due(let day):
                try store.setDue(number, day, at: at)
                try store.audit(ticket: number, actor: actor, action: "due", detail: day, cause: row, at: at)
            case .type(let t):
                try store.setType(number, t, at: at)
                try store.audit(ticket: number, actor: actor, action: "type", detail: t, cause: row, at: at)
            case .ccAdd(let a):
                if try store.addParticipant(number, address: a, name: nil, at: at) {
                    try store.audit(ticket: number, actor: actor, action: "cc added", detail: a, cause: row, at: at)
                }
            case .ccRemove(let a):
                if try store.removeParticipant(number, address: a) {
                    try store.audit(ticket: number, actor: actor, action: "cc removed", detail: a, cause: row, at: at)
                }
            case .internal:
                continue
            }
        }
        // The answer goes to the customer first, then what the commands tell them. An internal note goes to
        // the other agents instead (the assignee, or the queue's agents while it is unassigned).
        if !parsed.body.isEmpty {
            let speaker = Speaker(name: claim.name, address: claim.address, actor: claim.address)
            if isInternal {
                try noticeOfInternalNote(parsed.body, on: number, from: speaker, mailbox: mailbox, answering: summary, cause: row)
            } else {
                try relay(parsed.body, on: number, from: speaker, attachments: relayedAttachments(plan.summary), cause: row)
            }
        }
        for kind in notices { try tellCustomer(kind, number, cause: row) }
        return Applied(.agentMail(number), ticket: number, message: row)
    }

    // MARK: - Agents' actions (agent mail and `postdesk tickets assign|status|reply` share them)

    /// Who speaks on a ticket: the name customers see, the agent's address (nil when the helpdesk itself signs;
    /// never shown to customers), and who the audit log names.
    struct Speaker {
        var name: String
        var address: String?
        var actor: String
    }

    /// Why `#assign` cannot use `who`, listing the agents there are.
    func unknownAgent(_ who: String) -> String {
        let known = config.agents.map { "\($0.id) (\($0.name))" }.joined(separator: ", ")
        return "no agent \"\(who)\"; agents: \(known.isEmpty ? "none (add [agent NAME] sections or `postdesk agents add`)" : known)"
    }

    /// Why a ticket cannot go from `before` to `status`, or nil when it may: closed tickets are final.
    func statusRefusal(_ number: Int64, from before: TicketStatus, to status: TicketStatus) -> String? {
        before == .closed && status != .closed
            ? "ticket #\(number) is closed, and closed tickets are final: a reply from the customer opens a follow-up"
            : nil
    }

    /// Assigns the ticket to an agent (a new ticket becomes open), with its audit entries. The caller tells the
    /// customer (`assigned`) after any answer.
    func applyAssignment(_ number: Int64, to agent: Store.AgentRow, actor: String, cause: Int64?, at: String) throws {
        try store.assign(number, to: agent.id, at: at)
        try store.audit(ticket: number, actor: actor, action: "assigned", detail: "\(agent.name) <\(agent.address)>", cause: cause, at: at)
        if try facts(number)?.status == .new {
            try store.setStatus(number, .open, at: at)
            try store.audit(ticket: number, actor: actor, action: "status", detail: "new → open: assigned", cause: cause, at: at)
        }
    }

    /// Sets a status (checked with `statusRefusal` first), with its audit entry. Returns nil when the ticket
    /// already had it, else the change and the notice the customer is due (`resolved`, `closed`).
    func applyStatus(_ number: Int64, _ status: TicketStatus, actor: String, cause: Int64?, at: String) throws
        -> (before: TicketStatus?, notice: TemplateKind?)?
    {
        let before = try facts(number)?.status
        guard before != status else { return nil }
        try store.setStatus(number, status, at: at)
        try store.audit(ticket: number, actor: actor, action: "status", detail: "\(before?.rawValue ?? "?") → \(status.rawValue)", cause: cause, at: at)
        switch status {
        case .resolved: return (before, .resolved)
        case .closed: return (before, .closed)
        default: return (before, nil)
        }
    }

    /// The attachments of an agent's mail, as relayed.
    func relayedAttachments(_ summary: MessageSummary) -> [OutgoingMessage.Attachment] {
        summary.attachments.map { a in
            let bytes = a.data ?? ((try? FileSystem.readFile(data.attachmentPath(sha256: a.sha256))) ?? [])
            return .init(filename: a.filename ?? "attachment", contentType: a.contentType, data: bytes)
        }
    }

    /// An agent's answer to the requester and the Cc participants, from the queue address with the agent's name
    /// (never the agent's address).
    func relay(_ text: String, on number: Int64, from speaker: Speaker, attachments: [OutgoingMessage.Attachment], cause: Int64) throws {
        guard let ticket = try store.mailContext(ticket: number) else { return }
        let agentAddresses = Set(config.agents.map { $0.address.lowercased() })
        var recipients: [(String, String?)] = [(ticket.requester, ticket.requesterName)]
        // At most the requester and participants_per_ticket others, however many a ticket holds (an older
        // database may have more than the cap allows now).
        recipients += ticket.participants.filter { !agentAddresses.contains($0.address.lowercased()) && $0.address.lowercased() != ticket.requester.lowercased() }
            .prefix(config.limits.participantsPerTicket).map { ($0.address, $0.name) }
        var seen: Set<String> = []
        for (address, name) in recipients where seen.insert(address.lowercased()).inserted {
            try mailer.queue(.relay, ticket: number, fromName: fromName(speaker),
                             to: .init(address: address, name: name), values: ["agent_name": speaker.name, "text": text],
                             causeMessage: cause, attachments: attachments)
        }
        try store.audit(ticket: number, actor: speaker.actor, action: "relayed", detail: "to \(seen.sorted().joined(separator: ", "))",
                        cause: cause, at: clock.now().iso8601)
    }

    /// An internal note to the other agents: the assignee, or the queue's agents while it is unassigned (never
    /// its author).
    func noticeOfInternalNote(_ text: String, on number: Int64, from speaker: Speaker, mailbox: Configuration.Mailbox,
                              answering: MessageSummary?, cause: Int64) throws {
        let recipients = agentsToTell(assignee: try store.mailContext(ticket: number)?.assigneeAddress, mailbox: mailbox,
                                      except: speaker.address)
        try mailer.queue(.agentInternalNote, ticket: number, fromName: fromName(speaker), to: recipients,
                         values: ["author_name": speaker.name, "text": text], answering: answering, causeMessage: cause)
    }

    /// Who hears of news on a ticket: its assignee while they are still an agent, else (no assignee, or one
    /// removed from the config) the mailbox's agents, so that it reaches someone; never `author`.
    func agentsToTell(assignee: String?, mailbox: Configuration.Mailbox, except author: String?) -> [Mailer.Recipient] {
        let assigned = assignee.flatMap { a in config.agents.first { $0.address.lowercased() == a.lowercased() } }
        let targets = assigned.map { [$0] } ?? config.agents.filter { $0.works(mailbox.name) }
        return targets.filter { $0.address.lowercased() != author?.lowercased() }
            .map { Mailer.Recipient(address: $0.address, name: $0.name, isAgent: true) }
    }

    /// "Alice Novak (Acme Support)", or the helpdesk's name alone when it signs itself.
    private func fromName(_ speaker: Speaker) -> String {
        speaker.address == nil ? config.helpdesk.name : "\(speaker.name) (\(config.helpdesk.name))"
    }

    /// A status-change mail to the ticket's requester (assigned, resolved, closed). The Mailer fills in the
    /// assignee and the due date. Not an answer to the mail that caused it: threading follows the ticket.
    func tellCustomer(_ kind: TemplateKind, _ number: Int64, cause: Int64?) throws {
        guard let ticket = try store.mailContext(ticket: number) else { return }
        try mailer.queue(kind, ticket: number, to: .init(address: ticket.requester, name: ticket.requesterName), causeMessage: cause)
    }

    func warnAgent(_ claim: AgentClaim, about number: Int64, plan: IngestPlan, cause: Int64?) throws {
        let errors = """
            A mail from your address (\(claim.address)) could not be proven to be yours and was not acted on:
            Subject: \(plan.summary.subject ?? "(none)")
            Message-ID: <\(plan.summary.messageID ?? "none")>
            Why: \(claim.reason)
            No command in it ran and nothing was relayed to the customer. If you sent it, check that your mail is
            DKIM-signed (or passes DMARC) as seen by \(config.helpdesk.trustedAuthservID ?? "the mail server").
            """
        try mailer.queue(.commandError, ticket: number, to: .init(address: claim.address, name: claim.name, isAgent: true),
                         values: ["errors": errors], causeMessage: cause)
    }

    /// The agents' notice's lines about the sender and the people in To/Cc (`TemplateKind.senderNotes`): whether
    /// the MTA verified the sender, who was in To/Cc, who joined, and who did not and why, several From fields and a
    /// malformed From (issue 15). Long lists are cut at 20 addresses, with how many more there were.
    func identityNotes(_ plan: IngestPlan) -> [String: String] {
        var values: [String: String] = [:]
        switch plan.standing.auth {
        case .verified: values["sender_verified"] = plan.agent?.verified == true && !plan.auth.verified ? plan.agent!.reason : plan.auth.reason
        case .unverified: values["sender_unverified"] = plan.auth.reason
        case .failed: values["sender_failed"] = plan.auth.reason
        }
        func list(_ items: [String]) -> String {
            items.count <= 20 ? items.joined(separator: ", ") : items.prefix(20).joined(separator: ", ") + " and \(items.count - 20) more"
        }
        let joined = plan.decision.newParticipants.map(\.address)
        let notJoined = plan.decision.notJoined
        values["recipients"] = list(joined + notJoined.map(\.address))
        values["cc_joined"] = list(joined)
        values["cc_not_joined"] = list(notJoined.map { "\($0.address) (\($0.why))" })
        // Issue 15: several From fields (the first is the sender) and From addresses kept as written, never used.
        if plan.summary.fromFieldCount > 1 { values["from_fields"] = list(plan.summary.from.map(\.address)) }
        values["malformed_from"] = list(plan.summary.malformedAddresses.filter { $0.field == "From" }.map(\.address.address))
        return values.filter { !$0.value.isEmpty }
    }

    // MARK: - Customers

    /// What a customer's close did.
    public enum CustomerClose: Sendable, Hashable {
        case closed
        /// No such ticket, or not one the customer sees (`TicketAccess.customerSees`; an agent's address is no
        /// customer: agents close with `#status closed`).
        case notFound
        /// Resolved or closed already (`TicketAccess.customerMayClose`).
        case notClosable(TicketStatus)
    }

    /// A customer closes a ticket: `#close` in a mail and the portal's close button, the one implementation.
    /// Customers only, and only those who see the ticket; only while it is new, open or pending. Sets it
    /// closed, audits it and tells the requester. Runs inside the caller's transaction.
    func customerCloses(_ number: Int64, by address: String, at: String, how: String = "#close") throws -> CustomerClose {
        let from = address.lowercased()
        guard let facts = try self.facts(number), !agentAddresses.contains(from), TicketAccess.customerSees(from, facts) else {
            log(.info, "ticket #\(number): \(how) from \(from) ignored: not a customer who sees the ticket")
            return .notFound
        }
        guard TicketAccess.customerMayClose(facts.status) else {
            log(.info, "ticket #\(number): \(how) from \(from) ignored: the ticket is \(facts.status.rawValue)")
            return .notClosable(facts.status)
        }
        try store.setStatus(number, .closed, at: at)
        try store.audit(ticket: number, actor: from, action: "status", detail: "\(facts.status.rawValue) → closed: \(how) from the customer", cause: nil, at: at)
        try tellCustomer(.closed, number, cause: nil)
        return .closed
    }

    private func sendStatusSummary(to sender: MailAddress, mailbox: Configuration.Mailbox, answering: MessageSummary, cause: Int64) throws {
        let address = sender.address.lowercased()
        let rows = try store.visibleTickets(for: address)
        let settings = try store.customerSettings(address: address)
        let pack = LanguagePack.named(mailer.customerLanguage(account: settings?.language, answering: answering, mailbox: mailbox))
        var list: [String] = []
        for r in rows {
            var line = "[\(mailbox.tag) #\(r.number)] \(r.subject)\n   \(pack.statuses[TicketStatus(rawValue: r.status) ?? .open] ?? r.status)"
            line += " · \(pack.assignedTo): \(r.assignee ?? pack.unassigned)"
            if let due = r.due.flatMap({ pack.day(calendarDate: $0) }) { line += " · \(pack.dueLabel): \(due)" }
            line += " · \(pack.updatedLabel): \(String(r.updated.prefix(10)))"
            if r.requester != address { line += " · \(r.requester)" }
            list.append(line)
        }
        try mailer.queue(.statusSummary, ticket: nil, mailbox: mailbox, to: .init(address: address, name: sender.name),
                         values: ["ticket_list": list.isEmpty ? pack.noTickets : list.joined(separator: "\n\n"), "ticket_count": String(rows.count),
                                  "subject": answering.subject ?? "status"],
                         answering: answering, causeMessage: cause)
    }
}

/// Time-driven work: reminders before auto-close, closing resolved tickets nobody answered, and housekeeping
/// (expired codes, idle buckets, the text of long-sent mail). Works from
/// the times in the database, so a restart or a stopped machine catches up on the next run.
public final class Scheduler: @unchecked Sendable {
    let ingestor: Ingestor
    public init(_ ingestor: Ingestor) { self.ingestor = ingestor }

    public struct Report: Sendable, Hashable {
        public var closed: [Int64] = []
        public var reminded: [Int64] = []
        public var codesPurged = 0
        public var sentTextDropped = 0
    }

    /// Sent mails whose text one run forgets: the scheduler runs every 10 s, so 1,000 a run keeps up with far more
    /// mail than a helpdesk sends and catches up on an upgraded database's backlog within a day.
    static let sentTextBatch = 1000

    public func runDue() throws -> Report {
        let store = ingestor.store
        let config = ingestor.config
        let now = ingestor.clock.now()
        var report = Report()
        try store.transaction {
            if let before = config.helpdesk.autoCloseReminder {
                for number in try store.remindersDue((now - (config.helpdesk.autoCloseAfter.seconds - before.seconds)).iso8601) {
                    try store.audit(ticket: number, actor: "postdesk", action: "reminder", detail: "closes in \(before)", cause: nil, at: now.iso8601)
                    try ingestor.tellCustomer(.reminder, number, cause: nil)
                    report.reminded.append(number)
                }
            }
            for number in try store.resolvedBefore((now - config.helpdesk.autoCloseAfter.seconds).iso8601) {
                try store.setStatus(number, .closed, at: now.iso8601)
                try store.audit(ticket: number, actor: "postdesk", action: "status",
                                detail: "resolved → closed: no reply from the customer for \(config.helpdesk.autoCloseAfter)", cause: nil, at: now.iso8601)
                try ingestor.tellCustomer(.closed, number, cause: nil)
                report.closed.append(number)
            }
            // Reset codes live 15 minutes; their rows stay a day for the rate limit and the audit, then go.
            report.codesPurged = try store.purgeCodes(issuedBefore: now - 86_400)
            // Buckets untouched for two days are full again: the same as none.
            try store.purgeBuckets(before: now - 2 * 86_400)
        }
        // Sent mail older than keep_sent loses its text, a bounded batch per run in a write of its own (a busy
        // database only delays it to the next run); automatic mail older than a day leaves the caps' index.
        do {
            report.sentTextDropped = try store.dropSentText(sentBefore: now - config.outbound.keepSent.seconds, limit: Self.sentTextBatch)
            try store.uncountAutomaticMail(queuedBefore: now - Store.capsWindow)
        } catch {
            ingestor.log(.warning, "outbox: housekeeping (the text of mail sent over \(config.outbound.keepSent) ago, the caps' day) not done this time: \(error)")
        }
        for n in report.reminded { ingestor.log(.info, "ticket #\(n): reminder sent (closes in \(config.helpdesk.autoCloseReminder!))") }
        for n in report.closed { ingestor.log(.info, "ticket #\(n): closed automatically after \(config.helpdesk.autoCloseAfter) without a customer reply") }
        return report
    }
}
