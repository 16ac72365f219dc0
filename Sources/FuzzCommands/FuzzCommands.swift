// libFuzzer entry point for what people write by mail: an agent's command lines (`MailCommands.parseAgent`),
// a customer's `#close`, and the subjects that ask for a status summary or a password reset code. Besides
// "no crash, no hang", it checks, and traps (a finding) when one fails:
//   - every command and problem is on its own line of the text, in order, and a problem quotes a `#` line;
//   - what a command carries is valid (a real day, an address, a type word);
//   - no subject asks for both a status summary and a reset code, and a request stays one when it is replied
//     to (`Re:`) or written in capitals.
// Built only with POSTDESK_FUZZ=1 (see Package.swift and Tests/fuzz.sh).
import PostdeskCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCommands(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count

    let parsed = MailCommands.parseAgent(text)
    let lines = parsed.commands.map(\.line) + parsed.problems.map(\.line)
    check(Set(lines).count == lines.count, "two results on one line: \(lines)")
    check(lines.allSatisfy { $0 >= 1 && $0 <= lineCount }, "a line number outside the text: \(lines) of \(lineCount)")
    check(parsed.commands.map(\.line) == parsed.commands.map(\.line).sorted(), "commands out of order")
    for p in parsed.problems {
        check(p.text.hasPrefix("#"), "a problem that is not a command line: \(p.text)")
        check(!p.message.isEmpty, "a problem without a message")
    }
    for (_, command) in parsed.commands {
        switch command {
        case .due(let day): check(MailCommands.isDate(day), "#due with \(day)")
        case .ccAdd(let a), .ccRemove(let a):
            check(a.split(separator: "@", omittingEmptySubsequences: false).count == 2 && a == a.lowercased(), "#cc with \(a)")
        case .type(let t): check(!t.isEmpty && t.count <= 40 && t == t.lowercased(), "#type with \(t)")
        case .assign(let who): check(!who.isEmpty, "#assign with nobody")
        case .status(let s): check(s != .new, "#status new accepted")
        default: break
        }
    }
    if let rest = MailCommands.customerClose(text) { check(rest.count <= text.count, "#close rest longer than the text") }

    // Subjects: the first line, and the whole text, as a subject.
    for subject in [String(text.prefix { $0 != "\n" }), text] {
        let status = MailCommands.isStatusRequest(subject)
        let reset = MailCommands.isPasswordResetRequest(subject)
        check(!(status && reset), "\"\(subject)\" asks for both a status summary and a reset code")
        if status {
            check(MailCommands.isStatusRequest("Re: " + subject), "\"Re: \(subject)\" is no status request")
            check(MailCommands.isStatusRequest(subject.uppercased()), "\"\(subject.uppercased())\" is no status request")
        }
        if reset {
            check(MailCommands.isPasswordResetRequest("Re: " + subject), "\"Re: \(subject)\" is no reset request")
            check(MailCommands.isPasswordResetRequest(subject.uppercased()), "\"\(subject.uppercased())\" is no reset request")
        }
    }
    return 0
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("FuzzCommands property: \(message())") }
}
