import PostdeskCore
import PostdeskMail
import PostdeskStore

/// A request the ticket's rules refuse (no such ticket or agent, a closed ticket): nothing was changed.
public struct OperatorRefusal: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What an operator's action did: the changes, and the mail it queued (the daemon sends it).
public struct OperatorReport: Sendable {
    public var number: Int64
    public var changes: [String] = []
    public var mail: [Store.QueuedMail] = []
}

/// Acting as an agent from the shell (`postdesk tickets assign|status|reply`): the same changes, audit entries
/// and mail as the agent's commands by mail (`#assign`, `#status`, an answer, `#internal`), through the same
/// functions. Each call is one transaction; the audit log names `operator`, or the agent given with `--as`.
extension Ingestor {
    /// `#assign AGENT`: the ticket goes to the agent (a new one becomes open) and the customer is told.
    public func operatorAssign(_ number: Int64, to who: String, as actingAgent: String? = nil) throws -> OperatorReport {
        try operatorAction(number) { report, at in
            let speaker = try speaker(actingAgent, number: number)
            guard let agent = try store.agent(matching: who) else { throw OperatorRefusal(unknownAgent(who)) }
            let before = try facts(number)?.status
            try applyAssignment(number, to: agent, actor: speaker.actor, cause: nil, at: at)
            report.changes.append("assigned to \(agent.name) <\(agent.address)>")
            if before == .new { report.changes.append("status new → open") }
            try tellCustomer(.assigned, number, cause: nil)
        }
    }

    /// `#status STATUS`: closed tickets are final; resolved and closed tell the customer.
    public func operatorSetStatus(_ number: Int64, _ status: TicketStatus, as actingAgent: String? = nil) throws -> OperatorReport {
        try operatorAction(number) { report, at in
            let speaker = try speaker(actingAgent, number: number)
            guard status != .new else {
                throw OperatorRefusal("a ticket cannot be set back to new; use open, pending, resolved or closed")
            }
            if let facts = try self.facts(number), let refusal = statusRefusal(number, from: facts.status, to: status) {
                throw OperatorRefusal(refusal)
            }
            guard let change = try applyStatus(number, status, actor: speaker.actor, cause: nil, at: at) else {
                report.changes.append("already \(status.rawValue): nothing changed")
                return
            }
            report.changes.append("status \(change.before?.rawValue ?? "?") → \(status.rawValue)")
            if let notice = change.notice { try tellCustomer(notice, number, cause: nil) }
        }
    }

    /// An answer relayed to the requester and the Cc participants, signed by the agent given with `--as`, else
    /// the assignee, else the helpdesk; or (`internal`) a note the other agents are told of (the assignee, else
    /// the queue's agents; signed by the `--as` agent, else the helpdesk).
    public func operatorReply(_ number: Int64, text: String, internal isInternal: Bool, as actingAgent: String? = nil) throws -> OperatorReport {
        let body = text.trimmingWhitespaceAndNewlines
        guard !body.isEmpty else { throw OperatorRefusal("the text is empty: nothing to send") }
        return try operatorAction(number) { report, at in
            // An operator's internal note is the helpdesk's, so that the assignee hears of it too.
            let speaker = isInternal && actingAgent == nil
                ? Speaker(name: config.helpdesk.name, address: nil, actor: "operator") : try speaker(actingAgent, number: number)
            guard let ticket = try store.mailContext(ticket: number) else { throw OperatorRefusal("there is no ticket #\(number)") }
            let row = try store.addMessage(Store.NewMessage(
                ticket: number, direction: "in", visibility: isInternal ? "internal" : "public", kind: "note",
                authorAddress: speaker.address, authorName: speaker.name, messageID: nil, date: at, subject: nil, text: body,
                quoted: nil, html: nil, rawPath: nil, automatic: nil, routing: "written with postdesk tickets reply by \(speaker.actor)"), at: at)
            try store.index(message: row, subject: ticket.subject, body: body, references: "", requester: "")
            try store.touch(number, customerReply: false, at: at)
            if isInternal {
                let mailbox = config.mailboxes.first { $0.name == ticket.queue } ?? config.mailboxes[0]
                try store.audit(ticket: number, actor: speaker.actor, action: "internal note", detail: nil, cause: row, at: at)
                try noticeOfInternalNote(body, on: number, from: speaker, mailbox: mailbox, answering: nil, cause: row)
                report.changes.append("internal note by \(speaker.name) added")
            } else {
                try relay(body, on: number, from: speaker, attachments: [], cause: row)
                report.changes.append("answer by \(speaker.name) relayed")
            }
        }
    }

    // MARK: - Helpers

    /// Runs one action on an existing ticket in one transaction and collects the mail it queued.
    private func operatorAction(_ number: Int64, _ body: (inout OperatorReport, String) throws -> Void) throws -> OperatorReport {
        try refreshAgents()
        return try store.transaction {
            guard try facts(number) != nil else { throw OperatorRefusal("there is no ticket #\(number)") }
            var report = OperatorReport(number: number)
            let firstMail = try store.lastOutboxID()
            try body(&report, clock.now().iso8601)
            report.mail = try store.outbox(after: firstMail)
            return report
        }
    }

    /// Who acts: the agent named with `--as` (the audit log names their address), else the operator, who signs
    /// answers with the assignee's name, else the helpdesk's.
    private func speaker(_ actingAgent: String?, number: Int64) throws -> Speaker {
        if let actingAgent {
            guard let agent = try store.agent(matching: actingAgent) else { throw OperatorRefusal(unknownAgent(actingAgent)) }
            return Speaker(name: agent.name, address: agent.address, actor: agent.address)
        }
        if let ticket = try store.mailContext(ticket: number), let address = ticket.assigneeAddress {
            return Speaker(name: ticket.assigneeName ?? address, address: address, actor: "operator")
        }
        return Speaker(name: config.helpdesk.name, address: nil, actor: "operator")
    }
}
