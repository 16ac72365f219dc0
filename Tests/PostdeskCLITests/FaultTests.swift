import Foundation
import PostdeskMail
import PostdeskTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Faults (issue 7): the real `postdesk run` daemon is driven through each fault and must keep working on
/// everything else, recover when the fault ends, and lose nothing.
///
/// | fault | test |
/// | --- | --- |
/// | SIGKILL while a backlog of thousands of mails is taken in | `sigkillDuringIngestLeavesEveryMailExactlyOnce` |
/// | SIGKILL while sending (and SIGTERM mid-batch) | `sigkillDuringSendingDeliversEverythingWithFewSameIDDuplicates` |
/// | the database locked by another process for 30 s | `aDatabaseLockedFor30SecondsPausesAndLosesNothing` |
/// | disk full while taking mail in, and while writing attachments | `aFullDiskDefersMailUntilThereIsRoom` |
/// | a maildir the daemon cannot write | `anUnwritableMaildirDoesNotStopTheOtherMailboxes` |
/// | an SMTP server that answers 1 byte a second, or hangs | `aSlowOrHangingSMTPServerBlocksNothingElse` |
@Suite struct FaultTests {
    // MARK: - 1. SIGKILL during ingest

    /// A backlog of 2,400 mails in two mailboxes (replies, attachments shared between mails) is taken in while
    /// the daemon is killed with SIGKILL at random points; after a restart every mail is exactly one ledger
    /// row, one message and (if not a reply) one ticket with one confirmation, written once.
    @Test func sigkillDuringIngestLeavesEveryMailExactlyOnce() throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        try Self.makeMaildir(desk.root + "/mail/sales")
        try desk.appendConfig("""
            [mailbox sales]
            maildir = mail/sales
            address = sales@acme.test
            tag = Sales

            \(ProcessDesk.noLimits)

            [outbound]
            transport = maildir
            maildir = out
            """)
        let total = 2_400
        // Mail i goes to sales when i % 3 == 0; every fifth (i % 5 == 4) replies to mail i - 3 of the same
        // mailbox, read before it (names sort by i); every seventh carries one of 40 attachments.
        let isReply = { (i: Int) in i % 5 == 4 }
        let hasAttachment = { (i: Int) in i % 7 == 0 }
        for i in 0..<total {
            let box = i % 3 == 0 ? "sales" : "support"
            let attachment = hasAttachment(i) ? Array(String(repeating: "attachment \(i % 40);", count: 150).utf8) : nil
            let text = Self.mail(
                from: "Customer \(i) <c\(i)@example.org>", to: "\(box)@acme.test", subject: "Fault \(i)",
                messageID: "f\(i)@fault.test", inReplyTo: isReply(i) ? "f\(i - 3)@fault.test" : nil,
                body: "Body of mail \(i).", attachment: attachment)
            try text.write(toFile: desk.root + "/mail/\(box)/new/\(1_700_000_000 + i).fault\(i).test", atomically: false, encoding: .utf8)
        }
        let boxes = [desk.root + "/mail/support", desk.root + "/mail/sales"]
        func taken() -> Int { boxes.reduce(0) { $0 + desk.files($1 + "/cur").count } }
        func waiting() -> Int { boxes.reduce(0) { $0 + desk.files($1 + "/new").count } }

        var generator = SystemRandomNumberGenerator()
        var killedMidway = 0
        for round in 0..<3 where waiting() > 0 {
            let daemon = try ChildProcess(postdeskBinary, ["--config", desk.config, "run"], stderrPath: desk.root + "/killed-\(round).log")
            // Kill once a random share of what is left has been taken in: the kill lands mid-backlog, inside a
            // batch, between a commit and its renames, or while the outbox writes.
            let before = taken()
            let target = before + Int.random(in: 1...max(1, (total - before) * 2 / 3), using: &generator)
            let deadline = Date().addingTimeInterval(120)
            while taken() < target, daemon.status == nil, Date() < deadline { usleep(2_000) }
            daemon.signal(SIGKILL)
            try daemon.waitOrKill(seconds: 30)
            #expect(daemon.terminationSignal == SIGKILL, "\(Self.read(desk.root + "/killed-\(round).log").suffix(2000))")
            if waiting() > 0 { killedMidway += 1 }
        }
        #expect(killedMidway >= 1, "at least one SIGKILL should land while mail was still waiting")

