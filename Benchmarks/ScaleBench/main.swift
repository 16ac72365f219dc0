// postdesk-scale-bench: Postdesk on a database of years of tickets (issue 7, BENCHMARKS.md "Scale").
//
//   postdesk-scale-bench --work DIR [--tickets 1000000] [--messages 5] [--ingest 2000] [--warmup 500] [--recent N] [--cached]
//                        [--queries 300] [--reuse]
//                        [--only full|empty]   (ingest into one database only, e.g. under perf; --queries 0 skips step 4)
//
// 1. fill: TICKETS tickets with MESSAGES messages each (requesters among 100,000 customers in 5,000 companies,
//    statuses as an old helpdesk has them: most closed), every message indexed for search and its Message-ID
//    recorded and its content key in the exactly-once ledger, as ingestion leaves them; the agents' notice of
//    each customer mail recorded by its Message-ID and each mail to a customer by its outbox record, as sending
//    and keep_sent leave them; WAL checkpointed.
//    --reuse keeps an already filled database.
// 2. size: the database against the raw text it holds (subjects, bodies, quoted parts, addresses).
// 3. ingest: INGEST generated mails (new tickets, and requesters' replies to old tickets) through
//    Ingestor.processPending, into the full database and into an "empty" one that holds the same people and only
//    the old tickets the replies answer, so both do the same work; messages/s of each. WARMUP mails go first,
//    unmeasured, as a running daemon has its page cache filled by the mail before (each run is a new process).
//    --recent N: the replies answer only the newest N tickets (what a helpdesk mostly gets), not the whole span.
//    --cached: both databases are read through first, so that they are in the OS page cache, as on a server
//    whose memory holds them (the empty one always is: it is small and just written). Before it, what earlier
//    runs queued in the full database is taken as sent and swept as keep_sent leaves it.
// 4. queries, QUERIES times each, p50/p99 in ms, through the Store calls the commands make: `tickets list
//    --unassigned` (first page of 100), `tickets show N`, `tickets search WORDS`, the status summary of a
//    customer and of a company's primary contact.
import Foundation
import PostdeskCore
import PostdeskDaemon
import PostdeskStore
import PostdeskSystem

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func percentile(_ xs: [Double], _ p: Double) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? 0 : s[min(s.count - 1, Int(Double(s.count - 1) * p))]
}

func fileSize(_ path: String) -> Int64 {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.size].flatMap { ($0 as? NSNumber)?.int64Value } ?? 0
}

var args = Array(CommandLine.arguments.dropFirst())
var work = "", tickets = 1_000_000, perTicket = 5, ingestCount = 2000, warmup = 500, queries = 300, reuse = false, only = ""
var recent = 0  // 0: replies answer tickets anywhere in the database; N: only the newest N
var cached = false  // read the database files through first, as a server whose memory holds them has them cached
var k = 0
while k < args.count {
    switch args[k] {
    case "--work": work = args[k + 1]; k += 2
    case "--tickets": tickets = Int(args[k + 1]) ?? tickets; k += 2
    case "--messages": perTicket = Int(args[k + 1]) ?? perTicket; k += 2
    case "--ingest": ingestCount = Int(args[k + 1]) ?? ingestCount; k += 2
    case "--warmup": warmup = Int(args[k + 1]) ?? warmup; k += 2
    case "--recent": recent = Int(args[k + 1]) ?? recent; k += 2
    case "--cached": cached = true; k += 1
    case "--queries": queries = Int(args[k + 1]) ?? queries; k += 2
    case "--reuse": reuse = true; k += 1
    case "--only": only = args[k + 1]; k += 2
    default: print("unknown argument \(args[k])"); exit(64)
    }
}
guard !work.isEmpty else { print("usage: postdesk-scale-bench --work DIR [--tickets N] [--messages M] [--ingest K] [--warmup W] [--recent N] [--cached] [--queries Q] [--reuse] [--only full|empty]"); exit(64) }

