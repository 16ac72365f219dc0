import PostdeskCore
import PostdeskCrypt
import PostdeskMail
import PostdeskStore

/// The fixed rules for accounts and one-time codes (README, "Accounts").
public enum AccountRules {
    /// A reset code works for 15 minutes,
    public static let codeLifetime: Int64 = 15 * 60
    /// for 5 wrong tries at most, and once.
    public static let maxAttempts = 5
    /// Codes asked for by mail: at most 3 per address and 10 per client per hour (the client's IP address from
    /// the operator's own Received field, else the sender's domain). Requests over a limit get no mail (they are
    /// logged and audited), so nobody can flood an address or the outbox with codes; there is no limit for
    /// everyone together, which one flood of forged requests would turn on for every customer.
    public static let codesPerAddressPerHour = 3
    public static let codesPerClientPerHour = 10
    /// Passwords: at least 8 characters (and at most 1,024, so a hash never takes unbounded time).
    public static let passwordLength = 8...1024
}

/// What became of a request for a reset code.
public enum ResetCodeOutcome: Sendable, Hashable, CustomStringConvertible {
    case mailed(expires: Int64)
    /// The mail was held back by the auto-reply rules (automatic mail, caps): no code is waiting.
    case notMailed(String)
    case rateLimited(String)
    /// The sender may not have a code (SenderPolicy): nothing is mailed and no customer record is made.
    case refused(String)
    case noAccount

    public var description: String {
        switch self {
        case .mailed: return "reset code mailed"
        case .notMailed(let why): return "reset code not mailed: \(why)"
        case .rateLimited(let why): return "reset code refused: \(why)"
        case .refused(let why): return "reset code refused: \(why)"
        case .noAccount: return "no such customer"
        }
    }
}

/// Accounts: welcome invitations confirmed by reply, password reset codes, passwords.
///
/// Nothing here reveals whether an address has an account: a code asked for by mail goes to the address that
/// asked (which, like any first mail, gets a customer record), and a wrong, used, expired or unknown code all
/// get the same answer.
extension Ingestor {
    public enum InviteOutcome: Sendable, Hashable {
        case sent(messageID: String)
        case alreadyConfirmed
        case notSent(String)
    }

    /// Creates the account if needed, sets its name and language, and queues the welcome mail. The customer
    /// confirms by replying to it (`confirmByReply`).
    public func invite(address: String, name: String?, language: String?) throws -> InviteOutcome {
        let now = clock.now().iso8601
        return try store.transaction {
            let id = try store.customer(address: address, name: name, at: now)
            try store.updateCustomer(id, name: name, language: language)
            if let account = try store.customerAccount(address: address), account.confirmedAt != nil { return .alreadyConfirmed }
            let result = try mailer.queue(.welcome, ticket: nil, to: .init(address: address, name: name), causeMessage: nil)
            switch result {
            case .queued(_, let messageID):
                try store.markInvited(id, at: now)
                try store.audit(ticket: nil, actor: "operator", action: "invite", detail: "welcome mail to \(address.lowercased())", cause: nil, at: now)
                return .sent(messageID: messageID)
            case .suppressed(let why):
                return .notSent(why)
            }
        }
    }

    /// A reset code for `address`, hashed into the database and mailed to the address: hashes the code itself,
    /// so call it outside any transaction (or make the code first with `PreparedCode.make`).
    public func issueResetCode(address: String, name: String?, requestedBy: String, mailbox: Configuration.Mailbox? = nil,
                               answering: MessageSummary? = nil, cause: Int64? = nil) throws -> ResetCodeOutcome {
        try issueResetCode(address: address, name: name, requestedBy: requestedBy, prepared: try PreparedCode.make(),
                           mailbox: mailbox, answering: answering, cause: cause)
    }