        // Restart: the first scan finishes the backlog (READY=1 follows it), the outbox sends everything.
        let daemon = try RunningDaemon(desk, "final")
        #expect(daemon.ready(seconds: 180), "\(daemon.log.suffix(2000))")
        let db = desk.root + "/db/postdesk.sqlite"
        #expect(Self.eventually(seconds: 120) { (try? sqliteCount(db, "SELECT count(*) FROM outbox WHERE status = 'queued'")) == 0 })
        #expect(try daemon.stop() == 0, "\(daemon.log.suffix(2000))")

        let replies = (0..<total).filter(isReply).count
        let withAttachments = (0..<total).filter(hasAttachment).count
        #expect(waiting() == 0)
        #expect(taken() == total)
        #expect(boxes.allSatisfy { desk.files($0 + "/cur").allSatisfy { $0.hasSuffix(":2,S") } })
        #expect(desk.files(desk.root + "/data/quarantine/new").isEmpty)
        #expect(try sqliteCount(db, "SELECT count(*) FROM ingested") == total)
        #expect(try sqliteCount(db, "SELECT count(DISTINCT message_id) FROM ingested") == total)
        #expect(try sqliteCount(db, "SELECT count(*) FROM messages WHERE direction = 'in'") == total)
        #expect(try sqliteCount(db, "SELECT count(DISTINCT message_id) FROM messages WHERE direction = 'in'") == total)
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets") == total - replies)
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets WHERE queue = 'sales'") == (0..<total).filter { $0 % 3 == 0 && !isReply($0) }.count)
        // Each reply is on the ticket of the mail it answers.
        let ticketOf = Dictionary(try sqliteRows(db, "SELECT message_id, ticket FROM messages WHERE direction = 'in'").map { ($0[0], $0[1]) },
                                  uniquingKeysWith: { a, _ in a })
        let misplaced = (0..<total).filter(isReply).filter { ticketOf["f\($0)@fault.test"] == nil || ticketOf["f\($0)@fault.test"] != ticketOf["f\($0 - 3)@fault.test"] }
        #expect(misplaced.isEmpty, "replies on the wrong ticket: \(misplaced.prefix(10))")
        // One confirmation per ticket, queued once (in the ticket's own transaction) and written once.
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox") == total - replies)
        #expect(try sqliteCount(db, "SELECT count(DISTINCT ticket) FROM outbox WHERE kind = 'confirmation' AND status = 'sent'") == total - replies)
        #expect(desk.files(desk.root + "/out/new").count == total - replies)
        #expect(desk.files(desk.root + "/out/tmp").isEmpty, "a delivery killed half-way is redone, not left behind")
        // Every file the database refers to is whole: raw mail, and attachments by their SHA-256.
        #expect(try sqliteCount(db, "SELECT count(*) FROM attachments") == withAttachments)
        #expect(try Self.brokenReferences(db: db).isEmpty)
        #expect(try sqliteRows(db, "PRAGMA integrity_check") == [["ok"]])
    }

    // MARK: - 2. SIGKILL during sending

    /// 200 confirmations go to an SMTP server slow enough (40 ms per DATA) that a SIGKILL lands mid-batch. After
    /// a restart every mail is delivered; the only duplicates are the killed batch's, each with its original's
    /// Message-ID. A SIGTERM mid-batch stops after the mail in hand (the rest stays queued, nothing resent).
    @Test func sigkillDuringSendingDeliversEverythingWithFewSameIDDuplicates() throws {
        let sink = try SMTPSink(["--slow-data", "0.04"])
        let batch = 40
        let desk = try Self.smtpDesk(port: sink.port, extra: "batch_size = \(batch)")
        defer { desk.remove() }
        let total = 200
        for i in 0..<total {
            try Self.mail(from: "Customer \(i) <c\(i)@example.org>", to: "support@acme.test", subject: "Send \(i)",
                          messageID: "s\(i)@fault.test", body: "Mail \(i).")
                .write(toFile: desk.newDir + "/\(1_700_000_000 + i).send\(i).test", atomically: false, encoding: .utf8)
        }
        let db = desk.root + "/db/postdesk.sqlite"
        var generator = SystemRandomNumberGenerator()

        // SIGKILL once a random number of mails has been accepted by the server.
        let first = try RunningDaemon(desk, "first")
        let killAt = Int.random(in: 30...110, using: &generator)
        #expect(Self.eventually(seconds: 60) { sink.count >= killAt }, "\(first.log.suffix(2000))")
        first.kill()
        #expect(first.process.terminationSignal == SIGKILL)
        #expect(sink.count < total, "the kill should land before everything was sent")

        // SIGTERM mid-batch: the mail in hand is finished and recorded, the rest of the batch is not sent.
        let second = try RunningDaemon(desk, "second")
        let before = sink.count
        #expect(Self.eventually(seconds: 60) { sink.count >= before + 10 }, "\(second.log.suffix(2000))")
        let atSignal = sink.count
        #expect(try second.stop() == 0, "\(second.log.suffix(2000))")
        let afterStop = sink.count
        #expect(afterStop - atSignal <= 4, "after SIGTERM only the mail in hand may go out, not the rest of the batch (\(afterStop - atSignal) went)")
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox WHERE status = 'queued'") > 0, "the test should stop the daemon mid-queue")

        // Everything goes out in the end.
        let third = try RunningDaemon(desk, "third")
        #expect(Self.eventually(seconds: 120) { (try? sqliteCount(db, "SELECT count(*) FROM outbox WHERE status = 'queued'")) == 0 },
                "\(third.log.suffix(2000))")
        #expect(try third.stop() == 0)

        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox WHERE status = 'sent'") == total)
        let queuedIDs = Dictionary(try sqliteRows(db, "SELECT recipient, message_id FROM outbox").map { ($0[0], $0[1]) },
                                   uniquingKeysWith: { a, b in a + " or " + b })
        var copies: [String: [String]] = [:]
        for m in sink.messages { copies[Self.sinkRecipient(m), default: []].append(Self.messageID(m)) }
        #expect(copies.count == total, "every mail delivered: \(copies.count) of \(total)")
        for (recipient, ids) in copies {
            #expect(Set(ids) == [queuedIDs[recipient] ?? "?"], "copies to \(recipient) must all carry the queued Message-ID: \(ids)")
        }
        let duplicated = copies.values.filter { $0.count > 1 }
        #expect(duplicated.allSatisfy { $0.count == 2 }, "a mail is sent again at most once per kill")
        #expect(duplicated.count <= batch, "only the killed batch may be sent twice (\(duplicated.count) were)")
    }

    // MARK: - 3. The database locked for 30 s

    /// Another process holds the database with BEGIN EXCLUSIVE for 30 s. New mail waits in new/ (STATUS says
    /// paused); a confirmation whose send completes during the lock is kept until its result can be recorded,
    /// so it is neither lost nor sent again; afterwards the waiting mail is ingested and answered.
    @Test func aDatabaseLockedFor30SecondsPausesAndLosesNothing() throws {
        // The sink holds each DATA until the gate file exists: the test decides when the send completes.
        let gate = NSTemporaryDirectory() + "pd-gate-" + UUID().uuidString
        defer { unlink(gate) }
        let sink = try SMTPSink(["--gate", gate])
        let desk = try Self.smtpDesk(port: sink.port, extra: "timeout = 60s")
        defer { desk.remove() }
        let db = desk.root + "/db/postdesk.sqlite"
        let daemon = try RunningDaemon(desk, "daemon")
        #expect(daemon.ready(), "\(daemon.log)")

        // Mail A becomes a ticket; its confirmation is being sent, held at the server's DATA.
        try Self.deliver(Self.mail(from: "Ana <ana@example.org>", to: "support@acme.test", subject: "Before the lock",
                                   messageID: "a@fault.test", body: "A."), to: desk.root + "/mail/support", name: "1.a.test")
        #expect(daemon.status(seconds: 30) { $0.contains("1 unassigned") }, "\(daemon.log)")
        #expect(Self.eventually(seconds: 30) { FileManager.default.fileExists(atPath: sink.out + "/at-gate") }, "\(daemon.log)")

        let (r, w) = try closeOnExecPipe()
        let locker = try ChildProcess("python3", ["-c", """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
            c.execute("BEGIN EXCLUSIVE")
            print("locked", flush=True)
            time.sleep(30)
            c.execute("COMMIT")
            """, db], stdoutFD: w)
        close(w)
        #expect(readLine(fd: r, seconds: 30) == "locked")
        close(r)

        // Mail B waits in new/ while the lock lasts; STATUS says why.
        try Self.deliver(Self.mail(from: "Bo <bo@example.org>", to: "support@acme.test", subject: "During the lock",
                                   messageID: "b@fault.test", body: "B."), to: desk.root + "/mail/support", name: "2.b.test")
        #expect(daemon.status(seconds: 30) { $0.hasPrefix("paused") && $0.contains("deferred") }, "\(daemon.log)")
        #expect(desk.files(desk.newDir) == ["2.b.test"])

        // A's send completes during the lock; its result cannot be recorded yet and is kept, not resent.
        #expect(FileManager.default.createFile(atPath: gate, contents: nil))
        #expect(Self.eventually(seconds: 20) { sink.count >= 1 }, "\(daemon.log)")
        #expect(Self.eventually(seconds: 20) { daemon.log.contains("cannot record the results of 1 mail(s)") }, "\(daemon.log)")
        #expect(locker.status == nil, "the send should have completed while the database was locked: \(daemon.log)")

        try locker.waitOrKill(seconds: 60)
        #expect(locker.status == 0)
        #expect(daemon.status(seconds: 60) { $0.hasPrefix("idle") && $0.contains("2 unassigned") && $0.contains("outbox 0 queued") },
                "\(daemon.statuses.suffix(5)) \(daemon.log)")
        #expect(try daemon.stop() == 0)

        #expect(desk.files(desk.newDir).isEmpty)
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets") == 2)
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox WHERE status = 'sent' AND attempts = 1") == 2)
        let recipients = sink.messages.map(Self.sinkRecipient).sorted()
        #expect(recipients == ["ana@example.org", "bo@example.org"], "each confirmation exactly once: \(recipients)")
    }

    // MARK: - 4. Disk full

    enum FullDisk: String, CaseIterable, CustomTestStringConvertible {
        /// The maildir, the database and data_dir share the full filesystem; a mail with 300 kB of text makes
        /// the database grow (SQLITE_FULL at COMMIT).
        case database
        /// The maildir and data_dir share the full filesystem, the database has room; a mail with a 300 kB
        /// attachment cannot be stored (ENOSPC on the attachment file).
        case attachments
        var testDescription: String { rawValue }
    }

    /// A filesystem of its own (a 4 MB tmpfs) is filled up, then a large mail arrives. It waits in new/ (STATUS
    /// paused), nothing half-written is left or referenced, the daemon goes on; once there is room again the
    /// mail is taken in, whole.
    @Test(.enabled(if: TestMount.isPermitted, "needs to mount a tmpfs (root with CAP_SYS_ADMIN)"), arguments: FullDisk.allCases)
    func aFullDiskDefersMailUntilThereIsRoom(_ layout: FullDisk) throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        let mount = try TestMount.tmpfs(at: desk.root + "/full", size: "4m")
        defer { mount.unmount() }
        let maildir = desk.root + "/full/mail/support"
        try Self.makeMaildir(maildir)
        var config = try String(contentsOfFile: desk.config, encoding: .utf8)
            .replacingOccurrences(of: "data_dir = data", with: "data_dir = full/data")
            .replacingOccurrences(of: "maildir = mail/support", with: "maildir = full/mail/support")
        if layout == .database {
            config = config.replacingOccurrences(of: "database = db/postdesk.sqlite", with: "database = full/db/postdesk.sqlite")
        }
        try (config + "\n[outbound]\ntransport = maildir\nmaildir = out\n").write(toFile: desk.config, atomically: true, encoding: .utf8)
        let db = desk.root + (layout == .database ? "/full/db/postdesk.sqlite" : "/db/postdesk.sqlite")
        let data = desk.root + "/full/data"

        let daemon = try RunningDaemon(desk, "daemon")
        #expect(daemon.ready(), "\(daemon.log)")
        try Self.deliver(Self.mail(from: "Ana <ana@example.org>", to: "support@acme.test", subject: "Small",
                                   messageID: "small@fault.test", body: "Fits."), to: maildir, name: "1.small.test")
        #expect(daemon.status(seconds: 30) { $0.contains("1 unassigned") && $0.contains("outbox 0 queued") }, "\(daemon.log)")

        // The large mail is written into tmp/ first (on the filesystem about to be full), then the disk is
        // filled, then the mail is delivered (a rename needs no room).
        var generator = SystemRandomNumberGenerator()
        var attachment: [UInt8]? = nil
        var body = "See the attachment."
        switch layout {
        case .database:
            body = (0..<40_000).map { _ in "word\(UInt8.random(in: 0...255, using: &generator))" }.joined(separator: " ")
        case .attachments:
            attachment = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        try Self.mail(from: "Bo <bo@example.org>", to: "support@acme.test", subject: "Large", messageID: "large@fault.test",
                      body: body, attachment: attachment)
            .write(toFile: maildir + "/tmp/2.large.test", atomically: false, encoding: .utf8)
        #expect(try fillFilesystem(with: desk.root + "/full/filler") > 0)
        #expect(rename(maildir + "/tmp/2.large.test", maildir + "/new/2.large.test") == 0)

        #expect(daemon.status(seconds: 30) { $0.hasPrefix("paused") && $0.contains("deferred") }, "\(daemon.statuses.suffix(3)) \(daemon.log)")
        switch layout {
        case .database: #expect(daemon.log.contains("database or disk is full"), "\(daemon.log)")
        case .attachments: #expect(daemon.log.contains("/attachments/") && daemon.log.contains("No space left on device"), "\(daemon.log)")
        }
        #expect(desk.files(maildir + "/new") == ["2.large.test"])
        #expect(try sqliteCount(db, "SELECT count(*) FROM ingested") == 1)
        #expect(try sqliteCount(db, "SELECT count(*) FROM messages WHERE direction = 'in'") == 1)
        #expect(try Self.brokenReferences(db: db).isEmpty)
        #expect(Self.leftovers(data).isEmpty, "half-written files left behind: \(Self.leftovers(data))")
        #expect(Self.badAttachmentFiles(data).isEmpty, "attachment files whose content is not their hash: \(Self.badAttachmentFiles(data))")
        #expect(daemon.process.status == nil, "the daemon keeps running")
        #expect(try desk.postdesk(["stats", "--json"]).status == 0, "the CLI still reads the database")

        // Room again: the mail is taken in, whole.
        unlink(desk.root + "/full/filler")
        #expect(daemon.status(seconds: 60) { $0.hasPrefix("idle") && $0.contains("2 unassigned") && $0.contains("outbox 0 queued") },
                "\(daemon.statuses.suffix(3)) \(daemon.log)")
        #expect(try daemon.stop() == 0)
        #expect(desk.files(maildir + "/new").isEmpty)
        #expect(try sqliteCount(db, "SELECT count(*) FROM ingested") == 2)
        #expect(try sqliteCount(db, "SELECT count(*) FROM messages WHERE direction = 'in' AND length(text) >= \(body.utf8.count)") == 1)
        let rows = try sqliteRows(db, "SELECT sha256, size FROM attachments")
        #expect(rows == (attachment.map { [[SHA256.hexHash($0), String($0.count)]] } ?? []))
        #expect(try Self.brokenReferences(db: db).isEmpty)
        #expect(Self.leftovers(data).isEmpty)
        #expect(Self.badAttachmentFiles(data).isEmpty)
        #expect(try sqliteRows(db, "PRAGMA integrity_check") == [["ok"]])
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox WHERE status = 'sent'") == 2)
    }

    // MARK: - 5. An unwritable maildir

    /// The sales maildir is seen by the daemon through a bind mount that is made read-only while it runs (as a
    /// sandbox without ReadWritePaths would). Its mail cannot leave new/: the daemon says why, serves the
    /// support mailbox meanwhile, and moves the mail once the maildir is writable again, without taking any
    /// mail in twice.
    @Test(.enabled(if: TestMount.isPermitted, "needs to bind-mount a folder read-only (root with CAP_SYS_ADMIN)"))
    func anUnwritableMaildirDoesNotStopTheOtherMailboxes() throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        try Self.makeMaildir(desk.root + "/mail/sales")
        let view = try TestMount.bind(desk.root + "/mail/sales", at: desk.root + "/view/sales")
        defer { view.unmount() }
        try desk.appendConfig("[mailbox sales]\nmaildir = view/sales\naddress = sales@acme.test\ntag = Sales\n\n[outbound]\ntransport = maildir\nmaildir = out")
        let db = desk.root + "/db/postdesk.sqlite"
        let daemon = try RunningDaemon(desk, "daemon")
        #expect(daemon.ready(), "\(daemon.log)")

        try view.setReadOnly(true)
        // The MTA still delivers (through the writable path); the daemon reads the mail but cannot move it.
        try Self.deliver(Self.mail(from: "Ana <ana@example.org>", to: "sales@acme.test", subject: "Offer", messageID: "s1@fault.test",
                                   body: "Quote please."), to: desk.root + "/mail/sales", name: "1.s1.test")
        #expect(Self.eventually(seconds: 30) { daemon.log.contains("1.s1.test is recorded but could not be moved to cur/") }, "\(daemon.log)")
        #expect(daemon.log.contains("Read-only file system"), "the reason is logged: \(daemon.log)")
        #expect(daemon.status(seconds: 20) { $0.contains("Read-only file system") }, "STATUS names the last error: \(daemon.statuses.suffix(3))")

        // Support is served meanwhile.
        for n in 1...3 {
            try Self.deliver(Self.mail(from: "Bo \(n) <bo\(n)@example.org>", to: "support@acme.test", subject: "Help \(n)",
                                       messageID: "p\(n)@fault.test", body: "Help."), to: desk.root + "/mail/support", name: "\(n).p.test")
        }
        #expect(Self.eventually(seconds: 30) { desk.files(desk.curDir).count == 3 }, "\(daemon.log)")
        #expect(desk.files(desk.newDir).isEmpty)
        #expect(desk.files(desk.root + "/mail/sales/new") == ["1.s1.test"])

        // Writable again: the next scan (a new mail wakes it) moves the recorded mail, without a second ticket.
        try view.setReadOnly(false)
        try Self.deliver(Self.mail(from: "Cy <cy@example.org>", to: "sales@acme.test", subject: "Another", messageID: "s2@fault.test",
                                   body: "And this."), to: desk.root + "/mail/sales", name: "2.s2.test")
        #expect(Self.eventually(seconds: 30) { desk.files(desk.root + "/mail/sales/new").isEmpty }, "\(daemon.log)")
        #expect(try daemon.stop() == 0)
        #expect(desk.files(desk.root + "/mail/sales/cur").count == 2)
        #expect(daemon.log.contains("1.s1.test already ingested"), "\(daemon.log)")
        #expect(try sqliteCount(db, "SELECT count(*) FROM ingested") == 5)
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets") == 5)
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets WHERE queue = 'sales'") == 2)
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox WHERE kind = 'confirmation'") == 5)
    }

    // MARK: - 6. A slow or hanging SMTP server

    enum BadServer: String, CaseIterable, CustomTestStringConvertible {
        /// Accepts the connection and never answers.
        case hanging
        /// Answers one byte a second.
        case trickling
        var testDescription: String { rawValue }
        var option: [String] { self == .hanging ? ["--hang"] : ["--trickle", "1"] }
    }

    /// While the SMTP server hangs (or trickles), the daemon takes mail in, answers STATUS and the CLI, and
    /// keeps the mail queued; `timeout` ends each attempt; SIGTERM during a hanging send exits within the
    /// timeout plus a margin. Once a well-behaved server listens on the same port, everything goes out.
    @Test(arguments: BadServer.allCases) func aSlowOrHangingSMTPServerBlocksNothingElse(_ server: BadServer) throws {
        let bad = try SMTPSink(server.option)
        let port = bad.port
        let timeout = 6.0
        let desk = try Self.smtpDesk(port: port, extra: "timeout = \(Int(timeout))s")
        defer { desk.remove() }
        let db = desk.root + "/db/postdesk.sqlite"
        let daemon = try RunningDaemon(desk, "daemon")
        #expect(daemon.ready(), "\(daemon.log)")

        try Self.deliver(Self.mail(from: "Ana <ana@example.org>", to: "support@acme.test", subject: "First", messageID: "h1@fault.test",
                                   body: "One."), to: desk.root + "/mail/support", name: "1.h.test")
        #expect(Self.eventually(seconds: 30) { bad.openConnections == 1 }, "the sender should be stuck on the server: \(daemon.log)")
        // Meanwhile: more mail is taken in, STATUS follows, the CLI answers; the first attempt is still open.
        for n in 2...3 {
            try Self.deliver(Self.mail(from: "Bo \(n) <bo\(n)@example.org>", to: "support@acme.test", subject: "More \(n)",
                                       messageID: "h\(n)@fault.test", body: "More."), to: desk.root + "/mail/support", name: "\(n).h.test")
        }
        #expect(daemon.status(seconds: 30) { $0.contains("3 unassigned") && $0.contains("outbox 3 queued") }, "\(daemon.log)")
        #expect(bad.acceptedConnections == 1 && bad.openConnections == 1,
                "mail was taken in while the first attempt still waited on the server (\(bad.acceptedConnections) accepted, \(bad.openConnections) open)")
        #expect(desk.files(desk.newDir).isEmpty)
        let stats = try desk.postdesk(["stats", "--json"])
        #expect(stats.status == 0)
        #expect(stats.stdout.replacingOccurrences(of: " ", with: "").contains("\"outbox_pending\":3"), "\(stats.stdout)")

        // `timeout` ends the attempt (curl error 28); the mail stays queued and the next attempt begins.
        #expect(Self.eventually(seconds: timeout + 30) { daemon.log.contains("not sent (curl 28") }, "\(daemon.log)")
        #expect(Self.eventually(seconds: 30) { bad.acceptedConnections >= 2 && bad.openConnections == 1 },
                "\(bad.acceptedConnections) accepted, \(bad.openConnections) open: \(daemon.log)")
        // SIGTERM during the hanging send: out within the timeout plus a margin, exit 0, nothing lost.
        #expect(try daemon.stop(seconds: timeout + 15) == 0, "\(daemon.log)")
        #expect(daemon.log.contains("postdesk stopped"))
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox WHERE status = 'queued'") == 3)

        // The server behaves again, on the same port: everything goes out, once.
        bad.stop()
        let good = try SMTPSink(["--port", String(port)])
        let again = try RunningDaemon(desk, "again")
        #expect(Self.eventually(seconds: 60) { good.count == 3 }, "\(again.log)")
        #expect(again.status(seconds: 30) { $0.contains("outbox 0 queued") }, "\(again.log)")
        #expect(try again.stop() == 0)
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox WHERE status = 'sent'") == 3)
        #expect(good.messages.map(Self.sinkRecipient).sorted() == ["ana@example.org", "bo2@example.org", "bo3@example.org"])
    }
}

