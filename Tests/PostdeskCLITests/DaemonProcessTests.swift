import Foundation
import PostdeskTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `postdesk run` as systemd runs it: a real process, a real notify socket, real signals and maildirs.
@Suite struct DaemonProcessTests {
    static func desk() throws -> ProcessDesk {
        let desk = try ProcessDesk()
        let text = try String(contentsOfFile: desk.config, encoding: .utf8) + """

            [outbound]
            transport = maildir
            maildir = out
            """
        try text.write(toFile: desk.config, atomically: true, encoding: .utf8)
        return desk
    }

    /// Delivers like an MTA: written into tmp/, renamed into new/.
    static func deliver(_ desk: ProcessDesk, _ n: Int) throws {
        let tmp = desk.root + "/mail/support/tmp/\(n).test"
        try "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Problem \(n)\nMessage-ID: <p\(n)@example.org>\n\nHelp.\n"
            .write(toFile: tmp, atomically: false, encoding: .utf8)
        #expect(rename(tmp, desk.root + "/mail/support/new/\(n).test") == 0)
    }

    static func confirmations(_ desk: ProcessDesk) -> [String] {
        desk.files(desk.root + "/out/new").compactMap { try? String(contentsOfFile: desk.root + "/out/new/" + $0, encoding: .utf8) }
            .filter { $0.contains("X-Postdesk-Kind: confirmation") }
    }