    /// A reset code already made and hashed (`prepared`), stored and mailed to `address`. By mail
    /// (`requestedBy` "mail") it is rate limited per address and per `client`, and the customer record is made
    /// only once a code is really issued; by the operator, only for an existing account.
    public func issueResetCode(address: String, name: String?, requestedBy: String, prepared: PreparedCode, client: String? = nil,
                               mailbox: Configuration.Mailbox? = nil, answering: MessageSummary? = nil, cause: Int64? = nil) throws -> ResetCodeOutcome {
        let now = clock.now()
        let a = address.lowercased()
        let id: Int64
        if requestedBy == "mail" {
            if let existing = try store.customerAccount(address: a),
               try store.codesIssued(customer: existing.id, since: now - 3600) >= AccountRules.codesPerAddressPerHour {
                return try refused("\(AccountRules.codesPerAddressPerHour) codes for \(a) in the last hour", a, now)
            }
            if let client, try store.codesIssued(client: client, since: now - 3600) >= AccountRules.codesPerClientPerHour {
                return try refused("\(AccountRules.codesPerClientPerHour) codes for requests from \(client) in the last hour", a, now)
            }
            id = try store.customer(address: a, name: name, at: now.iso8601)
        } else {
            guard let account = try store.customerAccount(address: a) else { return .noAccount }
            id = account.id
        }
        let code = prepared.code
        let expires = now + AccountRules.codeLifetime
        let result = try mailer.queue(
            .passwordReset, ticket: nil, mailbox: mailbox, to: .init(address: a, name: name),
            values: ["code": OneTimeCode.grouped(code), "expires_minutes": String(AccountRules.codeLifetime / 60),
                     "subject": answering?.subject ?? "password reset"],
            answering: answering, causeMessage: cause)
        guard case .queued = result else {
            if case .suppressed(let why) = result { return .notMailed(why) }
            return .notMailed("not queued")
        }
        try store.addCode(customer: id, hash: prepared.hash, requestedBy: requestedBy, now: now, expires: expires, client: client)
        try store.audit(ticket: nil, actor: requestedBy == "mail" ? a : "operator", action: "reset code",
                        detail: "for \(a), expires \(expires.iso8601)", cause: cause, at: now.iso8601)
        return .mailed(expires: expires)
    }

    private func refused(_ why: String, _ address: String, _ now: Int64) throws -> ResetCodeOutcome {
        try store.audit(ticket: nil, actor: address, action: "reset code refused", detail: why, cause: nil, at: now.iso8601)
        log(.warning, "password reset for \(address) refused: \(why)")
        return .rateLimited(why)
    }

    public enum RedeemOutcome: Sendable, Hashable {
        case passwordSet
        /// Wrong, used, expired, out of attempts, or no such account: one answer for all of them.
        case refused
    }

    /// Sets a new password with a reset code. A wrong code uses up one of its attempts; the right one is
    /// spent, confirms the account (the code proves the address) and stores the password's yescrypt hash.
    public func redeemResetCode(address: String, code typed: String, newPassword: String) throws -> RedeemOutcome {
        let now = clock.now()
        let a = address.lowercased()
        let hash = try PasswordHash.make(newPassword)  // before the transaction: 15 ms of work holds no lock
        return try store.transaction {
            guard let account = try store.customerAccount(address: a),
                  let live = try store.liveCode(customer: account.id, now: now, maxAttempts: AccountRules.maxAttempts)
            else { return .refused }
            guard let code = OneTimeCode.normalized(typed), PasswordHash.verify(code, against: live.hash) else {
                try store.codeAttemptFailed(live.id)
                try store.audit(ticket: nil, actor: a, action: "reset code", detail: "wrong code (attempt \(live.attempts + 1) of \(AccountRules.maxAttempts))",
                                cause: nil, at: now.iso8601)
                return .refused
            }
            try store.codeUsed(live.id, now: now)
            try store.setPasswordHash(account.id, hash: hash, at: now.iso8601)
            try store.confirmCustomer(account.id, at: now.iso8601)
            try store.audit(ticket: nil, actor: a, action: "password", detail: "set with a reset code", cause: nil, at: now.iso8601)
            return .passwordSet
        }
    }

