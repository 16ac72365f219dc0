import Foundation
import PostdeskCore
import PostdeskDaemon
import PostdeskStore
import PostdeskTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `postdesk run` sends what the portal queues within a second, without polling: `PortalDesk` (here in
/// this process, on the same database, as `postdesk portal` would be) touches data_dir/run/outbox-wake after its
/// commit, and the daemon, which watches data_dir/run with inotify, wakes its outbox. Without the wake the mail
/// would wait for the next scan that finds new mail (the daemon's 10 s rescan wakes the outbox only then).
@Suite(.serialized) struct PortalWakeProcessTests {
    static func mailFiles(_ desk: ProcessDesk, kind: String) -> [String] {
        desk.files(desk.root + "/out/new").compactMap { try? String(contentsOfFile: desk.root + "/out/new/" + $0, encoding: .utf8) }
            .filter { $0.contains("X-Postdesk-Kind: \(kind)") }
    }

    /// Seconds until a mail of `kind` containing `text` is in the outbound maildir (nil: not within `seconds`).
    static func wait(_ desk: ProcessDesk, kind: String, containing text: String, seconds: Double) -> Double? {
        let start = Date()
        while Date().timeIntervalSince(start) < seconds {
            if mailFiles(desk, kind: kind).contains(where: { $0.contains(text) }) { return Date().timeIntervalSince(start) }
            usleep(10_000)
        }
        return nil
    }

    @Test func theDaemonSendsWhatThePortalQueuesWithinASecond() throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        try desk.appendConfig("""
            [agent alice]
            address = alice@acme.test
            name = Alice Novak

            [outbound]
            transport = maildir
            maildir = out

            [portal]
            url = https://support.acme.test
            """)
        let tmp = desk.root + "/mail/support/tmp/1.test"
        try "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Printer\nMessage-ID: <w1@example.org>\n\nHelp.\n"
            .write(toFile: tmp, atomically: false, encoding: .utf8)
        #expect(rename(tmp, desk.newDir + "/1.test") == 0)
        let notify = try NotifySocket(path: desk.root + "/notify.sock")
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = notify.path
        let daemon = try ChildProcess(postdeskBinary, ["--config", desk.config, "run"], environment: env, stderrPath: desk.root + "/daemon.log")
        defer { if daemon.status == nil { daemon.signal(SIGKILL); _ = daemon.wait(seconds: 5) } }
        let log = { (try? String(contentsOfFile: desk.root + "/daemon.log", encoding: .utf8)) ?? "" }
        #expect(notify.wait(seconds: 30) { $0.contains("READY=1") }, "\(log())")
        #expect(Self.wait(desk, kind: "confirmation", containing: "ana@example.org", seconds: 20) != nil, "\(log())")
        // Let the daemon settle into its sleep (its next rescan is 10 s away).
        usleep(300_000)

        let config = try Configuration.parse(try String(contentsOfFile: desk.config, encoding: .utf8), file: desk.config,
                                             baseDirectory: desk.root).get()
        let store = try Store(path: config.helpdesk.database)
        let portal = PortalDesk(ingestor: try Ingestor(config: config, store: store))
        let ana = PortalDesk.Customer(id: 1, address: "ana@example.org", name: "Ana")
        #expect(try portal.reply(ana, ticket: 1, text: "Written in the portal.") == .added(ticket: 1))
        let replySeconds = Self.wait(desk, kind: "agent_customer_reply", containing: "Written in the portal.", seconds: 5)
        #expect(replySeconds != nil && replySeconds! < 1.5, "\(String(describing: replySeconds)) s\n\(log())")

        let eve = PortalDesk.Customer(id: 0, address: "eve@example.org", name: "Eve")
        #expect(try portal.newTicket(eve, .init(subject: "From the web", text: "Hello.")) == .newTicket(2))
        let confirmationSeconds = Self.wait(desk, kind: "confirmation", containing: "https://support.acme.test/tickets/2", seconds: 5)
        #expect(confirmationSeconds != nil && confirmationSeconds! < 1.5, "\(String(describing: confirmationSeconds)) s\n\(log())")

        daemon.signal(SIGTERM)
        #expect(daemon.wait(seconds: 20), "\(log())")
        #expect(daemon.status == 0, "\(log())")
    }

    /// check-config prints the portal's address and url, and warns (FILE:LINE) about a url that is not https.
    @Test func checkConfigShowsThePortal() throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        let unset = try desk.postdesk(["check-config"])
        #expect(unset.status == 0, "\(unset.stderr)")
        #expect(unset.stdout.contains("portal: listen 127.0.0.1:8080, url not set (mail carries no portal links), access all, new tickets in support"),
                "\(unset.stdout)")
        try desk.appendConfig("[portal]\nlisten = unix:run/portal.sock\nurl = http://support.acme.test")
        let plain = try desk.postdesk(["check-config"])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout.contains("portal: listen unix:\(desk.root)/run/portal.sock, url http://support.acme.test"), "\(plain.stdout)")
        let lines = try String(contentsOfFile: desk.config, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let urlLine = try #require(lines.firstIndex { $0.hasPrefix("url = http://") }) + 1
        #expect(plain.stderr.contains("\(desk.config):\(urlLine): warning: [portal] url = http://support.acme.test is not https"), "\(plain.stderr)")
        // A Unix socket in a folder that cannot be made is a problem on the listen line.
        try "x".write(toFile: desk.root + "/blocker", atomically: true, encoding: .utf8)
        try desk.appendConfig("")
        let text = try String(contentsOfFile: desk.config, encoding: .utf8).replacingOccurrences(of: "listen = unix:run/portal.sock", with: "listen = unix:blocker/portal.sock")
        try text.write(toFile: desk.config, atomically: true, encoding: .utf8)
        let bad = try desk.postdesk(["check-config"])
        #expect(bad.status == 78, "\(bad.stdout)\(bad.stderr)")
        let listenLine = try #require(text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("listen = ") }) + 1
        #expect(bad.stderr.contains("\(desk.config):\(listenLine): [portal] listen = unix:\(desk.root)/blocker/portal.sock: the folder \(desk.root)/blocker is not a folder"),
                "\(bad.stderr)")
    }
}
