import Testing
@testable import PostdeskCore

@Suite struct ConfigurationTests {
    static let minimal = """
        [helpdesk]
        agent_auth = from

        [mailbox support]
        maildir = mail/support
        address = support@acme.test
        """

    func parse(_ text: String) -> Result<Configuration, ConfigErrors> {
        Configuration.parse(text, file: "/etc/postdesk/postdesk.conf", baseDirectory: "/etc/postdesk")
    }

    @Test func fullExampleFromTheInterface() throws {
        let text = """
            [helpdesk]
            name = Acme Support
            database = /var/lib/postdesk/postdesk.sqlite
            data_dir = /var/lib/postdesk            # attachments, quarantine, raw mail
            language = en                           # default language of mail to customers
            timezone = Europe/Warsaw
            auto_close_after = 48h
            auto_close_reminder = off
            agent_auth = authentication-results
            trusted_authserv_id = mx.acme.test

            [mailbox support]                       # one section per queue
            maildir = /var/mail/support
            address = support@acme.test
            tag = Acme
            turnaround = 2d

            [agent alice]
            address = alice@acme.test
            name = Alice Novak

            [outbound]
            transport = smtp
            url = smtp://127.0.0.1:25
            starttls = required
            username = postdesk
            password_file = /run/credentials/postdesk.service/smtp
            maildir = Mailboxes/outbound
            retry_after = 1m
            give_up_after = 5d
            """
        let c = try parse(text).get()
        #expect(c.helpdesk.name == "Acme Support")
        #expect(c.helpdesk.timezone == "Europe/Warsaw")
        #expect(c.helpdesk.autoCloseAfter.seconds == 48 * 3600)
        #expect(c.helpdesk.autoCloseReminder == nil)
        #expect(c.helpdesk.agentAuth == .authenticationResults)
        #expect(c.mailboxes.map(\.name) == ["support"])
        #expect(c.mailboxes[0].tag == "Acme")
        #expect(c.mailboxes[0].turnaround.seconds == 2 * 86_400)
        #expect(c.agents.map(\.address) == ["alice@acme.test"])
        #expect(c.agents[0].name == "Alice Novak")
        #expect(c.outbound.transport == .smtp)
        #expect(c.outbound.maildir == "/etc/postdesk/Mailboxes/outbound")
        #expect(c.outbound.retryAfter.seconds == 60)
        #expect(c.warnings.isEmpty)
    }

    @Test func relativePathsAreAgainstTheConfigFolder() throws {
        let c = try parse(Self.minimal).get()
        #expect(c.mailboxes[0].maildir == "/etc/postdesk/mail/support")
        #expect(c.mailboxes[0].tag == "support")
        #expect(c.warnings.map(\.description) == [
            "/etc/postdesk/postdesk.conf:2: warning: agent_auth = from trusts the From: address alone: anyone can pose as an agent; use it only on closed networks",
            // Issue 14: without trusted_authserv_id no sender is verified.
            "/etc/postdesk/postdesk.conf: warning: trusted_authserv_id is not set: no sender is verified, so customers cannot add people in Cc, #close, or ask for a status summary or a reset code by mail; set it to the authserv-id your MTA writes in Authentication-Results",
        ])
    }

    /// Each bad line is reported with its file and line.
    @Test(arguments: [
        ("[helpdesk]\nlanguage = xx", "postdesk.conf:2: language \"xx\" is not one Postdesk writes mail in"),
        ("[helpdesk]\nauto_close_after = 48", "postdesk.conf:2: auto_close_after = \"48\" is not a duration"),
        ("[helpdesk]\ncolour = blue", "postdesk.conf:2: unknown key colour in [helpdesk]"),
        ("[helpdesk]\nname = a\nname = b", "postdesk.conf:3: name is set twice in this section (first on line 2)"),
        ("[mailbox]\n", "postdesk.conf:1: [mailbox] needs exactly one name"),
        ("[queue x]\n", "postdesk.conf:1: unknown section [queue x]"),
        ("[helpdesk\n", "postdesk.conf:1: section header \"[helpdesk\" is missing its closing \"]\""),
        ("name = a\n", "postdesk.conf:1: name is outside any section"),
        ("[helpdesk]\njust words", "postdesk.conf:2: expected \"key = value\" or a [section]"),
        ("[outbound]\npassword = hunter2", "postdesk.conf:2: secrets never sit in the config file"),
        ("[outbound]\nurl = http://x", "postdesk.conf:2: url must start with smtp:// or smtps://"),
        ("[outbound]\nstarttls = maybe", "postdesk.conf:2: starttls must be required, optional or off"),
        ("[helpdesk]\nagent_auth = trust-me", "postdesk.conf:2: agent_auth must be authentication-results or from"),
        ("[agent bob]\naddress = not-an-address", "postdesk.conf:2: \"not-an-address\" is not a mail address"),
        ("[agent bob]\naddress = support@acme.test", "postdesk.conf:1: [agent bob] uses the address of a mailbox"),
        ("[agent bob]\naddress = bob@acme.test\nqueues = sales", "postdesk.conf:1: [agent bob] names the queue sales"),
        ("[helpdesk]\nauto_close_reminder = 3d", "postdesk.conf:2: auto_close_reminder (3d) must be shorter than auto_close_after (2d)"),
        ("[mailbox support2]\naddress = SUPPORT@acme.test\nmaildir = x", "postdesk.conf:7: [mailbox support] uses the address support@acme.test of another mailbox"),
        ("[mailbox x]\nmaildir = y", "postdesk.conf:1: [mailbox x] needs address"),
    ])
    func badLines(_ extra: String, _ expected: String) {
        // The minimal config, then the bad text (its line numbers counted from 1 in a file of its own).
        let result = Configuration.parse(extra + "\n" + (extra.hasPrefix("[helpdesk]") ? Self.minimal.replacingOccurrences("[helpdesk]\n", "") : Self.minimal),
                                         file: "postdesk.conf", baseDirectory: "/etc")
        guard case .failure(let errors) = result else {
            Issue.record("accepted: \(extra)")
            return
        }
        #expect(errors.problems.contains { $0.description.hasPrefix(expected) }, "\(errors)")
    }

    @Test func everyProblemIsReportedNotJustTheFirst() {
        guard case .failure(let e) = parse("[helpdesk]\nlanguage = xx\ncolour = red\n") else {
            Issue.record("accepted")
            return
        }
        #expect(e.problems.map(\.line) == [2, 3, 0, 0])  // and the missing mailbox, and the warning that trusted_authserv_id is unset
    }

    @Test(arguments: [("30s", 30), ("15m", 900), ("48h", 172_800), ("2d", 172_800), ("1h30m", 5_400), ("1w", 604_800)])
    func durations(_ text: String, _ seconds: Int64) {
        #expect(ConfigDuration(parsing: text)?.seconds == seconds)
    }

    @Test(arguments: ["", "48", "h", "1x", "-1h", "1.5h", "99999999999999999999s"])
    func badDurations(_ text: String) {
        #expect(ConfigDuration(parsing: text) == nil)
    }
}

extension String {
    func replacingOccurrences(_ a: String, _ b: String) -> String {
        split(separator: a, omittingEmptySubsequences: false).joined(separator: b)
    }
}