    /// Whether `password` is the customer's (false when no password is set).
    public func checkPassword(address: String, password: String) throws -> Bool {
        guard let account = try store.customerAccount(address: address), account.hasPassword,
              let stored = try store.passwordHash(account.id) else { return false }
        return PasswordHash.verify(password, against: stored)
    }

    // MARK: - By mail

    /// Whether a reply to the welcome mail sent to `invited` confirms the account: it is not automatic and comes
    /// from the invited address.
    func welcomeReplyConfirms(_ plan: IngestPlan, invited: String) -> Bool {
        plan.summary.automatic == nil && plan.sender?.address.lowercased() == invited.lowercased()
    }

    /// A reply to the welcome mail sent to `invited`: confirms the account when `welcomeReplyConfirms`. It never
    /// opens a ticket either way.
    func confirmByReply(_ plan: IngestPlan, invited: String, mailbox: Configuration.Mailbox, split: ReplyText.Split, rawPath: String,
                        at: String) throws -> Applied {
        let summary = plan.summary
        let row = try recordInbound(plan, ticket: nil, visibility: "internal", kind: "mail", text: split.new, quoted: split.quoted,
                                    rawPath: rawPath, at: at)
        let from = plan.sender?.address.lowercased() ?? ""
        var outcome: String
        if let automatic = summary.automatic {
            outcome = "reply to the welcome mail for \(invited) not counted: automatic (\(automatic))"
        } else if !welcomeReplyConfirms(plan, invited: invited) {
            outcome = "reply to the welcome mail for \(invited) not counted: it came from \(from)"
        } else if let account = try store.customerAccount(address: from) {
            outcome = try store.confirmCustomer(account.id, at: at) ? "account \(from) confirmed" : "account \(from) was already confirmed"
            try store.audit(ticket: nil, actor: from, action: "confirm", detail: outcome, cause: row, at: at)
        } else {
            outcome = "reply to the welcome mail for \(invited): no such account any more"
        }
        log(.info, "\(outcome) <\(summary.messageID ?? "?")>")
        return Applied(.account(outcome), ticket: nil, message: row)
    }

    /// A mail whose subject asks for a password reset: a code goes back to the sender when `SenderPolicy`
    /// allows it and the limits (per address, per client) are not reached. No ticket; a refused request makes no
    /// customer record and gets no answer.
    func resetCodeByMail(_ plan: IngestPlan, sender: MailAddress, mailbox: Configuration.Mailbox, split: ReplyText.Split,
                         rawPath: String, at: String) throws -> Applied {
        let summary = plan.summary
        let row = try recordInbound(plan, ticket: nil, visibility: "internal", kind: "mail", text: split.new, quoted: split.quoted,
                                    rawPath: rawPath, at: at)
        let address = sender.address.lowercased()
        let result: ResetCodeOutcome
        let may = plan.may(.resetCode)
        if !may.allowed {
            result = .refused(may.why)
            try store.audit(ticket: nil, actor: address, action: "reset code refused", detail: may.why, cause: row, at: at)
        } else if let prepared = plan.resetCode {
            let domain = address.split(separator: "@").last.map(String.init) ?? address
            let client = plan.auth.clientIP.map { "ip:" + $0 } ?? "domain:" + domain
            result = try issueResetCode(address: address, name: sender.name, requestedBy: "mail", prepared: prepared, client: client,
                                        mailbox: mailbox, answering: summary, cause: row)
        } else {
            // Only when the prepare phase did not see the request (it makes a code for every one it may answer).
            result = .refused("no code was prepared for this mail")
        }
        let outcome = "password reset for \(address): \(result)"
        log(.info, "\(outcome) <\(summary.messageID ?? "?")>")
        return Applied(.account(outcome), ticket: nil, message: row)
    }
}
