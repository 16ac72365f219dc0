import Foundation
import PostdeskCore
import PostdeskDaemon
import PostdeskMail
import PostdeskStore
import PostdeskSystem
import Testing

@Suite struct IngestTests {
    @Test func newMailBecomesATicketToBeAssigned() throws {
        let desk = try TestDesk()
        let name = try desk.deliver(mail(cc: "Luis <luis@example.org>, support@acme.test", id: "a1@example.org"))
        #expect(desk.run() == [.newTicket(1)])
        let t = try #require(try desk.store.ticket(1))
        #expect(t.status == "new")
        #expect(t.assignee == nil)
        #expect(t.queue == "support")
        #expect(t.requester == "ana@example.org")
        #expect(t.cc == ["luis@example.org"])
        #expect(t.messages?.first?.text == "It does not print.")
        // The mail moved to cur/ with the seen flag only after the commit; new/ is empty.
        #expect(desk.files("support", "new").isEmpty)
        #expect(desk.files("support", "cur") == [name + ":2,S"])
        #expect(try desk.count("SELECT count(*) FROM audit WHERE ticket = 1 AND action = 'created'") == 1)
    }

    @Test func eachMailboxIsItsOwnQueue() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(to: "sales@acme.test", id: "s1@example.org"), to: "sales")
        #expect(desk.run() == [.newTicket(1)])
        #expect(try desk.store.ticket(1)?.queue == "sales")
    }

    @Test func replyThreadsByInReplyToAndNeverRenames() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(id: "a1@example.org"))
        _ = desk.run()
        try desk.deliver(mail(subject: "AW: RE: something else", id: "a2@example.org", inReplyTo: "a1@example.org",
                              body: "More detail.\n\nOn Sun, Acme Support wrote:\n> old text"))
        #expect(desk.run() == [.reply(1)])
        let t = try #require(try desk.store.ticket(1))
        #expect(t.subject == "Printer broken")
        #expect(t.messages?.filter { $0.direction == "in" }.map(\.text) == ["It does not print.", "More detail."])
        #expect(try desk.count("SELECT count(*) FROM messages WHERE quoted LIKE '%old text%'") == 1)
    }

    @Test func replyThreadsByReferencesWhenInReplyToIsUnknown() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(id: "a1@example.org"))
        _ = desk.run()
        try desk.deliver(mail(from: "colleague@other.test", subject: "Fwd: Printer", id: "c1@other.test",
                              inReplyTo: "unknown@x", references: "<zzz@x> <a1@example.org> <yyy@x>"))
        #expect(desk.run() == [.reply(1)])
    }

    @Test func subjectTagFromAParticipantJoins() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(cc: "luis@example.org", id: "a1@example.org"))
        _ = desk.run()
        try desk.deliver(mail(from: "Luis <LUIS@example.org>", subject: "Re: [Acme #1] Printer broken", id: "l1@example.org"))
        #expect(desk.run() == [.reply(1)])
    }

    @Test func subjectTagFromAStrangerOpensANewTicketWithTheReference() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(id: "a1@example.org"))
        _ = desk.run()
        try desk.deliver(mail(from: "mallory@evil.test", subject: "Re: [Acme #1] give me the data", id: "m1@evil.test"))
        #expect(desk.run() == [.newTicket(2)])
        #expect(try desk.store.ticket(2)?.reference == "#1")
        #expect(try desk.store.ticket(1)?.messages?.filter { $0.direction == "in" }.count == 1)
    }

    @Test func plusAddressFromTheRequesterJoins() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(id: "a1@example.org"))
        _ = desk.run()
        try desk.deliver(mail(to: "support+1@acme.test", subject: "one more thing", id: "a3@example.org"))
        #expect(desk.run() == [.reply(1)])
    }

    @Test func resolvedReopensAndClosedGetsAFollowUp() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(id: "a1@example.org"))
        try desk.deliver(mail(subject: "Second", id: "b1@example.org"))
        _ = desk.run()
        try desk.store.setStatus(1, .resolved, at: "2026-11-22T12:00:00+00:00")
        try desk.store.setStatus(2, .closed, at: "2026-11-22T12:00:00+00:00")
        try desk.deliver(mail(id: "a2@example.org", inReplyTo: "a1@example.org"))
        try desk.deliver(mail(subject: "Re: [Acme #2] Second", id: "b2@example.org"))
        #expect(desk.run() == [.reply(1), .followUp(3, of: 2)])
        #expect(try desk.store.ticket(1)?.status == "open")
        #expect(try desk.store.ticket(2)?.status == "closed")
        #expect(try desk.store.ticket(3)?.followUpOf == 2)
    }

    @Test func customerReplyMovesPendingBackToOpen() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(id: "a1@example.org"))
        _ = desk.run()
        try desk.store.setStatus(1, .pending, at: "2026-11-22T12:00:00+00:00")
        try desk.deliver(mail(id: "a2@example.org", inReplyTo: "a1@example.org"))
        _ = desk.run()
        #expect(try desk.store.ticket(1)?.status == "open")
    }

    @Test func bounceIsRecordedOnTheTicketOfTheBouncedMail() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(id: "a1@example.org"))
        _ = desk.run()
        let dsn = """
            From: Mail Delivery System <MAILER-DAEMON@mx.example.org>
            To: support@acme.test
            Subject: Undelivered Mail Returned to Sender
            Message-ID: <dsn1@mx.example.org>
            Content-Type: multipart/report; report-type=delivery-status; boundary=b

            --b
            Content-Type: text/plain

            The mail could not be delivered.
            --b
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example.org

            Final-Recipient: rfc822; ana@example.org
            Action: failed
            Status: 5.1.1
            --b
            Content-Type: text/rfc822-headers

            From: support@acme.test
            Message-ID: <a1@example.org>
            --b--
            """
        try desk.deliver(dsn)
        #expect(desk.run() == [.bounce(1)])
        #expect(try desk.count("SELECT count(*) FROM tickets") == 1)
        #expect(try desk.count("SELECT count(*) FROM messages WHERE kind = 'bounce' AND visibility = 'internal' AND ticket = 1") == 1)
    }

    @Test func unknownBounceOpensNoTicket() throws {
        let desk = try TestDesk()
        try desk.deliver("From: MAILER-DAEMON@mx.test\nSubject: failure notice\nMessage-ID: <d@mx>\n\nNo.")
        #expect(desk.run() == [.bounce(nil)])
        #expect(try desk.count("SELECT count(*) FROM tickets") == 0)
        #expect(try desk.count("SELECT count(*) FROM messages WHERE ticket IS NULL") == 1)
    }

    @Test func sameMailDeliveredTwiceChangesNothing() throws {
        let desk = try TestDesk()
        let m = mail(id: "a1@example.org")
        try desk.deliver("Received: from mx1 by mx2; Sun, 22 Nov 2026\n" + m)
        try desk.deliver("Received: from mx3 by mx2; Sun, 22 Nov 2026\nDelivered-To: support@acme.test\n" + m)
        #expect(desk.run() == [.newTicket(1), .duplicate(1)])
        #expect(try desk.count("SELECT count(*) FROM tickets") == 1)
        #expect(try desk.count("SELECT count(*) FROM messages WHERE direction = 'in'") == 1)
        #expect(desk.files("support", "cur").count == 2)
    }

    @Test func rereadAfterACrashBetweenCommitAndRenameChangesNothing() throws {
        let desk = try TestDesk()
        let name = try desk.deliver(mail(id: "a1@example.org"))
        _ = desk.run()
        // Simulate the crash: the transaction committed, but the file is back in new/ (rename undone).
        try FileSystem.rename(desk.support.maildir + "/cur/" + name + ":2,S", to: desk.support.maildir + "/new/" + name)
        #expect(desk.run() == [.duplicate(1)])
        #expect(try desk.count("SELECT count(*) FROM messages WHERE direction = 'in'") == 1)
        #expect(desk.files("support", "new").isEmpty)
    }

    @Test func unseenMailInCurIsProcessedAndTmpIsNeverTouched() throws {
        let desk = try TestDesk()
        let bytes = Array(mail(id: "c1@example.org").utf8)
        try FileSystem.writeNew(desk.support.maildir + "/cur/123.abc:2,", bytes)
        try FileSystem.writeNew(desk.support.maildir + "/tmp/456.half-written", Array("From: x".utf8))
        #expect(desk.run() == [.newTicket(1)])
        #expect(desk.files("support", "cur") == ["123.abc:2,S"])
        #expect(desk.files("support", "tmp") == ["456.half-written"])
    }

    @Test func mailWithoutASenderIsQuarantinedAndCanBeReplayed() throws {
        let desk = try TestDesk()
        let name = try desk.deliver("To: support@acme.test\nSubject: who am I\nMessage-ID: <x1@nowhere>\n\nHello")
        let outcomes = desk.run()
        guard case .quarantined(let id, let reason) = outcomes.first else {
            Issue.record("not quarantined: \(outcomes)")
            return
        }
        #expect(id == "support." + name)
        #expect(reason.contains("no sender"))
        #expect(desk.files("support", "new").isEmpty)
        let q = desk.config.helpdesk.dataDir + "/quarantine"
        #expect(FileSystem.kind(of: q + "/new/" + id) == .file)
        let record = QuarantineRecord(parsing: String(decoding: try FileSystem.readFile(q + "/reasons/" + id + ".reason"), as: UTF8.self))
        #expect(record?.mailbox == "support")
        #expect(record?.reason == reason)
        #expect(try desk.count("SELECT count(*) FROM messages WHERE direction = 'in'") == 0)
    }

    @Test func oversizedMailIsQuarantinedNotLost() throws {
        let root = NSTemporaryDirectory() + "pd-big-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let desk = try TestDesk()
        var limits = ParseLimits()
        limits.maxMessageBytes = 1_000
        let small = try Ingestor(config: desk.config, store: desk.store, clock: desk.clock, limits: limits)
        try desk.deliver(mail(id: "big@example.org", body: String(repeating: "x", count: 5_000)))
        let outcome = small.processPending().outcomes.first?.outcome
        guard case .quarantined(_, let reason) = outcome else {
            Issue.record("\(String(describing: outcome))")
            return
        }
        #expect(reason.contains("limit"))
        #expect(((try? FileSystem.list(desk.config.helpdesk.dataDir + "/quarantine/new")) ?? []).count == 1)
    }

    @Test func attachmentsAreStoredOnceByContent() throws {
        let desk = try TestDesk()
        func withAttachment(_ id: String) -> String {
            """
            From: ana@example.org
            To: support@acme.test
            Subject: logs \(id)
            Message-ID: <\(id)>
            Content-Type: multipart/mixed; boundary=m

            --m

            see attached
            --m
            Content-Type: application/octet-stream; name="../../etc/passwd"
            Content-Transfer-Encoding: base64

            aGVsbG8gd29ybGQ=
            --m--
            """
        }
        try desk.deliver(withAttachment("x1@example.org"))
        try desk.deliver(withAttachment("x2@example.org"))
        _ = desk.run()
        #expect(try desk.count("SELECT count(*) FROM attachments") == 2)
        #expect(try desk.count("SELECT count(DISTINCT sha256) FROM attachments") == 1)
        let hash = SHA256.hexHash(Array("hello world".utf8))
        let file = DataDirectory(desk.config.helpdesk.dataDir).attachmentPath(sha256: hash)
        #expect(try FileSystem.readFile(file) == Array("hello world".utf8))
        // The sender's file name is data, never a path: only its last component is kept (SafeFilename).
        #expect(try desk.store.ticket(1)?.messages?.first?.attachments.first?.filename == "passwd")
        #expect(FileSystem.kind(of: desk.root + "/etc/passwd") == nil)
    }

    @Test func searchFindsSubjectsBodiesReferencesAndRequesters() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(subject: "Rechnung doppelt", id: "r1@example.org", body: "Kontoauszug anbei"))
        try desk.deliver(mail(from: "bob@other.test", subject: "Drucker", id: "r2@example.org"))
        _ = desk.run()
        #expect(try desk.store.search("rechnung").map(\.number) == [1])
        #expect(try desk.store.search("kontoauszug").map(\.number) == [1])
        #expect(try desk.store.search("bob@other.test").map(\.number) == [2])
        #expect(try desk.store.search("r2@example.org").map(\.number) == [2])
        #expect(try desk.store.search("\"unbalanced OR (").isEmpty)
    }

    @Test func autoReplyIsRecordedButDoesNotReopen() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(id: "a1@example.org"))
        _ = desk.run()
        try desk.store.setStatus(1, .resolved, at: "2026-11-22T12:00:00+00:00")
        try desk.deliver(mail(subject: "Automatic reply: Printer broken", id: "ooo@example.org", inReplyTo: "a1@example.org",
                              extraHeaders: ["Auto-Submitted: auto-replied"]))
        #expect(desk.run() == [.reply(1)])
        #expect(try desk.store.ticket(1)?.status == "resolved")
        #expect(try desk.count("SELECT count(*) FROM messages WHERE kind = 'automatic' AND visibility = 'internal' AND direction = 'in'") == 1)
    }
}

