// libFuzzer entry point for the config reader (`Configuration.parse`). Besides "no crash, no hang", it checks
// properties every accepted config must have, and traps (a finding) when one fails:
//   - LF and CRLF line endings read the same (operators edit configs on Windows too);
//   - every problem names a line of the file (or 0 for the whole file);
//   - an accepted config is what the daemon relies on: a mailbox at least, addresses with @, distinct mailbox
//     and agent addresses, tags that Postdesk finds again in the subjects it writes, durations and rates whose
//     arithmetic (now + duration, backoff doubling) cannot overflow.
// Built only with POSTDESK_FUZZ=1 (see Package.swift and Tests/fuzz.sh).
import PostdeskCore
import PostdeskMail

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let result = Configuration.parse(text, file: "fuzz.conf", baseDirectory: "/etc/postdesk")
    let lines = text.utf8.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
    switch result {
    case .failure(let errors):
        check(!errors.problems.isEmpty, "a refused config names no problem")
        for p in errors.problems { check(p.line >= 0 && p.line <= lines, "problem on line \(p.line) of \(lines): \(p)") }
    case .success(let config):
        checkAccepted(config)
        for p in config.warnings { check(p.line >= 0 && p.line <= lines, "warning on line \(p.line) of \(lines): \(p)") }
    }
    // The same file with CRLF line endings reads the same (only when the input has no CR of its own).
    if !text.utf8.contains(0x0D) && text.utf8.contains(0x0A) {
        let crlf = String(decoding: text.utf8.flatMap { $0 == 0x0A ? [0x0D, 0x0A] : [$0] }, as: UTF8.self)
        let other = Configuration.parse(crlf, file: "fuzz.conf", baseDirectory: "/etc/postdesk")
        switch (result, other) {
        case (.success(let a), .success(let b)):
            check(a == b, "LF and CRLF give different configs")
        case (.failure(let a), .failure(let b)):
            check(a.problems == b.problems, "LF and CRLF give different problems:\n\(a)\n---\n\(b)")
        default:
            check(false, "LF and CRLF disagree on whether the config is valid")
        }
    }
    return 0
}

/// What the daemon assumes of a config that `parse` accepted.
func checkAccepted(_ c: Configuration) {
    check(!c.mailboxes.isEmpty, "accepted without a mailbox")
    let now: Int64 = 4_102_444_800  // 2100-01-01: the clock may run late, the arithmetic must still hold
    var durations = [c.helpdesk.autoCloseAfter, c.outbound.retryAfter, c.outbound.giveUpAfter, c.outbound.timeout,
                     c.limits.senderRate.per, c.limits.globalRate.per]
    durations += c.mailboxes.map(\.turnaround)
    if let r = c.helpdesk.autoCloseReminder { durations.append(r) }
    for d in durations {
        check(d.seconds > 0, "a duration of \(d.seconds) s")
        // now + duration (due times, close_at), and the outbox's backoff doubling it a few times.
        let (_, o1) = now.addingReportingOverflow(d.seconds)
        let (_, o2) = d.seconds.multipliedReportingOverflow(by: 1 << 20)
        check(!o1 && !o2, "duration \(d.seconds) s overflows the daemon's time arithmetic")
    }
    for m in c.mailboxes {
        check(m.address.contains("@"), "mailbox \(m.name) without an address")
        check(!m.tag.isEmpty, "mailbox \(m.name) without a tag")
        check(c.mailboxes.filter { $0.address.lowercased() == m.address.lowercased() }.count == 1, "two mailboxes share \(m.address)")
        // The tag as Postdesk writes it into a subject (sanitised by the composer) is found again in a reply.
        // (Found here: a tag with a non-ASCII capital, `ÄRGER`, was never found; regression test in FuzzRegressionTests.)
        let subject = MessageComposer.sanitized("Re: [\(m.tag) #42] Printer")
        check(TicketReferences.subjectTag(in: subject, tags: c.mailboxes.map(\.tag)) == 42,
              "the tag \"\(m.tag)\" of [mailbox \(m.name)] is not found in the subject \"\(subject)\"")
        check(!m.maildir.isEmpty, "mailbox \(m.name) without a maildir")
    }
    for a in c.agents {
        check(a.address.contains("@"), "agent \(a.id) without an address")
        check(!c.mailboxes.contains { $0.address.lowercased() == a.address.lowercased() }, "agent \(a.id) uses a mailbox address")
        check(c.agents.filter { $0.address.lowercased() == a.address.lowercased() }.count == 1, "two agents share \(a.address)")
        for q in a.queues { check(c.mailboxes.contains { $0.name == q }, "agent \(a.id) names a missing queue \(q)") }
    }
    // Names that go into From display names: the composer keeps them on one line.
    for name in [c.helpdesk.name] + c.agents.map(\.name) {
        check(!MessageComposer.address(MailAddress(name: name, address: "support@acme.test")).contains(where: { $0 == "\r" || $0 == "\n" }),
              "a name breaks a header line: \(name)")
    }
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("FuzzConfig property: \(message())") }
}
