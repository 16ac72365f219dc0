import Foundation
import PostdeskTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A private Postfix instance on loopback (Tests/Support/postfix_loopback.py): its own config, queue and data
/// folders under `base`, listening on 127.0.0.1 on a free port, delivering with virtual(8) into maildirs under
/// `base/mail/`: support@acme.test into `support/`, agents (NAME@acme.test) into `agents/NAME/`, customers
/// (NAME@example.org) into `customers/NAME/`. The system's Postfix and port 25 are left alone.
final class LoopbackPostfix {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static let script = repositoryRoot + "/Tests/Support/postfix_loopback.py"
    /// Both programs this needs, from Debian's postfix and swaks packages (deploy/install-build-deps.sh).
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/sbin/postfix") && swaks != nil
    }
    static let swaks: String? = ["/usr/bin/swaks", "/usr/local/bin/swaks"].first { FileManager.default.isExecutableFile(atPath: $0) }

    let base: String
    let port: Int
    private let process: ChildProcess
    private let stderrPath: String

    var mail: String { base + "/mail" }
    var supportMaildir: String { mail + "/support" }
    func customer(_ name: String) -> String { mail + "/customers/" + name }
    func agent(_ name: String) -> String { mail + "/agents/" + name }
    var maillog: String { (try? String(contentsOfFile: base + "/postfix/maillog", encoding: .utf8)) ?? "" }

    /// Starts the instance and waits (at most 60 s) for its "READY <port>".
    init(base: String) throws {
        self.base = base
        stderrPath = base + ".postfix-harness.err"
        let out = try closeOnExecPipe()
        process = try ChildProcess("python3", [Self.script, base], stdoutPath: nil, stderrPath: stderrPath, stdoutFD: out.write)
        close(out.write)
        defer { close(out.read) }
        guard let line = readLine(fd: out.read, seconds: 60), line.hasPrefix("READY "), let p = Int(line.dropFirst(6)) else {
            process.signal(SIGTERM)
            _ = process.wait(seconds: 40)
            let why = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            throw Failure(description: "the loopback Postfix (Tests/Support/postfix_loopback.py) did not start:\n\(why)")
        }
        port = p
    }

    /// Stops Postfix (postfix stop, then waits for its master); true when the harness exited cleanly.
    @discardableResult
    func stop() -> Bool {
        process.signal(SIGTERM)
        do { try process.waitOrKill(seconds: 40) } catch { return false }
        unlink(stderrPath)
        return process.status == 0
    }

    /// Sends one message through this Postfix with swaks (SMTP to 127.0.0.1:port), the envelope sender and
    /// recipient given apart from the message's own header fields.
    func send(from: String, to: String, message: String) throws {
        let file = base + "/outgoing-\(UUID().uuidString).eml"
        try message.write(toFile: file, atomically: true, encoding: .utf8)
        defer { unlink(file) }
        let r = try runCommand(
            Self.swaks!, ["--silent", "2", "--server", "127.0.0.1", "--port", String(port), "--from", from, "--to", to, "--data", "@" + file],
            seconds: 60)
        if r.status != 0 {
            throw Failure(description: "swaks to \(to) failed (exit \(r.status)): \(r.stdout)\(r.stderr)\nPostfix log:\n\(maillog)")
        }
    }
}

/// One delivered mail, as Postfix wrote it into a maildir.
struct DeliveredMail {
    let path: String
    let raw: String

    /// The first header field called `name`, unfolded (nil when absent).
    func header(_ name: String) -> String? {
        let head = raw.components(separatedBy: "\n\n").first ?? raw
        var value: String? = nil
        for line in head.components(separatedBy: "\n") {
            if let v = value {
                if line.hasPrefix(" ") || line.hasPrefix("\t") { value = v + " " + line.trimmingCharacters(in: .whitespaces); continue }
                return v
            }
            if line.lowercased().hasPrefix(name.lowercased() + ":") {
                value = String(line.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces)
            }
        }
        return value
    }

