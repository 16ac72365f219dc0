import Foundation
import PostdeskTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `postdesk` binary sending through a real SMTP server (aiosmtpd) on loopback.
@Suite struct OutboundProcessTests {
    /// A desk whose [outbound] section points at `port` (plain SMTP on loopback; STARTTLS is tested in
    /// PostdeskSMTPTests), with short retry times so the test can wait for them.
    static func desk(port: Int, extra: String = "") throws -> ProcessDesk {
        let desk = try ProcessDesk()
        let text = try String(contentsOfFile: desk.config, encoding: .utf8) + """

            [agent alice]
            address = alice@acme.test
            name = Alice Novak

            [outbound]
            transport = smtp
            url = smtp://127.0.0.1:\(port)
            starttls = off
            retry_after = 1s
            timeout = 10s
            \(extra)
            """
        try text.write(toFile: desk.config, atomically: true, encoding: .utf8)
        return desk
    }

    static let customerMail = """
        From: Jan Kowalski <jan@example.pl>
        To: support@acme.test
        Subject: =?utf-8?q?Drukarka_nie_dzia=C5=82a?=
        Message-ID: <first@example.pl>
        Date: Mon, 23 Nov 2026 09:00:00 +0100
        Content-Language: pl-PL
        Content-Type: text/plain; charset=utf-8

        Drukarka nie drukuje.
        """

    /// A port nothing listens on, held by a bound socket that never listens (connections are refused), so no
    /// other test's server can take it meanwhile. Close the descriptor to free it.
    static func heldPort() -> (fd: Int32, port: Int) {
        // Close-on-exec: a child spawned meanwhile (another test's daemon) must not keep the port bound.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return (fd, Int(UInt16(bigEndian: addr.sin_port)))
    }

    @Test func firstMailGetsAConfirmationThroughSMTPThatThreadsUnderIt() throws {
        let sink = try SMTPSink()
        let desk = try Self.desk(port: sink.port)
        defer { desk.remove() }
        try Self.customerMail.write(toFile: desk.newDir + "/1.a.test", atomically: true, encoding: .utf8)
        let r = try desk.postdesk(["run", "--once"])
        #expect(r.status == 0, "\(r.stderr)")
        let messages = sink.messages
        #expect(messages.count == 2)
        let confirmation = try #require(messages.first { $0.hasPrefix("X-Sink-Rcpt: jan@example.pl") })
        #expect(confirmation.contains("X-Sink-From: support@acme.test"))
        #expect(confirmation.contains("\r\nIn-Reply-To: <first@example.pl>\r\n"))
        #expect(confirmation.contains("\r\nReferences: <first@example.pl>\r\n"))
        #expect(confirmation.contains("\r\nAuto-Submitted: auto-replied\r\n"))
        #expect(confirmation.contains("\r\nContent-Language: pl\r\n"), "the customer wrote in Polish")
        #expect(messages.contains { $0.hasPrefix("X-Sink-Rcpt: alice@acme.test") })
        // One connection carried both.
        #expect(sink.sessions == 1)
        #expect(try sqliteCount(desk.root + "/db/postdesk.sqlite", "SELECT count(*) FROM outbox WHERE status = 'sent'") == 2)
    }