@Suite struct DatabaseCacheTests {
    @Test(arguments: [
        (bytes: Int64(0), kib: Int64(2_000)),                  // a new helpdesk: SQLite's default
        (bytes: Int64(115_000_000), kib: Int64(2_000)),        // the ingest benchmark's database
        (bytes: Int64(1 << 30), kib: Int64(4_096)),            // 1 GiB: 4 MiB
        (bytes: Int64(17_636_000_000), kib: Int64(65_536)),    // a million tickets: the 64 MiB ceiling
    ])
    func cacheGrowsWithTheDatabaseUpToACeiling(bytes: Int64, kib: Int64) {
        #expect(Database.cacheKiB(databaseBytes: bytes) == kib)
    }

    @Test func aConnectionGetsTheCacheForItsDatabase() throws {
        let path = NSTemporaryDirectory() + "pd-cache-\(UUID().uuidString).sqlite"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let db = try Database(path: path)
        #expect(try db.query("PRAGMA cache_size").first?[0].int == -2_000)
    }
}

@Suite struct MigrationTests {
    @Test func fromAnEmptyDatabaseToTheLatest() throws {
        let path = NSTemporaryDirectory() + "pd-mig-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try Database(path: path)
        #expect(try Migrations.version(db) == 0)
        #expect(try Migrations.migrate(db) == Array(1...Migrations.latest))
        #expect(try Migrations.version(db) == Migrations.latest)
        #expect(try Migrations.migrate(db) == [])  // idempotent
        #expect(try db.query("PRAGMA journal_mode").first?[0].string == "wal")
        #expect(try db.query("PRAGMA foreign_keys").first?[0].int == 1)
    }