    var kind: String? { header("X-Postdesk-Kind") }
    var messageID: String { header("Message-ID")?.trimmingCharacters(in: CharacterSet(charactersIn: "<> ")) ?? "" }

    /// What `postdesk inspect --json` reads in it (decoded subject, From, text).
    func inspect() throws -> [String: Any] {
        let r = try runPostdesk(["inspect", "--json", path], seconds: 60)
        return (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any] ?? [:]
    }
}

/// Every mail in a maildir's new/ and cur/, oldest first by file name.
func deliveredMail(_ maildir: String) -> [DeliveredMail] {
    var result: [DeliveredMail] = []
    for sub in ["new", "cur"] {
        let dir = maildir + "/" + sub
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() {
            if let raw = try? String(contentsOfFile: dir + "/" + name, encoding: .utf8) { result.append(DeliveredMail(path: dir + "/" + name, raw: raw)) }
        }
    }
    return result
}

/// Polls `maildir` until a mail satisfies `match` (at most `seconds`).
func awaitMail(_ maildir: String, seconds: Double = 30, where match: (DeliveredMail) -> Bool) -> DeliveredMail? {
    let deadline = Date().addingTimeInterval(seconds)
    repeat {
        if let m = deliveredMail(maildir).first(where: match) { return m }
        usleep(50_000)
    } while Date() < deadline
    return nil
}

