import Foundation
import PostdeskMail
import PostdeskTestSupport
import Testing

/// Accounts end to end: the real `postdesk` binary, a real maildir, a real SQLite file and aiosmtpd on loopback.
@Suite struct AccountsProcessTests {
    static func parsed(_ raw: String) -> (summary: MessageSummary, to: String) {
        let m = Message.parse(Array(raw.utf8))
        return (MessageSummary(m), m.headers["X-Rcpt-To"]?.value ?? MessageSummary(m).to.first?.address ?? "")
    }

    static func kind(_ raw: String) -> String? {
        Message.parse(Array(raw.utf8)).headers["X-Postdesk-Kind"]?.value.trimmingCharacters(in: .whitespaces)
    }

    @Test func inviteConfirmByReplyResetCodeAndPassword() throws {
        let sink = try SMTPSink()
        let desk = try OutboundProcessTests.desk(port: sink.port)
        defer { desk.remove() }

        // The operator invites Ana; the welcome mail goes out through SMTP.
        let invite = try desk.postdesk(["customers", "invite", "ana@example.org", "--name", "Ana García", "--language", "es"])
        #expect(invite.status == 0, "\(invite.stderr)")
        #expect(invite.stdout.contains("welcome mail to ana@example.org queued"))
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        let welcomeRaw = try #require(sink.messages.first { Self.kind($0) == "welcome" })
        let welcome = Self.parsed(welcomeRaw).summary
        #expect(welcome.to.first?.address == "ana@example.org")
        #expect(welcome.contentLanguage == "es")

        // Ana replies; the account is confirmed and no ticket is opened.
        let reply = """
            From: Ana García <ana@example.org>
            To: support@acme.test
            Subject: Re: \(welcome.subject ?? "")
            Message-ID: <confirm@example.org>
            In-Reply-To: <\(welcome.messageID ?? "")>
            Date: Mon, 23 Nov 2026 09:00:00 +0100

            Sí, soy yo.
            """
        try reply.write(toFile: desk.newDir + "/1.confirm.test", atomically: true, encoding: .utf8)
        let run = try desk.postdesk(["run", "--once"])
        #expect(run.stderr.contains("account ana@example.org confirmed"), "\(run.stderr)")
        let shown = try #require(try desk.json(["customers", "show", "ana@example.org"]) as? [String: Any])
        #expect(shown["confirmed"] as? Bool == true)
        #expect(shown["language"] as? String == "es")
        #expect((try desk.json(["tickets", "list"]) as? [Any])?.isEmpty == true)

        // She asks for a reset code by mail, gets it through SMTP, and sets a password with it once.
        let request = """
            From: Ana García <ana@example.org>
            To: support@acme.test
            Subject: restablecer contraseña
            Message-ID: <reset@example.org>
            Date: Mon, 23 Nov 2026 09:05:00 +0100

            Por favor.
            """
        try request.write(toFile: desk.newDir + "/2.reset.test", atomically: true, encoding: .utf8)
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        let codeMail = try #require(sink.messages.first { Self.kind($0) == "password_reset" })
        let text = Self.parsed(codeMail).summary.text
        let range = try #require(text.range(of: #"[0-9]{4} [0-9]{4}"#, options: .regularExpression))
        let code = String(text[range])
        #expect(!codeMail.contains("password_hash"))

        let passwordFile = desk.root + "/password"
        try "a long new password\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let set = try desk.postdesk(["customers", "set-password", "ana@example.org", "--code", code, "--password-file", passwordFile])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("password set for ana@example.org"))
        let again = try desk.postdesk(["customers", "set-password", "ana@example.org", "--code", code, "--password-file", passwordFile])
        #expect(again.status == 65)
        #expect(again.stderr.contains("the code is wrong, used or expired"))
        let db = desk.root + "/db/postdesk.sqlite"
        #expect(try sqliteCount(db, "SELECT count(*) FROM customers WHERE password_hash LIKE '$y$%'") == 1)
        #expect(try sqliteCount(db, "SELECT count(*) FROM customers WHERE password_hash LIKE '%long new password%'") == 0)

        // The operator's own reset code: queued for a known customer, refused for an unknown address.
        #expect(try desk.postdesk(["customers", "reset-code", "ana@example.org"]).status == 0)
        let unknown = try desk.postdesk(["customers", "reset-code", "nobody@example.org"])
        #expect(unknown.status == 65)
        #expect(unknown.stderr.contains("there is no customer nobody@example.org"))
    }

    @Test func customersAndAgentsFromTheCommandLine() throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        for (i, from) in ["Ana <ana@example.org>", "Luis <luis@example.org>", "Eve <eve@example.net>"].enumerated() {
            let m = "From: \(from)\nTo: support@acme.test\nSubject: Problem \(i)\nMessage-ID: <p\(i)@x.test>\n\nHelp.\n"
            try m.write(toFile: desk.newDir + "/\(i).p.test", atomically: true, encoding: .utf8)
        }
        #expect(try desk.postdesk(["run", "--once"]).status == 0)

        let org = try desk.postdesk(["customers", "add-organization", "example.org", "--name", "Example Ltd"])
        #expect(org.stdout.contains("organization example.org has 2 customer(s)"), "\(org.stderr)")
        #expect(try desk.postdesk(["customers", "set", "ana@example.org", "--primary-contact", "yes", "--timezone", "Europe/Madrid"]).status == 0)
        let orgs = try #require(try desk.json(["customers", "organizations"]) as? [[String: Any]])
        #expect(orgs.first?["primary_contacts"] as? [String] == ["ana@example.org"])
        let list = try #require(try desk.json(["customers", "list", "--organization", "example.org"]) as? [[String: Any]])
        #expect(list.compactMap { $0["address"] as? String } == ["ana@example.org", "luis@example.org"])
        #expect(list.first?["timezone"] as? String == "Europe/Madrid")
        #expect(list.first?["primary_contact"] as? Bool == true)

        // Errors say what is wrong, with the documented exit codes.
        let cases: [([String], Int32, String)] = [
            (["customers", "set", "eve@example.net", "--primary-contact", "yes"], 65, "belongs to no company"),
            (["customers", "set", "ana@example.org", "--timezone", "Mars/Olympus"], 64, "not a known time zone"),
            (["customers", "set", "ana@example.org", "--language", "xx"], 64, "--language must be one of"),
            (["customers", "show", "ghost@example.org"], 65, "there is no customer ghost@example.org"),
            (["customers", "invite", "not-an-address"], 64, "is not a mail address"),
            (["customers", "frobnicate"], 64, "unknown subcommand"),
            (["customers", "set-password", "ana@example.org", "--code", "12345678", "--password-file", "/nonexistent"], 65, "cannot read"),
            (["agents", "add", "bob@acme.test"], 64, "needs ADDR and --name"),
            (["agents", "add", "support@acme.test", "--name", "Queue"], 64, "a mailbox's address"),
        ]
        for (args, code, message) in cases {
            let r = try desk.postdesk(args)
            #expect(r.status == code, "\(args): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }

        #expect(try desk.postdesk(["agents", "add", "Bob Builder <bob@acme.test>", "--name", "Bob Builder"]).status == 0)
        #expect(try desk.postdesk(["agents", "add", "bob@acme.test", "--name", "Bob"]).status == 65)
        let agents = try #require(try desk.json(["agents", "list"]) as? [[String: Any]])
        #expect(agents.contains { $0["address"] as? String == "bob@acme.test" && $0["source"] as? String == "cli" })
        #expect(try desk.postdesk(["customers", "--help"]).stdout.contains("set-password"))
    }
}
