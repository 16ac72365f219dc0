import Foundation
import PostdeskMail
import PostdeskTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A support address is public: whatever arrives there must end as a ticket or in the quarantine with a reason,
/// within bounded time and memory, without writing outside data_dir and without smuggling anything into the mail
/// Postdesk sends. Each case generates its messages (Tests/Support/gen_hostile.py) into a real maildir and runs the
/// real binary (`postdesk run --once`) as a child process.
@Suite struct HostileMailTests {
    // MARK: - One run of the binary over one case

    /// A desk that took in one case's messages, with what became of each.
    struct HostileRun {
        let desk: ProcessDesk
        let files: [String]
        /// Quarantine id (the maildir file name) → reason.
        var quarantined: [String: String] = [:]
        /// Message-ID (without brackets) → the ticket it ended in (`tickets show N --json`).
        var tickets: [String: [String: Any]] = [:]
        /// The mail Postdesk sent (the outbound maildir), raw.
        var outgoing: [[UInt8]] = []
        var stderr = ""

        var dataDir: String { desk.root + "/data" }

        /// The ticket that message `case-k` ended in; records an issue and throws when it is not a ticket.
        func ticket(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
            try #require(tickets[id + "@hostile.test"], "\(id) is not on a ticket (quarantine: \(quarantined))", sourceLocation: sourceLocation)
        }

        /// The inbound message `case-k` on its ticket.
        func inbound(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
            let t = try ticket(id, sourceLocation: sourceLocation)
            let messages = (t["messages"] as? [[String: Any]]) ?? []
            return try #require(messages.first { $0["message_id"] as? String == id + "@hostile.test" }, sourceLocation: sourceLocation)
        }

        func attachments(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
            (try inbound(id, sourceLocation: sourceLocation)["attachments"] as? [[String: Any]]) ?? []
        }

        /// The stored bytes of an attachment (data_dir/attachments/ab/cd/SHA256).
        func storedAttachment(_ a: [String: Any]) throws -> [UInt8] {
            let sha = try #require(a["sha256"] as? String)
            let h = Array(sha)
            let path = dataDir + "/attachments/" + String(h[0..<2]) + "/" + String(h[2..<4]) + "/" + sha
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        }
    }

    static let peakRSSLimit = 200 << 20

    /// Generates `name`'s messages, runs `postdesk run --once` (deadline: 120 s, peak RSS under 200 MB) and checks
    /// what every case must hold: each message is on a ticket or quarantined with a reason, nothing outside data_dir,
    /// the db folder, the maildir and the outbound maildir changed, nothing appeared at a traversal target, and no
    /// outgoing mail carries a header field Postdesk did not write.
    static func run(_ name: String) throws -> HostileRun {
        let desk = try ProcessDesk()
        do {
            return try run(name, in: desk)
        } catch {
            desk.remove()  // the test's own `defer` only covers a run that returned
            throw error
        }
    }

