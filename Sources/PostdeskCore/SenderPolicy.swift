/// Who may do what on tickets by mail, from what the MTA said about the sender and the `customer_auth` policy:
/// the one rule the ingest path (routing, `#close`, status summaries, reset codes) and `explain` ask, and the
/// portal will.
///
/// - A **failed** sender (DMARC fail, or an aligned DKIM/SPF fail) is a stranger under every policy but
///   `from`: its mail opens a ticket of its own, brings nobody along, runs no command and gets no automatic
///   answer (which would be backscatter to the real owner of the address).
/// - An **unverified** sender may write on a ticket it threads into; the privileged acts need what the policy
///   asks: `verified` a verified sender, `confirmed` a verified sender or a confirmed account, `from` nothing.
public enum SenderPolicy {
    /// The acts that reach beyond the sender's own words.
    public enum Act: Sendable, Hashable, CaseIterable {
        case bringPeople, close, statusSummary, resetCode
    }

    /// The sender as the rule sees it.
    public struct Standing: Sendable, Hashable {
        public var auth: SenderAuthentication.Result
        /// Whether the address has an account confirmed by a reply to its welcome mail or a reset code.
        public var confirmedAccount: Bool
        public init(auth: SenderAuthentication.Result, confirmedAccount: Bool = false) {
            self.auth = auth
            self.confirmedAccount = confirmedAccount
        }
    }

    /// Whether the mail is a stranger's: its own ticket, nobody along, no command, no automatic answer.
    public static func isStranger(_ auth: SenderAuthentication.Result, policy: Configuration.CustomerAuth) -> Bool {
        auth == .failed && policy != .from
    }

    /// Whether the sender may do `act`, and why (or why not), in words for the notice, the log and `explain`.
    public static func may(_ act: Act, _ sender: Standing, policy: Configuration.CustomerAuth) -> (allowed: Bool, why: String) {
        switch (policy, sender.auth) {
        case (.from, _):
            return (true, "customer_auth = from trusts the From address")
        case (_, .verified):
            return (true, "the sender is verified")
        case (_, .failed):
            return (false, "the sender failed authentication, so it may not \(act.phrase)")
        case (.confirmed, .unverified) where sender.confirmedAccount:
            return (true, "the sender's account is confirmed (customer_auth = confirmed)")
        case (.confirmed, .unverified):
            return (false, "the sender is not verified and has no confirmed account (customer_auth = confirmed), so it may not \(act.phrase)")
        case (.verified, .unverified):
            return (false, "the sender is not verified (customer_auth = verified), so it may not \(act.phrase)")
        }
    }
}

extension SenderPolicy.Act {
    var phrase: String {
        switch self {
        case .bringPeople: return "bring the people in To/Cc onto a ticket"
        case .close: return "close a ticket with #close"
        case .statusSummary: return "have a status summary"
        case .resetCode: return "have a password reset code"
        }
    }
}