// A vocabulary of support words in the six languages, so search and sizes see varied text.
let vocabulary = """
    printer drukarka impresora Drucker imprimante stampante invoice faktura factura Rechnung facture fattura
    password hasło contraseña Passwort mot passe login error błąd fehler erreur errore update aktualizacja
    actualización Aktualisierung mise jour aggiornamento screen ekran pantalla Bildschirm écran schermo
    battery bateria batería Akku batterie batteria warranty gwarancja garantía Garantie garantie garanzia
    delivery dostawa entrega Lieferung livraison consegna refund zwrot reembolso Erstattung remboursement
    rimborso account konto cuenta Konto compte account network sieć red Netzwerk réseau rete server serwer
    servidor Server serveur server backup kopia copia Sicherung sauvegarde backup license licencja licencia
    Lizenz licence licenza email poczta correo Mail courriel posta phone telefon teléfono Telefon téléphone
    telefono laptop notebook portátil Notebook portable portatile cable kabel cable Kabel câble cavo
    keyboard klawiatura teclado Tastatur clavier tastiera mouse mysz ratón Maus souris mouse slow wolno lento
    langsam lent lento broken zepsuty roto kaputt cassé rotto urgent pilne urgente dringend urgent urgente
    order zamówienie pedido Bestellung commande ordine payment płatność pago Zahlung paiement pagamento
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
var rng = SystemRandomNumberGenerator()
@MainActor func words(_ n: Int, seed: Int) -> String {
    var out: [String] = []
    var x = UInt64(truncatingIfNeeded: seed &* 2_654_435_761 &+ 12345)
    for _ in 0..<n {
        x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        out.append(vocabulary[Int((x >> 33) % UInt64(vocabulary.count))])
    }
    return out.joined(separator: " ")
}

try FileSystem.makeDirectories(work)
let dbPath = work + "/db/postdesk.sqlite"
let configText = """
    [helpdesk]
    database = db/postdesk.sqlite
    data_dir = data
    agent_auth = from
    [mailbox support]
    maildir = mail/support
    address = support@acme.test
    tag = Acme
    [agent alice]
    address = alice@acme.test
    name = Alice Novak
    [limits]
    sender_burst = 1000000
    global_burst = 1000000
    """

@MainActor func desk(_ root: String) throws -> (Configuration, Store, Ingestor, Maildir) {
    try FileSystem.makeDirectories(root + "/db")
    let maildir = Maildir(root + "/mail/support")
    if !maildir.exists { try maildir.create() }
    let config = try Configuration.parse(configText, file: root + "/postdesk.conf", baseDirectory: root).get()
    let store = try Store(path: config.helpdesk.database)
    return (config, store, try Ingestor(config: config, store: store), maildir)
}

/// 20 agents besides alice (the same in the full and in the empty database: each new ticket is announced to all).
@MainActor func addAgents(_ store: Store) throws {
    for a in 0..<20 {
        try store.db.run("INSERT OR IGNORE INTO agents (key, address, name, source, created) VALUES (?, ?, ?, 'cli', '2020-01-01T00:00:00+00:00')",
                         [.text("agent\(a)"), .text("agent\(a)@acme.test"), .text("Agent \(a)")])
    }
}

// MARK: - 1. fill
var rawBytes: Int64 = 0
let customers = 100_000, companies = 5_000
let statuses = ["closed", "closed", "closed", "closed", "closed", "closed", "closed", "resolved", "open", "pending", "new"]
@MainActor func customerAddress(_ c: Int) -> String { "customer\(c)@" + (c % 3 == 2 ? "mail\(c % 97).example" : "company\(c % companies).example") }

/// The companies, customers and agents (the same in the full and in the empty database).
@MainActor func addPeople(_ store: Store) throws {
    let db = store.db
    for o in 0..<companies {
        try db.run("INSERT INTO organizations (domain, name, created) VALUES (?, ?, '2020-01-01T00:00:00+00:00')",
                   [.text("company\(o).example"), .text("Company \(o)")])
    }
    for c in 0..<customers {
        // Two thirds of the customers belong to a company; one in 150 is a primary contact.
        let org: SQLValue = c % 3 == 2 ? .null : .integer(Int64(c % companies + 1))
        try db.run("INSERT INTO customers (address, name, organization_id, is_primary_contact, created) VALUES (?, ?, ?, ?, '2020-01-01T00:00:00+00:00')",
                   [.text(customerAddress(c)), .text("Customer \(c)"), org, .integer(c % 150 == 0 ? 1 : 0)])
    }
    try addAgents(store)
}

/// Ticket number i + 1 with its messages, search rows and Message-IDs, as ingestion leaves them; returns the
/// raw text it holds.
/// A stand-in for a mail's content hash: 64 hex digits, spread like SHA-256's.
func contentKey(_ i: Int, _ m: Int) -> String {
    var x = UInt64(truncatingIfNeeded: i) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(truncatingIfNeeded: m) &+ 1
    var out = ""
    for _ in 0..<4 {
        x ^= x >> 30; x &*= 0xBF58_476D_1CE4_E5B9; x ^= x >> 27; x &*= 0x94D0_49BB_1331_11EB; x ^= x >> 31
        let h = String(x, radix: 16)
        out += String(repeating: "0", count: 16 - h.count) + h
    }
    return out
}

@MainActor func insertTicket(_ db: Database, _ i: Int) throws -> Int64 {
    var raw: Int64 = 0
    let requester = Int64(i % customers + 1)
    let status = statuses[i % statuses.count]
    let assignee: SQLValue = status == "new" || i % 13 == 0 ? .null : .integer(Int64(i % 20 + 1))
    let day = 1 + i % 28, month = 1 + (i / 28) % 12, year = 2020 + min(6, i * 7 / max(1, tickets))
    let at = String(format: "%04d-%02d-%02dT%02d:%02d:00+00:00", year, month, day, i % 24, i % 60)
    let subject = "\(words(3, seed: i)) \(i % 1000)"
    try db.run("""
        INSERT INTO tickets (number, subject, status, queue, requester_id, assignee_id, priority, created, updated, closed_at, last_customer_reply)
        VALUES (?, ?, ?, 'support', ?, ?, 'normal', ?, ?, ?, ?)
        """, [.integer(Int64(i + 1)), .text(subject), .text(status), .integer(requester), assignee, .text(at), .text(at),
              status == "closed" ? .text(at) : .null, .text(at)])
    let number = Int64(i + 1)
    let address = customerAddress(i % customers)
    raw += Int64(subject.utf8.count + address.utf8.count)
    for m in 0..<perTicket {
        let inbound = m % 2 == 0
        // 1 to 4 KB of text, as ../shared/peers/gen_corpus.py's plain-text support mails have.
        let body = "Hello,\n\(words(120 + ((i &* 31 + m &* 17) % 360), seed: i * 7 + m)).\nRegards"
        let quoted: String? = m > 0 ? "> \(words(12, seed: i * 7 + m - 1))" : nil
        let mid = "m\(i).\(m)@\(inbound ? "customers.example" : "acme.test")"
        try db.run("""
            INSERT INTO messages (ticket, direction, visibility, kind, author_address, message_id, date, subject, text, quoted, created)
            VALUES (?, ?, 'public', 'mail', ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(number), .text(inbound ? "in" : "out"), .text(inbound ? address : "support@acme.test"), .text(mid),
                  .text(at), .text(subject), .text(body), quoted.map { .text($0) } ?? .null, .text(at)])
        let row = db.lastInsertRowID
        try db.run("INSERT INTO message_ids (message_id, ticket, message) VALUES (?, ?, ?)", [.text(mid), .integer(number), .integer(row)])
        try db.run("INSERT INTO search (rowid, subject, body, refs, requester) VALUES (?, ?, ?, ?, ?)",
                   [.integer(row), .text(subject), .text(body), .text(mid), .text(address)])
        // What sending left after keep_sent: the team's notice of each customer mail has its Message-ID recorded
        // (one for all agents); each mail to the customer keeps its outbox record (its text is gone).
        let when = Int64(1_577_836_800 + i * 150 + m * 3600)
        if inbound {
            // The exactly-once ledger: every mail received, keyed by the hash of its content.
            try db.run("INSERT INTO ingested (key, message_id, mailbox, outcome, ticket, message, at) VALUES (?, ?, 'support', ?, ?, ?, ?)",
                       [.text(contentKey(i, m)), .text(mid), .text(m == 0 ? "new ticket #\(number)" : "added to ticket #\(number)"),
                        .integer(number), .integer(row), .text(at)])
            try db.run("INSERT INTO message_ids (message_id, ticket, message) VALUES (?, ?, NULL)",
                       [.text("pd.\(number).n\(m).\(String(UInt64(truncatingIfNeeded: i &* 2_654_435_761 &+ m), radix: 36))@acme.test"), .integer(number)])
        } else {
            try db.run("""
                INSERT INTO outbox (ticket, kind, recipient, envelope_from, message_id, automatic, language, status, queued_at,
                                    next_attempt, attempts, last_error, done_at)
                VALUES (?, ?, ?, 'support@acme.test', ?, ?, 'en', 'sent', ?, ?, 1, '250 2.0.0 Ok', ?)
                """, [.integer(number), .text(m == 1 ? "confirmation" : "relay"), .text(address), .text(mid), .integer(m == 1 ? 1 : 0),
                      .integer(when), .integer(when), .integer(when + 2)])
        }
        raw += Int64(body.utf8.count + (quoted?.utf8.count ?? 0) + mid.utf8.count + subject.utf8.count)
    }
    return raw
}

