import PostdeskCore
import PostdeskMail
import PostdeskStore
import PostdeskSystem

/// Writes Postdesk's mail: picks the template and language, fills it in, composes the message with its
/// threading and loop-prevention headers, applies the auto-reply rules, and queues it in the outbox.
///
/// Every method runs inside the caller's transaction: the mail is queued together with the change that
/// causes it, or not at all.
public final class Mailer: @unchecked Sendable {
    public internal(set) var config: Configuration
    public let store: Store
    public let clock: any Clock
    public let templates: TemplateSet
    public let policy: AutoReplyPolicy
    public var log: (LogLevel, String) -> Void
    private var zones: [String: TimeZoneRules] = [:]

    public init(config: Configuration, store: Store, templates: TemplateSet, clock: any Clock,
                log: @escaping (LogLevel, String) -> Void = { _, _ in }) {
        self.config = config
        self.store = store
        self.templates = templates
        self.clock = clock
        self.log = log
        policy = AutoReplyPolicy(
            ownAddresses: Set(config.mailboxes.map { $0.address }), perHour: config.outbound.maxAutoRepliesPerHour,
            perDay: config.outbound.maxAutoRepliesPerDay)
    }

    /// Someone a mail goes to.
    public struct Recipient: Sendable, Hashable {
        public var address: String
        public var name: String?
        public var isAgent: Bool
        public init(address: String, name: String? = nil, isAgent: Bool = false) {
            self.address = address; self.name = name; self.isAgent = isAgent
        }
    }

    /// What became of a mail: queued with its outbox id and Message-ID, or suppressed with the reason.
    public enum Result: Sendable, Hashable {
        case queued(id: Int64, messageID: String)
        case suppressed(String)
    }

    /// Queues one templated mail about `ticket` to `to`. `answering` is the inbound mail it answers (its
    /// language and threading are used, and automatic mail is never answered automatically).
    @discardableResult
    public func queue(
        _ kind: TemplateKind, ticket number: Int64?, mailbox queueMailbox: Configuration.Mailbox? = nil, fromName: String? = nil,
        to recipient: Recipient, values extra: [String: String] = [:],
        answering: MessageSummary? = nil, causeMessage: Int64? = nil, attachments: [OutgoingMessage.Attachment] = []
    ) throws -> Result {
        try queue(kind, ticket: number, mailbox: queueMailbox, fromName: fromName, to: [recipient], values: extra,
                  answering: answering, causeMessage: causeMessage, attachments: attachments)[0]
    }

