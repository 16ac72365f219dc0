import PostdeskCore
import Testing

@Suite struct TemplateTests {
    static let sample: [String: String] = [
        "helpdesk_name": "Acme Support", "queue_address": "support@acme.test", "ticket_number": "42",
        "ticket_tag": "[Acme #42]", "subject": "Printer on fire", "customer_name": "Ana", "turnaround": "2 days",
        "received_at": "23 Nov 2026 10:00", "requester": "ana@example.org", "requester_name": "Ana", "queue": "support",
        "text": "THE-TEXT", "attachments": "a.png", "priority": "normal", "status": "Open", "agent_name": "Alice Novak",
        "due": "25 Nov 2026", "close_after": "2 days", "close_at": "25 Nov 2026 10:00", "previous_number": "41",
        "previous_tag": "[Acme #41]", "ticket_list": "THE-LIST", "ticket_count": "3", "code": "123456",
        "expires_minutes": "15", "errors": "THE-ERRORS", "author_name": "Bob",
    ]

    /// Every built-in template, in every language, parses, uses only known placeholders and has the required ones.
    @Test(arguments: ["en", "es", "de", "pl", "fr", "it"])
    func builtInTemplatesAreCompleteAndValid(language: String) throws {
        let texts = try #require(DefaultTemplates.all[language])
        for kind in TemplateKind.allCases {
            let text = try #require(texts[kind], "\(language)/\(kind.rawValue) is missing")
            switch MailTemplate.parse(text, kind: kind) {
            case .failure(let p): Issue.record("\(language)/\(kind.rawValue): \(p)")
            case .success(let t):
                let out = t.render(Self.sample)
                #expect(!out.subject.isEmpty)
                #expect(!out.text.contains("{{"), "\(language)/\(kind.rawValue) leaves a placeholder")
                for required in kind.required { #expect(out.text.contains(Self.sample[required]!) || out.subject.contains(Self.sample[required]!)) }
            }
        }
    }

    @Test(arguments: [
        ("Subject: x\n\n{{nope}}", TemplateKind.closed, "line 3: unknown placeholder {{nope}}"),
        ("Subject: x\n\nno code here", .passwordReset, "placeholder {{code}} is missing"),
        ("Hello\n\n{{code}}", .passwordReset, "line 1: the first line must be"),
        ("Subject: x\nbody", .closed, "line 2: a blank line must follow"),
        ("Subject: x\n\n{{#due}}open", .assigned, "{{#due}} is never closed"),
        ("Subject: x\n\n{{/due}}", .assigned, "closes a section that is not open"),
        ("Subject: x\n\n\n{{agent_name}} {{bad name}}", .assigned, "line 4: \"{{bad name}}\" is not a placeholder"),
        ("Subject: x\n\n{{agent_name", .assigned, "without a closing"),
    ])
    func badTemplatesAreReportedWithTheirLine(text: String, kind: TemplateKind, expected: String) {
        guard case .failure(let p) = MailTemplate.parse(text, kind: kind) else { Issue.record("accepted: \(text)"); return }
        #expect(p.description.contains(expected), "\(p)")
    }

    @Test func sectionsAndBlankLines() throws {
        let t = try MailTemplate.parse("Subject: {{ticket_tag}} {{subject}}\n\n{{agent_name}}: Hi{{#customer_name}} {{customer_name}}{{/customer_name}},\n\n{{#due}}\nBy {{due}}.\n{{/due}}\n\n{{^due}}No date.{{/due}}\nBye\n", kind: .assigned).get()
        let a = t.render(["ticket_tag": "[A #1]", "subject": "S\r\nBcc: x", "customer_name": "Ana", "due": "Monday", "agent_name": "Al"])
        #expect(a.subject == "[A #1] S Bcc: x")
        #expect(a.text == "Al: Hi Ana,\n\nBy Monday.\n\nBye\n")
        let b = t.render(["ticket_tag": "[A #1]", "subject": "S"])
        #expect(b.text == ": Hi,\n\nNo date.\nBye\n")
    }

    @Test(arguments: [
        ("en", 172_800 as Int64, "2 days"), ("en", 3_600, "1 hour"), ("en", 5_400, "90 minutes"),
        ("pl", 172_800, "2 dni"), ("pl", 86_400, "1 dzień"), ("pl", 18_000, "5 godzin"), ("pl", 7_200, "2 godziny"),
        ("pl", 79_200, "22 godziny"), ("pl", 43_200, "12 godzin"), ("de", 172_800, "2 Tage"), ("fr", 3_600, "1 heure"),
        ("es", 900, "15 minutos"), ("it", 86_400, "1 giorno"),
    ])
    func durationsInWords(language: String, seconds: Int64, expected: String) {
        #expect(LanguagePack.named(language).duration(ConfigDuration(seconds: seconds)) == expected)
    }

    @Test func datesInEachLanguageAndZone() {
        let t: Int64 = 1_795_339_200  // 2026-11-22T09:20:00Z
        #expect(LanguagePack.named("en").dateTime(t, offset: 3600, zone: "Europe/Warsaw") == "22 Nov 2026 10:20 (Europe/Warsaw)")
        #expect(LanguagePack.named("de").dateTime(t, offset: 0) == "22.11.2026 09:20")
        #expect(LanguagePack.named("es").dateTime(t, offset: -6 * 3600) == "22/11/2026 03:20")
        #expect(LanguagePack.named("pl").day(t, offset: 15 * 3600) == "23.11.2026")
        #expect(LanguagePack.named("fr").day(year: 2027, month: 1, day: 5) == "05/01/2027")
    }

    @Test(arguments: [
        ("de", "es", "pl", "fr", "de"), (nil, "es-ES", "pl", "fr", "es"), (nil, nil, "pl-PL,en;q=0.5", "fr", "pl"),
        (nil, "ja", "xx, it;q=0.4", "fr", "it"), (nil, nil, nil, "fr", "fr"), (nil, nil, nil, nil, "en"),
    ] as [(String?, String?, String?, String?, String)])
    func languageChoice(account: String?, content: String?, accept: String?, mailbox: String?, expected: String) {
        #expect(LanguagePack.choose(account: account, contentLanguage: content, acceptLanguage: accept, mailbox: mailbox, helpdesk: "en") == expected)
    }
}