/// Postdesk between real mail servers: customers and agents write through a private Postfix, which delivers
/// into the maildir that `postdesk run` watches; Postdesk sends through the same Postfix over SMTP (libcurl),
/// and Postfix delivers that into the customers' and agents' maildirs. The daemon speaks the systemd notify
/// protocol to a socket of the test's, reloads on SIGHUP and stops on SIGTERM, as under systemd, and runs with
/// writable-and-executable memory forbidden (as MemoryDenyWriteExecute=yes in deploy/postdesk.service).
@Suite(.serialized) struct PostfixEndToEndTests {
    @Test(.enabled(if: LoopbackPostfix.available, "needs Debian's postfix and swaks (apt-get install postfix swaks; deploy/install-build-deps.sh installs them)"))
    func mailFlowsThroughPostfixBothWaysAndTheDaemonSpeaksToSystemd() throws {
        // Under /tmp whatever TMPDIR says: Postfix's daemons run as other users and must reach these folders.
        let root = "/tmp/pd-e2e-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/conf", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let postfix = try LoopbackPostfix(base: root + "/postfix")
        var postfixStopped = false
        defer { if !postfixStopped { postfix.stop() } }

        let conf = root + "/conf"
        try """
            [helpdesk]
            name = Acme Support
            database = db/postdesk.sqlite
            data_dir = data
            agent_auth = from

            [mailbox support]
            maildir = \(postfix.supportMaildir)
            address = support@acme.test
            tag = Acme

            [agent alice]
            address = alice@acme.test
            name = Alice Novak

            [outbound]
            transport = smtp
            url = smtp://127.0.0.1:\(postfix.port)
            starttls = off
            retry_after = 1s
            timeout = 20s
            """.write(toFile: conf + "/postdesk.conf", atomically: true, encoding: .utf8)
        let check = try runPostdesk(["--config", conf + "/postdesk.conf", "check-config"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

        let notify = try NotifySocket(path: root + "/notify.sock")
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = notify.path
        env["WATCHDOG_USEC"] = nil
        env["WATCHDOG_PID"] = nil
        let daemonLog = root + "/daemon.log"
        let daemon = try ChildProcess(
            "python3", [repositoryRoot + "/Tests/Support/mdwe_exec.py", postdeskBinary, "--config", conf + "/postdesk.conf", "run"],
            environment: env, stderrPath: daemonLog)
        defer { if daemon.status == nil && daemon.terminationSignal == nil { daemon.signal(SIGKILL); _ = daemon.wait(seconds: 10) } }
        let log = { "daemon log:\n" + ((try? String(contentsOfFile: daemonLog, encoding: .utf8)) ?? "") + "\nPostfix log:\n" + postfix.maillog }

        // READY=1 after the first scan.
        try #require(notify.wait(seconds: 30) { $0.contains("READY=1") }, "no READY=1 from the daemon; \(log())")

        // 1. A customer writes; Postdesk's confirmation and the agent's notice come back through Postfix.
        try postfix.send(from: "ana@example.org", to: "support@acme.test", message: """
            From: Ana Lima <ana@example.org>
            To: support@acme.test
            Subject: Printer on fire
            Message-ID: <e2e-1@example.org>
            Content-Type: text/plain; charset=utf-8

            My printer is smoking. Please help.
            """)
        let confirmation = try #require(awaitMail(postfix.customer("ana")) { $0.kind == "confirmation" }, "no confirmation for ana; \(log())")
        #expect(confirmation.header("Received")?.contains("(Postfix)") == true, "delivered by Postfix")
        #expect(confirmation.header("Return-Path")?.contains("acme.test") == true)
        #expect(confirmation.header("In-Reply-To") == "<e2e-1@example.org>")
        #expect(confirmation.header("Subject")?.contains("[Acme #1]") == true)
        let notice = try #require(awaitMail(postfix.agent("alice")) { $0.kind == "agent_new_ticket" }, "no notice for alice; \(log())")
        #expect(notice.raw.contains("smoking"))

        // 2. The agent answers by replying to the notice; the customer gets the answer from the queue address,
        //    signed with the agent's name but not her address.
        try postfix.send(from: "alice@acme.test", to: "support@acme.test", message: """
            From: Alice Novak <alice@acme.test>
            To: support@acme.test
            Subject: Re: \(notice.header("Subject") ?? "")
            Message-ID: <e2e-2@acme.test>
            In-Reply-To: <\(notice.messageID)>
            Content-Type: text/plain; charset=utf-8

            #take

            Hello Ana, please unplug it and step away.
            """)
        let relay = try #require(awaitMail(postfix.customer("ana")) { $0.kind == "relay" }, "no relayed answer for ana; \(log())")
        let relayed = try relay.inspect()
        #expect((relayed["text"] as? String)?.contains("Hello Ana, please unplug it") == true, "\(relayed)")
        let from = (relayed["from"] as? [[String: Any]])?.first
        #expect(from?["address"] as? String == "support@acme.test", "\(relay.header("From") ?? "")")
        #expect((from?["name"] as? String)?.contains("Alice Novak") == true, "\(relay.header("From") ?? "")")
        #expect(!relay.raw.lowercased().contains("alice@acme.test"), "the agent's address never reaches the customer")
        #expect(awaitMail(postfix.customer("ana")) { $0.kind == "assigned" } != nil, "no 'assigned' mail; \(log())")

        // 3. A new template and SIGHUP: RELOADING=1, then READY=1; the next confirmation uses the new text.
        try FileManager.default.createDirectory(atPath: conf + "/templates/en", withIntermediateDirectories: true)
        try "Subject: E2E-RELOADED {{ticket_tag}} {{subject}}\n\nTicket {{ticket_number}} is in good hands.\n"
            .write(toFile: conf + "/templates/en/confirmation.txt", atomically: true, encoding: .utf8)
        let beforeReload = notify.messages.count
        daemon.signal(SIGHUP)
        #expect(notify.wait(seconds: 30) { $0.contains("RELOADING=1") }, "no RELOADING=1 after SIGHUP; \(log())")
        #expect(notify.wait(seconds: 30) { $0.contains("READY=1") }, "no READY=1 after the reload; \(log())")
        #expect(daemon.status == nil && daemon.terminationSignal == nil, "the daemon survived SIGHUP; \(log())")
        try postfix.send(from: "ben@example.org", to: "support@acme.test", message: """
            From: Ben Ode <ben@example.org>
            To: support@acme.test
            Subject: Scanner jams
            Message-ID: <e2e-3@example.org>

            The scanner jams on every page.
            """)
        let second = try #require(awaitMail(postfix.customer("ben")) { $0.kind == "confirmation" }, "no confirmation for ben; \(log())")
        #expect(second.header("Subject") == "E2E-RELOADED [Acme #2] Scanner jams", "\(second.raw)")
        #expect(second.raw.contains("Ticket 2 is in good hands."))

        // 4. SIGTERM: STOPPING=1 and exit 0.
        daemon.signal(SIGTERM)
        #expect(notify.wait(seconds: 30) { $0.contains("STOPPING=1") }, "no STOPPING=1 after SIGTERM; \(log())")
        try daemon.waitOrKill(seconds: 60)
        #expect(daemon.status == 0, "\(log())")
        notify.wait(seconds: 0.2) { _ in false }  // whatever came after STOPPING=1

        // The notify messages, in order: STATUS only before the first READY=1; RELOADING=1 (with
        // MONOTONIC_USEC) after SIGHUP, then READY=1; STOPPING=1 last of all; no WATCHDOG=1 without
        // $WATCHDOG_USEC.
        let messages = notify.messages
        let firstReady = try #require(messages.firstIndex { $0.contains("READY=1") })
        #expect(messages[..<firstReady].allSatisfy { $0.allSatisfy { $0.hasPrefix("STATUS=") } }, "\(messages)")
        #expect(messages[firstReady].contains { $0.hasPrefix("STATUS=") }, "READY=1 comes with a STATUS=; \(messages)")
        #expect(messages.filter { $0.contains { $0.hasPrefix("STATUS=") } }.count >= 2, "\(messages)")
        let reloading = try #require(messages.indices.first { $0 >= beforeReload && messages[$0].contains("RELOADING=1") }, "\(messages)")
        #expect(messages[reloading].contains { $0.hasPrefix("MONOTONIC_USEC=") }, "\(messages)")
        #expect(messages[(reloading + 1)...].contains { $0.contains("READY=1") }, "\(messages)")
        let stopping = try #require(messages.lastIndex { $0.contains("STOPPING=1") })
        #expect(!messages[stopping...].contains { $0.contains("READY=1") }, "\(messages)")
        #expect(!messages.contains { $0.contains("WATCHDOG=1") }, "\(messages)")

        // Every mail is accounted for: the three sent to support@ were read (none left in new/) and are on two
        // tickets; every mail Postdesk sent was accepted by Postfix and delivered, and nothing else was.
        #expect(deliveredMail(postfix.supportMaildir).count == 3)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: postfix.supportMaildir + "/new")) ?? ["?"]).isEmpty)
        let list = try runPostdesk(["--config", conf + "/postdesk.conf", "tickets", "list", "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        let tickets = (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8))) as? [[String: Any]] ?? []
        #expect(tickets.count == 2, "\(list.stdout)")
        let first = tickets.first { $0["number"] as? Int == 1 }
        #expect(first?["requester"] as? String == "ana@example.org")
        #expect(first?["assignee"] as? String == "alice@acme.test")
        #expect(first?["status"] as? String == "open")
        #expect(tickets.first { $0["number"] as? Int == 2 }?["requester"] as? String == "ben@example.org")
        let db = conf + "/db/postdesk.sqlite"
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox WHERE status != 'sent'") == 0, "\(log())")
        let sent = try sqliteCount(db, "SELECT count(*) FROM outbox WHERE status = 'sent'")
        let deliveredOut = { deliveredMail(postfix.customer("ana")).count + deliveredMail(postfix.customer("ben")).count + deliveredMail(postfix.agent("alice")).count }
        // Postfix has accepted each of them (250) before Postdesk recorded it as sent; delivery follows at once.
        let deadline = Date().addingTimeInterval(30)
        while deliveredOut() < sent && Date() < deadline { usleep(50_000) }
        #expect(sent >= 6, "confirmation, notice, relay, assigned, confirmation, notice; \(log())")
        #expect(deliveredOut() == sent, "\(log())")
        #expect(!postfix.maillog.contains("status=bounced") && !postfix.maillog.contains("status=deferred"), "\(postfix.maillog)")
        #expect(deliveredMail(postfix.customer("carla")).isEmpty)

        postfixStopped = true
        #expect(postfix.stop(), "the Postfix harness stops cleanly on SIGTERM")
    }
}