// MARK: - Helpers

/// `postdesk run` with a notify socket of its own, its log in the desk.
final class RunningDaemon {
    let process: ChildProcess
    let notify: NotifySocket
    let logPath: String

    init(_ desk: ProcessDesk, _ label: String) throws {
        notify = try NotifySocket(path: desk.root + "/\(label).sock")
        logPath = desk.root + "/\(label).log"
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = notify.path
        env.removeValue(forKey: "WATCHDOG_USEC")
        process = try ChildProcess(postdeskBinary, ["--config", desk.config, "run"], environment: env, stderrPath: logPath)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Every STATUS= line received so far, without the prefix.
    var statuses: [String] { notify.lines.filter { $0.hasPrefix("STATUS=") }.map { String($0.dropFirst(7)) } }

    func ready(seconds: Double = 60) -> Bool {
        notify.lines.contains("READY=1") || notify.wait(seconds: seconds) { $0.contains("READY=1") }
    }

    /// True once the latest STATUS satisfies `ok` (the one already received, or one to come within `seconds`).
    func status(seconds: Double, _ ok: (String) -> Bool) -> Bool {
        if let last = statuses.last, ok(last) { return true }
        return notify.wait(seconds: seconds) { lines in lines.contains { $0.hasPrefix("STATUS=") && ok(String($0.dropFirst(7))) } }
    }

    /// SIGTERM, then wait (at most `seconds`, else it is killed and this throws); the exit code.
    func stop(seconds: Double = 30) throws -> Int32? {
        process.signal(SIGTERM)
        try process.waitOrKill(seconds: seconds)
        return process.status
    }

    func kill() {
        process.signal(SIGKILL)
        _ = process.wait(seconds: 10)
    }

    deinit { if process.status == nil && process.terminationSignal == nil { kill() } }
}

extension SMTPSink {
    /// How many messages the sink accepted (without reading them).
    var count: Int { ((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).filter { $0.hasSuffix(".eml") }.count }
}

/// Rows of a query through Python's sqlite3 (an independent reader), each a list of column texts.
func sqliteRows(_ db: String, _ sql: String) throws -> [[String]] {
    let r = try runCommand("python3", ["-c", """
        import sqlite3, sys
        for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):
            print("\\t".join("" if v is None else str(v) for v in row))
        """, db, sql], seconds: 60)
    return r.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
}

extension FaultTests {
    static func makeMaildir(_ path: String) throws {
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(atPath: path + "/" + sub, withIntermediateDirectories: true)
        }
    }

