import Foundation
import PostdeskDaemon
import PostdeskMail
import PostdeskStore
import PostdeskTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 14, "nothing is lost, on every path": each case through the real `postdesk` binary on real maildirs
/// and a real SQLite file.
@Suite(.serialized) struct DurabilityProcessTests {
    // MARK: - Quarantine collisions

    /// Two mailboxes hold a mail of the same maildir name, and both are quarantined: two copies, two reasons,
    /// each original removed only after its own copy is there. Replayed and quarantined again, each gets a
    /// new ID; the replayed reasons are kept as records.
    @Test func sameMaildirNameInTwoMailboxesIsTwoQuarantinedMails() throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        try FaultTests.makeMaildir(desk.root + "/mail/sales")
        try desk.appendConfig("[mailbox sales]\nmaildir = mail/sales\naddress = sales@acme.test\ntag = Sales")
        let support = "To: support@acme.test\nSubject: who\nMessage-ID: <q1@x>\n\nno sender, support\n"
        let sales = "To: sales@acme.test\nSubject: who\nMessage-ID: <q2@x>\n\nno sender, sales\n"
        try FaultTests.deliver(support, to: desk.root + "/mail/support", name: "1700000000.same.test")
        try FaultTests.deliver(sales, to: desk.root + "/mail/sales", name: "1700000000.same.test")
        #expect(try desk.postdesk(["run", "--once"]).status == 0)

        let q = desk.root + "/data/quarantine"
        #expect(desk.files(q + "/new") == ["sales.1700000000.same.test", "support.1700000000.same.test"])
        #expect(FaultTests.read(q + "/new/support.1700000000.same.test") == support)
        #expect(FaultTests.read(q + "/new/sales.1700000000.same.test") == sales)
        let list = try #require(try desk.json(["quarantine", "list"]) as? [[String: Any]])
        #expect(Set(list.compactMap { $0["mailbox"] as? String }) == ["support", "sales"])
        #expect(list.allSatisfy { $0["original"] as? String == "1700000000.same.test" })
        #expect(desk.files(desk.newDir).isEmpty && desk.files(desk.root + "/mail/sales/new").isEmpty)

        // Both back, both quarantined again (nothing was fixed): new IDs, the earlier reasons kept as records.
        for id in ["support.1700000000.same.test", "sales.1700000000.same.test"] {
            let r = try desk.postdesk(["quarantine", "replay", id])
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(desk.files(q + "/new").isEmpty)
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        #expect(desk.files(q + "/new").count == 2)
        let reasons = desk.files(q + "/reasons")
        #expect(reasons.filter { $0.hasSuffix(".reason") }.count == 2)
        #expect(reasons.filter { $0.hasSuffix(".replayed") } == ["sales.1700000000.same.test.replayed", "support.1700000000.same.test.replayed"])
        #expect(FaultTests.read(q + "/reasons/support.1700000000.same.test.replayed").contains("replayed: "))

        // Another mail under a name the quarantine already holds for this mailbox: a suffixed ID, its own reason.
        let later = "To: support@acme.test\nSubject: who\nMessage-ID: <q3@x>\n\nanother one, same name\n"
        try FaultTests.deliver(later, to: desk.root + "/mail/support", name: "1700000000.same.test")
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        #expect(FaultTests.read(q + "/new/support.1700000000.same.test.2") == later)
        #expect(FaultTests.read(q + "/reasons/support.1700000000.same.test.2.reason").contains("original: 1700000000.same.test"))
        #expect(desk.files(q + "/new").count == 3)
    }

    // MARK: - Existing files are checked

    /// A crashed batch left a zero-length raw mail and a zero-length attachment at their addresses, and
    /// nothing in the database. The next run must not trust them: both are rewritten with their real bytes.
    @Test func zeroLengthLeftoversOfACrashedBatchAreRewritten() throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        let attachment = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let text = FaultTests.mail(from: "Ana <ana@example.org>", to: "support@acme.test", subject: "Logs", messageID: "z1@x",
                                   body: "The logs.", attachment: attachment)
        try FaultTests.deliver(text, to: desk.root + "/mail/support", name: "1700000000.z1.test")
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        let db = desk.root + "/db/postdesk.sqlite"
        let rawPath = try #require(try sqliteRows(db, "SELECT raw_path FROM messages WHERE direction = 'in'").first?.first)
        let raw = rawPath.hasPrefix("/") ? rawPath : desk.root + "/" + rawPath
        let sha = try #require(try sqliteRows(db, "SELECT sha256 FROM attachments").first?.first)
        let file = desk.root + "/data/attachments/" + sha.prefix(2) + "/" + sha.dropFirst(2).prefix(2) + "/" + sha

