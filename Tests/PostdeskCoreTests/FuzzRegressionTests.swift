import PostdeskMail
import Testing
@testable import PostdeskCore

/// Inputs the fuzzers of Tests/fuzz.sh (FuzzConfig, FuzzCommands, FuzzRouting) found breaking a property the
/// daemon relies on, each with what Postdesk does with it now. The mail parser's findings are files in
/// Tests/Fixtures/fuzz (Tests/PostdeskMailTests/FuzzRegressionTests.swift).
@Suite struct CoreFuzzRegressionTests {
    static let minimal = "[helpdesk]\nagent_auth = from\n\n[mailbox support]\nmaildir = mail/support\naddress = support@acme.test\n"

    func parse(_ text: String) -> Result<Configuration, ConfigErrors> {
        Configuration.parse(text, file: "fuzz.conf", baseDirectory: "/etc/postdesk")
    }

    // MARK: - FuzzConfig

    /// A CRLF file was one long line ("\r\n" is one Character in Swift, and the reader split at "\n" only).
    @Test(arguments: [
        minimal,
        minimal + "[agent alice]\naddress = alice@acme.test\nname = Alice Novak # comment\n",
        "[helpdesk]\nagent_auth = sometimes\n[mailbox support]\n",
    ])
    func crlfReadsLikeLF(_ text: String) {
        let crlf = text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
        #expect(crlf.utf8.contains(0x0D))
        switch (parse(text), parse(crlf)) {
        case (.success(let a), .success(let b)): #expect(a == b)
        case (.failure(let a), .failure(let b)): #expect(a.problems == b.problems)
        default: Issue.record("LF and CRLF disagree on \(text.debugDescription)")
        }
    }

    /// (what was found, the config, the problem it now gives: "LINE: start of the message")
    @Test(arguments: [
        // ESC in a tag: the composer drops control characters from the subject, so "[Sup\u{1B}port #42]" went out
        // as "[Support #42]" and no reply was ever found by its tag again.
        ("control character in a tag", minimal + "tag = Sus\u{1B}port\n", "7: tag contains the control character U+001B"),
        // NUL in a section name: the mailbox's name is its default tag.
        ("control character in a section name", "[helpdesk]\nagent_auth = from\n\n[mailbox supUu\u{0}t]\nmaildir = m\naddress = s@acme.test\n",
         "4: section header [mailbox supUu\u{0}t] contains the control character U+0000"),
        ("C1 control in a name", minimal + "[agent alice]\naddress = alice@acme.test\nname = Alice\u{85}Bcc: x@evil.test\n",
         "9: name contains the control character U+0085"),
        // Durations that overflow `now + duration` (close_at of a resolved notice) crashed the daemon.
        ("duration past Int64", minimal + "[outbound]\ngive_up_after = 9223372036854775807s\n", "8: give_up_after = 9223372036854775807s is longer than 3650d"),
        ("duration over ten years", "[helpdesk]\nagent_auth = from\nauto_close_after = 3651d\n[mailbox support]\nmaildir = m\naddress = s@acme.test\n",
         "3: auto_close_after = 3651d is longer than 3650d"),
        ("rate over ten years", minimal + "[limits]\nsender_rate = 5/99999999999d\n", "8: sender_rate = \"5/99999999999d\" is not a rate"),
    ])
    func configFinding(_ what: String, _ text: String, _ problem: String) {
        guard case .failure(let errors) = parse(text) else {
            Issue.record("\(what): accepted")
            return
        }
        #expect(errors.problems.map(\.description).contains { $0.hasPrefix("fuzz.conf:" + problem) }, "\(what): \(errors)")
    }

    /// A tag with a non-ASCII capital is never found again in the subject Postdesk writes with it: subjectTag
    /// lowers the tag with Unicode case mapping ("Ä" → "ä") but the subject in ASCII only. Found by FuzzConfig
    /// with the tag "\u{1F9B}…"; fixed by lowering the tag in ASCII only too.
    @Test(arguments: ["ÄRGER", "Ärger", "\u{1F9B}\u{FFFD}", "SOPORTE-ÑANDÚ"])
    func tagWithANonASCIICapitalIsFoundAgain(_ tag: String) {
        let config = try? parse(Self.minimal + "tag = \(tag)\n").get()
        #expect(config?.mailboxes.first?.tag == tag)
        #expect(TicketReferences.subjectTag(in: "Re: [\(tag) #42] Printer", tags: [tag]) == 42)
    }

    @Test func longestDurationIsStillAccepted() throws {
        let c = try parse(Self.minimal.replacingFirst("agent_auth = from", with: "agent_auth = from\nauto_close_after = 3650d")).get()
        #expect(c.helpdesk.autoCloseAfter == Configuration.longestDuration)
    }

    // MARK: - FuzzCommands