    /// Delivers like an MTA: written into tmp/, renamed into new/.
    static func deliver(_ text: String, to maildir: String, name: String) throws {
        try text.write(toFile: maildir + "/tmp/" + name, atomically: false, encoding: .utf8)
        guard rename(maildir + "/tmp/" + name, maildir + "/new/" + name) == 0 else {
            throw TestMount.MountError.failed("rename into \(maildir)/new: \(String(cString: strerror(errno)))")
        }
    }

    static func mail(from: String, to: String, subject: String, messageID: String, inReplyTo: String? = nil, body: String,
                     attachment: [UInt8]? = nil) -> String {
        var head = "From: \(from)\nTo: \(to)\nSubject: \(subject)\nMessage-ID: <\(messageID)>\nDate: Sun, 22 Nov 2026 10:00:00 +0100\n"
        if let inReplyTo { head += "In-Reply-To: <\(inReplyTo)>\n" }
        guard let attachment else { return head + "\n" + body + "\n" }
        let encoded = Data(attachment).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
        return head + """
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: text/plain; charset=utf-8

            \(body)
            --b
            Content-Type: application/octet-stream; name="data.bin"
            Content-Disposition: attachment; filename="data.bin"
            Content-Transfer-Encoding: base64

            \(encoded)
            --b--

            """
    }

