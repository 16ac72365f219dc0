import Foundation
import PostdeskTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 14: agents who leave the config leave the helpdesk, `explain` changes nothing, names in any script.
@Suite struct AgentLifecycleTests {
    static func agentsDesk(_ agents: String) throws -> ProcessDesk {
        let desk = try DaemonProcessTests.desk()
        try desk.appendConfig(agents)
        return desk
    }

    static let aliceAndBob = """
        [agent alice]
        address = alice@acme.test
        name = Alice Novak

        [agent bob]
        address = bob@acme.test
        name = Bob Builder
        """

    static func write(_ desk: ProcessDesk, _ name: String, _ text: String) throws {
        let tmp = desk.root + "/mail/support/tmp/" + name
        try text.write(toFile: tmp, atomically: false, encoding: .utf8)
        #expect(rename(tmp, desk.newDir + "/" + name) == 0)
    }

    static func outKinds(_ desk: ProcessDesk) -> [String] {
        desk.files(desk.root + "/out/new").compactMap { try? String(contentsOfFile: desk.root + "/out/new/" + $0, encoding: .utf8) }
            .compactMap { $0.split(separator: "\n").first { $0.hasPrefix("X-Postdesk-Kind: ") }.map { String($0.dropFirst(17)).trimmingCharacters(in: .whitespacesAndNewlines) } }
    }

    static func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    /// [agent bob] deleted and SIGHUP sent to the running daemon: Bob's next mail on a ticket is a customer's.
    /// It closes nothing, adds no Cc to the ticket and relays nothing; `agents list` no longer lists him, his
    /// row stays (with --all, inactive).
    @Test func anAgentRemovedFromTheConfigIsACustomerAfterReload() throws {
        let desk = try Self.agentsDesk(Self.aliceAndBob)
        defer { desk.remove() }
        let notify = try NotifySocket(path: desk.root + "/notify.sock")
        let daemon = try DaemonProcessTests.start(desk, notify: notify, watchdogUsec: 60_000_000)
        defer { if daemon.status == nil { daemon.signal(SIGKILL); _ = daemon.wait(seconds: 5) } }
        let log = { (try? String(contentsOfFile: desk.root + "/daemon.log", encoding: .utf8)) ?? "" }
        #expect(notify.wait(seconds: 30) { $0.contains("READY=1") }, "\(log())")
        try Self.write(desk, "1.test", "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Printer\nMessage-ID: <p1@example.org>\n\nHelp.\n")
        #expect(notify.wait(seconds: 20) { $0.contains { $0.hasPrefix("STATUS=") && $0.contains("1 unassigned") } }, "\(log())")

        let config = try String(contentsOfFile: desk.config, encoding: .utf8)
        try config.replacingOccurrences(of: "[agent bob]\naddress = bob@acme.test\nname = Bob Builder\n", with: "")
            .write(toFile: desk.config, atomically: true, encoding: .utf8)
        #expect(!(try String(contentsOfFile: desk.config, encoding: .utf8)).contains("bob"))
        let readies = notify.messages.filter { $0.contains("READY=1") }.count
        daemon.signal(SIGHUP)
        #expect(notify.wait(seconds: 20) { _ in notify.messages.filter { $0.contains("READY=1") }.count > readies }, "\(log())")
        #expect(log().contains("agent bob <bob@acme.test> is no longer in the config"), "\(log())")

        let before = Self.outKinds(desk).count
        try Self.write(desk, "2.test", """
            From: Bob Builder <bob@acme.test>
            To: support@acme.test
            Cc: Eve <eve@example.net>
            Subject: Re: [Acme #1] Printer
            Message-ID: <b1@acme.test>
            In-Reply-To: <p1@example.org>

            #close
            #status closed

            Closing this one.
            """)
        #expect(Self.waitUntil(seconds: 20) { desk.files(desk.newDir).isEmpty }, "\(log())")
        usleep(1_500_000)  // the outbox writes what the mail caused
        let db = desk.root + "/db/postdesk.sqlite"
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets WHERE number = 1 AND status = 'new'") == 1, "\(log())")
        #expect(try sqliteCount(db, "SELECT count(*) FROM participants WHERE ticket = 1 AND address = 'eve@example.net'") == 0)
        #expect(try sqliteCount(db, "SELECT count(*) FROM ingested WHERE outcome LIKE 'agent mail%'") == 0)
        #expect(!Self.outKinds(desk).dropFirst(before).contains("relay"), "\(Self.outKinds(desk))")
        #expect(try sqliteCount(db, "SELECT count(*) FROM agents WHERE address = 'bob@acme.test' AND active = 0") == 1)

        let list = try desk.postdesk(["agents", "list"])
        #expect(list.status == 0 && list.stdout.contains("alice") && !list.stdout.contains("bob"), "\(list.stdout)\(list.stderr)")
        let all = try desk.postdesk(["agents", "list", "--all"])
        #expect(all.stdout.contains("bob@acme.test") && all.stdout.contains("(inactive)"), "\(all.stdout)")
        daemon.signal(SIGTERM)
        try daemon.waitOrKill(seconds: 30)
        #expect(daemon.status == 0, "\(log())")
    }

