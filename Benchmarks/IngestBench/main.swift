// postdesk-ingest-bench: ingestion throughput and latency (BENCHMARKS.md).
//
//   postdesk-ingest-bench SET_FOLDER [--prefill N] [--latency M] [--work DIR]
//
// 1. throughput: copies every mail of SET_FOLDER (a maildir's new/ or any folder of files) into a fresh
//    maildir, then times Ingestor.processPending on a fresh database with full durability (WAL,
//    synchronous=FULL, files fsynced before each commit).
// 2. with --prefill N: the same, after filling the database with N existing tickets (one message each,
//    indexed), to see how ingest speed holds up as the database grows.
// 3. with --latency M: runs the daemon loop (inotify on new/) on its own thread and delivers M mails one at a
//    time (tmp/ then rename into new/, 20 ms apart); reports p50/p99 from the rename to the committed ticket.
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

func peakRSSkB() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
    return 0
}

func percentile(_ xs: [Double], _ p: Double) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? 0 : s[min(s.count - 1, Int(Double(s.count - 1) * p))]
}

func folderBytes(_ path: String) -> Int64 {
    let fm = FileManager.default
    guard let e = fm.enumerator(atPath: path) else { return 0 }
    var total: Int64 = 0
    while let rel = e.nextObject() as? String {
        if let size = (try? fm.attributesOfItem(atPath: path + "/" + rel))?[.size] as? NSNumber { total += size.int64Value }
    }
    return total
}

var args = Array(CommandLine.arguments.dropFirst())
guard let set = args.first, !set.hasPrefix("-") else {
    print("usage: postdesk-ingest-bench SET_FOLDER [--prefill N] [--latency M] [--work DIR]")
    exit(64)
}
args.removeFirst()
var prefill = 0, latencyCount = 0
var work = NSTemporaryDirectory() + "postdesk-ingest-bench"
var k = 0
while k < args.count {
    switch args[k] {
    case "--prefill": prefill = Int(args[k + 1]) ?? 0; k += 2
    case "--latency": latencyCount = Int(args[k + 1]) ?? 0; k += 2
    case "--work": work = args[k + 1]; k += 2
    default: print("unknown argument \(args[k])"); exit(64)
    }
}

let setFolder = FileManager.default.fileExists(atPath: set + "/new") ? set + "/new" : set
let setFiles = (try FileSystem.list(setFolder)).filter { !$0.hasPrefix(".") }

@MainActor func makeDesk(_ name: String) throws -> (Configuration, Store, Ingestor, Maildir) {
    let root = work + "/" + name
    try? FileManager.default.removeItem(atPath: root)
    let maildir = Maildir(root + "/mail/support")
    try maildir.create()
    try FileSystem.makeDirectories(root + "/db")
    let text = """
        [helpdesk]
        database = db/postdesk.sqlite
        data_dir = data
        agent_auth = from
        [mailbox support]
        maildir = mail/support
        address = support@helpdesk.example.com
        tag = Acme
        # The benchmark pours thousands of mails in within seconds, which the default inbound limits would
        # hold as a storm (LimitsTests and FloodProcessTests test that path). The buckets are still kept.
        [limits]
        sender_burst = 1000000
        global_burst = 1000000
        """
    let config = try Configuration.parse(text, file: root + "/postdesk.conf", baseDirectory: root).get()
    let store = try Store(path: config.helpdesk.database)
    let ingestor = try Ingestor(config: config, store: store)
    return (config, store, ingestor, maildir)
}

/// N existing tickets with one indexed message each, in one transaction.
func prefillTickets(_ store: Store, _ n: Int) throws {
    let at = "2026-01-01T00:00:00+00:00"
    try store.transaction {
        for i in 0..<n {
            let customer = try store.customer(address: "prefill\(i % 20_000)@customers.example", name: nil, at: at)
            let number = try store.createTicket(subject: "Existing ticket \(i) about the billing portal", queue: "support",
                                                requester: customer, followUpOf: nil, reference: nil, language: nil, at: at)
            let body = "Earlier conversation number \(i): the export fails with error E\(i % 977) since the update."
            let m = try store.addMessage(Store.NewMessage(
                ticket: number, direction: "in", visibility: "public", kind: "mail", authorAddress: "prefill\(i % 20_000)@customers.example",
                authorName: nil, messageID: "prefill-\(i)@customers.example", date: at, subject: "Existing ticket \(i)", text: body,
                quoted: nil, html: nil, rawPath: nil, automatic: nil, routing: "prefill"), at: at)
            try store.index(message: m, subject: "Existing ticket \(i)", body: body, references: "prefill-\(i)@customers.example",
                            requester: "prefill\(i % 20_000)@customers.example")
            try store.recordIngested(key: "prefill-\(i)", messageID: "prefill-\(i)@customers.example", mailbox: "support",
                                     outcome: "prefill", ticket: number, message: m, at: at)
        }
    }
}