    @Test func fromEachEarlierVersion() throws {
        for start in 0..<Migrations.latest {
            let path = NSTemporaryDirectory() + "pd-mig-\(UUID().uuidString).sqlite"
            defer { try? FileManager.default.removeItem(atPath: path) }
            let db = try Database(path: path)
            try Migrations.migrate(db, to: start)
            #expect(try Migrations.version(db) == start)
            #expect(try Migrations.migrate(db) == Array((start + 1)...Migrations.latest))
            #expect(try db.query("SELECT count(*) FROM tickets").first?[0].int == 0)
        }
    }

    /// A database written by the first release (schema 1, with tickets) gains the outbox and keeps its data.
    @Test func version1WithDataGainsTheOutbox() throws {
        let path = NSTemporaryDirectory() + "pd-mig-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try Database(path: path)
        try Migrations.migrate(db, to: 1)
        try db.execute("""
            INSERT INTO customers (address, created) VALUES ('ana@example.org', '2026-11-01T10:00:00+00:00');
            INSERT INTO tickets (subject, status, queue, requester_id, created, updated) VALUES ('Old', 'open', 'support', 1, '2026-11-01T10:00:00+00:00', '2026-11-01T10:00:00+00:00');
            """)
        #expect(try Migrations.migrate(db) == Array(2...Migrations.latest))
        let store = try Store(path: path)
        try store.enqueue(Store.NewOutboxEntry(ticket: 1, kind: "closed", recipient: "ana@example.org", envelopeFrom: "support@acme.test",
                                               messageID: "m@acme.test", automatic: true, language: "en", raw: [0x41], causeMessage: nil), now: 100)
        #expect(try store.dueOutbox(now: 100, limit: 10).map(\.ticket) == [1])
        #expect(try store.ticket(1)?.subject == "Old")
    }

