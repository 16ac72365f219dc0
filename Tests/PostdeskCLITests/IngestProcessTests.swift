import Foundation
import PostdeskTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A helpdesk in a temporary folder for driving the real `postdesk` binary. It trusts the From address of
/// agents and customers (`agent_auth = from`, `customer_auth = from`): most process tests are about what mail
/// does, not who sent it; IdentityProcessTests sets its own.
struct ProcessDesk {
    let root: String
    var config: String { root + "/postdesk.conf" }
    var newDir: String { root + "/mail/support/new" }
    var curDir: String { root + "/mail/support/cur" }

    init() throws {
        root = NSTemporaryDirectory() + "pd-proc-" + UUID().uuidString
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(atPath: root + "/mail/support/" + sub, withIntermediateDirectories: true)
        }
        try """
            [helpdesk]
            database = db/postdesk.sqlite
            data_dir = data
            agent_auth = from
            customer_auth = from

            [mailbox support]
            maildir = mail/support
            address = support@acme.test
            tag = Acme
            """.write(toFile: config, atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// Appends a section (or keys) to the config file.
    func appendConfig(_ text: String) throws {
        try (try String(contentsOfFile: config, encoding: .utf8) + "\n" + text + "\n").write(toFile: config, atomically: true, encoding: .utf8)
    }

    /// Inbound limits out of the way, for tests that send many mails from one sender on purpose.
    static let noLimits = "[limits]\nsender_burst = 1000000\nglobal_burst = 1000000"

    func postdesk(_ args: [String]) throws -> ProcessResult { try runPostdesk(["--config", config] + args) }

    func files(_ dir: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }

    func json(_ args: [String]) throws -> Any {
        let r = try postdesk(args + ["--json"])
        #expect(r.status == 0, "\(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }
}

@Suite(.serialized) struct IngestProcessTests {
    /// Every message of the shared corpus ends up as a ticket, a reply, a recorded bounce or a quarantined
    /// message, exactly once; a second run changes nothing.
    @Test(.enabled(if: sharedCorpusIsPresent, Comment(rawValue: sharedCorpusAbsent)))
    func everyCorpusMessageLandsExactlyOnce() throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        let corpus = sharedCorpus
        var n = 0
        let walker = FileManager.default.enumerator(atPath: corpus)!
        while let rel = walker.nextObject() as? String {
            var isDir: ObjCBool = false
            guard !rel.hasPrefix("LICENSES"), rel != "README.md",
                FileManager.default.fileExists(atPath: corpus + "/" + rel, isDirectory: &isDir), !isDir.boolValue
            else { continue }
            n += 1
            try FileManager.default.copyItem(atPath: corpus + "/" + rel, toPath: desk.newDir + "/\(1_000_000 + n).corpus\(n).test")
        }
        #expect(n == 241)
        let r = try desk.postdesk(["run", "--once"])
        #expect(r.status == 0, "\(r.stderr.suffix(2000))")
        #expect(desk.files(desk.newDir).isEmpty)
        let quarantined = desk.files(desk.root + "/data/quarantine/new").count
        let db = desk.root + "/db/postdesk.sqlite"
        let ingested = try sqliteCount(db, "SELECT count(*) FROM ingested")
        let duplicates = r.stderr.components(separatedBy: "already ingested").count - 1
        // Exactly once: every file is a row of the ledger, a quarantined file, or a duplicate of another file
        // (the corpus holds a few messages twice under two names).
        #expect(ingested + quarantined + duplicates == 241, "ingested \(ingested), quarantined \(quarantined), duplicates \(duplicates)")
        #expect(desk.files(desk.curDir).count == 241 - quarantined)
        #expect(try sqliteCount(db, "SELECT count(*) FROM messages WHERE direction = 'in'") == ingested)
        // Again: nothing new.
        let again = try desk.postdesk(["run", "--once"])
        #expect(again.status == 0)
        #expect(try sqliteCount(db, "SELECT count(*) FROM messages WHERE direction = 'in'") == ingested)
    }

    /// Kills a real `postdesk run` with SIGKILL at random moments while it ingests 2,000 mails, restarts it,
    /// and checks that every mail is in exactly one place and nothing was duplicated.
    @Test func sigkillAtRandomMomentsLosesAndDuplicatesNothing() throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        try desk.appendConfig(ProcessDesk.noLimits)
        let total = 2_000
        for i in 0..<total {
            // Every fifth mail replies to the one before it, so threading runs under the kills too.
            let reply = i % 5 == 4 ? "In-Reply-To: <m\(i - 1)@crash.test>\n" : ""
            let text = """
                From: Customer \(i) <c\(i % 97)@example.org>
                To: support@acme.test
                Subject: Crash test \(i)
                Message-ID: <m\(i)@crash.test>
                \(reply)Date: Sun, 22 Nov 2026 10:00:00 +0100

                Body of mail \(i).
                """
            try text.write(toFile: desk.newDir + "/\(1_700_000_000 + i).crash\(i).test", atomically: true, encoding: .utf8)
        }
        var rounds = 0
        var generator = SystemRandomNumberGenerator()
        while !desk.files(desk.newDir).isEmpty && rounds < 40 {
            rounds += 1
            let p = try ChildProcess(postdeskBinary, ["--config", desk.config, "run"])
            usleep(UInt32.random(in: 20_000...250_000, using: &generator))
            p.signal(SIGKILL)
            try p.waitOrKill(seconds: 30)
            #expect(p.terminationSignal == SIGKILL)
        }
        #expect(rounds >= 2, "the daemon should have been killed mid-way at least once")
        let finish = try desk.postdesk(["run", "--once"])
        #expect(finish.status == 0, "\(finish.stderr.suffix(1000))")

        let db = desk.root + "/db/postdesk.sqlite"
        #expect(desk.files(desk.newDir).isEmpty)
        #expect(desk.files(desk.curDir).count == total)
        #expect(desk.files(desk.curDir).allSatisfy { $0.hasSuffix(":2,S") })
        #expect(desk.files(desk.root + "/data/quarantine/new").isEmpty)
        #expect(try sqliteCount(db, "SELECT count(*) FROM ingested") == total)
        #expect(try sqliteCount(db, "SELECT count(*) FROM messages WHERE direction = 'in'") == total)
        #expect(try sqliteCount(db, "SELECT count(DISTINCT message_id) FROM messages WHERE direction = 'in'") == total)
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets") == total - total / 5)
        #expect(try sqliteCount(db, "SELECT count(*) FROM messages m JOIN tickets t ON t.number = m.ticket WHERE m.message_id LIKE 'm%@crash.test' AND t.subject = 'Crash test ' || (CAST(substr(m.message_id, 2, instr(m.message_id, '@') - 2) AS INTEGER) - (CAST(substr(m.message_id, 2, instr(m.message_id, '@') - 2) AS INTEGER) % 5 = 4))") == total)
    }

