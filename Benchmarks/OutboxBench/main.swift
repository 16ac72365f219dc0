// Outbox throughput: N mails queued in a real SQLite outbox, sent by OutboxSender over one reused SMTP
// connection to a sink on loopback. Prints one JSON line. Usage:
//   postdesk-outbox-bench --port PORT [--count N] [--batch N] [--dir DIR]
import PostdeskCore
import PostdeskDaemon
import PostdeskMail
import PostdeskStore
import PostdeskSystem

#if canImport(Glibc)
import Glibc
#endif

func monotonic() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

var port = 0, count = 2000, batch = 100
var dir = "/tmp/postdesk-outbox-bench"
var args = Array(CommandLine.arguments.dropFirst())
while !args.isEmpty {
    let a = args.removeFirst()
    let v = args.isEmpty ? "" : args.removeFirst()
    switch a {
    case "--port": port = Int(v) ?? 0
    case "--count": count = Int(v) ?? count
    case "--batch": batch = Int(v) ?? batch
    case "--dir": dir = v
    default: print("unknown argument \(a)"); exit(64)
    }
}
guard port > 0 else { print("usage: postdesk-outbox-bench --port PORT [--count N] [--batch N] [--dir DIR]"); exit(64) }

_ = try? FileSystem.remove(dir + "/bench.sqlite")
try FileSystem.makeDirectories(dir)
let text = """
    [helpdesk]
    name = Acme Support
    database = bench.sqlite
    data_dir = data
    [mailbox support]
    maildir = mail
    address = support@acme.test
    tag = Acme
    [outbound]
    transport = smtp
    url = smtp://127.0.0.1:\(port)
    starttls = off
    batch_size = \(batch)
    """
let config = try Configuration.parse(text, file: dir + "/bench.conf", baseDirectory: dir).get()
let store = try Store(path: config.helpdesk.database)

// Realistic mail: a confirmation-sized message (text + HTML alternative, ~3 KB).
let templates = TemplateSet(fallbackLanguage: "en")
let rendered = templates.template(.confirmation, language: "en").template.render([
    "helpdesk_name": "Acme Support", "ticket_number": "1", "ticket_tag": "[Acme #1]", "subject": "Printer broken",
    "customer_name": "Ana García", "queue_address": "support@acme.test", "turnaround": "2 days"])
try store.transaction {
    for i in 0..<count {
        var m = OutgoingMessage(
            from: MailAddress(name: "Acme Support", address: "support@acme.test"),
            to: [MailAddress(name: "Customer \(i)", address: "c\(i)@example.org")], subject: rendered.subject,
            messageID: "bench.\(i)@acme.test", date: MailDate(secondsSinceEpoch: 1_795_338_900, utcOffsetSeconds: 3600),
            text: rendered.text)
        m.html = "<p>" + rendered.text.split(separator: "\n").joined(separator: "<br>\n") + "</p>"
        m.autoSubmitted = "auto-replied"
        let raw = MessageComposer.compose(m)
        try store.enqueue(Store.NewOutboxEntry(
            ticket: nil, kind: "confirmation", recipient: "c\(i)@example.org", envelopeFrom: "support@acme.test",
            messageID: m.messageID, automatic: true, language: "en", raw: raw, causeMessage: nil), now: 0)
    }
}
let sender = OutboxSender(config: config, store: store)
let t0 = monotonic()
let report = sender.sendDue()
let elapsed = monotonic() - t0
print("{\"mails\": \(count), \"sent\": \(report.sent), \"failed\": \(report.failed), \"retrying\": \(report.retrying), \"batch\": \(batch), \"seconds\": \(elapsed), \"mails_per_second\": \(Double(report.sent) / elapsed)}")