    /// Waits (at most `seconds`) for a confirmation containing `text` to be written by the outbox thread.
    static func waitForConfirmation(_ desk: ProcessDesk, containing text: String, seconds: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if confirmations(desk).contains(where: { $0.contains(text) }) { return true }
            usleep(20_000)
        }
        return false
    }

    static func start(_ desk: ProcessDesk, notify: NotifySocket, watchdogUsec: Int) throws -> ChildProcess {
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = notify.path
        env["WATCHDOG_USEC"] = String(watchdogUsec)
        return try ChildProcess(postdeskBinary, ["--config", desk.config, "run"], environment: env, stderrPath: desk.root + "/daemon.log")
    }

    @Test func notifyProtocolReloadAndStop() throws {
        let desk = try Self.desk()
        defer { desk.remove() }
        let notify = try NotifySocket(path: desk.root + "/notify.sock")
        let daemon = try Self.start(desk, notify: notify, watchdogUsec: 1_000_000)
        defer { if daemon.status == nil { daemon.signal(SIGKILL); _ = daemon.wait(seconds: 5) } }
        let log = { (try? String(contentsOfFile: desk.root + "/daemon.log", encoding: .utf8)) ?? "" }

        // READY=1 comes after the first scan, with a STATUS; nothing but STATUS comes before it.
        #expect(notify.wait(seconds: 30) { $0.contains("READY=1") }, "\(log())")
        #expect(notify.messages.dropLast().allSatisfy { $0.allSatisfy { $0.hasPrefix("STATUS=") } }, "\(notify.messages)")
        #expect(notify.messages.last?.contains { $0.hasPrefix("STATUS=idle") } == true, "\(notify.messages)")

        // A delivered mail becomes a ticket; STATUS tells.
        try Self.deliver(desk, 1)
        #expect(notify.wait(seconds: 20) { $0.contains { $0.hasPrefix("STATUS=") && $0.contains("1 unassigned") } }, "\(log())")
        #expect(notify.wait(seconds: 10) { $0.contains("WATCHDOG=1") })

        // SIGHUP with a new template: RELOADING=1 (with MONOTONIC_USEC), then READY=1; new mail uses it.
        try FileManager.default.createDirectory(atPath: desk.root + "/templates/en", withIntermediateDirectories: true)
        try "Subject: RELOADED {{ticket_tag}}\n\nTicket {{ticket_number}} is ours.\n"
            .write(toFile: desk.root + "/templates/en/confirmation.txt", atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(notify.wait(seconds: 20) { $0.contains("RELOADING=1") }, "\(log())")
        #expect(notify.messages.last?.contains { $0.hasPrefix("MONOTONIC_USEC=") } == true)
        #expect(notify.wait(seconds: 20) { $0.contains("READY=1") }, "\(log())")
        try Self.deliver(desk, 2)
        #expect(notify.wait(seconds: 20) { $0.contains { $0.hasPrefix("STATUS=") && $0.contains("2 unassigned") } }, "\(log())")
        #expect(Self.waitForConfirmation(desk, containing: "Subject: RELOADED [Acme #2]"), "\(log())")

        // A broken config is rejected: the old one keeps working, and STATUS says why.
        let good = try String(contentsOfFile: desk.config, encoding: .utf8)
        try (good + "\n[helpdesk]\nfrobnicate = yes\n").write(toFile: desk.config, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(notify.wait(seconds: 20) { $0.contains { $0.contains("reload rejected") } }, "\(log())")
        #expect(log().contains("<3>reload rejected, still running with the previous configuration"))
        #expect(log().contains("postdesk.conf:"), "the reason names the file and line")
        try Self.deliver(desk, 3)
        #expect(notify.wait(seconds: 20) { $0.contains { $0.hasPrefix("STATUS=") && $0.contains("3 unassigned") } }, "\(log())")
        #expect(Self.waitForConfirmation(desk, containing: "Subject: RELOADED [Acme #3]"), "\(log())")

        // SIGTERM: STOPPING=1 and exit 0; nothing was lost.
        daemon.signal(SIGTERM)
        #expect(notify.wait(seconds: 30) { $0.contains("STOPPING=1") }, "\(log())")
        try daemon.waitOrKill(seconds: 30)
        #expect(daemon.status == 0, "\(log())")
        #expect(log().contains("<6>postdesk stopped"))
        #expect(desk.files(desk.root + "/mail/support/new").isEmpty)
        #expect(try sqliteCount(desk.root + "/db/postdesk.sqlite", "SELECT count(*) FROM tickets") == 3)
        #expect(try sqliteCount(desk.root + "/db/postdesk.sqlite", "SELECT count(*) FROM outbox WHERE status = 'sent'") == 3)
    }

    /// Another process holds the database: mail waits in new/ (never dropped), STATUS says the daemon is paused
    /// and why, and the mail becomes a ticket once the lock is gone.
    @Test func aBusyDatabasePausesWorkWithoutLosingMail() throws {
        let desk = try Self.desk()
        defer { desk.remove() }
        let notify = try NotifySocket(path: desk.root + "/notify.sock")
        let daemon = try Self.start(desk, notify: notify, watchdogUsec: 60_000_000)
        defer { if daemon.status == nil { daemon.signal(SIGKILL); _ = daemon.wait(seconds: 5) } }
        let log = { (try? String(contentsOfFile: desk.root + "/daemon.log", encoding: .utf8)) ?? "" }
        #expect(notify.wait(seconds: 30) { $0.contains("READY=1") }, "\(log())")

        // Lock the database for 8 s (longer than the daemon's 5 s busy timeout).
        let (r, w) = try closeOnExecPipe()
        let locker = try ChildProcess("python3", ["-c", """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
            c.execute("BEGIN EXCLUSIVE")
            print("locked", flush=True)
            time.sleep(8)
            c.execute("COMMIT")
            """, desk.root + "/db/postdesk.sqlite"], stdoutFD: w)
        close(w)
        #expect(readLine(fd: r, seconds: 30) == "locked")
        close(r)
        try Self.deliver(desk, 1)
        #expect(notify.wait(seconds: 20) { $0.contains { $0.hasPrefix("STATUS=paused") && $0.contains("deferred") } }, "\(log())")
        #expect(desk.files(desk.root + "/mail/support/new").count == 1)
        try locker.waitOrKill(seconds: 30)
        #expect(notify.wait(seconds: 30) { $0.contains { $0.hasPrefix("STATUS=idle") && $0.contains("1 unassigned") } }, "\(log())")
        daemon.signal(SIGTERM)
        try daemon.waitOrKill(seconds: 30)
        #expect(daemon.status == 0)
        #expect(try sqliteCount(desk.root + "/db/postdesk.sqlite", "SELECT count(*) FROM tickets") == 1)
    }

    /// check-config names a maildir the daemon could not move mail out of (as root, run as `nobody`; as anyone
    /// else, with the folder made read-only).
    @Test func checkConfigReportsAMaildirItCannotWrite() throws {
        let desk = try Self.desk()
        defer { desk.remove() }
        let r: ProcessResult
        if getuid() == 0 {
            chmod(desk.root, 0o755)
            r = try runCommand("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", postdeskBinary, "--config", desk.config, "check-config"],
                               seconds: 60)
        } else {
            chmod(desk.root + "/mail/support/new", 0o555)
            defer { chmod(desk.root + "/mail/support/new", 0o755) }
            r = try desk.postdesk(["check-config"])
        }
        #expect(r.status == 78, "\(r.stderr)")
        #expect(r.stderr.contains("postdesk.conf:"), "\(r.stderr)")
        #expect(r.stderr.contains("mail/support/new is not writable by this user"), "\(r.stderr)")
    }

    /// A notify listener that stops reading (a full socket queue) must not block the daemon: notify messages
    /// are sent without waiting.
    @Test func aNotifyListenerThatStopsReadingDoesNotStopTheDaemon() throws {
        let desk = try Self.desk()
        defer { desk.remove() }
        try desk.appendConfig(ProcessDesk.noLimits)
        let notify = try NotifySocket(path: desk.root + "/notify.sock")
        let daemon = try Self.start(desk, notify: notify, watchdogUsec: 200_000)
        defer { if daemon.status == nil { daemon.signal(SIGKILL); _ = daemon.wait(seconds: 5) } }
        #expect(notify.wait(seconds: 30) { $0.contains("READY=1") })
        // From here on nobody reads the socket; each mail causes STATUS lines and the watchdog pings go on.
        for n in 1...60 {
            try Self.deliver(desk, n)
            let deadline = Date().addingTimeInterval(20)
            while !desk.files(desk.root + "/mail/support/cur").contains(where: { $0.hasPrefix("\(n).test") }), Date() < deadline {
                usleep(5_000)
            }
            guard desk.files(desk.root + "/mail/support/cur").contains(where: { $0.hasPrefix("\(n).test") }) else {
                Issue.record("mail \(n) was not taken in: the daemon is blocked")
                break
            }
        }
        daemon.signal(SIGTERM)
        try daemon.waitOrKill(seconds: 30)
        #expect(daemon.status == 0)
        #expect(try sqliteCount(desk.root + "/db/postdesk.sqlite", "SELECT count(*) FROM tickets") == 60)
    }
}