    @Test func ticketsAndQuarantineCommandsSpeakJSON() throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        try "From: Ana <ana@example.org>\nTo: support@acme.test\nCc: luis@example.org\nSubject: Drucker kaputt\nMessage-ID: <a@x>\n\nBitte helfen.\n"
            .write(toFile: desk.newDir + "/1.a.test", atomically: true, encoding: .utf8)
        try "To: support@acme.test\nSubject: anonymous\nMessage-ID: <b@x>\n\nno sender\n"
            .write(toFile: desk.newDir + "/2.b.test", atomically: true, encoding: .utf8)
        #expect(try desk.postdesk(["run", "--once"]).status == 0)

        let list = try #require(try desk.json(["tickets", "list"]) as? [[String: Any]])
        #expect(list.count == 1)
        let keys: Set<String> = ["number", "subject", "status", "queue", "requester", "cc", "assignee", "priority", "due",
                                 "follow_up_of", "customer_reference", "created", "updated", "resolved_at", "closed_at"]
        #expect(Set(list[0].keys) == keys)
        #expect(list[0]["status"] as? String == "new")
        #expect(list[0]["cc"] as? [String] == ["luis@example.org"])
        #expect(try (desk.json(["tickets", "list", "--unassigned"]) as? [Any])?.count == 1)
        #expect(try (desk.json(["tickets", "list", "--status", "closed"]) as? [Any])?.count == 0)
        let show = try #require(try desk.json(["tickets", "show", "1"]) as? [String: Any])
        let messages = try #require(show["messages"] as? [[String: Any]])
        #expect(messages.first?["text"] as? String == "Bitte helfen.")
        #expect(messages.first?["direction"] as? String == "in")
        #expect(try (desk.json(["tickets", "search", "drucker"]) as? [[String: Any]])?.first?["number"] as? Int == 1)
        #expect(try desk.postdesk(["tickets", "show", "99"]).status == 65)
        #expect(try desk.postdesk(["tickets", "list", "--status", "bogus"]).status == 64)

        let q = try #require(try desk.json(["quarantine", "list"]) as? [[String: Any]])
        #expect(q.count == 1)
        #expect(q.first?["id"] as? String == "support.2.b.test")
        #expect(q.first?["original"] as? String == "2.b.test")
        #expect((q.first?["reason"] as? String)?.contains("no sender") == true)
        // Fix the cause (here: nothing to fix, it is quarantined again), replay, and it comes back through.
        let replay = try desk.postdesk(["quarantine", "replay", "support.2.b.test"])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(desk.files(desk.newDir).count == 1)
        #expect(try (desk.json(["quarantine", "list"]) as? [Any])?.count == 0)
        #expect(desk.files(desk.root + "/data/quarantine/reasons") == ["support.2.b.test.replayed"])
        #expect(try desk.postdesk(["quarantine", "replay", "nope"]).status == 65)
    }

    @Test func explainChangesNothing() throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        let file = desk.root + "/x.eml"
        try "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Re: [Acme #7] hi\nMessage-ID: <e@x>\n\nHi\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let r = try desk.postdesk(["explain", file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("decision:   open a new ticket"))
        #expect(r.stdout.contains("ticket #7, which does not exist"))
        #expect(!FileManager.default.fileExists(atPath: desk.root + "/db/postdesk.sqlite"), "a dry run creates no database")
    }

    @Test func badConfigIsReportedWithFileAndLine() throws {
        let desk = try ProcessDesk()
        defer { desk.remove() }
        try "[helpdesk]\ncolour = blue\n".write(toFile: desk.config, atomically: true, encoding: .utf8)
        let r = try desk.postdesk(["check-config"])
        #expect(r.status == 78)
        #expect(r.stderr.contains(desk.config + ":2: unknown key colour in [helpdesk]"))
    }
}

/// A count from a SQLite database, through the sqlite3 Python module (an independent reader).
func sqliteCount(_ db: String, _ sql: String) throws -> Int {
    let r = try runCommand(
        "python3", ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])", db, sql],
        seconds: 60)
    return Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
}
