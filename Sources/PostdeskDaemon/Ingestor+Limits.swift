import PostdeskCore
import PostdeskMail
import PostdeskStore

/// Inbound limits: token buckets per sender and for everyone, kept in the database (so `run --once` from cron
/// and restarts see the same buckets). Mail over a limit is never lost: it is recorded on a held ticket (one
/// per sender, or one for a storm from many senders) and answered with nothing, no confirmation, no notice.
/// A reply to an existing ticket over the limit is added to its ticket as usual, but unanswered.
extension Ingestor {
    /// Why this mail is over an inbound limit, and whether the global one; nil when it is within them. Takes a
    /// token from both buckets when it is within them; over the sender's limit, the global bucket is left
    /// alone (one flooding sender does not starve everyone else).
    func inboundLimit(_ plan: IngestPlan) throws -> (reason: String, global: Bool)? {
        guard plan.agent?.verified != true, plan.summary.automatic?.kind != .bounce,
              let sender = plan.sender?.address.lowercased() else { return nil }
        // Judged by arrival time (never later than now): mail that waited in new/ during downtime came at its pace.
        let now = min(clock.now(), plan.arrival ?? clock.now())
        let limits = config.limits
        // Mail the MTA did not verify has a bucket of its own, so a flood forged in a customer's name does not hold
        // back the customer's own (verified) mail.
        let key = (plan.standing.auth == .verified ? "sender:" : "sender-unverified:") + sender
        var mine = try refilled(key, burst: limits.senderBurst, rate: limits.senderRate, now: now)
        var all = try refilled("*", burst: limits.globalBurst, rate: limits.globalRate, now: now)
        if mine.tokens < 1 {
            try store.setBucket(key, mine)
            return ("\(sender) sent more than sender_burst = \(limits.senderBurst), then sender_rate = \(limits.senderRate)", false)
        }
        if all.tokens < 1 {
            try store.setBucket(key, mine)
            try store.setBucket("*", all)
            return ("all senders together sent more than global_burst = \(limits.globalBurst), then global_rate = \(limits.globalRate)", true)
        }
        mine.tokens -= 1
        all.tokens -= 1
        try store.setBucket(key, mine)
        try store.setBucket("*", all)
        return nil
    }

    private func refilled(_ key: String, burst: Int, rate: Configuration.Rate, now: Int64) throws -> Store.Bucket {
        guard var b = try store.bucket(key) else { return Store.Bucket(tokens: Double(burst), updated: now) }
        let elapsed = Double(max(0, now - b.updated))
        b.tokens = min(Double(burst), b.tokens + elapsed * rate.perSecond)
        b.updated = max(b.updated, now)  // arrival times may step back a little; never refill twice
        return b
    }

    /// Records a mail over a limit on the open held ticket of its sender (or of the storm), made if needed.
    func hold(_ plan: IngestPlan, reason: String, global: Bool, mailbox: Configuration.Mailbox, split: ReplyText.Split,
              rawPath: String, at: String) throws -> Applied {
        let summary = plan.summary
        let sender = plan.sender?.address.lowercased() ?? "?"
        let requester = global
            ? try store.customer(address: mailbox.address, name: "Inbound mail storm", at: at)
            : try store.customer(address: sender, name: plan.sender?.name, at: at)
        let number: Int64
        if let open = try store.openHeldTicket(requester: requester) {
            number = open
        } else {
            number = try store.createTicket(
                subject: global ? "Held: mail storm over the global inbound limit" : "Held: mail from \(sender) over the inbound limit",
                queue: mailbox.name, requester: requester, followUpOf: nil, reference: nil, language: nil, origin: plan.origin.rawValue, at: at)
            try store.setType(number, "held", at: at)
            try store.audit(ticket: number, actor: "postdesk", action: "held", detail: reason, cause: nil, at: at)
            log(.warning, "ticket #\(number): inbound limit: \(reason); further mail is held on this ticket, unanswered, until it is closed")
        }
        let row = try recordInbound(plan, ticket: number, visibility: "internal", kind: summary.automatic == nil ? "mail" : "automatic",
                                    text: split.new, quoted: split.quoted, rawPath: rawPath, at: at)
        let outcome = IngestOutcome.held(number)
        return Applied(outcome, ledger: "\(outcome): \(reason)", ticket: number, message: row)
    }
}