    /// A section renamed with the same address is the same agent under a new key: `run` starts (it exited 78,
    /// "cannot prepare data_dir", on the UNIQUE address), and the agent keeps their tickets.
    @Test func aRenamedSectionIsAnUpdate() throws {
        let desk = try Self.agentsDesk(Self.aliceAndBob)
        defer { desk.remove() }
        try Self.write(desk, "1.test", "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Printer\nMessage-ID: <p1@example.org>\n\nHelp.\n")
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        let assign = try desk.postdesk(["tickets", "assign", "1", "bob"])
        #expect(assign.status == 0, "\(assign.stderr)")
        let config = try String(contentsOfFile: desk.config, encoding: .utf8)
        try config.replacingOccurrences(of: "[agent bob]", with: "[agent robert]").replacingOccurrences(of: "Bob Builder", with: "Robert Builder")
            .write(toFile: desk.config, atomically: true, encoding: .utf8)
        #expect(try desk.postdesk(["check-config"]).status == 0)
        let run = try desk.postdesk(["run", "--once"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("cannot prepare data_dir"))
        #expect(run.stderr.contains("renamed from [agent bob] to [agent robert]"), "\(run.stderr)")
        let agents = try #require(try desk.json(["agents", "list"]) as? [[String: Any]])
        #expect(agents.compactMap { $0["key"] as? String }.sorted() == ["alice", "robert"], "\(agents)")
        #expect(agents.first { $0["key"] as? String == "robert" }?["open_tickets"] as? Int == 1)
        #expect(agents.first { $0["key"] as? String == "robert" }?["name"] as? String == "Robert Builder")
        // The daemon starts on it too.
        let notify = try NotifySocket(path: desk.root + "/notify.sock")
        let daemon = try DaemonProcessTests.start(desk, notify: notify, watchdogUsec: 60_000_000)
        defer { if daemon.status == nil { daemon.signal(SIGKILL); _ = daemon.wait(seconds: 5) } }
        #expect(notify.wait(seconds: 30) { $0.contains("READY=1") })
        daemon.signal(SIGTERM)
        try daemon.waitOrKill(seconds: 30)
        #expect(daemon.status == 0)
    }

    /// A failing agent sync at start names its cause (here: a database that cannot be written), not data_dir.
    @Test func aFailingAgentSyncSaysSo() throws {
        let desk = try Self.agentsDesk(Self.aliceAndBob)
        defer { desk.remove() }
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        // Another agent row already holds the key a new section wants and the address another one wants: made
        // impossible by hand with a trigger that refuses every change to agents.
        _ = try runCommand("python3", ["-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            c.execute("CREATE TRIGGER no_agents BEFORE INSERT ON agents BEGIN SELECT RAISE(ABORT, 'agents are frozen'); END")
            c.commit()
            """, desk.root + "/db/postdesk.sqlite"], seconds: 30)
        try desk.appendConfig("[agent carol]\naddress = carol@acme.test\nname = Carol")
        let r = try desk.postdesk(["run", "--once"])
        #expect(r.status == 78, "\(r.stderr)")
        #expect(r.stderr.contains("cannot record the config's agents in the database"), "\(r.stderr)")
        #expect(r.stderr.contains("agents are frozen"), "\(r.stderr)")
        #expect(!r.stderr.contains("data_dir"), "\(r.stderr)")
    }

    /// `agents remove` retires an agent added by command (their mail is a customer's from then on; adding them
    /// again brings them back under their key) and refuses an agent of the config, naming its line.
    @Test func agentsRemove() throws {
        let desk = try Self.agentsDesk("[agent alice]\naddress = alice@acme.test\nname = Alice Novak")
        defer { desk.remove() }
        #expect(try desk.postdesk(["agents", "add", "carol@acme.test", "--name", "Carol"]).status == 0)
        try Self.write(desk, "1.test", "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Printer\nMessage-ID: <p1@example.org>\n\nHelp.\n")
        #expect(try desk.postdesk(["run", "--once"]).status == 0)

        let removed = try desk.postdesk(["agents", "remove", "Carol <carol@acme.test>"])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(removed.stdout.contains("agent carol <carol@acme.test> removed"), "\(removed.stdout)")
        #expect(!(try desk.postdesk(["agents", "list"])).stdout.contains("carol"))
        #expect(try desk.postdesk(["agents", "list", "--all"]).stdout.contains("carol@acme.test"))

        let again = try desk.postdesk(["agents", "remove", "carol@acme.test"])
        #expect(again.status == 65 && again.stderr.contains("is not an agent"), "\(again.stderr)")
        let configAgent = try desk.postdesk(["agents", "remove", "alice@acme.test"])
        #expect(configAgent.status == 65, "\(configAgent.stderr)")
        #expect(configAgent.stderr.contains(desk.config + ":"), "\(configAgent.stderr)")
        #expect(configAgent.stderr.contains("[agent alice]"), "\(configAgent.stderr)")
        #expect(try desk.postdesk(["agents", "remove"]).status == 64)

        // Carol's mail on the ticket is a customer's now: no command runs.
        try Self.write(desk, "2.test", "From: Carol <carol@acme.test>\nTo: support@acme.test\nSubject: Re: [Acme #1] Printer\n"
                       + "Message-ID: <c1@acme.test>\nIn-Reply-To: <p1@example.org>\n\n#status closed\n\nDone.\n")
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        let db = desk.root + "/db/postdesk.sqlite"
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets WHERE number = 1 AND status = 'new'") == 1)
        #expect(try sqliteCount(db, "SELECT count(*) FROM ingested WHERE outcome LIKE 'agent mail%'") == 0)

        let back = try desk.postdesk(["agents", "add", "carol@acme.test", "--name", "Carol C."])
        #expect(back.status == 0 && back.stdout.contains("agent carol <carol@acme.test> added"), "\(back.stdout)\(back.stderr)")
        #expect(try desk.postdesk(["agents", "--help"]).stdout.contains("remove"))
    }

    /// `#assign` finds a name in any case and script (SQLite's lower() folds ASCII only), by mail and from the
    /// shell; of two tags sharing a prefix, the longest matches.
    @Test func unicodeNamesAndTheLongestTag() throws {
        let desk = try Self.agentsDesk("""
            [agent alice]
            address = alice@acme.test
            name = Alice Novak

            [agent lukasz]
            address = lukasz@acme.test
            name = Łukasz Nowak

            [mailbox security]
            maildir = mail/security
            address = security@acme.test
            tag = Acme-Security
            """)
        defer { desk.remove() }
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(atPath: desk.root + "/mail/security/" + sub, withIntermediateDirectories: true)
        }
        for n in 1...3 {
            try Self.write(desk, "\(n).test", "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Problem \(n)\nMessage-ID: <p\(n)@example.org>\n\nHelp.\n")
        }
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        try Self.write(desk, "a1.test", "From: Alice Novak <alice@acme.test>\nTo: support@acme.test\nSubject: Re: [Acme #1] Problem 1\n"
                       + "Message-ID: <a1@acme.test>\n\n#assign Łukasz Nowak\n")
        try Self.write(desk, "a2.test", "From: Alice Novak <alice@acme.test>\nTo: support@acme.test\nSubject: Re: [Acme #2] Problem 2\n"
                       + "Message-ID: <a2@acme.test>\n\n#assign łukasz nowak\n")
        let r = try desk.postdesk(["run", "--once"])
        #expect(r.status == 0, "\(r.stderr)")
        let db = desk.root + "/db/postdesk.sqlite"
        let lukasz = "(SELECT id FROM agents WHERE key = 'lukasz')"
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets WHERE number IN (1, 2) AND assignee_id = \(lukasz)") == 2, "\(r.stderr)")
        let shell = try desk.postdesk(["tickets", "assign", "3", "ŁUKASZ NOWAK"])
        #expect(shell.status == 0, "\(shell.stderr)")
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets WHERE number = 3 AND assignee_id = \(lukasz)") == 1)

        // [Acme-Security #2] is ticket 2, though the tag Acme (configured first) is a prefix of it.
        try Self.write(desk, "c1.test", "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Re: [Acme-Security #2] Problem 2\n"
                       + "Message-ID: <c1@example.org>\n\nStill broken.\n")
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets") == 3)
        #expect(try sqliteCount(db, "SELECT ticket FROM messages WHERE message_id = 'c1@example.org'") == 2)
    }
}

/// `explain` is a dry run: no database created or migrated, no data_dir, no agent rows; the bytes stay.
@Suite struct ExplainDryRunTests {
    /// Every file under `root` with its size and SHA-256 (directories as such), for before/after comparisons.
    static func tree(_ root: String) throws -> [String: String] {
        var out: [String: String] = [:]
        let walker = FileManager.default.enumerator(atPath: root)!
        while let rel = walker.nextObject() as? String {
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &isDir)
            if isDir.boolValue { out[rel] = "dir"; continue }
            let r = try runCommand("sha256sum", [root + "/" + rel], seconds: 30)
            out[rel] = String(r.stdout.prefix(64))
        }
        return out
    }

    static let mail = "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Re: [Acme #1] hi\nMessage-ID: <e@x>\n\nHi\n"

    @Test func explainOnAFreshConfigCreatesNothing() throws {
        let desk = try AgentLifecycleTests.agentsDesk("[agent alice]\naddress = alice@acme.test\nname = Alice Novak")
        defer { desk.remove() }
        let file = desk.root + "/x.eml"
        try Self.mail.write(toFile: file, atomically: true, encoding: .utf8)
        let before = try Self.tree(desk.root)
        let r = try desk.postdesk(["explain", file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("does not exist yet"), "\(r.stdout)")
        #expect(r.stdout.contains("decision:   open a new ticket"), "\(r.stdout)")
        #expect(try Self.tree(desk.root) == before)
        #expect(!FileManager.default.fileExists(atPath: desk.root + "/db"))
        #expect(!FileManager.default.fileExists(atPath: desk.root + "/data"))
    }

    /// Issue 15: explain prints the reply split the thread will show (quoted history folded away, a forward shown).
    @Test func explainPrintsTheReplySplit() throws {
        let desk = try AgentLifecycleTests.agentsDesk("[agent alice]\naddress = alice@acme.test\nname = Alice Novak")
        defer { desk.remove() }
        let file = desk.root + "/x.eml"
        try ("From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Fwd: error\nMessage-ID: <e2@x>\n\n"
            + "See below.\n\nOn Mon, Bob wrote:\n> Send the error mail.\n\nHere it is:\n\n"
            + "---------- Forwarded message ---------\nFrom: Shop <shop@example.org>\n\nError 500\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let r = try desk.postdesk(["explain", file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("quoted:     2 lines of quoted history folded away; the thread shows the new text (3 lines)"), "\(r.stdout)")
        #expect(r.stdout.contains("forwarded:  a forwarded message (3 lines) is shown in the thread below the new text"), "\(r.stdout)")
    }

    @Test func explainOnAnExistingDatabaseChangesNoByte() throws {
        let desk = try AgentLifecycleTests.agentsDesk("[agent alice]\naddress = alice@acme.test\nname = Alice Novak")
        defer { desk.remove() }
        try "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Printer\nMessage-ID: <p1@example.org>\n\nHelp.\n"
            .write(toFile: desk.newDir + "/1.test", atomically: true, encoding: .utf8)
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        // A config the database has not seen yet: a new agent, alice gone. explain must not record either.
        let config = try String(contentsOfFile: desk.config, encoding: .utf8)
        try config.replacingOccurrences(of: "[agent alice]\naddress = alice@acme.test\nname = Alice Novak", with: "[agent zoe]\naddress = zoe@acme.test\nname = Zoe")
            .write(toFile: desk.config, atomically: true, encoding: .utf8)
        let file = desk.root + "/x.eml"
        try Self.mail.write(toFile: file, atomically: true, encoding: .utf8)
        let before = try Self.tree(desk.root)
        let r = try desk.postdesk(["explain", file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("add to ticket #1"), "\(r.stdout)")
        #expect(try Self.tree(desk.root) == before)
        #expect(try sqliteCount(desk.root + "/db/postdesk.sqlite", "SELECT count(*) FROM agents WHERE key = 'zoe'") == 0)
        // Zoe's mail is explained as an agent's (as a start would record her), without recording her.
        try "From: Zoe <zoe@acme.test>\nTo: support@acme.test\nSubject: Re: [Acme #1] Printer\nMessage-ID: <z@x>\n\n#status resolved\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let z = try desk.postdesk(["explain", file])
        #expect(z.stdout.contains("agent zoe's mail"), "\(z.stdout)\(z.stderr)")
    }

    @Test func explainOnAnOldDatabaseSaysSo() throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        try FileManager.default.createDirectory(atPath: desk.root + "/db", withIntermediateDirectories: true)
        _ = try runCommand("python3", ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version=2'); c.commit()",
                                       desk.root + "/db/postdesk.sqlite"], seconds: 30)
        let file = desk.root + "/x.eml"
        try Self.mail.write(toFile: file, atomically: true, encoding: .utf8)
        let before = try Self.tree(desk.root)
        let r = try desk.postdesk(["explain", file])
        #expect(r.status == 78, "\(r.stderr)")
        #expect(r.stderr.contains("older than this Postdesk"), "\(r.stderr)")
        #expect(try Self.tree(desk.root) == before)
    }
}

/// SIGHUP while the sender has a mail in hand or results the database refused (issue 14, section 3).
@Suite struct ReloadWhileSendingTests {
    static func start(_ desk: ProcessDesk, notify: NotifySocket, watchdogUsec: Int) throws -> ChildProcess {
        try DaemonProcessTests.start(desk, notify: notify, watchdogUsec: watchdogUsec)
    }

    /// The old sender's mail is held at the server's DATA when SIGHUP comes: the reload completes (READY=1) and
    /// WATCHDOG=1 goes on while it is held (the main loop used to wait for the send); the mail is sent once.
    @Test func aReloadDoesNotWaitForTheMailInHand() throws {
        let gate = NSTemporaryDirectory() + "pd-gate-" + UUID().uuidString
        defer { unlink(gate) }
        let sink = try SMTPSink(["--gate", gate])
        let desk = try FaultTests.smtpDesk(port: sink.port, extra: "timeout = 60s")
        defer { desk.remove() }
        let notify = try NotifySocket(path: desk.root + "/notify.sock")
        let daemon = try Self.start(desk, notify: notify, watchdogUsec: 4_000_000)
        defer { if daemon.status == nil { daemon.signal(SIGKILL); _ = daemon.wait(seconds: 5) } }
        let log = { (try? String(contentsOfFile: desk.root + "/daemon.log", encoding: .utf8)) ?? "" }
        #expect(notify.wait(seconds: 30) { $0.contains("READY=1") }, "\(log())")
        try AgentLifecycleTests.write(desk, "1.test", "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Printer\nMessage-ID: <p1@example.org>\n\nHelp.\n")
        #expect(FaultTests.eventually(seconds: 30) { FileManager.default.fileExists(atPath: sink.out + "/at-gate") }, "\(log())")

        let readies = notify.lines.filter { $0 == "READY=1" }.count
        let sighupAt = Date()
        daemon.signal(SIGHUP)
        #expect(notify.wait(seconds: 3) { _ in notify.lines.filter { $0 == "READY=1" }.count > readies }, "reload waited for the send: \(log())")
        let pings = notify.lines.filter { $0 == "WATCHDOG=1" }.count
        #expect(notify.wait(seconds: 5) { _ in notify.lines.filter { $0 == "WATCHDOG=1" }.count > pings }, "no watchdog while the old sender finishes: \(log())")
        #expect(sink.count == 0 && Date().timeIntervalSince(sighupAt) < 9, "the mail was still held")

        #expect(FileManager.default.createFile(atPath: gate, contents: nil))
        let db = desk.root + "/db/postdesk.sqlite"
        #expect(FaultTests.eventually(seconds: 30) { (try? sqliteCount(db, "SELECT count(*) FROM outbox WHERE status = 'sent'")) == 1 }, "\(log())")
        usleep(2_000_000)  // the new sender would send it again now, if it did
        daemon.signal(SIGTERM)
        try daemon.waitOrKill(seconds: 30)
        #expect(daemon.status == 0, "\(log())")
        #expect(sink.count == 1, "sent exactly once: \(sink.count)")
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox WHERE status = 'sent' AND attempts = 1") == 1)
    }

    /// The database refuses the result of a mail just sent (another process holds it), and SIGHUP comes: the
    /// result goes to the reloaded sender and is recorded when the lock is gone; the mail is not sent again
    /// (the old sender's memory used to be dropped, and the mail, still queued, went out twice).
    @Test func aReloadKeepsResultsTheDatabaseRefused() throws {
        let gate = NSTemporaryDirectory() + "pd-gate-" + UUID().uuidString
        defer { unlink(gate) }
        let sink = try SMTPSink(["--gate", gate])
        let desk = try FaultTests.smtpDesk(port: sink.port, extra: "timeout = 60s")
        defer { desk.remove() }
        let db = desk.root + "/db/postdesk.sqlite"
        let daemon = try RunningDaemon(desk, "daemon")
        #expect(daemon.ready(), "\(daemon.log)")
        try AgentLifecycleTests.write(desk, "1.test", "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Printer\nMessage-ID: <p1@example.org>\n\nHelp.\n")
        #expect(FaultTests.eventually(seconds: 30) { FileManager.default.fileExists(atPath: sink.out + "/at-gate") }, "\(daemon.log)")

        let (r, w) = try closeOnExecPipe()
        let locker = try ChildProcess("python3", ["-c", """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
            c.execute("BEGIN EXCLUSIVE")
            print("locked", flush=True)
            time.sleep(14)
            c.execute("COMMIT")
            """, db], stdoutFD: w)
        close(w)
        #expect(readLine(fd: r, seconds: 30) == "locked")
        close(r)
        #expect(FileManager.default.createFile(atPath: gate, contents: nil))
        #expect(FaultTests.eventually(seconds: 20) { sink.count >= 1 }, "\(daemon.log)")
        #expect(FaultTests.eventually(seconds: 20) { daemon.log.contains("cannot record the results of 1 mail(s)") }, "\(daemon.log)")
        daemon.process.signal(SIGHUP)
        #expect(FaultTests.eventually(seconds: 20) { daemon.log.contains("<6>reloaded:") }, "\(daemon.log)")
        #expect(locker.status == nil, "the reload should have happened while the database was locked: \(daemon.log)")
        try locker.waitOrKill(seconds: 60)
        #expect(FaultTests.eventually(seconds: 30) { daemon.log.contains("go to the reloaded sender") }, "\(daemon.log)")
        #expect(FaultTests.eventually(seconds: 60) { (try? sqliteCount(db, "SELECT count(*) FROM outbox WHERE status = 'sent'")) == 1 }, "\(daemon.log)")
        usleep(2_000_000)
        #expect(try daemon.stop() == 0)
        #expect(sink.count == 1, "sent exactly once: \(sink.count) \(daemon.log)")
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox WHERE status = 'sent' AND attempts = 1") == 1)
    }
}

/// A transport that cannot be built (issue 14, section 4): the outbox thread spun, 52,608 log lines in 3 s.
@Suite struct OutboxCalmTests {
    enum Broken: String, CaseIterable, CustomTestStringConvertible {
        /// `[outbound] maildir` below a regular file: it can never be made (not even by root).
        case maildirUnderAFile
        /// `password_file` that does not exist.
        case unreadablePasswordFile
        var testDescription: String { rawValue }

        func outbound(_ desk: ProcessDesk) -> String {
            switch self {
            case .maildirUnderAFile: return "[outbound]\ntransport = maildir\nmaildir = blocker/out"
            case .unreadablePasswordFile:
                return "[outbound]\ntransport = smtp\nurl = smtp://127.0.0.1:1\nstarttls = off\nusername = postdesk\npassword_file = \(desk.root)/secret/smtp-password"
            }
        }
        var key: String { self == .maildirUnderAFile ? "maildir" : "password_file" }
    }

    static func line(of key: String, in config: String) -> Int {
        let lines = ((try? String(contentsOfFile: config, encoding: .utf8)) ?? "").split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.lastIndex { $0.hasPrefix(key + " =") } ?? -1) + 1
    }

    @Test(arguments: Broken.allCases)
    func checkConfigNamesTheLine(_ broken: Broken) throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        try "not a folder".write(toFile: desk.root + "/blocker", atomically: true, encoding: .utf8)
        try desk.appendConfig(broken.outbound(desk))
        let r = try desk.postdesk(["check-config"])
        #expect(r.status == 78, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("\(desk.config):\(Self.line(of: broken.key, in: desk.config)): [outbound]"), "\(r.stderr)")
        #expect(FileSystemKind.isFile(desk.root + "/blocker"), "check-config made nothing")
    }

    /// The daemon backs off, logs the reason once (and the recovery once), shows it in STATUS, and sends the
    /// queued mail when the problem is gone.
    @Test(arguments: Broken.allCases)
    func theOutboxBacksOffAndSaysItOnce(_ broken: Broken) throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        try "not a folder".write(toFile: desk.root + "/blocker", atomically: true, encoding: .utf8)
        try desk.appendConfig(broken.outbound(desk))
        let daemon = try RunningDaemon(desk, "daemon")
        #expect(daemon.ready(), "\(daemon.log)")
        try AgentLifecycleTests.write(desk, "1.test", "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Printer\nMessage-ID: <p1@example.org>\n\nHelp.\n")
        #expect(daemon.status(seconds: 20) { $0.contains("outbox cannot send") }, "\(daemon.statuses) \(daemon.log)")
        usleep(4_000_000)
        let lines = daemon.log.split(separator: "\n")
        #expect(lines.count < 20, "\(lines.count) log lines in 4 s: \(lines.prefix(30))")
        #expect(lines.filter { $0.contains("outbox: cannot send") }.count == 1, "\(lines)")
        // CPU: the thread sleeps between tries.
        let stat = try String(contentsOfFile: "/proc/\(daemon.process.pid)/stat", encoding: .utf8)
        let fields = stat.split(separator: ")").last!.split(separator: " ")
        let ticks = (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
        #expect(ticks < 150, "the daemon used \(ticks) ticks of CPU")

        switch broken {
        case .maildirUnderAFile:
            unlink(desk.root + "/blocker")
            #expect(FaultTests.eventually(seconds: 30) { desk.files(desk.root + "/blocker/out/new").count == 1 }, "\(daemon.log)")
            #expect(FaultTests.eventually(seconds: 5) { daemon.log.contains("outbox: sending again") }, "\(daemon.log)")
            #expect(daemon.status(seconds: 15) { !$0.contains("outbox cannot send:") }, "\(daemon.statuses) \(daemon.log)")
        case .unreadablePasswordFile:
            break
        }
        #expect(try daemon.stop() == 0)
    }
}

enum FileSystemKind {
    static func isFile(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
    }
}