@MainActor func throughput(_ name: String, prefill: Int) throws {
    let (config, store, ingestor, maildir) = try makeDesk(name)
    if prefill > 0 {
        let t0 = now()
        try prefillTickets(store, prefill)
        // A database that has been running for a while has long checkpointed its WAL: do the same, so the
        // measurement does not pay for the prefill's checkpoint.
        try store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        print("# \(name): prefilled \(prefill) tickets in \(String(format: "%.1f", now() - t0)) s")
    }
    for f in setFiles { try FileManager.default.copyItem(atPath: setFolder + "/" + f, toPath: maildir.path + "/new/" + f) }
    let bytes = folderBytes(maildir.path + "/new")
    sync()
    let t0 = now()
    let report = ingestor.processPending()
    let seconds = now() - t0
    let db = folderBytes(work + "/" + name + "/db")
    print("{\"run\": \"\(name)\", \"prefill\": \(prefill), \"messages\": \(report.count), \"mb\": \(String(format: "%.1f", Double(bytes) / 1e6)), "
        + "\"seconds\": \(String(format: "%.2f", seconds)), \"msgs_per_s\": \(Int(Double(report.count) / seconds)), "
        + "\"db_mb\": \(String(format: "%.1f", Double(db) / 1e6)), \"peak_rss_mb\": \(peakRSSkB() / 1024)}")
    _ = config
}

try throughput("empty", prefill: 0)
if prefill > 0 { try throughput("prefilled", prefill: prefill) }

if latencyCount > 0 {
    let (config, _, ingestor, maildir) = try makeDesk("latency")
    let committed = NSLock()
    nonisolated(unsafe) var commitTimes: [String: Double] = [:]
    ingestor.log = { _, line in
        // "mailbox support: NAME: new ticket #1 from ..."
        let parts = line.split(separator: ":", maxSplits: 2)
        if parts.count == 3, line.contains(" from ") {
            committed.lock(); commitTimes[String(parts[1].dropFirst())] = now(); committed.unlock()
        }
    }
    let watcher = try DirectoryWatcher(config.mailboxes.map { $0.maildir + "/new" })
    final class Flag: @unchecked Sendable { var stop = false }
    let flag = Flag()
    let loop = Thread {
        while !flag.stop {
            _ = ingestor.processPending()
            _ = watcher.wait(timeoutMilliseconds: 200)
        }
    }
    loop.start()
    var delivered: [String: Double] = [:]
    for f in setFiles.prefix(latencyCount) {
        let data = try Data(contentsOf: URL(fileURLWithPath: setFolder + "/" + f))
        let tmp = maildir.path + "/tmp/" + f
        _ = FileManager.default.createFile(atPath: tmp, contents: data)
        let t = now()
        rename(tmp, maildir.path + "/new/" + f)
        delivered[f] = t
        usleep(20_000)
    }
    let deadline = now() + 30
    while now() < deadline {
        committed.lock(); let n = commitTimes.count; committed.unlock()
        if n >= delivered.count { break }
        usleep(10_000)
    }
    flag.stop = true
    committed.lock()
    let ms = delivered.compactMap { name, t0 in commitTimes[name].map { ($0 - t0) * 1000 } }
    committed.unlock()
    print("{\"run\": \"latency\", \"messages\": \(ms.count), \"p50_ms\": \(String(format: "%.1f", percentile(ms, 0.5))), "
        + "\"p99_ms\": \(String(format: "%.1f", percentile(ms, 0.99))), \"max_ms\": \(String(format: "%.1f", ms.max() ?? 0))}")
    exit(0)
}
