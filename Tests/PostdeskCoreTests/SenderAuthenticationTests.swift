import PostdeskMail
import Testing
@testable import PostdeskCore

/// The sender verdict (RFC 8601) and the trust window, as tables; `SenderPolicy` on top of it.
@Suite struct SenderAuthenticationTests {
    typealias R = SenderAuthentication.Result
    static let own = "Received: from mail.example.org (mail.example.org [203.0.113.7]) by mx.acme.test (Postfix) with ESMTPS id 4Q; Sun, 22 Nov 2026 10:00:01 +0100"
    static let foreign = "Received: from laptop (unknown [198.51.100.9]) by mail.example.org (Postfix) with ESMTPSA id 9Z; Sun, 22 Nov 2026 10:00:00 +0100"

    static func fields(_ lines: [String]) -> [(name: String, value: String)] {
        lines.map { line in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: " "))
        }
    }

    /// One trusted field above the operator's Received, then what it says.
    @Test(arguments: [
        ("mx.acme.test; dmarc=pass header.from=example.org", R.verified),
        ("mx.acme.test; dkim=pass header.d=example.org header.s=s1", .verified),
        ("mx.acme.test; dkim=pass header.i=@example.org", .verified),
        ("mx.acme.test; spf=pass smtp.mailfrom=ana@example.org", .verified),
        ("mx.acme.test 1; dkim=pass (2048-bit key) header.d=example.org", .verified),
        ("MX.ACME.TEST; DKIM=PASS header.d=Example.ORG", .verified),
        // An unaligned pass proves nothing.
        ("mx.acme.test; dkim=pass header.d=evil.test", .unverified),
        ("mx.acme.test; spf=pass smtp.mailfrom=bounce@evil.test", .unverified),
        ("mx.acme.test; dmarc=pass header.from=evil.test", .unverified),
        // Explicit failures.
        ("mx.acme.test; dmarc=fail (p=reject) header.from=example.org", .failed),
        ("mx.acme.test; dmarc=fail", .failed),
        ("mx.acme.test; dkim=fail header.d=example.org", .failed),
        ("mx.acme.test; spf=fail smtp.mailfrom=ana@example.org", .failed),
        // DMARC fail overrides an aligned pass; an aligned pass wins over an aligned DKIM/SPF fail and any unaligned fail.
        ("mx.acme.test; dkim=pass header.d=example.org; dmarc=fail header.from=example.org", .failed),
        ("mx.acme.test; spf=fail smtp.mailfrom=ana@example.org; dkim=pass header.d=example.org", .verified),
        ("mx.acme.test; dkim=fail header.d=evil.test; dkim=pass header.d=example.org", .verified),
        ("mx.acme.test; dkim=fail header.d=evil.test", .unverified),
        ("mx.acme.test; dmarc=fail header.from=evil.test", .unverified),
        // Neither pass nor fail.
        ("mx.acme.test; none", .unverified),
        ("mx.acme.test; dkim=none; spf=none smtp.mailfrom=ana@example.org", .unverified),
        ("mx.acme.test; dkim=neutral header.d=example.org", .unverified),
        ("mx.acme.test; dkim=temperror header.d=example.org", .unverified),
        ("mx.acme.test; dkim=permerror header.d=example.org", .unverified),
        ("mx.acme.test; spf=softfail smtp.mailfrom=ana@example.org", .unverified),
        ("mx.acme.test; dmarc=temperror header.from=example.org", .unverified),
        ("mx.acme.test; dkim=policy header.d=example.org", .unverified),
        // Another server's verdict counts for nothing.
        ("mx.evil.test; dmarc=pass header.from=example.org", .unverified),
        ("mx.evil.test; dmarc=fail header.from=example.org", .unverified),
    ])
    func verdict(_ field: String, _ expected: R) {
        let v = SenderAuthentication.verify(fields: Self.fields(["Authentication-Results: " + field, Self.own, Self.foreign]),
                                            trustedID: "mx.acme.test", fromAddress: "ana@example.org")
        #expect(v.result == expected, "\(v.reason)")
        #expect(v.clientIP == "203.0.113.7")
    }

    /// Where the trusted field sits: only above the hop from outside.
    @Test(arguments: [
        // Above the operator's Received: counts.
        (["AR: pass", "own"], R.verified, "203.0.113.7"),
        // Forged below the operator's Received (the sender wrote it): does not count, even with a forged Received of ours.
        (["own", "AR: pass"], .unverified, "203.0.113.7"),
        (["own", "Received: from x by mx.acme.test; Sun, 22 Nov 2026 09:00:00 +0100", "AR: pass"], .unverified, "203.0.113.7"),
        // Below a foreign Received: does not count.
        (["foreign", "AR: pass"], .unverified, nil),
        (["Received: by nowhere", "AR: pass"], .unverified, nil),
        // The topmost trusted field is read; a forged one below it is not.
        (["AR: none", "AR: pass", "own"], .unverified, "203.0.113.7"),
        (["AR: fail", "own", "AR: pass"], .failed, "203.0.113.7"),
        // A content filter on loopback between the operator's programs keeps the window open.
        (["Received: from localhost (localhost [127.0.0.1]) by mx.acme.test (Postfix) with ESMTP id 1", "AR: pass", "own"], .verified, "203.0.113.7"),
        (["Received: by mx.acme.test (Postfix, from userid 0) id 2", "AR: pass", "own"], .verified, "203.0.113.7"),
        // A client naming itself after the operator's host (HELO) is still from outside.
        (["AR: pass", "Received: from mx.acme.test (unknown [198.51.100.66]) by mx.acme.test (Postfix)"], .verified, "198.51.100.66"),
        (["Received: from mx.acme.test (unknown [198.51.100.66]) by mx.acme.test (Postfix)", "own", "AR: pass"], .unverified, "198.51.100.66"),
        // No Received at all (mail put into the maildir by hand): the whole header is the window.
        (["AR: pass"], .verified, nil),
        // IPv6 clients.
        (["AR: pass", "Received: from m (m.example.org [IPv6:2001:db8::1]) by mx.acme.test"], .verified, "2001:db8::1"),
    ] as [([String], R, String?)])
    func window(_ layout: [String], _ expected: R, _ ip: String?) {
        let lines = layout.map { l -> String in
            switch l {
            case "own": return Self.own
            case "foreign": return Self.foreign
            case "AR: pass": return "Authentication-Results: mx.acme.test; dkim=pass header.d=example.org"
            case "AR: fail": return "Authentication-Results: mx.acme.test; dmarc=fail header.from=example.org"
            case "AR: none": return "Authentication-Results: mx.acme.test; none"
            default: return l
            }
        }
        let v = SenderAuthentication.verify(fields: Self.fields(lines), trustedID: "mx.acme.test", fromAddress: "ana@example.org")
        #expect(v.result == expected, "\(layout): \(v.reason)")
        #expect(v.clientIP == ip)
    }

    @Test func nothingIsVerifiedWithoutATrustedID() {
        let f = Self.fields(["Authentication-Results: mx.acme.test; dmarc=pass header.from=example.org"])
        #expect(SenderAuthentication.verify(fields: f, trustedID: nil, fromAddress: "ana@example.org").result == .unverified)
        #expect(SenderAuthentication.verify(fields: f, trustedID: "", fromAddress: "ana@example.org").result == .unverified)
    }

    @Test func mtaHostsNameTheOperatorsReceivedFields() {
        // The authserv-id differs from the host name Postfix writes after "by".
        let f = Self.fields([
            "Authentication-Results: auth.acme.test; dkim=pass header.d=example.org",
            "Received: from mail.example.org (mail.example.org [203.0.113.7]) by mx1.acme.test (Postfix)",
        ])
        #expect(SenderAuthentication.verify(fields: f, trustedID: "auth.acme.test", ownHosts: ["mx1.acme.test"], fromAddress: "ana@example.org").result == .verified)
        // With the default (just the authserv-id) the Received is foreign: but the field is above it, so it counts.
        #expect(SenderAuthentication.verify(fields: f, trustedID: "auth.acme.test", fromAddress: "ana@example.org").result == .verified)
        let below = Self.fields([f[1].name + ": " + f[1].value, f[0].name + ": " + f[0].value])
        #expect(SenderAuthentication.verify(fields: below, trustedID: "auth.acme.test", ownHosts: ["mx1.acme.test"], fromAddress: "ana@example.org").result == .unverified)
    }

    typealias P = Configuration.CustomerAuth
    @Test(arguments: [
        // (policy, verdict, confirmed account, allowed)
        (P.verified, R.verified, false, true), (.verified, .unverified, false, false), (.verified, .unverified, true, false),
        (.verified, .failed, true, false),
        (.confirmed, .verified, false, true), (.confirmed, .unverified, true, true), (.confirmed, .unverified, false, false),
        (.confirmed, .failed, true, false),
        (.from, .verified, false, true), (.from, .unverified, false, true), (.from, .failed, false, true),
    ])
    func policy(_ policy: P, _ auth: R, _ confirmed: Bool, _ allowed: Bool) {
        for act in SenderPolicy.Act.allCases {
            #expect(SenderPolicy.may(act, .init(auth: auth, confirmedAccount: confirmed), policy: policy).allowed == allowed)
        }
        #expect(SenderPolicy.isStranger(auth, policy: policy) == (auth == .failed && policy != .from))
    }

    // MARK: - Routing with the verdict

    static func input(_ auth: R, policy: P = .verified, cc: Int = 0, ticket: TicketFacts? = nil) -> RoutingInput {
        var i = RoutingInput(queue: "support", mailboxAddress: "support@acme.test", ownAddresses: ["support@acme.test"],
                             from: "bob@example.org", recipients: (0..<cc).map { MailAddress(name: nil, address: "p\($0)@evil.test") })
        i.sender = .init(auth: auth)
        i.policy = policy
        if let ticket { i.subjectTag = (ticket.number, ticket) }
        return i
    }

    static let bobs = TicketFacts(number: 1, status: .open, queue: "support", requester: "bob@example.org", ccCount: 0)

    @Test func aFailedSenderOpensATicketOfItsOwnAndBringsNobody() {
        let d = Router.route(Self.input(.failed, cc: 1, ticket: Self.bobs))
        #expect(d.action == .newTicket)
        #expect(d.reference == 1)
        #expect(d.newParticipants.isEmpty)
        #expect(d.notJoined.map(\.address) == ["p0@evil.test"])
        // customer_auth = from: the old rule.
        #expect(Router.route(Self.input(.failed, policy: .from, cc: 1, ticket: Self.bobs)).action == .append(ticket: 1, reopen: false))
    }

    @Test(arguments: [(R.verified, 1), (.unverified, 0), (.failed, 0)])
    func onlyAVerifiedSenderBringsPeople(_ auth: R, _ joined: Int) {
        let d = Router.route(Self.input(auth, cc: 1, ticket: auth == .failed ? nil : Self.bobs))
        #expect(d.newParticipants.count == joined)
        #expect(d.notJoined.count == 1 - joined)
        if auth == .unverified { #expect(d.action == .append(ticket: 1, reopen: false)) }  // its text still goes on the ticket
    }

    @Test(arguments: [(0, 501, 10), (0, 5, 5), (18, 5, 2), (20, 1, 0)])
    func capsStopJoining(_ already: Int, _ cc: Int, _ joined: Int) {
        var t = Self.bobs
        t.ccCount = already
        let d = Router.route(Self.input(.verified, cc: cc, ticket: t))
        #expect(d.newParticipants.count == joined)
        #expect(d.notJoined.count == cc - joined)
    }
}
