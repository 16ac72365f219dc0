// libFuzzer entry point for the routing decision (`Router.route`). The first bytes choose the ticket facts the
// ingest layer would have looked up (which ticket each reference names, its status, who takes part in it);
// the rest is parsed as a message with PostdeskMail, and the routing input is built from it the way
// `Ingestor.plan` builds it. Besides "no crash, no hang", it checks the access rules, and traps (a finding)
// when one fails:
//   - a subject tag or plus address puts mail on a ticket only when the sender takes part in it;
//   - a sender who does not take part in a ticket adds nobody to it (no stranger widens who gets its mail);
//   - Postdesk's own addresses, plus forms included, and the sender never join; joiners are lower-case, unique;
//   - automatic mail adds nobody and reopens nothing; bounces never open or join a ticket;
//   - the decision names only a ticket the input named, and does not depend on the case of the sender's address.
// Built only with POSTDESK_FUZZ=1 (see Package.swift and Tests/fuzz.sh).
import PostdeskCore
import PostdeskMail

let own: Set<String> = ["support@acme.test", "sales@acme.test"]
let tags = ["Acme", "Sales"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRouting(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let all = UnsafeBufferPointer(start: data, count: size)
    guard size >= 4 else { return 0 }
    let facts = Array(all.prefix(4))
    let bytes = Array(all.dropFirst(4))
    var limits = ParseLimits()
    limits.maxParts = 100
    let summary = MessageSummary(Message.parse(bytes, limits: limits))
    let sender = summary.from.first { $0.address.contains("@") } ?? summary.replyTo.first
    let from = sender?.address ?? ""

    /// A ticket as the store would describe it; bits of `b` choose its status and who takes part. One number
    /// is one ticket, whichever reference names it first.
    var known: [Int64: TicketFacts] = [:]
    func ticket(_ number: Int64, _ b: UInt8) -> TicketFacts {
        if let t = known[number] { return t }
        let t = makeTicket(number, b)
        known[number] = t
        return t
    }
    func makeTicket(_ number: Int64, _ b: UInt8) -> TicketFacts {
        let status = TicketStatus.allCases[Int(b & 7) % TicketStatus.allCases.count]
        let recipients = (summary.to + summary.cc).map(\.address)
        var people: Set<String> = ["luis@example.org"]
        if b & 0x08 != 0, let r = recipients.first { people.insert(r) }  // someone in To/Cc already takes part
        if b & 0x10 != 0 { people.insert(asciiUppercased(from)) }          // the sender is a participant
        let requester = b & 0x20 != 0 ? from : "owner@example.org"   // the sender is the requester
        return TicketFacts(number: number, status: status, queue: b & 0x40 != 0 ? "sales" : "support", requester: requester,
                           participants: people)
    }

    var input = RoutingInput(queue: "support", mailboxAddress: "support@acme.test", ownAddresses: own, from: from,
                             recipients: summary.to + summary.cc, automatic: summary.automatic)
    let ids = summary.inReplyTo + summary.references.reversed()
    if facts[0] & 0x80 != 0, let id = ids.first { input.thread = (id, ticket(Int64(facts[3] & 0x07) + 1, facts[0])) }
    if let n = TicketReferences.subjectTag(in: summary.subject ?? "", tags: tags) {
        input.subjectTag = (n, facts[1] & 0x80 != 0 ? ticket(n, facts[1]) : nil)
    }
    if let n = TicketReferences.plusAddress(in: (summary.to + summary.cc).map(\.address), mailboxAddress: "support@acme.test") {
        input.plusAddress = (n, facts[2] & 0x80 != 0 ? ticket(n, facts[2]) : nil)
    }
    if summary.automatic?.kind == .bounce, facts[3] & 0x80 != 0 { input.bouncedTicket = ticket(3, facts[3]) }

    let decision = Router.route(input, inReplyTo: summary.inReplyTo)
    checkAccess(decision, input)

    // The case of the sender's address changes nothing.
    var shouted = RoutingInput(queue: input.queue, mailboxAddress: input.mailboxAddress, ownAddresses: own, from: asciiUppercased(from),
                               recipients: input.recipients, automatic: input.automatic)
    shouted.thread = input.thread
    shouted.subjectTag = input.subjectTag
    shouted.plusAddress = input.plusAddress
    shouted.bouncedTicket = input.bouncedTicket
    let loud = Router.route(shouted, inReplyTo: summary.inReplyTo)
    check(loud.action == decision.action && loud.newParticipants == decision.newParticipants, "the case of \(from) changes the decision")
    return 0
}

func checkAccess(_ d: RoutingDecision, _ input: RoutingInput) {
    let named = [input.thread?.ticket, input.subjectTag?.ticket, input.plusAddress?.ticket, input.bouncedTicket].compactMap { $0 }
    let sender = input.from
    // Joiners.
    var seen: Set<String> = []
    for p in d.newParticipants {
        check(p.address == p.address.lowercased(), "a joiner not in lower case: \(p.address)")
        check(p.address.contains("@"), "a joiner without @: \(p.address)")
        check(seen.insert(p.address).inserted, "\(p.address) joins twice")
        check(p.address != sender, "the sender \(sender) joins")
        let parts = p.address.split(separator: "@", maxSplits: 1)
        let base = parts.count == 2 ? String(parts[0].prefix { $0 != "+" }) + "@" + parts[1] : p.address
        check(!own.contains(p.address) && !own.contains(base), "Postdesk's own address \(p.address) joins")
    }
    if input.automatic != nil { check(d.newParticipants.isEmpty, "automatic mail adds \(d.newParticipants.map(\.address))") }

    switch d.action {
    case .bounce(let t):
        check(input.automatic?.kind == .bounce, "a bounce decision for mail that is no bounce")
        check(d.newParticipants.isEmpty, "a bounce adds participants")
        if let t { check(named.contains { $0.number == t }, "bounce recorded on #\(t), which the input did not name") }
    case .append(let t, let reopen):
        check(input.automatic?.kind != .bounce, "a bounce appended to a ticket")
        guard let facts = named.first(where: { $0.number == t }) else { check(false, "appended to #\(t), which the input did not name"); return }
        if reopen { check(input.automatic == nil && facts.status == .resolved, "reopened #\(t) (\(facts.status))") }
        check(facts.status != .closed, "appended to closed #\(t)")
        if d.rule == .subjectTag || d.rule == .plusAddress {
            check(Router.takesPart(sender, in: facts), "\(sender) put mail on #\(t) by \(d.rule.rawValue) without taking part in it")
        }
        // A stranger on the thread (a forwarded colleague) may write, but adds nobody to someone else's ticket.
        if !Router.takesPart(sender, in: facts) { check(d.newParticipants.isEmpty, "\(sender), a stranger to #\(t), adds \(d.newParticipants.map(\.address))") }
    case .followUp(let t):
        check(input.automatic?.kind != .bounce, "a bounce opened a follow-up")
        check(named.contains { $0.number == t && $0.status == .closed }, "a follow-up of #\(t), which is not a closed ticket the input named")
    case .newTicket:
        check(input.automatic?.kind != .bounce, "a bounce opened a ticket")
        if let r = d.reference {
            check(r == input.subjectTag?.number || r == input.plusAddress?.number, "a new ticket refers to #\(r), which the input did not name")
        }
    }
}

/// ANA@EXAMPLE.ORG for ana@example.org (ASCII letters only: Unicode case mapping is not always reversible).
func asciiUppercased(_ s: String) -> String {
    String(decoding: s.utf8.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("FuzzRouting property: \(message())") }
}
