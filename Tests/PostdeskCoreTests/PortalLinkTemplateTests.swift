import PostdeskCore
import Testing

/// `portal_link`: the customers' mail about a ticket (confirmation, follow-up, agents' answers, assignment,
/// resolved, closed) links to the ticket in the portal when `[portal] url` is set, in every language; without
/// it the mail reads as before.
@Suite struct PortalLinkTemplateTests {
    static let kinds: [TemplateKind] = [.confirmation, .followUp, .relay, .assigned, .resolved, .closed]
    static let link = "https://support.acme.test/tickets/42"

    @Test(arguments: ["en", "es", "de", "pl", "fr", "it"])
    func customersMailLinksToThePortalOnlyWithAURL(language: String) throws {
        let set = TemplateSet(fallbackLanguage: "en")
        for kind in Self.kinds {
            let chosen = set.template(kind, language: language)
            #expect(chosen.language == language)
            var values = TemplateTests.sample
            values["portal_link"] = Self.link
            let with = chosen.template.render(values).text
            #expect(with.components(separatedBy: Self.link).count == 2, "\(language)/\(kind.rawValue): \(with)")
            // The link has a line of its own (clickable in every mail reader), and no blank-line runs remain.
            #expect(with.split(separator: "\n").contains { $0.hasSuffix(" " + Self.link) }, "\(language)/\(kind.rawValue)")
            #expect(!with.contains("\n\n\n"))
            values["portal_link"] = ""
            let without = chosen.template.render(values).text
            #expect(!without.contains("https://"), "\(language)/\(kind.rawValue)")
            #expect(!without.contains("\n\n\n"))
            // The mail is the same text without the link's line (and its blank line).
            let linkLine = with.split(separator: "\n", omittingEmptySubsequences: false).first { $0.hasSuffix(Self.link) }!
            let stripped = with.replacingOccurrences(of: "\n\(linkLine)\n\n", with: "\n").replacingOccurrences(of: "\n\(linkLine)\n", with: "\n")
            #expect(stripped == without, "\(language)/\(kind.rawValue)")
        }
    }

    /// Mail to agents and the rest never carry one (the portal is for customers).
    @Test func otherKindsDoNotUseIt() {
        let set = TemplateSet(fallbackLanguage: "en")
        for kind in TemplateKind.allCases where !Self.kinds.contains(kind) {
            for language in ["en", "es", "de", "pl", "fr", "it"] {
                var values = TemplateTests.sample
                values["portal_link"] = Self.link
                #expect(!set.template(kind, language: language).template.render(values).text.contains(Self.link), "\(language)/\(kind.rawValue)")
            }
        }
    }

    /// Operators' templates may use it (a common placeholder).
    @Test func operatorsTemplatesMayUseIt() throws {
        let t = try MailTemplate.parse("Subject: {{ticket_tag}}\n\n{{#portal_link}}See {{portal_link}}{{/portal_link}}{{^portal_link}}No portal.{{/portal_link}}\n",
                                       kind: .welcome).get()
        #expect(t.render(["portal_link": "https://x.test/tickets/1"]).text == "See https://x.test/tickets/1\n")
        #expect(t.render([:]).text == "No portal.\n")
    }
}