    private static func run(_ name: String, in desk: ProcessDesk) throws -> HostileRun {
        try desk.appendConfig("""
            [agent alice]
            address = alice@acme.test
            name = Alice Novak

            [outbound]
            transport = maildir
            maildir = out

            \(ProcessDesk.noLimits)
            """)
        let gen = try runCommand("python3", [repositoryRoot + "/Tests/Support/gen_hostile.py", name, desk.root + "/mail/support"], seconds: 60)
        try #require(gen.status == 0, "\(gen.stderr)")
        let files = gen.stdout.split(separator: "\n").map(String.init)
        try #require(!files.isEmpty)

        let before = Self.listing(desk.root)
        let passwd = Self.fingerprint("/etc/passwd")

        let r = try runPostdesk(["--config", desk.config, "run", "--once"], seconds: 120)
        var run = HostileRun(desk: desk, files: files, stderr: r.stderr)
        #expect(r.status == 0, "\(name): exit \(r.status)\n\(r.stderr.suffix(3000))")
        #expect(r.peakResidentBytes > 0)
        #expect(r.peakResidentBytes < peakRSSLimit, "\(name): peak RSS \(r.peakResidentBytes >> 20) MB")

        // Every message is accounted for: quarantined with a reason, or on a ticket (and moved to cur/).
        #expect(desk.files(desk.newDir).isEmpty, "\(name): left in new/: \(desk.files(desk.newDir))")
        let q = try #require(try desk.json(["quarantine", "list"]) as? [[String: Any]])
        for entry in q {
            let id = try #require(entry["id"] as? String)
            let reason = (entry["reason"] as? String) ?? ""
            #expect(!reason.isEmpty, "\(id) is quarantined without a reason")
            run.quarantined[(entry["original"] as? String) ?? id] = reason
        }
        let list = try #require(try desk.json(["tickets", "list"]) as? [[String: Any]])
        for t in list {
            let number = try #require(t["number"] as? Int)
            let show = try #require(try desk.json(["tickets", "show", String(number)]) as? [String: Any])
            for m in (show["messages"] as? [[String: Any]]) ?? [] where m["direction"] as? String == "in" {
                if let id = m["message_id"] as? String { run.tickets[id] = show }
            }
        }
        let cur = desk.files(desk.curDir).map { String($0.split(separator: ":").first ?? "") }
        for (k, file) in files.enumerated() {
            let id = "\(name)-\(k + 1)@hostile.test"
            let onTicket = run.tickets[id] != nil
            let inQuarantine = run.quarantined[file] != nil
            #expect(onTicket != inQuarantine, "\(file): on a ticket \(onTicket), quarantined \(inQuarantine)")
            #expect(cur.contains(file) == onTicket, "\(file) should be in cur/ exactly when it is on a ticket")
        }

        // Nothing changed outside data_dir, the db folder, the maildir's cur/ and new/, and the outbound maildir.
        let after = Self.listing(desk.root)
        #expect(after == before, "\(name): changed outside the allowed folders: \(Self.difference(before, after))")
        #expect(Self.fingerprint("/etc/passwd") == passwd)
        let everything = Self.allFiles(desk.root)
        for target in ["passwd", "shadow", "group", "CON.txt", "evil.dll", "file.txt", "etc"] {
            #expect(!everything.contains { $0.split(separator: "/").last.map(String.init) == target }, "\(name): \(target) appeared")
        }
        for path in everything where path.hasPrefix("data/attachments/") {
            let parts = path.split(separator: "/").map(String.init)
            let isDir = parts.count < 5
            #expect(isDir || (parts.count == 5 && parts[4].count == 64 && parts[4].hasPrefix(parts[2] + parts[3])),
                    "\(path) is not a content-addressed attachment")
        }