if !(reuse && FileManager.default.fileExists(atPath: dbPath)) {
    try? FileManager.default.removeItem(atPath: work + "/db")
    let (_, store, _, _) = try desk(work)
    let db = store.db
    try db.execute("PRAGMA synchronous=OFF; PRAGMA cache_size=-262144")  // the fill's random-keyed indexes
    let t0 = now()
    try store.transaction { try addPeople(store) }
    var done = 0
    while done < tickets {
        try store.transaction {
            for i in done..<min(tickets, done + 20_000) { rawBytes += try insertTicket(db, i) }
        }
        done = min(tickets, done + 20_000)
        if done % 100_000 == 0 { FileHandle.standardError.write("# filled \(done) tickets in \(Int(now() - t0)) s\n".data(using: .utf8)!) }
    }
    try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    try "\(rawBytes)".write(toFile: work + "/raw-bytes", atomically: true, encoding: .utf8)
    print("{\"step\": \"fill\", \"tickets\": \(tickets), \"messages\": \(tickets * perTicket), \"seconds\": \(Int(now() - t0))}")
} else {
    rawBytes = Int64((try? String(contentsOfFile: work + "/raw-bytes", encoding: .utf8)).flatMap { Int64($0) } ?? 0)
}

// MARK: - 2. size
let dbBytes = fileSize(dbPath) + fileSize(dbPath + "-wal")
print("{\"step\": \"size\", \"db_mb\": \(dbBytes / 1_000_000), \"raw_text_mb\": \(rawBytes / 1_000_000), \"ratio\": \(String(format: "%.2f", Double(dbBytes) / Double(max(1, rawBytes))))}")