    /// Queues the same templated mail to each of `recipients`, one outbox entry each. The ticket is read once,
    /// and agents who would get the same text (an agents' notice: the helpdesk's language and time zone) share
    /// one rendering, one composition and one Message-ID, each a copy under their own To: a notice to a team of
    /// 20 costs little more than a notice to one agent. Customers' mail is each their own, with its own Message-ID.
    @discardableResult
    public func queue(
        _ kind: TemplateKind, ticket number: Int64?, mailbox queueMailbox: Configuration.Mailbox? = nil, fromName: String? = nil,
        to recipients: [Recipient], values extra: [String: String] = [:],
        answering: MessageSummary? = nil, causeMessage: Int64? = nil, attachments: [OutgoingMessage.Attachment] = []
    ) throws -> [Result] {
        guard !recipients.isEmpty else { return [] }
        let now = clock.now()
        var context: Store.MailContext?
        if let number {
            guard let t = try store.mailContext(ticket: number) else { return recipients.map { _ in .suppressed("no ticket #\(number)") } }
            context = t
        }
        let automatic = kind.autoSubmitted != nil
        var agentsThread: [String]?
        var shared: (key: DraftKey, draft: Draft)?
        var results: [Result] = []
        for recipient in recipients {
            let address = recipient.address.lowercased()
            let ticket: Store.MailContext
            if let context {
                ticket = context
            } else {
                // Mail about no ticket (a status summary): the recipient's own settings.
                let settings = try store.customerSettings(address: recipient.address)
                ticket = Store.MailContext(
                    number: 0, subject: answering?.subject ?? "", queue: queueMailbox?.name ?? config.mailboxes[0].name, status: "",
                    created: now.iso8601, requester: address, requesterName: recipient.name ?? settings?.name,
                    customerLanguage: settings?.language, customerTimezone: settings?.timezone, ticketLanguage: nil,
                    assigneeAddress: nil, assigneeName: nil, participants: [])
            }
            let mailbox = config.mailboxes.first { $0.name == ticket.queue } ?? queueMailbox ?? config.mailboxes[0]

            if automatic {
                // Agents' notices are never capped: their counts are not read (one query less per notice and agent).
                let counts = recipient.isAgent ? (recent: 0, since: 0)
                    : try store.automaticMailCounts(to: address, recent: now - 3600, since: now - 86_400)
                let input = AutoReplyPolicy.Input(
                    recipient: address, answersAutomaticMail: answering?.automatic?.description, toAgent: recipient.isAgent,
                    sentLastHour: counts.recent, sentLastDay: counts.since)
                if let reason = policy.suppressionReason(input) {
                    try store.recordSuppressed(ticket: number, kind: kind.rawValue, recipient: address, reason: reason, causeMessage: causeMessage, now: now)
                    log(.notice, "\(number.map { "ticket #\($0)" } ?? "no ticket"): \(kind.rawValue) to \(address) not sent: \(reason)")
                    results.append(.suppressed(reason))
                    continue
                }
            }

            // Language and time zone: the agent's are the helpdesk's; the customer's come from their account,
            // then from the mail they wrote, then from the mailbox and the helpdesk.
            let isRequester = address == ticket.requester.lowercased()
            let language = recipient.isAgent
                ? config.helpdesk.language
                : customerLanguage(account: isRequester ? (ticket.customerLanguage ?? ticket.ticketLanguage) : nil,
                                   answering: answering, mailbox: mailbox)
            let zoneName = (isRequester ? ticket.customerTimezone : nil) ?? config.helpdesk.timezone
            // Fixed words (durations, statuses, dates) in the language the template is written in.
            let chosen = templates.template(kind, language: language)
            let customerName = recipient.isAgent ? (recipient.name ?? "") : (recipient.name ?? (isRequester ? ticket.requesterName : nil) ?? "")
            // Agents with the same words share a draft; a customer's threading is their own, so never theirs.
            let key = DraftKey(
                language: chosen.language, zone: zoneName,
                name: chosen.template.names["customer_name"] == nil ? nil : customerName,
                only: recipient.isAgent ? nil : address)
            let draft: Draft
            if let shared, shared.key == key {
                draft = shared.draft
            } else {
                let zone = self.zone(zoneName)
                let pack = LanguagePack.named(chosen.language)
                var values: [String: String] = [
                    "helpdesk_name": config.helpdesk.name, "queue_address": mailbox.address, "ticket_number": number.map(String.init) ?? "",
                    "ticket_tag": number.map { "[\(mailbox.tag) #\($0)]" } ?? "", "subject": ticket.subject,
                    "customer_name": customerName,
                    "queue": ticket.queue, "requester": ticket.requester, "requester_name": ticket.requesterName ?? "",
                    "turnaround": pack.duration(mailbox.turnaround), "received_at": localTime(now, zone: zone, pack: pack),
                    "status": pack.statuses[TicketStatus(rawValue: ticket.status) ?? .open] ?? ticket.status,
                    "agent_name": ticket.assigneeName ?? "",
                    "due": ticket.due.flatMap { pack.day(calendarDate: $0) } ?? "",
                    // The ticket's page in the customer portal, for customers (agents work by mail).
                    "portal_link": recipient.isAgent ? "" : number.flatMap { n in config.portal.url.map { "\($0)/tickets/\(n)" } } ?? "",
                ]
                for (k, v) in extra { values[k] = v }
                if values["close_at"] == nil, kind == .resolved || kind == .reminder {
                    values["close_at"] = localTime(now + config.helpdesk.autoCloseAfter.seconds, zone: zone, pack: pack)
                    values["close_after"] = pack.duration(config.helpdesk.autoCloseAfter)
                }
                let rendered = chosen.template.render(values)

                // Threading: answer the inbound mail when there is one, else the ticket's thread; the thread's first
                // message stays first in References (Gmail and Thunderbird thread by it). Agents thread on the whole
                // ticket; a customer only on what they saw (no stranger's Message-ID leaks).
                let thread: [String]
                if let number, recipient.isAgent {
                    if agentsThread == nil { agentsThread = try store.threadMessageIDs(number) }
                    thread = agentsThread ?? []
                } else {
                    thread = try number.map { try store.threadMessageIDs($0, seenBy: address) } ?? []
                }
                var references = thread.count > 20 ? [thread[0]] + thread.suffix(19) : thread
                var inReplyTo = thread.last
                if let answered = answering?.messageID {
                    inReplyTo = answered
                    references.removeAll { $0 == answered }
                    references.append(answered)
                }

                let created = DateParser.parse(ticket.created).date?.secondsSinceEpoch ?? now
                let domain = mailbox.address.split(separator: "@").last.map(String.init) ?? "postdesk.invalid"
                var message = OutgoingMessage(
                    from: MailAddress(name: fromName ?? config.helpdesk.name, address: mailbox.address),
                    to: [MailAddress(name: recipient.name, address: recipient.address)], subject: rendered.subject,
                    messageID: Self.newMessageID(ticket: number, domain: domain),
                    date: MailDate(secondsSinceEpoch: now, utcOffsetSeconds: zone.localTime(at: now).offset), text: rendered.text)
                message.replyTo = MailAddress(name: config.helpdesk.name, address: mailbox.address)
                message.inReplyTo = inReplyTo
                message.references = references
                message.threadTopic = ticket.subject
                if let parent = answering?.threadIndex, parent.count >= 30 {
                    message.threadIndex = MessageComposer.threadIndexChild(parent: parent, parentSeconds: answering?.date?.secondsSinceEpoch ?? created, seconds: now)
                } else {
                    let root = MessageComposer.threadIndexRoot(seconds: created, identity: "ticket-\(number ?? 0)@\(domain)")
                    message.threadIndex = MessageComposer.threadIndexChild(
                        parent: root, parentSeconds: created, seconds: now, counter: UInt8(truncatingIfNeeded: thread.count))
                }
                message.autoSubmitted = kind.autoSubmitted
                message.language = chosen.language
                message.html = Self.simpleHTML(rendered.text)
                message.attachments = attachments
                message.extraHeaders = [
                    (AutomaticVerdict.loopHeader, mailbox.address),
                    ("X-Postdesk-Kind", kind.rawValue),
                ]
                if let number { message.extraHeaders.append(("X-Postdesk-Ticket", String(number))) }
                draft = Draft(subject: rendered.subject, text: rendered.text, language: chosen.language,
                              messageID: message.messageID, composed: MessageComposer.Prepared(message))
                shared = (key, draft)
            }

            // The team's copies are one message to many recipients, so they share its Message-ID, as a mail with
            // several addressees or a mailing list's copies do: one ID to record, and a reply to any copy finds it.
            let messageID = draft.messageID
            let raw: [UInt8]
            let firstCopy = !draft.used
            if firstCopy {
                raw = draft.composed.bytes
                draft.used = true
            } else {
                raw = draft.composed.copy(to: [MailAddress(name: recipient.name, address: recipient.address)])
            }
            let id = try store.enqueue(Store.NewOutboxEntry(
                ticket: number, kind: kind.rawValue, recipient: address, envelopeFrom: mailbox.address, messageID: messageID,
                automatic: automatic, language: draft.language, raw: raw, causeMessage: causeMessage,
                countsTowardCaps: automatic && !recipient.isAgent), now: now)
            results.append(.queued(id: id, messageID: messageID))
            // The thread keeps what was said to customers. Agents' notices only repeat the thread to an agent: their
            // Message-ID is recorded once (so that an agent's reply finds the ticket) and their text stays in the
            // outbox until keep_sent, which keeps a large team from multiplying the database by its size.
            guard let number else { continue }
            if recipient.isAgent {
                if firstCopy { try store.addMessageID(messageID, ticket: number) }
                continue
            }
            _ = try store.addMessage(Store.NewMessage(
                ticket: number, direction: "out", visibility: "public",
                kind: automatic ? "automatic" : "mail", authorAddress: mailbox.address, authorName: fromName ?? config.helpdesk.name,
                messageID: messageID, date: now.iso8601, subject: draft.subject, text: draft.text, quoted: nil, html: nil,
                rawPath: nil, automatic: kind.autoSubmitted.map { "\(kind.rawValue) (\($0))" }, routing: "to \(address)"), at: now.iso8601)
        }
        return results
    }

    /// What makes two recipients' mail the same text: agents in one language and time zone (and name, when the
    /// template greets by name). A customer's draft is their own (`only` is their address; nil for agents).
    private struct DraftKey: Hashable {
        var language: String
        var zone: String
        var name: String?
        var only: String?
    }

    /// One rendered and composed mail, and whether its first copy (composed as it is) has been handed out.
    private final class Draft {
        let subject: String, text: String, language: String, messageID: String
        let composed: MessageComposer.Prepared
        var used = false
        init(subject: String, text: String, language: String, messageID: String, composed: MessageComposer.Prepared) {
            self.subject = subject; self.text = text; self.language = language
            self.messageID = messageID; self.composed = composed
        }
    }

    static func newMessageID(ticket number: Int64?, domain: String) -> String {
        var random = SystemRandomNumberGenerator()
        let token = (0..<2).map { _ in String(random.next() as UInt64, radix: 36) }.joined(separator: ".")
        return "pd.\(number ?? 0).\(token)@\(domain)"
    }

    // MARK: - Helpers

    /// A customer's language: their account's, else the mail they wrote (Content-Language, Accept-Language),
    /// else the mailbox's, else the helpdesk's.
    public func customerLanguage(account: String?, answering: MessageSummary?, mailbox: Configuration.Mailbox) -> String {
        LanguagePack.choose(account: account, contentLanguage: answering?.contentLanguage, acceptLanguage: answering?.acceptLanguage,
                            mailbox: mailbox.language, helpdesk: config.helpdesk.language)
    }

    func zone(_ name: String?) -> TimeZoneRules {
        let n = name ?? config.helpdesk.timezone
        if let z = zones[n] { return z }
        let z: TimeZoneRules
        do { z = try TimeZoneRules.load(n) } catch {
            log(.warning, "time zone \(n): \(error); using UTC")
            z = .utc
        }
        zones[n] = z
        return z
    }

    func localTime(_ secs: Int64, zone: TimeZoneRules, pack: LanguagePack) -> String {
        let t = zone.localTime(at: secs)
        return pack.dateTime(secs, offset: t.offset, zone: t.abbreviation.isEmpty ? nil : t.abbreviation)
    }

    /// The HTML alternative: the same text, escaped, paragraphs kept, links made clickable.
    static func simpleHTML(_ text: String) -> String {
        var out = "<!DOCTYPE html><html><body><div style=\"font-family: sans-serif; font-size: 14px\">\n"
        for paragraph in text.components(separatedByBlankLines: ()) {
            let lines = paragraph.split(separator: "\n", omittingEmptySubsequences: false).map { linkified(escape(String($0))) }
            out += "<p>" + lines.joined(separator: "<br>\n") + "</p>\n"
        }
        return out + "</div></body></html>\n"
    }

    static func escape(_ s: String) -> String {
        // Most lines hold nothing to escape: return them as they are instead of rebuilding them character by character.
        guard s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 }) else { return s }
        var o = ""
        for c in s {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            default: o.append(c)
            }
        }
        return o
    }

    /// Makes http(s) URLs in already escaped text into links.
    static func linkified(_ s: String) -> String {
        guard s.contains("http://") || s.contains("https://") else { return s }
        var out = ""
        for (i, word) in s.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            if i > 0 { out += " " }
            if word.hasPrefix("http://") || word.hasPrefix("https://") {
                var url = Substring(word)
                var tail = ""
                while let last = url.last, ".,;:!?)".contains(last) { tail = String(last) + tail; url.removeLast() }
                out += "<a href=\"\(url)\">\(url)</a>\(tail)"
            } else {
                out += word
            }
        }
        return out
    }
}

extension String {
    /// Paragraphs: runs of lines separated by blank lines.
    func components(separatedByBlankLines _: Void) -> [String] {
        var paragraphs: [String] = []
        var current: [Substring] = []
        for line in split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) {
                if !current.isEmpty { paragraphs.append(current.joined(separator: "\n")); current = [] }
            } else {
                current.append(line)
            }
        }
        if !current.isEmpty { paragraphs.append(current.joined(separator: "\n")) }
        return paragraphs
    }
}