        // The mail Postdesk sent: only the header fields it writes, CRLF line ends, nobody injected as a recipient.
        for folder in ["new", "cur"] {
            for file in desk.files(desk.root + "/out/" + folder) {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: desk.root + "/out/" + folder + "/" + file)))
                run.outgoing.append(bytes)
                Self.checkOutgoing(bytes, file)
            }
        }
        let recipients = try runCommand(
            "python3", ["-c", "import sqlite3,sys; print('\\n'.join(r[0] for r in sqlite3.connect(sys.argv[1]).execute('SELECT recipient FROM outbox')))",
                        desk.root + "/db/postdesk.sqlite"], seconds: 60)
        for line in recipients.stdout.split(separator: "\n") {
            #expect(!line.contains("evil"), "outbox recipient \(line)")
        }
        return run
    }

    /// The header fields Postdesk writes; anything else in an outgoing header block was injected.
    static let ownFields: Set<String> = [
        "date", "from", "to", "cc", "reply-to", "subject", "message-id", "in-reply-to", "references", "thread-topic",
        "thread-index", "auto-submitted", "x-auto-response-suppress", "precedence", "x-postdesk-loop", "x-postdesk-kind",
        "x-postdesk-ticket", "content-language", "mime-version", "content-type", "content-transfer-encoding",
        // The maildir transport writes the envelope as a local delivery agent would.
        "return-path", "delivered-to",
    ]

    static func checkOutgoing(_ bytes: [UInt8], _ file: String, sourceLocation: SourceLocation = #_sourceLocation) {
        // The header block: up to the first empty line.
        var end = 0
        while end + 3 < bytes.count, !(bytes[end] == 13 && bytes[end + 1] == 10 && bytes[end + 2] == 13 && bytes[end + 3] == 10) { end += 1 }
        #expect(end + 3 < bytes.count, "\(file): no end of header", sourceLocation: sourceLocation)
        let header = Array(bytes[0..<(end + 2)])
        for (i, b) in header.enumerated() {
            if b == 13 { #expect(i + 1 < header.count && header[i + 1] == 10, "\(file): bare CR in the header", sourceLocation: sourceLocation) }
            if b == 10 { #expect(i > 0 && header[i - 1] == 13, "\(file): bare LF in the header", sourceLocation: sourceLocation) }
            #expect(b != 0, "\(file): NUL in the header", sourceLocation: sourceLocation)
        }
        var fields: [(name: String, value: String)] = []
        for line in String(decoding: header, as: UTF8.self).components(separatedBy: "\r\n") where !line.isEmpty {
            #expect(line.utf8.count <= 998, "\(file): header line of \(line.utf8.count) octets", sourceLocation: sourceLocation)
            if line.hasPrefix(" ") || line.hasPrefix("\t") {
                if !fields.isEmpty { fields[fields.count - 1].value += line }
                continue
            }
            let colon = line.firstIndex(of: ":") ?? line.endIndex
            fields.append((String(line[..<colon]).lowercased(), String(line[colon...])))
        }
        for f in fields {
            #expect(ownFields.contains(f.name), "\(file): header field \(f.name) was injected", sourceLocation: sourceLocation)
        }
        // A display name may say "Bcc: evil@x" as text; no address may be one that the sender slipped in.
        let parsed = MessageSummary(Message.parse(bytes))
        for a in parsed.from + parsed.to + parsed.cc + parsed.replyTo {
            #expect(!a.address.contains("evil"), "\(file): address \(a.address)", sourceLocation: sourceLocation)
        }
        for f in fields where ["return-path", "delivered-to"].contains(f.name) {
            #expect(!f.value.contains("evil"), "\(file): \(f.name)\(f.value)", sourceLocation: sourceLocation)
        }
        #expect(fields.filter { $0.name == "subject" }.count == 1, "\(file): one Subject", sourceLocation: sourceLocation)
        #expect(fields.filter { $0.name == "to" }.count == 1, "\(file): one To", sourceLocation: sourceLocation)
    }

    // MARK: - Listing the desk

    /// Every path under `root` with its size and modification time, except where Postdesk may write.
    static func listing(_ root: String) -> [String: String] {
        var result: [String: String] = [:]
        let allowed = ["data", "db", "out", "mail/support/cur", "mail/support/new"]
        for rel in allFiles(root) where !allowed.contains(where: { rel == $0 || rel.hasPrefix($0 + "/") }) {
            var st = stat()
            guard lstat(root + "/" + rel, &st) == 0 else { continue }
            let isDir = (st.st_mode & S_IFMT) == S_IFDIR
            // A folder's mtime changes when an allowed child is created in it (data/, db/ in the root): not compared.
            result[rel] = isDir ? "dir" : "\(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) \(st.st_mode)"
        }
        // The allowed folders themselves may appear, but no other entry at their level.
        return result
    }

    static func allFiles(_ root: String) -> [String] {
        var out: [String] = []
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        while let rel = walker.nextObject() as? String { out.append(rel) }
        return out.sorted()
    }

    static func difference(_ a: [String: String], _ b: [String: String]) -> String {
        let keys = Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
        return keys.prefix(10).map { "\($0): \(a[$0] ?? "absent") → \(b[$0] ?? "absent")" }.joined(separator: "; ")
    }

    static func fingerprint(_ path: String) -> String {
        var st = stat()
        guard stat(path, &st) == 0 else { return "absent" }
        let bytes = (try? Data(contentsOf: URL(fileURLWithPath: path))).map { [UInt8]($0) } ?? []
        return "\(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) \(SHA256.hexHash(bytes))"
    }

    static func text(_ m: [String: Any]) -> String { (m["text"] as? String) ?? "" }

    // MARK: - The cases

    /// 50 MB of plain text: a ticket whose text is cut at the text limit and says so; the raw mail is kept whole.
    @Test func fiftyMegabytesOfText() throws {
        let run = try Self.run("big-text")
        defer { run.desk.remove() }
        let text = Self.text(try run.inbound("big-text-1"))
        #expect(text.hasPrefix("The printer on floor 3 prints only blank pages"))
        #expect(text.utf8.count <= ParseLimits.default.maxTextBytes + 200)
        #expect(text.hasSuffix("more bytes of text are not shown here; the message is kept whole as received]"), "\(text.suffix(200))")
        // The raw mail is kept whole in data_dir/mail.
        let raw = Self.allFiles(run.dataDir + "/mail").filter { $0.hasSuffix(".eml") }
        #expect(raw.count == 1)
        var st = stat()
        #expect(stat(run.dataDir + "/mail/" + raw[0], &st) == 0 && st.st_size == 50 * 1_048_576)
        #expect(run.outgoing.count == 2, "a confirmation and a notice to Alice")
    }

    /// Over ParseLimits.maxMessageBytes: quarantined unread (moved, not copied), with the limit as its reason.
    @Test func overTheSizeLimit() throws {
        let run = try Self.run("too-big")
        defer { run.desk.remove() }
        let reason = try #require(run.quarantined[run.files[0]])
        #expect(reason == "larger than the \(ParseLimits.default.maxMessageBytes)-byte limit")
        var st = stat()
        #expect(stat(run.dataDir + "/quarantine/new/support." + run.files[0], &st) == 0 && st.st_size > 65 * 1_048_576)
        #expect(run.outgoing.isEmpty)
    }

    /// A 50 MB message carrying a 37 MB attachment: stored whole, content-addressed, under the memory limit.
    @Test func fiftyMegabyteAttachment() throws {
        let run = try Self.run("big-attachment")
        defer { run.desk.remove() }
        #expect(Self.text(try run.inbound("big-attachment-1")) == "See the attached disk image.")
        let a = try #require(try run.attachments("big-attachment-1").first)
        #expect(a["filename"] as? String == "disk.img")
        let size = try #require(a["size"] as? Int)
        #expect(size > 37_000_000 && size % 57 == 0, "\(size)")
        let stored = try run.storedAttachment(a)
        #expect(stored.count == size)
        #expect(stored.prefix(4) == [3, 10, 17, 24], "the generator's byte pattern")
    }

    /// 10,000 MIME parts: the first ParseLimits.maxParts are read; the ticket has the text and those attachments.
    @Test func tenThousandParts() throws {
        let run = try Self.run("many-parts")
        defer { run.desk.remove() }
        #expect(Self.text(try run.inbound("many-parts-1")) == "Ten thousand parts follow.")
        let attachments = try run.attachments("many-parts-1")
        // The root and the text part count too.
        #expect(attachments.count == ParseLimits.default.maxParts - 2)
        #expect(attachments.first?["filename"] as? String == "part1.txt")
        #expect(attachments.last?["filename"] as? String == "part\(ParseLimits.default.maxParts - 2).txt")
    }

    /// Multipart and message/rfc822 nested 1,000 deep: read to ParseLimits.maxDepth, the rest kept unparsed.
    @Test func nestingAThousandDeep() throws {
        let run = try Self.run("deep-nesting")
        defer { run.desk.remove() }
        #expect(Self.text(try run.inbound("deep-nesting-1")) == "Top text.")
        let unparsed = try run.attachments("deep-nesting-1")
        #expect(unparsed.map { $0["content_type"] as? String } == ["multipart/mixed"])
        let forwarded = try run.ticket("deep-nesting-2")
        #expect(forwarded["subject"] as? String == "Forwarded a thousand times")
        #expect(try run.attachments("deep-nesting-2").map { $0["content_type"] as? String } == ["message/rfc822"])
    }

    /// 100,000 header fields after the usual ones; 100,000 before them (From beyond the limit: no sender, so
    /// quarantined); one field folded over 100,000 lines.
    @Test func aHundredThousandHeaderLines() throws {
        let run = try Self.run("many-headers")
        defer { run.desk.remove() }
        #expect(try run.ticket("many-headers-1")["subject"] as? String == "Many header fields")
        #expect(Self.text(try run.inbound("many-headers-1")) == "Body after 100,000 fields.")
        let reason = try #require(run.quarantined[run.files[1]])
        #expect(reason.contains("no sender"), "\(reason)")
        #expect(try run.ticket("many-headers-3")["subject"] as? String == "One field folded 100,000 times")
        #expect(Self.text(try run.inbound("many-headers-3")) == "Body after a folded field.")
    }

    /// A 1 MB Subject, a 1 MB unknown field and a 1 MB display name: tickets with the subject and name cut to a
    /// readable length, and outgoing mail with sane header lines (checked for every case).
    @Test func oneMegabyteHeaderLine() throws {
        let run = try Self.run("long-line")
        defer { run.desk.remove() }
        let subject = try #require(try run.ticket("long-line-1")["subject"] as? String)
        #expect(subject.hasPrefix("Long AAAA"))
        #expect(subject.count <= MessageSummary.maxSubjectCharacters)
        #expect(try run.ticket("long-line-2")["subject"] as? String == "An ordinary subject")
        let named = try run.ticket("long-line-3")
        #expect(named["requester"] as? String == "longname@example.org")
        // Every outgoing mail names its recipient: the long name did not swallow the address.
        for mail in run.outgoing {
            let parsed = MessageSummary(Message.parse(mail))
            #expect(parsed.to.count == 1 && parsed.to[0].address.contains("@"), "\(parsed.to)")
            #expect((parsed.to[0].name ?? "").count <= MessageSummary.maxNameCharacters)
        }
        #expect(run.outgoing.count == 6)
    }

    /// NUL bytes: removed from header values, shown as U+FFFD in the text (which is not cut at the NUL), kept in
    /// binary attachments; a NUL in the sender's address makes no address of it.
    @Test func nulBytes() throws {
        let run = try Self.run("nul")
        defer { run.desk.remove() }
        let t = try run.ticket("nul-1")
        #expect(t["subject"] as? String == "HelloWorld")
        #expect(Self.text(try run.inbound("nul-1")) == "before\u{FFFD}after\nsecond line\u{FFFD}")
        let a = try #require(try run.attachments("nul-1").first)
        #expect(a["size"] as? Int == 256)
        #expect(try run.storedAttachment(a) == Array(repeating: [0, 1, 2, 0] as [UInt8], count: 64).flatMap { $0 })
        let reason = try #require(run.quarantined[run.files[1]], "nul-2 has no usable sender")
        #expect(reason.contains("no sender"))
        #expect(Self.text(try run.inbound("nul-3")).hasPrefix("X-Bad\u{FFFD}Name: value"))
        // The sender's fallbacks must be held to the same rule as From: "ret\0urn@example.org" became the
        // requester "ret" (SQLite cut it at the NUL) and a confirmation to <return@example.org>.
        #expect(run.quarantined[run.files[3]]?.contains("no sender") == true, "nul-4: \(run.quarantined)")

        for t in run.tickets.values {
            #expect(!((t["subject"] as? String) ?? "").unicodeScalars.contains { $0.value < 0x20 })
        }
    }

    /// Invalid UTF-8 in raw headers, encoded words, bodies and file names: valid text everywhere (U+FFFD or a
    /// charset guess), nothing lost.
    @Test func invalidUTF8Everywhere() throws {
        let run = try Self.run("bad-utf8")
        defer { run.desk.remove() }
        let t = try run.ticket("bad-utf8-1")
        let subject = try #require(t["subject"] as? String)
        #expect(subject.hasPrefix("Caf"))
        #expect(subject.contains("word"))
        #expect(t["requester"] as? String == "badutf8@example.org")
        #expect(Self.text(try run.inbound("bad-utf8-1")).hasPrefix("Body with bad bytes: "))
        let names = try run.attachments("bad-utf8-1").map { $0["filename"] as? String }
        #expect(names.count == 4)
        #expect(names.allSatisfy { ($0 ?? "").hasSuffix(".txt") }, "\(names)")
        // Not UTF-16 at all (lone surrogates, an odd length): still some text, and valid (JSON carried it).
        let odd = Self.text(try run.inbound("bad-utf8-2"))
        #expect(!odd.isEmpty && !odd.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" })
    }

    /// Compressed attachments are stored as sent, never expanded; no transfer encoding yields more bytes than
    /// the part has (a uuencoded body whose lines claim 45 bytes each); soft line breaks and whitespace are cheap.
    @Test func nothingExpands() throws {
        let run = try Self.run("bombs")
        defer { run.desk.remove() }
        let compressed = try run.attachments("bombs-1")
        #expect(compressed.map { $0["filename"] as? String } == ["logs.gz", "logs.zip", "logs.tar.gz"])
        for a in compressed {
            let size = try #require(a["size"] as? Int)
            #expect(size < 100_000, "\(a["filename"] ?? ""): \(size) bytes: stored compressed")
            let stored = try run.storedAttachment(a)
            #expect(stored.count == size)
            #expect(stored.prefix(2) == [0x1F, 0x8B] || stored.prefix(2) == [0x50, 0x4B])
        }
        let uu = try #require(try run.attachments("bombs-2").first)
        #expect(uu["filename"] as? String == "expand.bin")
        #expect((uu["size"] as? Int ?? .max) <= 2 * 1_048_576 * 2 + 30, "decoded no larger than the encoded part")
        #expect(Self.text(try run.inbound("bombs-3")) == "qp end")
        let ws = try #require(try run.attachments("bombs-3").first)
        #expect(try run.storedAttachment(ws) == Array("after whitespace".utf8))
    }

    /// Attachment file names that are paths, devices, empty, full of control characters or 10 KB long: stored
    /// as safe file names (the content goes by its SHA-256 only, never by a name).
    @Test func attachmentFileNames() throws {
        let run = try Self.run("names")
        defer { run.desk.remove() }
        let names = try run.attachments("names-1").map { $0["filename"] as? String }
        #expect(names == [
            "passwd", "passwd", "_CON.txt", nil, "ab.txt", "file.txt", "[31mred.txt", "evil.dll",
            String(repeating: "x", count: 251) + ".pdf", "shadow", "report.pdftxt.exe", "trailing", "_nul", "group.eml",
        ])
    }

    /// CR/LF in subjects and display names, raw and encoded: the confirmation echoes the subject, the agent's
    /// notice the name and the attachment names; no outgoing mail has an injected field (checked for every case).
    @Test func headerInjection() throws {
        let run = try Self.run("injection")
        defer { run.desk.remove() }
        for id in ["injection-1", "injection-2", "injection-3", "injection-4"] {
            let t = try run.ticket(id)
            let subject = (t["subject"] as? String) ?? ""
            #expect(!subject.contains("\r") && !subject.contains("\n") && !subject.contains("\u{2028}") && !subject.contains("\u{85}"), "\(subject)")
        }
        #expect(try run.ticket("injection-1")["subject"] as? String == "x Bcc: evil1@x")
        #expect(try run.ticket("injection-3")["subject"] as? String == "Hi")
        let reason = try #require(run.quarantined[run.files[4]])
        #expect(reason.contains("no sender"))
        // A confirmation to each sender and a notice to Alice for each ticket.
        #expect(run.outgoing.count == 8)
        let subjects = run.outgoing.map { MessageSummary(Message.parse($0)).subject ?? "" }
        #expect(subjects.contains { $0.contains("x Bcc: evil1@x") }, "the subject is echoed as text: \(subjects)")
    }
}