// MARK: - 3. ingest into the full database and into an empty one
// The same mails go to both: half open new tickets, half are their requesters' replies to old tickets (threaded by
// In-Reply-To), so closed tickets get follow-ups, resolved ones reopen and open ones get a reply. The "empty"
// database holds the same companies, customers and agents and only the old tickets those replies answer.
let runToken = String(UInt64.random(in: 0...UInt64.max, using: &rng), radix: 36)  // fresh Message-IDs on every run
let firstMail = Int(UInt64.random(in: 0...UInt64(max(1, tickets) - 1), using: &rng))  // other old tickets on every run
@MainActor func answered(_ i: Int) -> Int? {
    guard i % 2 == 1 else { return nil }
    let span = recent > 0 ? min(recent, tickets) : max(1, tickets)
    return tickets - span + (i * 7919) % span
}
/// Delivers the mails of `range` and ingests them; returns messages/s.
@MainActor func ingest(_ root: String, _ ingestor: Ingestor, _ maildir: Maildir, _ range: Range<Int>) throws -> Double {
    for j in range {
        let i = firstMail + j
        let text: String
        if let old = answered(i) {
            text = "From: Customer \(old % customers) <\(customerAddress(old % customers))>\nTo: support@acme.test\n"
                + "In-Reply-To: <m\(old).1@acme.test>\nSubject: Re: [Acme #\(old + 1)] x\n"
                + "Message-ID: <bench\(i).\(runToken)@bench.example>\nDate: Mon, 23 Nov 2026 09:00:00 +0100\n\nHello,\n\(words(60, seed: i)).\n"
        } else {
            text = "From: Customer \(i % customers) <\(customerAddress(i % customers))>\nTo: support@acme.test\nSubject: \(words(4, seed: i))\n"
                + "Message-ID: <bench\(i).\(runToken)@bench.example>\nDate: Mon, 23 Nov 2026 09:00:00 +0100\n\nHello,\n\(words(60, seed: i)).\n"
        }
        _ = try maildir.deliver(Array(text.utf8), name: String(format: "%08d.bench", j))
    }
    sync()
    if cached && range.lowerBound > 0 {
        // Into the OS page cache, as on a server whose memory holds the database (this VM empties its page cache
        // every few minutes, so a database written an hour ago is back on disk).
        let started = now()
        var total = 0
        for suffix in ["", "-wal"] {
            let fd = open(ingestor.config.helpdesk.database + suffix, O_RDONLY)
            guard fd >= 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                total += n
            }
            close(fd)
        }
        FileHandle.standardError.write("# \(root): \(total / 1_000_000) MB read into the page cache in \(Int(now() - started)) s\n".data(using: .utf8)!)
    }
    let t0 = now()
    var r0 = rusage(); getrusage(RUSAGE_SELF.rawValue, &r0)
    let report = ingestor.processPending()
    let s = now() - t0
    var r1 = rusage(); getrusage(RUSAGE_SELF.rawValue, &r1)
    func secs(_ a: timeval, _ b: timeval) -> Double { Double(b.tv_sec - a.tv_sec) + Double(b.tv_usec - a.tv_usec) / 1e6 }
    if range.lowerBound == 0 && warmup > 0 { return 0 }  // the warm-up: not reported
    print("# \(root) wall \(s) s user \(secs(r0.ru_utime, r1.ru_utime)) sys \(secs(r0.ru_stime, r1.ru_stime)) majflt \(r1.ru_majflt - r0.ru_majflt) inblock \(r1.ru_inblock - r0.ru_inblock) oublock \(r1.ru_oublock - r0.ru_oublock)")
    let outcomes = Dictionary(grouping: report.outcomes.map { String("\($0.outcome)".prefix(while: { $0 != "(" && $0 != " " })) }, by: { $0 }).mapValues(\.count)
    FileHandle.standardError.write("# \(root): \(outcomes.sorted { $0.key < $1.key })\n".data(using: .utf8)!)
    return Double(report.count) / s
}
var full = 0.0, empty = 0.0
if only != "empty" {
    let (_, fullStore, ingestor, maildir) = try desk(work)
    // Mail earlier runs queued is taken as sent long ago, and keep_sent's sweep has run: customers' records stay,
    // texts and agents' notices go (the outbox of a helpdesk that has run for years, not a backlog of unsent mail).
    try fullStore.db.run("UPDATE outbox SET status = 'sent', done_at = queued_at WHERE status = 'queued'")
    try fullStore.db.run("UPDATE outbox_text SET sent_at = 0 WHERE sent_at IS NULL")
    while try fullStore.dropSentText(sentBefore: 1, limit: 100_000) > 0 {}
    try fullStore.uncountAutomaticMail(queuedBefore: Int64.max)
    try fullStore.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _ = try ingest(work, ingestor, maildir, 0..<warmup)
    full = try ingest(work, ingestor, maildir, warmup..<(warmup + ingestCount))
}
if only != "full" {
    let emptyRoot = work + "/empty"
    try? FileManager.default.removeItem(atPath: emptyRoot)
    let (_, emptyStore, _, _) = try desk(emptyRoot)
    try emptyStore.transaction {
        try addPeople(emptyStore)
        var seen = Set<Int>()
        for j in 0..<(warmup + ingestCount) { if let old = answered(firstMail + j), seen.insert(old).inserted { _ = try insertTicket(emptyStore.db, old) } }
    }
    try emptyStore.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    let (_, _, emptyIngestor, emptyMaildir) = try desk(emptyRoot)
    _ = try ingest(emptyRoot, emptyIngestor, emptyMaildir, 0..<warmup)
    empty = try ingest(emptyRoot, emptyIngestor, emptyMaildir, warmup..<(warmup + ingestCount))
    try? FileManager.default.removeItem(atPath: emptyRoot)
}
print("{\"step\": \"ingest\", \"mails\": \(ingestCount), \"full_msgs_per_s\": \(Int(full)), \"empty_msgs_per_s\": \(Int(empty)), \"ratio\": \(String(format: "%.2f", empty > 0 ? full / empty : 0))}")
if queries == 0 { exit(0) }

