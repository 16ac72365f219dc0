import Foundation
import PostdeskMail
import PostdeskTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The operator's commands (`stats`, `backup`, `export`, `tickets assign|status|reply`) through the real
/// `postdesk` binary, with a real SQLite file, real maildirs (outgoing mail lands in the `out` maildir) and
/// Python's sqlite3 and csv modules as independent readers.
@Suite struct OperatorCommandsTests {
    /// A desk with two agents, a named helpdesk, and outgoing mail written into `ROOT/out`.
    static func desk() throws -> ProcessDesk {
        let desk = try ProcessDesk()
        try """
            [helpdesk]
            name = Acme Support
            database = db/postdesk.sqlite
            data_dir = data
            agent_auth = from
            customer_auth = from

            [mailbox support]
            maildir = mail/support
            address = support@acme.test
            tag = Acme

            [agent alice]
            address = alice@acme.test
            name = Alice Novak

            [agent bob]
            address = bob@acme.test
            name = Bob Builder

            [outbound]
            transport = maildir
            maildir = out
            """.write(toFile: desk.config, atomically: true, encoding: .utf8)
        return desk
    }

    static func deliver(_ desk: ProcessDesk, _ name: String, _ text: String) throws {
        try text.write(toFile: desk.newDir + "/" + name, atomically: true, encoding: .utf8)
    }

    static func runOnce(_ desk: ProcessDesk) throws {
        let r = try desk.postdesk(["run", "--once"])
        #expect(r.status == 0, "\(r.stderr)")
    }

    /// One mail Postdesk wrote into the outbound maildir.
    struct Sent {
        var kind: String
        var recipient: String
        var fromName: String?
        var fromAddress: String
        var text: String
        var raw: String
    }

    /// The mail in the outbound maildir that is not in `before` (file names), oldest first.
    static func sent(_ desk: ProcessDesk, after before: Set<String> = []) -> [Sent] {
        desk.files(desk.root + "/out/new").filter { !before.contains($0) }
            .sorted { (Int($0.split(separator: "-").last ?? "") ?? 0) < (Int($1.split(separator: "-").last ?? "") ?? 0) }
            .compactMap { name in
                guard let bytes = FileManager.default.contents(atPath: desk.root + "/out/new/" + name) else { return nil }
                let message = Message.parse(Array(bytes))
                let summary = MessageSummary(message)
                return Sent(kind: message.headers["X-Postdesk-Kind"]?.value.trimmingCharacters(in: .whitespaces) ?? "",
                            recipient: message.headers["Delivered-To"]?.value.trimmingCharacters(in: .whitespaces) ?? "",
                            fromName: summary.from.first?.name, fromAddress: summary.from.first?.address ?? "",
                            text: summary.text, raw: String(decoding: bytes, as: UTF8.self))
            }
    }

    static func outFiles(_ desk: ProcessDesk) -> Set<String> { Set(desk.files(desk.root + "/out/new")) }

    /// One value from a SQLite database through Python's sqlite3 module, as text.
    static func sqliteText(_ db: String, _ sql: String, _ parameters: [String] = []) throws -> String {
        let r = try runCommand("python3", ["-c", """
            import sqlite3, sys
            row = sqlite3.connect(sys.argv[1]).execute(sys.argv[2], sys.argv[3:]).fetchone()
            print('' if row is None else row[0])
            """, db, sql] + parameters, seconds: 60)
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.trimmingCharacters(in: .newlines)
    }