    /// A desk sending through SMTP on loopback at `port`, with short retries.
    static func smtpDesk(port: Int, extra: String = "") throws -> ProcessDesk {
        let desk = try ProcessDesk()
        try desk.appendConfig("""
            \(ProcessDesk.noLimits)

            [outbound]
            transport = smtp
            url = smtp://127.0.0.1:\(port)
            starttls = off
            retry_after = 1s
            \(extra)
            """)
        return desk
    }

    /// Polls `condition` every 20 ms for at most `seconds`.
    static func eventually(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    static func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    static func sinkRecipient(_ message: String) -> String {
        guard message.hasPrefix("X-Sink-Rcpt: ") else { return "" }
        return String(message.dropFirst(13).prefix { !$0.isNewline })
    }

    static func messageID(_ raw: String) -> String {
        guard let r = raw.range(of: "\r\nMessage-ID: <") else { return "" }
        return String(raw[r.upperBound...].prefix { $0 != ">" })
    }

    /// Files the database refers to that are missing or not whole: raw mail of inbound messages, and
    /// attachments (whose file must exist with the recorded size and hash). Empty when all is well.
    static func brokenReferences(db: String) throws -> [String] {
        var broken: [String] = []
        for row in try sqliteRows(db, "SELECT raw_path FROM messages WHERE direction = 'in'") where !row[0].isEmpty {
            if FileManager.default.contents(atPath: row[0]) == nil { broken.append("raw mail \(row[0]) is missing") }
        }
        let dataDir = try dataDirectory(of: db)
        for row in try sqliteRows(db, "SELECT DISTINCT sha256, size FROM attachments") {
            let h = Array(row[0])
            guard h.count == 64 else { broken.append("attachment hash \(row[0])"); continue }
            let path = dataDir + "/attachments/" + String(h[0..<2]) + "/" + String(h[2..<4]) + "/" + row[0]
            guard let bytes = FileManager.default.contents(atPath: path) else { broken.append("attachment \(path) is missing"); continue }
            if String(bytes.count) != row[1] || SHA256.hexHash(Array(bytes)) != row[0] { broken.append("attachment \(path) is not whole") }
        }
        return broken
    }

    /// data_dir of the desk whose database is `db`: the config beside it says.
    static func dataDirectory(of db: String) throws -> String {
        // The desks here keep the config at the root: ROOT/db/x.sqlite or ROOT/full/db/x.sqlite.
        func parent(_ path: String) -> String { (path as NSString).deletingLastPathComponent }
        var root = parent(parent(db))
        if root.hasSuffix("/full") { root = parent(root) }
        let config = read(root + "/postdesk.conf")
        let line = config.split(separator: "\n").first { $0.hasPrefix("data_dir = ") } ?? "data_dir = data"
        return root + "/" + line.dropFirst("data_dir = ".count)
    }

    /// Temporary files left in a data folder (a write that failed half-way must remove its own).
    static func leftovers(_ dir: String) -> [String] {
        (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []).filter { ($0 as NSString).lastPathComponent.hasPrefix(".tmp-") }
    }

    /// Attachment files whose content does not hash to their name.
    static func badAttachmentFiles(_ dataDir: String) -> [String] {
        let dir = dataDir + "/attachments"
        return (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []).filter { rel in
            let name = (rel as NSString).lastPathComponent
            guard name.count == 64, let bytes = FileManager.default.contents(atPath: dir + "/" + rel) else { return false }
            return SHA256.hexHash(Array(bytes)) != name
        }
    }
}