        // The state a crash before the commit leaves: the files (never synced: empty after a power loss), no rows,
        // the mail still in new/.
        for suffix in ["", "-wal", "-shm"] { unlink(db + suffix) }
        for path in [raw, file] {
            unlink(path)
            #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        }
        #expect(rename(desk.curDir + "/1700000000.z1.test:2,S", desk.newDir + "/1700000000.z1.test") == 0)

        let r = try desk.postdesk(["run", "--once"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets") == 1)
        #expect(FaultTests.read(raw) == text, "the raw mail is rewritten")
        #expect(FileManager.default.contents(atPath: file).map { [UInt8]($0) } == attachment, "the attachment is rewritten")
    }

    // MARK: - Seen in cur/ by another reader

    /// Dovecot (or an operator) flagged a mail Seen and moved it to cur/ before Postdesk took it in: the ledger
    /// decides, so it is ingested (once); mail Postdesk took in itself is not read again.
    @Test func mailFlaggedSeenByAnotherReaderIsTakenInOnce() throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        try FaultTests.mail(from: "Ana <ana@example.org>", to: "support@acme.test", subject: "Read by Dovecot", messageID: "s1@x", body: "Hi.")
            .write(toFile: desk.curDir + "/1700000000.s1.test:2,RS", atomically: true, encoding: .utf8)
        try FaultTests.deliver(FaultTests.mail(from: "Bo <bo@example.org>", to: "support@acme.test", subject: "Ordinary", messageID: "s2@x", body: "Hi."),
                               to: desk.root + "/mail/support", name: "1700000001.s2.test")
        let first = try desk.postdesk(["run", "--once"])
        #expect(first.status == 0, "\(first.stderr)")
        let db = desk.root + "/db/postdesk.sqlite"
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets") == 2)
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets WHERE subject = 'Read by Dovecot'") == 1)
        // Its flags are kept (R stays, S was there).
        #expect(desk.files(desk.curDir) == ["1700000000.s1.test:2,RS", "1700000001.s2.test:2,S"])

        // Again: both names are in the ledger, neither is even read.
        let again = try desk.postdesk(["run", "--once"])
        #expect(again.status == 0)
        #expect(!again.stderr.contains("already ingested"), "\(again.stderr)")
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets") == 2)
        #expect(try sqliteCount(db, "SELECT count(*) FROM maildir_names") == 2)

        // A reader marks both unread again: Postdesk knows them and leaves their flags alone.
        #expect(rename(desk.curDir + "/1700000000.s1.test:2,RS", desk.curDir + "/1700000000.s1.test:2,R") == 0)
        #expect(rename(desk.curDir + "/1700000001.s2.test:2,S", desk.curDir + "/1700000001.s2.test:2,") == 0)
        let unread = try desk.postdesk(["run", "--once"])
        #expect(unread.status == 0)
        #expect(!unread.stderr.contains("already ingested"), "\(unread.stderr)")
        #expect(desk.files(desk.curDir) == ["1700000000.s1.test:2,R", "1700000001.s2.test:2,"])
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets") == 2)
    }

    // MARK: - data_dir on another filesystem

    /// data_dir on a tmpfs of its own, the maildir elsewhere: an oversized mail cannot be renamed into the
    /// quarantine (EXDEV) and is copied, synced and compared, then removed; mail after it is taken at once.
    @Test(.enabled(if: TestMount.isPermitted, "needs to mount a tmpfs (root with CAP_SYS_ADMIN)"))
    func oversizedMailIsQuarantinedAcrossFilesystems() throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        let mount = try TestMount.tmpfs(at: desk.root + "/data", size: "160m")
        defer { mount.unmount() }
        let name = "1700000000.big.test"
        var big = Array("From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: big\nMessage-ID: <big@x>\n\n".utf8)
        big += [UInt8](repeating: 0x78, count: ParseLimits.default.maxMessageBytes + 1_000)
        try Data(big).write(to: URL(fileURLWithPath: desk.root + "/mail/support/tmp/" + name))
        #expect(rename(desk.root + "/mail/support/tmp/" + name, desk.newDir + "/" + name) == 0)

        let daemon = try RunningDaemon(desk, "daemon")
        #expect(daemon.ready(), "\(daemon.log)")
        let copy = desk.root + "/data/quarantine/new/support." + name
        #expect(FaultTests.eventually(seconds: 30) { desk.files(desk.newDir).isEmpty }, "\(daemon.log)")
        #expect(FileManager.default.contents(atPath: copy).map { [UInt8]($0) == big } == true, "the quarantined copy is the mail")
        #expect(desk.files(desk.root + "/data/quarantine/tmp").isEmpty)
        #expect(daemon.log.contains("larger than the"), "\(daemon.log)")

        try FaultTests.deliver(FaultTests.mail(from: "Bo <bo@example.org>", to: "support@acme.test", subject: "Small", messageID: "small@x", body: "Hi."),
                               to: desk.root + "/mail/support", name: "1700000001.small.test")
        #expect(FaultTests.eventually(seconds: 3) { desk.files(desk.curDir) == ["1700000001.small.test:2,S"] }, "\(daemon.log)")
        #expect(try daemon.stop() == 0)
    }

