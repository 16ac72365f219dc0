import PostdeskMail
import Testing
@testable import PostdeskCore

@Suite struct TicketReferenceTests {
    @Test(arguments: [
        ("[Acme #123] Printer broken", Int64(123)),
        ("Re: [Acme #123] Printer broken", 123),
        ("AW: RE: [acme #7] x", 7),
        ("[Acme# 12 ] spaced", 12),
        ("[Acme #0] zero", nil),
        ("[Other #5] other desk", nil),
        ("[Acme #12x] junk", nil),
        ("no tag", nil),
        ("[Sales #9] second queue", 9),
    ] as [(String, Int64?)])
    func subjectTag(_ subject: String, _ number: Int64?) {
        #expect(TicketReferences.subjectTag(in: subject, tags: ["Acme", "Sales"]) == number)
    }

    @Test(arguments: [
        (["support+42@acme.test"], Int64(42)),
        (["SUPPORT+42@ACME.TEST"], 42),
        (["ana@x.test", "support+7@acme.test"], 7),
        (["support+abc@acme.test"], nil),
        (["support+42@other.test"], nil),
        (["support@acme.test"], nil),
    ] as [([String], Int64?)])
    func plusAddress(_ recipients: [String], _ number: Int64?) {
        #expect(TicketReferences.plusAddress(in: recipients, mailboxAddress: "support@acme.test") == number)
    }

    @Test(arguments: [
        ("Re: Printer", "Printer"), ("RE: AW: Fwd: Printer", "Printer"), ("Odp: Drukarka", "Drukarka"),
        ("RV: Impresora", "Impresora"), ("WG: Drucker", "Drucker"), ("Enc: Impressora", "Impressora"),
        ("Re[2]: x", "x"), ("TR: Imprimante", "Imprimante"), ("R: Stampante", "Stampante"),
        ("Re: [Acme #5] Printer", "Printer"), ("Invoice: March", "Invoice: March"),
    ])
    func baseSubject(_ subject: String, _ base: String) {
        #expect(TicketReferences.baseSubject(subject, tags: ["Acme"]) == base)
    }
}

@Suite struct RoutingTests {
    static let own: Set<String> = ["support@acme.test", "sales@acme.test"]
    static let open = TicketFacts(number: 5, status: .open, queue: "support", requester: "ana@example.org", participants: ["luis@example.org"])

    func input(from: String = "ana@example.org", recipients: [String] = ["support@acme.test"], automatic: AutomaticVerdict? = nil) -> RoutingInput {
        RoutingInput(queue: "support", mailboxAddress: "support@acme.test", ownAddresses: Self.own, from: from,
                     recipients: recipients.map { MailAddress(address: $0) }, automatic: automatic)
    }

    @Test func newMailOpensATicket() {
        let d = Router.route(input())
        #expect(d.action == .newTicket)
        #expect(d.rule == .new)
        #expect(d.reason.contains("new ticket in queue support"))
    }

    @Test(arguments: [TicketStatus.new, .open, .pending])
    func replyByInReplyTo(_ status: TicketStatus) {
        var i = input(from: "stranger@else.test")
        var t = Self.open
        t.status = status
        i.thread = ("m1@acme.test", t)
        let d = Router.route(i, inReplyTo: ["m1@acme.test"])
        // Threading headers admit anyone who has the message (a colleague the customer forwarded it to).
        #expect(d.action == .append(ticket: 5, reopen: false))
        #expect(d.rule == .inReplyTo)
    }

    @Test func replyByReferences() {
        var i = input()
        i.thread = ("m0@acme.test", Self.open)
        #expect(Router.route(i, inReplyTo: ["unknown@x"]).rule == .references)
    }

    @Test func resolvedTicketIsReopened() {
        var i = input()
        var t = Self.open
        t.status = .resolved
        i.thread = ("m1@acme.test", t)
        #expect(Router.route(i).action == .append(ticket: 5, reopen: true))
    }

    @Test func closedTicketGetsAFollowUp() {
        var i = input()
        var t = Self.open
        t.status = .closed
        i.subjectTag = (5, t)
        let d = Router.route(i)
        #expect(d.action == .followUp(of: 5))
        #expect(d.reference == 5)
    }

    @Test(arguments: ["ana@example.org", "ANA@example.org", "luis@example.org"])
    func participantJoinsBySubjectTag(_ from: String) {
        var i = input(from: from)
        i.subjectTag = (5, Self.open)
        let d = Router.route(i)
        #expect(d.action == .append(ticket: 5, reopen: false))
        #expect(d.rule == .subjectTag)
    }

    @Test(arguments: ["mallory@evil.test", "ana@example.org.evil.test", "ana+x@example.org"])
    func strangerNamingATicketOpensANewOne(_ from: String) {
        var i = input(from: from)
        i.subjectTag = (5, Self.open)
        let d = Router.route(i)
        #expect(d.action == .newTicket)
        #expect(d.reference == 5)
        #expect(d.reason.contains("does not take part"))
    }

    @Test func plusAddressForParticipantsOnly() {
        var i = input(recipients: ["support+5@acme.test"])
        i.plusAddress = (5, Self.open)
        #expect(Router.route(i).rule == .plusAddress)
        var j = input(from: "x@y.test", recipients: ["support+5@acme.test"])
        j.plusAddress = (5, Self.open)
        #expect(Router.route(j).action == .newTicket)
    }

    @Test func tagOfAMissingTicketIsRecordedAsReference() {
        var i = input()
        i.subjectTag = (999, nil)
        let d = Router.route(i)
        #expect(d.action == .newTicket)
        #expect(d.reference == 999)
    }

    @Test func bounceNeverOpensATicket() {
        var i = input(from: "mailer-daemon@mx.test", automatic: AutomaticVerdict(.bounce, "dsn"))
        #expect(Router.route(i).action == .bounce(ticket: nil))
        i.bouncedTicket = Self.open
        #expect(Router.route(i).action == .bounce(ticket: 5))
    }

    @Test func autoReplyOnAResolvedTicketDoesNotReopenIt() {
        var i = input(automatic: AutomaticVerdict(.autoReply, "Auto-Submitted: auto-replied"))
        var t = Self.open
        t.status = .resolved
        i.thread = ("m1@acme.test", t)
        #expect(Router.route(i).action == .append(ticket: 5, reopen: false))
    }

    @Test func ccJoinsButNotSupportAddressesOrTheSender() {
        let i = input(recipients: ["support@acme.test", "support+5@acme.test", "Sales@acme.test", "ana@example.org", "Luis@Example.org", "luis@example.org", "boss@example.org"])
        #expect(Router.route(i).newParticipants.map(\.address) == ["luis@example.org", "boss@example.org"])
    }

    @Test func automaticMailAddsNoParticipants() {
        let i = input(recipients: ["support@acme.test", "list@lists.test"], automatic: AutomaticVerdict(.list, "List-Id"))
        #expect(Router.route(i).newParticipants.isEmpty)
    }
}