    /// (the agent's text, the problem on line 1, or nil when it is a valid command)
    @Test(arguments: [
        // "#assign <" became an assignment to nobody.
        ("#assign \u{7}\n#assign#assign \u{7}\n#assign <", 3, "#assign needs an agent's name or address"),
        ("#assign <>", 1, "#assign needs an agent's name or address"),
        ("#assign < >", 1, "#assign needs an agent's name or address"),
    ])
    func assignWithoutAName(_ text: String, _ line: Int, _ message: String) {
        let parsed = MailCommands.parseAgent(text)
        #expect(!parsed.commands.contains { if case .assign(let who) = $0.command { return who.isEmpty }; return false })
        #expect(parsed.problems.contains { $0.line == line && $0.message.hasPrefix(message) }, "\(parsed.problems)")
    }

    @Test func assignStillTakesANameInAngleBrackets() {
        #expect(MailCommands.parseAgent("#assign <alice@acme.test>").commands.map(\.command) == [.assign("alice@acme.test")])
    }

    /// "Re: Re: stan" (a reply to a reply) was no status request: only one prefix was taken off.
    @Test(arguments: [
        ("Re: Re: stan", true, false), ("RE: AW: Odp: status", true, false), ("Re:Re:estado", true, false),
        ("Re: Re: password reset", false, true), ("SV: R: reset hasła", false, true),
        ("Re: Re: status of my order", false, false), ("Fwd: status", false, false),
    ])
    func subjectAfterSeveralReplyPrefixes(_ subject: String, _ status: Bool, _ reset: Bool) {
        #expect(MailCommands.isStatusRequest(subject) == status)
        #expect(MailCommands.isPasswordResetRequest(subject) == reset)
    }

    // MARK: - FuzzRouting

    /// The seed that found it: a reply threaded onto ticket 7 by In-Reply-To, with people in Cc.
    static let threadedReply = """
        From: ANA@Example.org\r
        To: support+7@acme.test\r
        Cc: Luis <luis@example.org>, support@acme.test, boss@example.org\r
        Subject: Re: [Acme #7] Printer\r
        In-Reply-To: <pd.7.abc@acme.test>\r
        References: <t1@example.org> <pd.7.abc@acme.test>\r
        \r
        Still broken.\r

        """

    /// Who wrote the reply (its From is replaced), the ticket's requester and participants, and who joins.
    /// Someone who has the thread but takes no part in the ticket (a forwarded colleague, or someone who got hold
    /// of a Message-ID) may write on it, but used to bring everyone in their To/Cc into someone else's ticket,
    /// where they would get every answer.
    @Test(arguments: [
        ("stranger", "mallory@evil.test", "owner@example.org", [String](), [String]()),
        ("requester in other case", "ANA@Example.org", "ana@example.org", [], ["luis@example.org", "boss@example.org"]),
        ("participant", "luis@example.org", "owner@example.org", ["luis@example.org"], ["boss@example.org", "ana@example.org"]),
        ("plus address of the requester", "ana+x@example.org", "ana@example.org", [], []),
        ("look-alike domain", "ana@examp1e.org", "ana@example.org", [], []),
    ])
    func strangerOnTheThreadBringsNobody(_ who: String, _ from: String, _ requester: String, _ participants: [String], _ joining: [String]) {
        var text = Self.threadedReply.replacingFirst("From: ANA@Example.org", with: "From: \(from)")
        if from != "ANA@Example.org" { text = text.replacingFirst("Cc: Luis", with: "Cc: Ana <ana@example.org>, Luis") }
        let summary = MessageSummary(Message.parse(Array(text.utf8)))
        let ticket = TicketFacts(number: 7, status: .open, queue: "support", requester: requester, participants: Set(participants))
        var input = RoutingInput(queue: "support", mailboxAddress: "support@acme.test", ownAddresses: ["support@acme.test", "sales@acme.test"],
                                 from: summary.from[0].address, recipients: summary.to + summary.cc, automatic: summary.automatic)
        input.thread = ("pd.7.abc@acme.test", ticket)
        input.subjectTag = (7, ticket)
        input.plusAddress = (7, ticket)
        let d = Router.route(input, inReplyTo: summary.inReplyTo)
        #expect(d.action == .append(ticket: 7, reopen: false), "\(who)")
        #expect(d.rule == .inReplyTo)
        #expect(Set(d.newParticipants.map(\.address)) == Set(joining), "\(who): \(d.reason)")
        if joining.isEmpty, !Router.takesPart(from, in: ticket) { #expect(d.reason.contains("nobody in To/Cc joins"), "\(d.reason)") }
    }
}

extension String {
    func replacingFirst(_ old: String, with new: String) -> String {
        guard let r = firstRange(of: old) else { return self }
        var s = self
        s.replaceSubrange(r, with: new)
        return s
    }
}