    static func sqliteExecute(_ db: String, _ sql: String, _ parameters: [String] = []) throws {
        let r = try runCommand("python3", ["-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2], sys.argv[3:]); c.commit()
            """, db, sql] + parameters, seconds: 60)
        #expect(r.status == 0, "\(r.stderr)")
    }

    static let bounce = """
        From: Mail Delivery System <MAILER-DAEMON@mx.example.org>
        To: support@acme.test
        Subject: Undelivered Mail Returned to Sender
        Message-ID: <dsn1@mx.example.org>
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="b"

        --b
        Content-Type: text/plain

        Your message could not be delivered.
        --b
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mx.example.org

        Final-Recipient: rfc822; ana@example.org
        Action: failed
        Status: 5.1.1
        --b
        Content-Type: text/rfc822-headers

        From: support@acme.test
        To: ana@example.org
        Subject: [Acme #1] Drucker kaputt
        Message-ID: <a1@example.org>
        --b--
        """

    // MARK: - stats

    @Test func statsCountsEverythingInTheDocumentedOrder() throws {
        let desk = try Self.desk()
        defer { desk.remove() }
        try Self.deliver(desk, "1.a.test", "From: Ana <ana@example.org>\nTo: support@acme.test\nCc: luis@example.org\nSubject: Drucker kaputt\nMessage-ID: <a1@example.org>\n\nBitte helfen.\n")
        try Self.deliver(desk, "2.b.test", "From: Jan <jan@example.pl>\nTo: support@acme.test\nSubject: Drukarka\nMessage-ID: <j1@example.pl>\n\nNie działa.\n")
        try Self.deliver(desk, "3.c.test", "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Re: Drucker kaputt\nMessage-ID: <a2@example.org>\nIn-Reply-To: <a1@example.org>\n\nNoch da?\n")
        try Self.deliver(desk, "4.d.test", "To: support@acme.test\nSubject: anonymous\nMessage-ID: <x@x>\n\nno sender\n")
        try Self.deliver(desk, "5.e.test", Self.bounce)
        try Self.runOnce(desk)

        // In: 2 new tickets, 1 reply, 1 bounce (the quarantined mail is not in the database). Out: a confirmation
        // per ticket, agent_new_ticket to both agents per ticket, agent_customer_reply to both agents.
        let r = try desk.postdesk(["stats", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let keys = r.stdout.split(separator: "\n").filter { $0.hasPrefix("  \"") && !$0.hasPrefix("    ") }
            .map { String($0.dropFirst(3).prefix { $0 != "\"" }) }
        #expect(keys == ["tickets", "by_status", "messages_in", "messages_out", "outbox_pending", "outbox_failed", "quarantined", "bounces"])
        let statusKeys = r.stdout.split(separator: "\n").filter { $0.hasPrefix("    \"") }.map { String($0.dropFirst(5).prefix { $0 != "\"" }) }
        #expect(statusKeys == ["new", "open", "pending", "resolved", "closed"])
        let stats = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(stats["tickets"] as? Int == 2)
        #expect(stats["by_status"] as? [String: Int] == ["new": 2, "open": 0, "pending": 0, "resolved": 0, "closed": 0])
        #expect(stats["messages_in"] as? Int == 4)
        #expect(stats["messages_out"] as? Int == 8)
        #expect(stats["outbox_pending"] as? Int == 0)
        #expect(stats["outbox_failed"] as? Int == 0)
        #expect(stats["quarantined"] as? Int == 1)
        #expect(stats["bounces"] as? Int == 1)
        #expect(Self.sent(desk).count == 8)

        // Assigned from the shell and not yet sent: one mail pending, one ticket open.
        #expect(try desk.postdesk(["tickets", "assign", "1", "alice"]).status == 0)
        let after = try #require(try desk.json(["stats"]) as? [String: Any])
        #expect(after["outbox_pending"] as? Int == 1)
        #expect(after["by_status"] as? [String: Int] == ["new": 1, "open": 1, "pending": 0, "resolved": 0, "closed": 0])
        #expect(after["messages_out"] as? Int == 9)
        let text = try desk.postdesk(["stats"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("tickets         2 (new 1, open 1, pending 0, resolved 0, closed 0)"), "\(text.stdout)")
        #expect(text.stdout.contains("outbox pending  1\n"))
        #expect(text.stdout.contains("quarantined     1 (see `postdesk quarantine list`)"))
        #expect(try desk.postdesk(["stats", "extra"]).status == 64)
    }

    // MARK: - backup

    @Test func backupIsACheckedCopyAndNeverOverwritesUnasked() throws {
        let desk = try Self.desk()
        defer { desk.remove() }
        try Self.deliver(desk, "1.a.test", "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: One\nMessage-ID: <a1@example.org>\n\nx\n")
        try Self.deliver(desk, "2.b.test", "From: Jan <jan@example.pl>\nTo: support@acme.test\nSubject: Two\nMessage-ID: <j1@example.pl>\n\ny\n")
        try Self.runOnce(desk)
        let db = desk.root + "/db/postdesk.sqlite"
        let folder = desk.root + "/backups"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let copy = folder + "/postdesk.sqlite"
        let version = try Self.sqliteText(db, "PRAGMA user_version")

        let r = try desk.postdesk(["backup", copy])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("backup written to \(copy): "))
        #expect(r.stdout.contains("schema version \(version), 2 ticket(s), integrity ok"))
        let size = try #require(FileManager.default.attributesOfItem(atPath: copy)[.size] as? Int)
        #expect(r.stdout.contains(": \(size) bytes"))
        #expect(try Self.sqliteText(copy, "PRAGMA integrity_check") == "ok")
        #expect(try sqliteCount(copy, "SELECT count(*) FROM tickets") == 2)
        #expect(try Self.sqliteText(copy, "SELECT group_concat(subject, '|') FROM (SELECT subject FROM tickets ORDER BY number)") == "One|Two")
        #expect(try Self.sqliteText(copy, "PRAGMA user_version") == version)
        // Private to the service's group, and nothing but the copy left in the folder.
        #expect((try FileManager.default.attributesOfItem(atPath: copy)[.posixPermissions] as? Int) == 0o640)
        #expect(desk.files(folder) == ["postdesk.sqlite"])

        // An existing file is kept unless --force.
        try Self.deliver(desk, "3.c.test", "From: Eve <eve@example.net>\nTo: support@acme.test\nSubject: Three\nMessage-ID: <e1@example.net>\n\nz\n")
        try Self.runOnce(desk)
        let refused = try desk.postdesk(["backup", copy])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("\(copy) exists; give --force to replace it"))
        #expect(try sqliteCount(copy, "SELECT count(*) FROM tickets") == 2)
        let forced = try desk.postdesk(["backup", copy, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try sqliteCount(copy, "SELECT count(*) FROM tickets") == 3)
        #expect(desk.files(folder) == ["postdesk.sqlite"])

        let cases: [([String], Int32, String)] = [
            (["backup"], 64, "needs one FILE"),
            (["backup", folder], 64, "is a folder"),
            (["backup", db, "--force"], 64, "is the database itself"),
            (["backup", desk.root + "/nowhere/x.sqlite"], 65, "does not exist; create it first"),
            (["backup", copy, "--bogus"], 64, "unknown option --bogus"),
        ]
        for (args, code, message) in cases {
            let e = try desk.postdesk(args)
            #expect(e.status == code, "\(args): \(e.stderr)")
            #expect(e.stderr.contains(message), "\(args): \(e.stderr)")
        }
        #expect(try desk.postdesk(["backup", "--help"]).stdout.contains("PRAGMA integrity_check"))
    }

    /// A Python process that takes the database's lock, writes a row it has not committed, says "locked", and
    /// holds everything until the file `release` exists.
    static func lockHolder(_ db: String, release: String, exclusive: Bool) throws -> (ChildProcess, Int32) {
        let pipe = try closeOnExecPipe()
        let script = """
            import os, sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            if sys.argv[3] == 'exclusive':
                c.execute('PRAGMA locking_mode=EXCLUSIVE')
                c.execute('BEGIN EXCLUSIVE')
            else:
                c.execute('BEGIN IMMEDIATE')
            c.execute("INSERT INTO audit (at, actor, action) VALUES ('2026-01-01T00:00:00+00:00', 'holder', 'uncommitted')")
            print('locked', flush=True)
            deadline = time.time() + 120
            while not os.path.exists(sys.argv[2]) and time.time() < deadline:
                time.sleep(0.02)
            c.execute('COMMIT')
            """
        let child = try ChildProcess("python3", ["-c", script, db, release, exclusive ? "exclusive" : "immediate"], stdoutFD: pipe.write)
        close(pipe.write)
        return (child, pipe.read)
    }

    @Test func backupDuringAnotherProcessesWriteTransactionCopiesTheCommittedState() throws {
        let desk = try Self.desk()
        defer { desk.remove() }
        try Self.deliver(desk, "1.a.test", "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: One\nMessage-ID: <a1@example.org>\n\nx\n")
        try Self.runOnce(desk)
        let db = desk.root + "/db/postdesk.sqlite"
        let audits = try sqliteCount(db, "SELECT count(*) FROM audit")
        let release = desk.root + "/release"

        // A writer holds the write lock with an uncommitted row: in WAL mode the backup reads the committed
        // snapshot without waiting for it, and the copy has no trace of the uncommitted row.
        let (writer, fd) = try Self.lockHolder(db, release: release, exclusive: false)
        defer { close(fd) }
        #expect(readLine(fd: fd, seconds: 60) == "locked")
        let copy = desk.root + "/copy.sqlite"
        let r = try desk.postdesk(["backup", copy])
        #expect(FileManager.default.createFile(atPath: release, contents: Data()))
        try writer.waitOrKill(seconds: 60)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(writer.status == 0)
        #expect(try sqliteCount(copy, "SELECT count(*) FROM audit") == audits)
        #expect(try sqliteCount(copy, "SELECT count(*) FROM audit WHERE actor = 'holder'") == 0)
        #expect(try Self.sqliteText(copy, "PRAGMA integrity_check") == "ok")
        #expect(try sqliteCount(db, "SELECT count(*) FROM audit WHERE actor = 'holder'") == 1)
    }

    @Test func backupOfADatabaseHeldExclusivelyExits75AndWritesNothing() throws {
        let desk = try Self.desk()
        defer { desk.remove() }
        try Self.deliver(desk, "1.a.test", "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: One\nMessage-ID: <a1@example.org>\n\nx\n")
        try Self.runOnce(desk)
        let db = desk.root + "/db/postdesk.sqlite"
        let release = desk.root + "/release"
        let folder = desk.root + "/backups"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)

        // A process with the database in exclusive locking mode lets no reader in until it lets go: the backup
        // waits out the busy timeout and gives up with 75, leaving nothing behind.
        let (holder, fd) = try Self.lockHolder(db, release: release, exclusive: true)
        defer { close(fd) }
        #expect(readLine(fd: fd, seconds: 60) == "locked")
        let r = try desk.postdesk(["backup", folder + "/copy.sqlite"])
        #expect(FileManager.default.createFile(atPath: release, contents: Data()))
        try holder.waitOrKill(seconds: 60)
        #expect(r.status == 75, "\(r.stderr)")
        #expect(r.stderr.contains("the database is busy"), "\(r.stderr)")
        #expect(r.stderr.contains("try again later"))
        #expect(desk.files(folder).isEmpty)
        // Once the lock is gone the same command succeeds.
        #expect(try desk.postdesk(["backup", folder + "/copy.sqlite"]).status == 0)
    }

    // MARK: - export

    /// The rows of a CSV file as Python's csv module reads them.
    static func parsedCSV(_ file: String) throws -> [[String]] {
        let r = try runCommand("python3", ["-c", """
            import csv, json, sys
            with open(sys.argv[1], newline='', encoding='utf-8') as f:
                print(json.dumps(list(csv.reader(f, strict=True))))
            """, file], seconds: 60)
        #expect(r.status == 0, "\(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String]] ?? []
    }

    static let header = ["number", "customer_reference", "created", "requester", "requester_name", "company", "subject", "status",
                         "assignee", "priority", "due", "updated", "resolved_at", "closed_at"]

    @Test func exportWritesRFC4180WithTheInjectionGuard() throws {
        let desk = try Self.desk()
        defer { desk.remove() }
        try Self.deliver(desk, "1.a.test", "From: \"Kowalski, Jan\" <jan@example.org>\nTo: support@acme.test\nSubject: Invoice, \"March\"\nMessage-ID: <m1@x.test>\n\nx\n")
        try Self.deliver(desk, "2.b.test", "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: =SUM(A1)\nMessage-ID: <m2@x.test>\n\nx\n")
        try Self.deliver(desk, "3.c.test", "From: \"=HYPERLINK(\\\"http://evil.test\\\")\" <eve@example.net>\nTo: support@acme.test\nSubject: =?utf-8?q?-5_=E2=82=AC_=40_Za=C5=BC=C3=B3=C5=82=C4=87?=\nMessage-ID: <m3@x.test>\n\nx\n")
        try Self.deliver(desk, "4.d.test", "From: Luis <luis@example.org>\nTo: support@acme.test\nSubject: placeholder\nMessage-ID: <m4@x.test>\n\nx\n")
        try Self.runOnce(desk)
        let db = desk.root + "/db/postdesk.sqlite"
        // A subject with line breaks (no mail header can carry one, but the column holds any text).
        try Self.sqliteExecute(db, "UPDATE tickets SET subject = ? WHERE number = 4", ["Zeile eins\r\nZeile zwei\nende, \"gut\""])
        #expect(try desk.postdesk(["customers", "add-organization", "example.org", "--name", "Example, Ltd"]).status == 0)
        #expect(try desk.postdesk(["tickets", "assign", "1", "alice"]).status == 0)

        let file = desk.root + "/tickets.csv"
        let r = try desk.postdesk(["export", "--output", file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "4 ticket(s) written to \(file)\n")
        #expect(desk.files(desk.root).filter { $0.hasPrefix(".") }.isEmpty, "no temporary file is left")
        let raw = try String(contentsOfFile: file, encoding: .utf8)
        #expect(raw.hasPrefix(Self.header.joined(separator: ",") + "\r\n"))
        #expect(raw.hasSuffix("\r\n"))
        #expect(!raw.hasPrefix("\u{FEFF}"))
        // The same bytes on standard output.
        let stdout = try desk.postdesk(["export"])
        #expect(stdout.status == 0)
        #expect(stdout.stdout == raw)

        let tickets = try #require(try desk.json(["tickets", "list"]) as? [[String: Any]]).sorted { ($0["number"] as? Int ?? 0) < ($1["number"] as? Int ?? 0) }
        #expect(tickets.count == 4)
        func times(_ i: Int) -> (String, String) { (tickets[i]["created"] as? String ?? "?", tickets[i]["updated"] as? String ?? "?") }
        let expected: [[String]] = [
            Self.header,
            ["1", "", times(0).0, "jan@example.org", "Kowalski, Jan", "Example, Ltd", "Invoice, \"March\"", "open", "alice@acme.test", "normal", "", times(0).1, "", ""],
            ["2", "", times(1).0, "ana@example.org", "Ana", "Example, Ltd", "'=SUM(A1)", "new", "", "normal", "", times(1).1, "", ""],
            ["3", "", times(2).0, "eve@example.net", "'=HYPERLINK(\"http://evil.test\")", "", "'-5 € @ Zażółć", "new", "", "normal", "", times(2).1, "", ""],
            ["4", "", times(3).0, "luis@example.org", "Luis", "Example, Ltd", "Zeile eins\r\nZeile zwei\nende, \"gut\"", "new", "", "normal", "", times(3).1, "", ""],
        ]
        #expect(try Self.parsedCSV(file) == expected)
        #expect(raw.contains("\"Invoice, \"\"March\"\"\""))

        // Creation-date filters: whole UTC days, both ends included.
        for (n, created) in [(1, "2026-01-15T10:00:00+00:00"), (2, "2026-01-31T23:59:59+00:00"), (3, "2026-02-01T00:00:00+00:00")] {
            try Self.sqliteExecute(db, "UPDATE tickets SET created = ? WHERE number = ?", [created, String(n)])
        }
        func numbers(_ args: [String]) throws -> [String] {
            let out = desk.root + "/filtered.csv"
            let e = try desk.postdesk(["export", "--output", out] + args)
            #expect(e.status == 0, "\(args): \(e.stderr)")
            let rows = try Self.parsedCSV(out)
            #expect(rows.first == Self.header)
            return rows.dropFirst().map { $0[0] }
        }
        #expect(try numbers(["--from", "2026-01-15", "--to", "2026-01-31"]) == ["1", "2"])
        #expect(try numbers(["--from", "2026-02-01"]) == ["3", "4"])
        #expect(try numbers(["--to", "2026-01-15"]) == ["1"])
        #expect(try numbers(["--to", "2026-01-14"]) == [])
        #expect(try numbers(["--from", "2026-02-01", "--to", "2026-02-01"]) == ["3"])

        let bad: [([String], String)] = [
            (["--from", "2026-02-30"], "--from 2026-02-30: not a date; write it as YYYY-MM-DD"),
            (["--to", "2026-13-01"], "--to 2026-13-01: not a date"),
            (["--from", "26-01-01"], "not a date"),
            (["--from", "yesterday"], "not a date"),
            (["--from", "2026-02-01", "--to", "2026-01-01"], "--from 2026-02-01 is after --to 2026-01-01"),
            (["--from"], "--from needs a value"),
            (["tickets.csv"], "unexpected argument tickets.csv"),
        ]
        for (args, message) in bad {
            let e = try desk.postdesk(["export"] + args)
            #expect(e.status == 64, "\(args): \(e.stderr)")
            #expect(e.stderr.contains(message), "\(args): \(e.stderr)")
        }
        #expect(try desk.postdesk(["export", "--from", "2024-02-29"]).status == 0, "a leap day is a date")
        let help = try desk.postdesk(["export", "--help"])
        #expect(help.stdout.contains("leading apostrophe"))
    }

    // MARK: - tickets assign | status | reply

    @Test func ticketsAssignStatusAndReplyActAsAnAgentWould() throws {
        let desk = try Self.desk()
        defer { desk.remove() }
        try Self.deliver(desk, "1.a.test", "From: Ana <ana@example.org>\nTo: support@acme.test\nCc: Luis <luis@example.org>\nSubject: Drucker kaputt\nMessage-ID: <a1@example.org>\n\nBitte helfen.\n")
        try Self.deliver(desk, "2.b.test", "From: Jan <jan@example.pl>\nTo: support@acme.test\nSubject: Drukarka\nMessage-ID: <j1@example.pl>\n\nNie działa.\n")
        try Self.runOnce(desk)
        let db = desk.root + "/db/postdesk.sqlite"
        func audits(_ condition: String) throws -> Int { try sqliteCount(db, "SELECT count(*) FROM audit WHERE ticket = 1 AND " + condition) }

        // Assign: audit entries by "operator", the new ticket opens, the customer gets `assigned`.
        var before = Self.outFiles(desk)
        let assign = try desk.postdesk(["tickets", "assign", "1", "alice"])
        #expect(assign.status == 0, "\(assign.stderr)")
        #expect(assign.stdout.contains("ticket #1: assigned to Alice Novak <alice@acme.test>; status new → open"))
        #expect(assign.stdout.contains("queued: assigned to ana@example.org"))
        #expect(assign.stdout.contains("the running daemon sends it"))
        #expect(try audits("actor = 'operator' AND action = 'assigned' AND detail = 'Alice Novak <alice@acme.test>'") == 1)
        #expect(try audits("actor = 'operator' AND action = 'status' AND detail = 'new → open: assigned'") == 1)
        try Self.runOnce(desk)
        var mail = Self.sent(desk, after: before)
        #expect(mail.map(\.kind) == ["assigned"])
        #expect(mail.first?.recipient == "ana@example.org")
        #expect(mail.first?.text.contains("Alice Novak") == true)

        // Reply: relayed to the requester and the Cc participant from the queue address, signed with the
        // assignee's name and never her address.
        let answer = desk.root + "/answer.txt"
        try "Der Drucker ist repariert.\r\nBitte erneut versuchen.\r\n".write(toFile: answer, atomically: true, encoding: .utf8)
        before = Self.outFiles(desk)
        let reply = try desk.postdesk(["tickets", "reply", "#1", "--file", answer])
        #expect(reply.status == 0, "\(reply.stderr)")
        #expect(reply.stdout.contains("queued: relay to ana@example.org"))
        #expect(reply.stdout.contains("queued: relay to luis@example.org"))
        try Self.runOnce(desk)
        mail = Self.sent(desk, after: before)
        #expect(mail.map(\.kind) == ["relay", "relay"])
        #expect(Set(mail.map(\.recipient)) == ["ana@example.org", "luis@example.org"])
        for m in mail {
            #expect(m.fromName == "Alice Novak (Acme Support)")
            #expect(m.fromAddress == "support@acme.test")
            #expect(m.text.contains("Der Drucker ist repariert.\nBitte erneut versuchen."))
            #expect(!m.raw.contains("alice@acme.test"))
        }
        #expect(try audits("actor = 'operator' AND action = 'relayed' AND detail = 'to ana@example.org, luis@example.org'") == 1)
        #expect(try sqliteCount(db, "SELECT count(*) FROM messages WHERE ticket = 1 AND kind = 'note' AND visibility = 'public' AND author_address = 'alice@acme.test' AND text = 'Der Drucker ist repariert.\nBitte erneut versuchen.'") == 1)

        // An internal note from standard input, as Bob: no customer hears of it; the assignee does.
        before = Self.outFiles(desk)
        let note = try runCommand("/bin/sh", ["-c", "printf 'Toner bestellt.\\n' | \"$0\" --config \"$1\" tickets reply 1 --file - --internal --as bob",
                                              postdeskBinary, desk.config], seconds: 120)
        #expect(note.status == 0, "\(note.stderr)")
        try Self.runOnce(desk)
        mail = Self.sent(desk, after: before)
        #expect(mail.map(\.kind) == ["agent_internal_note"])
        #expect(mail.map(\.recipient) == ["alice@acme.test"])
        #expect(mail.first?.fromName == "Bob Builder (Acme Support)")
        #expect(mail.first?.text.contains("Toner bestellt.") == true)
        #expect(try audits("actor = 'bob@acme.test' AND action = 'internal note'") == 1)
        #expect(try sqliteCount(db, "SELECT count(*) FROM messages WHERE ticket = 1 AND kind = 'note' AND visibility = 'internal' AND text = 'Toner bestellt.'") == 1)

        // Status: resolved and closed tell the customer; the same status again changes nothing.
        before = Self.outFiles(desk)
        #expect(try desk.postdesk(["tickets", "status", "1", "resolved"]).status == 0)
        let same = try desk.postdesk(["tickets", "status", "1", "resolved"])
        #expect(same.status == 0)
        #expect(same.stdout.contains("already resolved: nothing changed"))
        #expect(try desk.postdesk(["tickets", "status", "1", "closed", "--as", "alice"]).status == 0)
        try Self.runOnce(desk)
        mail = Self.sent(desk, after: before)
        #expect(mail.map(\.kind) == ["resolved", "closed"])
        #expect(mail.allSatisfy { $0.recipient == "ana@example.org" })
        #expect(try audits("actor = 'operator' AND action = 'status' AND detail = 'open → resolved'") == 1)
        #expect(try audits("actor = 'alice@acme.test' AND action = 'status' AND detail = 'resolved → closed'") == 1)

        // Refusals change nothing and queue nothing.
        let auditRows = try sqliteCount(db, "SELECT count(*) FROM audit")
        let outboxRows = try sqliteCount(db, "SELECT count(*) FROM outbox")
        let refusals: [([String], Int32, String)] = [
            (["tickets", "status", "1", "open"], 65, "ticket #1 is closed, and closed tickets are final"),
            (["tickets", "assign", "2", "carol"], 65, "no agent \"carol\"; agents: alice (Alice Novak), bob (Bob Builder)"),
            (["tickets", "reply", "2", "--file", answer, "--as", "carol"], 65, "no agent \"carol\""),
            (["tickets", "assign", "42", "alice"], 65, "there is no ticket #42"),
            (["tickets", "reply", "42", "--file", answer], 65, "there is no ticket #42"),
            (["tickets", "reply", "2", "--file", desk.root + "/missing.txt"], 65, "cannot read"),
            (["tickets", "status", "2", "new"], 64, "a ticket cannot be set back to new"),
            (["tickets", "status", "2", "bogus"], 64, "unknown status \"bogus\""),
            (["tickets", "status", "2"], 64, "status needs N and one STATUS"),
            (["tickets", "assign", "x", "alice"], 64, "needs a ticket number"),
            (["tickets", "reply", "2"], 64, "reply needs --file F"),
            (["tickets", "assign", "2", "alice", "--internal"], 64, "belong to `tickets reply`"),
        ]
        for (args, code, message) in refusals {
            let e = try desk.postdesk(args)
            #expect(e.status == code, "\(args): \(e.stderr)")
            #expect(e.stderr.contains(message), "\(args): \(e.stderr)")
        }
        #expect(try sqliteCount(db, "SELECT count(*) FROM audit") == auditRows)
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox") == outboxRows)
        let empty = desk.root + "/empty.txt"
        try " \n".write(toFile: empty, atomically: true, encoding: .utf8)
        let blank = try desk.postdesk(["tickets", "reply", "2", "--file", empty])
        #expect(blank.status == 65)
        #expect(blank.stderr.contains("is empty"))

        // An unassigned ticket's answer is signed by the helpdesk.
        before = Self.outFiles(desk)
        #expect(try desk.postdesk(["tickets", "reply", "2", "--file", answer]).status == 0)
        try Self.runOnce(desk)
        mail = Self.sent(desk, after: before)
        #expect(mail.map(\.kind) == ["relay"])
        #expect(mail.first?.recipient == "jan@example.pl")
        #expect(mail.first?.fromName == "Acme Support")
        #expect(try sqliteCount(db, "SELECT count(*) FROM audit WHERE ticket = 2 AND actor = 'operator' AND action = 'relayed'") == 1)

        let help = try desk.postdesk(["tickets", "--help"])
        #expect(help.stdout.contains("postdesk tickets reply N --file F [--internal] [--as AGENT]"))
        #expect(help.stdout.contains("closed tickets are final") || help.stdout.contains("Closed tickets are final"))
    }
}
