/// Whether an automatic mail may go out: the rules that keep Postdesk out of mail loops and floods.
///
/// Pure: the caller supplies the counts of automatic mail already sent to the recipient. A relayed agent
/// reply is written by a person and is not automatic; it is never suppressed here.
public struct AutoReplyPolicy: Sendable, Hashable {
    /// Postdesk's own addresses (every mailbox), lower-cased.
    public var ownAddresses: Set<String>
    public var perHour: Int
    public var perDay: Int

    public init(ownAddresses: Set<String>, perHour: Int = 5, perDay: Int = 20) {
        self.ownAddresses = Set(ownAddresses.map { $0.lowercased() })
        self.perHour = perHour
        self.perDay = perDay
    }

    public struct Input: Sendable, Hashable {
        public var recipient: String
        /// The mail being answered is automatic: the parser's verdict, nil for mail from a person.
        public var answersAutomaticMail: String?
        /// Whether the recipient is an agent (agents' notices are not capped: a busy day must not silence them).
        public var toAgent: Bool
        public var sentLastHour: Int
        public var sentLastDay: Int

        public init(recipient: String, answersAutomaticMail: String? = nil, toAgent: Bool = false, sentLastHour: Int = 0, sentLastDay: Int = 0) {
            self.recipient = recipient
            self.answersAutomaticMail = answersAutomaticMail
            self.toAgent = toAgent
            self.sentLastHour = sentLastHour
            self.sentLastDay = sentLastDay
        }
    }

    /// Local parts that belong to software, not people: answering them starts loops or feeds bounces.
    static let systemLocalParts: Set<String> = [
        "mailer-daemon", "postmaster", "noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply",
        "bounce", "bounces", "listserv", "majordomo", "mailman", "autoresponder", "auto-reply", "root", "daemon", "nobody",
    ]

    /// nil when the mail may go; else why it is suppressed (for the log and the outbox record).
    public func suppressionReason(_ input: Input) -> String? {
        let recipient = input.recipient.lowercased()
        if let why = input.answersAutomaticMail {
            return "never answer automatic mail (\(why))"
        }
        guard let at = recipient.lastIndex(of: "@") else { return "\"\(input.recipient)\" is not an address" }
        let local = String(recipient[..<at])
        // Our own plus forms (support+42@acme.test) are ours too.
        if Router.isOwn(recipient, ownAddresses) { return "\(recipient) is Postdesk's own address" }
        let bare = local.firstIndex(of: "+").map { String(local[..<$0]) } ?? local
        if Self.systemLocalParts.contains(bare) || bare.hasPrefix("owner-") || bare.hasSuffix("-request")
            || bare.hasSuffix("-bounces") || bare.hasPrefix("bounce-") || bare.hasPrefix("noreply") || bare.hasPrefix("no-reply")
        {
            return "\(recipient) is a system address (mail software, not a person)"
        }
        if !input.toAgent {
            if input.sentLastHour >= perHour {
                return "rate cap: \(input.sentLastHour) automatic mails to \(recipient) in the last hour (max_auto_replies_per_hour = \(perHour))"
            }
            if input.sentLastDay >= perDay {
                return "rate cap: \(input.sentLastDay) automatic mails to \(recipient) in the last day (max_auto_replies_per_day = \(perDay))"
            }
        }
        return nil
    }
}