    /// A whole conversation by mail alone, through real maildirs and a real SMTP server, each step a separate
    /// process (restarts in between): the customer writes, the agent takes and answers, the customer replies,
    /// the agent resolves, and the ticket closes by itself.
    @Test func aWholeConversationByMail() throws {
        let sink = try SMTPSink()
        let desk = try Self.desk(port: sink.port)
        defer { desk.remove() }
        var config = try String(contentsOfFile: desk.config, encoding: .utf8)
        config = config.replacingOccurrences(of: "agent_auth = from", with: "agent_auth = from\nauto_close_after = 3s")
        try config.write(toFile: desk.config, atomically: true, encoding: .utf8)
        var n = 0
        func deliver(_ text: String) throws {
            n += 1
            try text.write(toFile: desk.newDir + "/\(n).conv.test", atomically: true, encoding: .utf8)
            let r = try desk.postdesk(["run", "--once"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        func sent(_ kind: String, to: String) -> String? {
            sink.messages.last { $0.hasPrefix("X-Sink-Rcpt: \(to)") && $0.contains("X-Postdesk-Kind: \(kind)\r\n") }
        }
        func messageID(_ raw: String?) -> String {
            guard let raw, let r = raw.range(of: "\r\nMessage-ID: <") else { return "" }
            return String(raw[r.upperBound...].prefix { $0 != ">" })
        }
        try deliver(Self.customerMail)
        let notice = try #require(sent("agent_new_ticket", to: "alice@acme.test"))
        try deliver("From: Alice Novak <alice@acme.test>\nTo: support@acme.test\nSubject: Re: [Acme #1] New ticket\nMessage-ID: <a1@acme.test>\nIn-Reply-To: <\(messageID(notice))>\n\n#take\n\nProszę zrestartować drukarkę.\n")
        let relay = try #require(sent("relay", to: "jan@example.pl"))
        #expect(relay.contains("Prosz"))
        #expect(!relay.contains("From: Alice Novak <alice@acme.test>"))
        #expect(sent("assigned", to: "jan@example.pl") != nil)
        try deliver("From: Jan Kowalski <jan@example.pl>\nTo: support@acme.test\nSubject: Re: [Acme #1] Drukarka\nMessage-ID: <j2@example.pl>\nIn-Reply-To: <\(messageID(relay))>\n\nNadal nie działa.\n")
        let replyNotice = try #require(sent("agent_customer_reply", to: "alice@acme.test"))
        #expect(replyNotice.contains("Nadal nie dzia"))
        try deliver("From: Alice Novak <alice@acme.test>\nTo: support@acme.test\nSubject: Re: [Acme #1]\nMessage-ID: <a2@acme.test>\nIn-Reply-To: <\(messageID(replyNotice))>\n\n#status resolved\n\nNaprawione zdalnie.\n")
        #expect(sent("resolved", to: "jan@example.pl") != nil)
        let show = try #require(try desk.json(["tickets", "show", "1"]) as? [String: Any])
        #expect(show["status"] as? String == "resolved")
        usleep(3_500_000)
        let r = try desk.postdesk(["run", "--once"])
        #expect(r.stderr.contains("closed automatically"), "\(r.stderr)")
        #expect(sent("closed", to: "jan@example.pl") != nil)
        #expect((try desk.json(["tickets", "show", "1"]) as? [String: Any])?["status"] as? String == "closed")
        #expect((try desk.json(["tickets", "show", "1"]) as? [String: Any])?["assignee"] as? String == "alice@acme.test")
    }

    /// The daemon (`run` without --once) sends as soon as the ticket is committed, and stops cleanly on SIGTERM.
    @Test func daemonSendsAtOnceAndStopsOnSIGTERM() throws {
        let sink = try SMTPSink()
        let desk = try Self.desk(port: sink.port)
        defer { desk.remove() }
        let daemon = try ChildProcess(postdeskBinary, ["--config", desk.config, "run"], stderrPath: desk.root + "/daemon.log")
        usleep(300_000)
        try Self.customerMail.write(toFile: desk.root + "/mail/support/tmp/1.a.test", atomically: true, encoding: .utf8)
        rename(desk.root + "/mail/support/tmp/1.a.test", desk.newDir + "/1.a.test")
        let deadline = Date().addingTimeInterval(20)
        while sink.messages.count < 2 && Date() < deadline { usleep(20_000) }
        #expect(sink.messages.count == 2)
        daemon.signal(SIGTERM)
        try daemon.waitOrKill(seconds: 30)
        #expect(daemon.status == 0)
        let log = (try? String(contentsOfFile: desk.root + "/daemon.log", encoding: .utf8)) ?? ""
        #expect(log.contains("outbox: sent confirmation"), "\(log)")
        #expect(log.contains("postdesk stopping"))
    }

    /// The server is down: the mail stays queued across runs (separate processes: the outbox is on disk)
    /// and goes out once the server is back.
    @Test func serverDownThenBackLosesNothing() throws {
        let (held, port) = Self.heldPort()
        let desk = try Self.desk(port: port)
        defer { desk.remove() }
        let db = desk.root + "/db/postdesk.sqlite"
        try Self.customerMail.write(toFile: desk.newDir + "/1.a.test", atomically: true, encoding: .utf8)
        let first = try desk.postdesk(["run", "--once"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("retry in"), "\(first.stderr)")
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox WHERE status = 'queued' AND attempts = 1") == 2)
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets") == 1)

        // The server comes back on the configured port.
        close(held)
        let sink = try SMTPSink(["--port", String(port)])
        usleep(2_500_000)  // past retry_after (1 s, with jitter)
        let second = try desk.postdesk(["run", "--once"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(sink.messages.count == 2, "\(second.stderr)")
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox WHERE status = 'sent'") == 2)
        // The Message-ID is the one queued first: a retry is the same mail.
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox") == 2)
        #expect(try sqliteCount(db, "SELECT count(*) FROM message_ids i JOIN outbox o ON o.message_id = i.message_id") == 2)
    }

    @Test func temporaryRefusalThenSuccess() throws {
        let sink = try SMTPSink(["--tempfail-first", "2"])
        let desk = try Self.desk(port: sink.port)
        defer { desk.remove() }
        let db = desk.root + "/db/postdesk.sqlite"
        try Self.customerMail.write(toFile: desk.newDir + "/1.a.test", atomically: true, encoding: .utf8)
        let first = try desk.postdesk(["run", "--once"])
        #expect(first.stderr.contains("451"), "\(first.stderr)")
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox WHERE status = 'queued' AND last_error LIKE '451%'") == 2)
        usleep(2_500_000)
        let second = try desk.postdesk(["run", "--once"])
        #expect(second.status == 0)
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox WHERE status = 'sent' AND attempts = 2") == 2)
        #expect(sink.messages.count == 2)
    }

    @Test func permanentRefusalIsNotedOnTheTicket() throws {
        let sink = try SMTPSink(["--reject", "jan@example.pl=550"])
        let desk = try Self.desk(port: sink.port)
        defer { desk.remove() }
        try Self.customerMail.write(toFile: desk.newDir + "/1.a.test", atomically: true, encoding: .utf8)
        let r = try desk.postdesk(["run", "--once"])
        #expect(r.stderr.contains("rejected: 550"), "\(r.stderr)")
        let db = desk.root + "/db/postdesk.sqlite"
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox WHERE status = 'failed' AND recipient = 'jan@example.pl'") == 1)
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox WHERE status = 'sent' AND recipient = 'alice@acme.test'") == 1)
        let show = try #require(try desk.json(["tickets", "show", "1"]) as? [String: Any])
        let notes = (show["messages"] as? [[String: Any]] ?? []).filter { $0["visibility"] as? String == "internal" }
        #expect(notes.contains { ($0["text"] as? String)?.contains("was rejected and will not be retried: 550") == true })
        // Not retried: a second run sends nothing more.
        _ = try desk.postdesk(["run", "--once"])
        #expect(try sqliteCount(db, "SELECT attempts FROM outbox WHERE recipient = 'jan@example.pl'") == 1)
    }

    @Test func giveUpAfterIsHonoured() throws {
        let (held, port) = Self.heldPort()
        defer { close(held) }
        let desk = try Self.desk(port: port, extra: "give_up_after = 1s")
        defer { desk.remove() }
        try Self.customerMail.write(toFile: desk.newDir + "/1.a.test", atomically: true, encoding: .utf8)
        let first = try desk.postdesk(["run", "--once"])
        usleep(2_500_000)
        let second = try desk.postdesk(["run", "--once"])
        // Normally the second run gives up; on a loaded machine the first run's attempt may already come a
        // second after queueing and give up itself. Either way, once and for both mails.
        let stderr = first.stderr + second.stderr
        #expect(stderr.components(separatedBy: "given up").count - 1 >= 2, "\(stderr)")
        #expect(try sqliteCount(desk.root + "/db/postdesk.sqlite", "SELECT count(*) FROM outbox WHERE status = 'failed'") == 2)
    }

    /// Real auto-replies, bounces and list mail reaching the daemon get no automatic answer over SMTP.
    @Test func noLoopsWithRealAutoRepliesBouncesAndLists() throws {
        let sink = try SMTPSink()
        let desk = try Self.desk(port: sink.port)
        defer { desk.remove() }
        let mails = [
            "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Abwesenheitsnotiz\nAuto-Submitted: auto-replied\nMessage-ID: <ooo@example.org>\n\nIch bin nicht im Büro.\n",
            "From: MAILER-DAEMON@mx.example.org\nTo: support@acme.test\nSubject: Undelivered Mail\nMessage-ID: <dsn@mx.example.org>\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: text/plain\n\nfailed\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; x@example.org\nAction: failed\nStatus: 5.1.1\n--b--\n",
            "From: users@lists.example.org\nTo: support@acme.test\nSubject: [users] digest\nList-Id: <users.lists.example.org>\nPrecedence: list\nMessage-ID: <list@lists.example.org>\n\ndigest\n",
            "From: Other Helpdesk <help@other.example>\nTo: support@acme.test\nSubject: Re: [Acme #1] x\nX-Postdesk-Loop: help@other.example\nMessage-ID: <loop@other.example>\n\nloop\n",
        ]
        for (i, m) in mails.enumerated() {
            try m.write(toFile: desk.newDir + "/\(i).auto.test", atomically: true, encoding: .utf8)
        }
        let r = try desk.postdesk(["run", "--once"])
        #expect(r.status == 0, "\(r.stderr)")
        let customers = sink.messages.filter { !$0.hasPrefix("X-Sink-Rcpt: alice@acme.test") }
        #expect(customers.isEmpty, "\(customers.map { $0.prefix(200) })")
    }

    @Test func checkConfigReportsTemplateProblemsWithFileAndLine() throws {
        let desk = try Self.desk(port: 25)
        defer { desk.remove() }
        try FileManager.default.createDirectory(atPath: desk.root + "/templates/de", withIntermediateDirectories: true)
        try "Subject: Ticket {{ticket_number}}\n\nHallo {{kunde}}\n".write(toFile: desk.root + "/templates/de/confirmation.txt", atomically: true, encoding: .utf8)
        let r = try desk.postdesk(["check-config"])
        #expect(r.status == 78)
        #expect(r.stderr.contains(desk.root + "/templates/de/confirmation.txt:3: unknown placeholder {{kunde}}"), "\(r.stderr)")
        // run refuses to start with a broken template rather than send broken mail.
        #expect(try desk.postdesk(["run", "--once"]).status == 78)
        // A good override is used.
        try "Subject: Ticket {{ticket_number}} angelegt\n\nHallo {{customer_name}}, danke.\n".write(toFile: desk.root + "/templates/de/confirmation.txt", atomically: true, encoding: .utf8)
        #expect(try desk.postdesk(["check-config"]).status == 0)
    }

    @Test func checkConfigReportsAMissingPasswordFile() throws {
        let desk = try Self.desk(port: 25, extra: "username = postdesk\npassword_file = /nonexistent/smtp-password")
        defer { desk.remove() }
        let r = try desk.postdesk(["check-config"])
        #expect(r.status == 78)
        #expect(r.stderr.contains("cannot read the SMTP password from /nonexistent/smtp-password"), "\(r.stderr)")
    }
}