    /// `quarantine replay` with data_dir on another filesystem: copied into the mailbox's tmp/, synced,
    /// compared, renamed into new/; only then the quarantined copy goes. The next run takes it in.
    @Test(.enabled(if: TestMount.isPermitted, "needs to mount a tmpfs (root with CAP_SYS_ADMIN)"))
    func replayAcrossFilesystems() throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        let mount = try TestMount.tmpfs(at: desk.root + "/data", size: "16m")
        defer { mount.unmount() }
        let text = "To: support@acme.test\nSubject: who\nMessage-ID: <r1@x>\n\nno sender\n"
        try FaultTests.deliver(text, to: desk.root + "/mail/support", name: "1700000000.r1.test")
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        #expect(desk.files(desk.root + "/data/quarantine/new") == ["support.1700000000.r1.test"])

        let r = try desk.postdesk(["quarantine", "replay", "support.1700000000.r1.test"])
        #expect(r.status == 0, "\(r.stderr)")
        let back = desk.files(desk.newDir)
        #expect(back.count == 1)
        #expect(FaultTests.read(desk.newDir + "/" + (back.first ?? "")) == text)
        #expect(desk.files(desk.root + "/mail/support/tmp").isEmpty)
        #expect(desk.files(desk.root + "/data/quarantine/new").isEmpty)
        #expect(desk.files(desk.root + "/data/quarantine/reasons") == ["support.1700000000.r1.test.replayed"])
    }

    /// A mail that cannot leave its maildir (the sales maildir is read-only: its quarantined copy is made, the
    /// original cannot be removed) is deferred on its own: new mail in another mailbox is taken at once (the
    /// inotify event still starts a scan), and the deferred mail is not copied into the quarantine again.
    @Test(.enabled(if: TestMount.isPermitted, "needs to bind-mount a folder read-only (root with CAP_SYS_ADMIN)"))
    func aDeferredMailDoesNotStallOtherMail() throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        try FaultTests.makeMaildir(desk.root + "/mail/sales")
        try FaultTests.deliver("To: sales@acme.test\nSubject: who\nMessage-ID: <d1@x>\n\nno sender\n", to: desk.root + "/mail/sales", name: "1.d1.test")
        let view = try TestMount.bind(desk.root + "/mail/sales", at: desk.root + "/view/sales")
        defer { view.unmount() }
        try view.setReadOnly(true)
        try desk.appendConfig("[mailbox sales]\nmaildir = view/sales\naddress = sales@acme.test\ntag = Sales")
        let daemon = try RunningDaemon(desk, "daemon")
        #expect(daemon.ready(), "\(daemon.log)")
        #expect(daemon.log.contains("1.d1.test could not be quarantined"), "\(daemon.log)")
        // Long enough for the old global backoff (1, 2, 4, 8 s) to have stopped reacting to inotify for seconds.
        sleep(8)
        try FaultTests.deliver(FaultTests.mail(from: "Bo <bo@example.org>", to: "support@acme.test", subject: "Now", messageID: "n1@x", body: "Hi."),
                               to: desk.root + "/mail/support", name: "2.n1.test")
        #expect(FaultTests.eventually(seconds: 3) { desk.files(desk.curDir) == ["2.n1.test:2,S"] }, "\(daemon.log)")
        #expect(try daemon.stop() == 0)
        #expect(desk.files(desk.root + "/data/quarantine/new") == ["sales.1.d1.test"], "one copy, however often it was retried")
        #expect(desk.files(desk.root + "/mail/sales/new") == ["1.d1.test"], "the original stays until it can go")
    }

    // MARK: - The exactly-once key

    /// Two mails without a Message-ID that differ only past the 1 MiB text cap are two mails: two tickets.
    @Test func mailsDifferingOnlyPastTheTextCapAreTwoTickets() throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        try desk.appendConfig(ProcessDesk.noLimits)
        let head = "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Long log\n\n" + String(repeating: "log line\n", count: 130_000)
        try FaultTests.deliver(head + "ending A\n", to: desk.root + "/mail/support", name: "1.a.test")
        try FaultTests.deliver(head + "ending B\n", to: desk.root + "/mail/support", name: "2.b.test")
        let r = try desk.postdesk(["run", "--once"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("already ingested"), "\(r.stderr)")
        #expect(try sqliteCount(desk.root + "/db/postdesk.sqlite", "SELECT count(*) FROM tickets") == 2)
    }

    enum LedgerRow: String, CaseIterable, CustomTestStringConvertible {
        /// The row the previous Postdesk wrote: the key from the parser's reading.
        case legacyKey
        /// A row an older parser (or iconv) wrote: a key this version's parser cannot reproduce.
        case olderParser
        var testDescription: String { rawValue }
    }

    /// Upgrade from schema 5 with a committed mail still in new/ (a crash between the commit and the rename):
    /// the binary migrates to the latest schema and does not take the mail in again, whether its ledger row holds the legacy
    /// key or one an older parser computed (matched by Message-ID and the stored raw mail).
    @Test(arguments: LedgerRow.allCases) func upgradeDoesNotIngestCommittedMailAgain(_ row: LedgerRow) throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        let text = FaultTests.mail(from: "Ana <ana@example.org>", to: "support@acme.test", subject: "Bitte", messageID: "u1@x",
                                   body: "Grüße aus Köln, 50 € bitte.")
        try FaultTests.deliver(text, to: desk.root + "/mail/support", name: "1700000000.u1.test")
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        let db = desk.root + "/db/postdesk.sqlite"
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets") == 1)

        // The database as schema 5 left it (what migrations 6 to 9 add taken away): the ledger row in the old format, no maildir names; the mail back in new/.
        let message = Message.parse(Array(text.utf8))
        let key = row == .legacyKey
            ? Ingestor.legacyIdempotencyKey(message, MessageSummary(message))
            : SHA256.hexHash(Array("an older parser's reading".utf8))
        let r = try runCommand("python3", ["-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            c.executescript("DROP TABLE IF EXISTS maildir_names; DROP INDEX IF EXISTS ingested_message_id; DROP TABLE IF EXISTS ledger_legacy; "
                             "DROP INDEX IF EXISTS account_codes_client; ALTER TABLE account_codes DROP COLUMN client; "
                             "ALTER TABLE messages DROP COLUMN sender_auth; DROP INDEX IF EXISTS tickets_resolved; "
                             "DROP TABLE IF EXISTS portal_sessions; DROP TABLE IF EXISTS portal_links; "
                             "DROP INDEX IF EXISTS tickets_requester_updated; ALTER TABLE tickets DROP COLUMN origin; "
                             "ALTER TABLE messages DROP COLUMN origin;")
            c.execute("UPDATE ingested SET key = ?", (sys.argv[2],))
            c.execute("PRAGMA user_version = 5")
            c.commit()
            """, db, key], seconds: 60)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(rename(desk.curDir + "/1700000000.u1.test:2,S", desk.newDir + "/1700000000.u1.test") == 0)

        let upgraded = try desk.postdesk(["run", "--once"])
        #expect(upgraded.status == 0, "\(upgraded.stderr)")
        #expect(upgraded.stderr.contains("1700000000.u1.test already ingested"), "\(upgraded.stderr)")
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets") == 1)
        #expect(try sqliteCount(db, "SELECT count(*) FROM messages WHERE direction = 'in'") == 1)
        #expect(try sqliteCount(db, "PRAGMA user_version") == Migrations.latest)
        #expect(try sqliteCount(db, "SELECT count(*) FROM maildir_names WHERE name = '1700000000.u1.test'") == 1)
        #expect(desk.files(desk.curDir) == ["1700000000.u1.test:2,S"])
        // explain asks the ledger as run does: the row keeps its earlier key, and explain still finds it.
        let explained = try desk.postdesk(["explain", desk.curDir + "/1700000000.u1.test:2,S"])
        #expect(explained.status == 0, "\(explained.stderr)")
        #expect(explained.stdout.contains("already ingested"), "\(explained.stdout)")
    }
}