    /// Schema 8 indexes resolved tickets by when they were resolved: the scheduler's two queries (every 10 s)
    /// read the tickets due through it, not every resolved ticket.
    @Test func version8IndexesResolvedTicketsForTheScheduler() throws {
        let path = NSTemporaryDirectory() + "pd-mig-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try Database(path: path)
        try Migrations.migrate(db, to: 5)
        try db.execute("""
            INSERT INTO customers (address, created) VALUES ('ana@example.org', '2026-11-01T10:00:00+00:00');
            INSERT INTO tickets (subject, status, queue, requester_id, created, updated, resolved_at)
            VALUES ('Due', 'resolved', 'support', 1, '2026-11-01T10:00:00+00:00', '2026-11-01T10:00:00+00:00', '2026-11-02T10:00:00+00:00'),
                   ('Later', 'resolved', 'support', 1, '2026-11-01T10:00:00+00:00', '2026-11-01T10:00:00+00:00', '2026-11-09T10:00:00+00:00'),
                   ('Open', 'open', 'support', 1, '2026-11-01T10:00:00+00:00', '2026-11-01T10:00:00+00:00', NULL);
            """)
        #expect(try Migrations.migrate(db, to: 8) == [6, 7, 8])
        #expect(try db.query("SELECT count(*) FROM sqlite_master WHERE name = 'tickets_resolved'").first?[0].int == 1)
        let store = try Store(path: path)
        #expect(try store.resolvedBefore("2026-11-05T00:00:00+00:00") == [1])
        #expect(try store.remindersDue("2026-11-05T00:00:00+00:00") == [1])
    }