// MARK: - 4. queries
let store = try Store(path: dbPath)
@MainActor func measure(_ name: String, _ body: (Int) throws -> Int) throws {
    var times: [Double] = []
    var rows = 0
    for q in 0..<queries {
        let t0 = now()
        rows += try body(q)
        times.append((now() - t0) * 1000)
    }
    print("{\"step\": \"query\", \"query\": \"\(name)\", \"runs\": \(queries), \"p50_ms\": \(String(format: "%.2f", percentile(times, 0.5))), "
        + "\"p99_ms\": \(String(format: "%.2f", percentile(times, 0.99))), \"max_ms\": \(String(format: "%.2f", times.max() ?? 0)), \"rows_per_run\": \(rows / max(1, queries))}")
}
try measure("tickets list --unassigned (first 100)") { _ in try store.tickets(TicketFilter(unassigned: true, limit: 100)).count }
try measure("tickets show N") { _ in try store.ticket(Int64.random(in: 1...Int64(tickets), using: &rng)).map { $0.messages?.count ?? 0 } ?? 0 }
try measure("tickets search (two words)") { q in try store.search(words(2, seed: q * 31 + 7)).count }
try measure("tickets search (address)") { q in try store.search("customer\((q * 7919) % customers)@").count }
try measure("status summary (customer)") { q in try store.visibleTickets(for: "customer\((q * 7919) % customers)@" + ((q * 7919) % customers % 3 == 2 ? "mail\((q * 7919) % customers % 97).example" : "company\((q * 7919) % customers % companies).example")).count }
try measure("status summary (primary contact)") { q in
    let c = (q * 150) % customers  // c % 150 == 0: a primary contact when in a company
    let address = "customer\(c)@" + (c % 3 == 2 ? "mail\(c % 97).example" : "company\(c % companies).example")
    return try store.visibleTickets(for: address).count
}