    /// Schema 4's outbox kept each mail's bytes in its rows; schema 5 moves them to outbox_text (sent ones with
    /// their sending time, for keep_sent) and keeps every record, queued mail still sendable.
    @Test func version4OutboxTextMovesToItsOwnTable() throws {
        let path = NSTemporaryDirectory() + "pd-mig-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try Database(path: path)
        try Migrations.migrate(db, to: 4)
        try db.execute("""
            INSERT INTO outbox (kind, recipient, envelope_from, message_id, automatic, raw, status, queued_at, next_attempt, done_at)
            VALUES ('confirmation', 'ana@example.org', 'support@acme.test', 'q@acme.test', 1, x'5155', 'queued', 100, 100, NULL),
                   ('confirmation', 'ana@example.org', 'support@acme.test', 's@acme.test', 1, x'5345', 'sent', 90, 90, 95),
                   ('agent_new_ticket', 'alice@acme.test', 'support@acme.test', 'f@acme.test', 1, x'46', 'failed', 80, 80, 99),
                   ('confirmation', 'x@example.org', '', 'suppressed-1', 1, x'', 'suppressed', 70, 70, 70);
            """)
        #expect(try Migrations.migrate(db, to: 5) == [5])
        let store = try Store(path: path)
        #expect(try store.db.query("SELECT message_id, status FROM outbox ORDER BY id").map { "\($0[0].string ?? "") \($0[1].string ?? "")" }
                == ["q@acme.test queued", "s@acme.test sent", "f@acme.test failed", "suppressed-1 suppressed"])
        #expect(try store.db.query("SELECT id, hex(raw), coalesce(sent_at, -1) FROM outbox_text ORDER BY id").map { "\($0[0].int ?? 0) \($0[1].string ?? "") \($0[2].int ?? 0)" }
                == ["1 5155 -1", "2 5345 95", "3 46 -1"])
        #expect(try store.dueOutbox(now: 100, limit: 10).map(\.raw) == [[0x51, 0x55]])
        // Customers' automatic mail counts toward the caps; an agent's notice and a suppressed mail do not.
        #expect(try store.db.query("SELECT counted FROM outbox ORDER BY id").compactMap { $0[0].int } == [1, 1, 0, 0])
        #expect(try store.dropSentText(sentBefore: 96, limit: 10) == 1)
        #expect(try store.db.query("SELECT name FROM sqlite_master WHERE tbl_name = 'outbox' AND type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name")
                    .compactMap { $0[0].string } == ["outbox_automatic", "outbox_due", "outbox_failed", "outbox_message", "outbox_ticket"])
        #expect(try store.db.query("PRAGMA foreign_key_check").isEmpty)
    }

    /// Schema 5's ledger rows (keys from the parser's reading) stay as they are; schema 7 adds the maildir
    /// names and the ledger's Message-ID index that the exactly-once check of those rows uses.
    @Test func version5LedgerRowsStayAndGainTheMessageIDIndex() throws {
        let path = NSTemporaryDirectory() + "pd-mig-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try Database(path: path)
        try Migrations.migrate(db, to: 5)
        try db.execute("""
            INSERT INTO ingested (key, message_id, mailbox, outcome, at) VALUES ('legacy-key', 'm1@x', 'support', 'new ticket #1', '2026-11-01'),
                                                                               ('no-id', NULL, 'support', 'bounce recorded (no ticket)', '2026-11-01');
            """)
        #expect(try Migrations.migrate(db, to: 7) == [6, 7])
        let store = try Store(path: path)
        #expect(try store.ingested(key: "legacy-key")?.outcome == "new ticket #1")
        #expect(try store.hasLegacyLedgerRows())
        #expect(try store.ingested(messageID: "m1@x").map(\.key) == ["legacy-key"])
        #expect(try store.isIngestedMaildirName(mailbox: "support", name: "1.a.test") == false)
        try store.recordMaildirName(mailbox: "support", name: "1.a.test")
        try store.recordMaildirName(mailbox: "support", name: "1.a.test")  // once
        #expect(try store.isIngestedMaildirName(mailbox: "support", name: "1.a.test"))
        #expect(try store.isIngestedMaildirName(mailbox: "sales", name: "1.a.test") == false)
        #expect(try store.db.query("EXPLAIN QUERY PLAN SELECT key FROM ingested WHERE message_id = 'm1@x'")
                    .contains { ($0[3].string ?? "").contains("ingested_message_id") })
    }

    /// A database made at schema 7 or later holds no row with the earlier key, so ingestion skips the lookups for
    /// them (and computing that key): they could never match.
    @Test func aNewDatabaseHasNoLegacyLedgerRows() throws {
        let path = NSTemporaryDirectory() + "pd-mig-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try Store(path: path)
        #expect(try store.hasLegacyLedgerRows() == false)
    }

    @Test func aNewerDatabaseIsRefused() throws {
        let path = NSTemporaryDirectory() + "pd-mig-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try Database(path: path)
        try db.execute("PRAGMA user_version = \(Migrations.latest + 1)")
        #expect(throws: StoreError.self) { try Migrations.migrate(db) }
    }

    @Test func foreignKeysAreEnforced() throws {
        let path = NSTemporaryDirectory() + "pd-mig-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try Store(path: path)
        #expect(throws: StoreError.self) {
            try store.db.run("INSERT INTO tickets (subject, status, queue, requester_id, created, updated) VALUES ('x', 'new', 'q', 999, 'a', 'a')")
        }
    }
}
