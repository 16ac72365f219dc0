import Testing
@testable import PostdeskCore

@Suite struct ReplyTextTests {
    @Test(arguments: [
        // (mail text, new text, has quote)
        ("Thanks!\n\nOn Sun, 22 Nov 2026 at 09:12, Acme Support <support@acme.test> wrote:\n> Your ticket #5 ...", "Thanks!", true),
        ("Thanks!\n\nOn Sun, 22 Nov 2026 at 09:12, Acme Support\n<support@acme.test> wrote:\n> Your ticket", "Thanks!", true),
        ("Gracias.\n\nEl dom, 22 nov 2026 a las 9:12, Soporte escribió:\n> Hola", "Gracias.", true),
        ("Danke.\n\nAm 22.11.2026 um 09:12 schrieb Acme Support:\n> Hallo", "Danke.", true),
        ("Merci.\n\nLe dim. 22 nov. 2026 à 09:12, Support a écrit :\n> Bonjour", "Merci.", true),
        ("Grazie.\n\nIl giorno dom 22 nov 2026 alle 09:12 Support ha scritto:\n> Ciao", "Grazie.", true),
        ("Dzięki.\n\nW dniu 22.11.2026 o 09:12, Support pisze:\n> Dzień dobry", "Dzięki.", true),
        ("See below.\n\n-----Original Message-----\nFrom: Support\nSent: Sunday\n\nold", "See below.", true),
        ("Bitte prüfen.\n\n-----Ursprüngliche Nachricht-----\nVon: Support", "Bitte prüfen.", true),
        ("Answer here.\n\nFrom: Acme Support <support@acme.test>\nSent: Sunday, November 22, 2026 9:12 AM\nTo: Ana\nSubject: x\n\nold", "Answer here.", true),
        ("Answer.\n________________________________\nFrom: Acme Support\nSent: Sunday\n\nold", "Answer.", true),
        ("Inline answer\n\n> quoted line\n> another", "Inline answer", true),
        // Interleaved replies: each quote cut out before more text leaves the marker.
        ("> question one\nanswer one\n> question two\nanswer two", "[…]\nanswer one\n[…]\nanswer two", true),
        // Only a quote: kept whole.
        ("On Sun, Ana wrote:\n> hi", "On Sun, Ana wrote:\n> hi", false),
        ("Plain mail without history", "Plain mail without history", false),
        // Words that look like markers in the middle of text are not cut.
        ("From: my point of view this is broken.\nPlease help.", "From: my point of view this is broken.\nPlease help.", false),
    ])
    func split(_ text: String, _ new: String, _ hasQuote: Bool) {
        let s = ReplyText.split(text)
        #expect(s.new == new)
        #expect((s.quoted != nil) == hasQuote)
    }
}

/// Issue 15, classes 1, 2 and 4: new text after a quote is kept, forwards are forwards, attributions in many languages.
@Suite struct ReplySplitIssue15Tests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var text: String
        var new: String
        var quoted: String?
        var forwarded: String?
        var description: String { name }
    }

    static let cases: [Case] = [
        // Class 1: text written after the quote is never hidden; the quote is folded away.
        Case(name: "bottom-posted PS after the quote", text: "Thanks\n\nOn Sun, Ana wrote:\n> q\n\nPS: one more thing",
             new: "Thanks\n\n[…]\n\nPS: one more thing", quoted: "On Sun, Ana wrote:\n> q", forwarded: nil),
        Case(name: "interleaved answers under an attribution", text: "Hi\n\nOn Sun, Ana wrote:\n> q1\nanswer 1\n> q2\nanswer 2",
             new: "Hi\n\n[…]\nanswer 1\n[…]\nanswer 2", quoted: "On Sun, Ana wrote:\n> q1\n\n> q2", forwarded: nil),
        Case(name: "top-posted reply still splits", text: "Thanks\n\nOn Sun, Ana wrote:\n> q\n>\n> more",
             new: "Thanks", quoted: "On Sun, Ana wrote:\n> q\n>\n> more", forwarded: nil),
        Case(name: "Outlook history stays history", text: "See below.\n\n-----Original Message-----\n\nFrom: Support\nSent: Sunday\n\nold",
             new: "See below.", quoted: "-----Original Message-----\n\nFrom: Support\nSent: Sunday\n\nold", forwarded: nil),
        // Class 2: forwards.
        Case(name: "Gmail forward with a note", text: "FYI\n\n---------- Forwarded message ---------\nFrom: Bob <bob@x.test>\nDate: Sun\n\nbody",
             new: "FYI", quoted: nil,
             forwarded: "---------- Forwarded message ---------\nFrom: Bob <bob@x.test>\nDate: Sun\n\nbody"),
        Case(name: "a forward with nothing written before it is all forwarded", text: "-------- Weitergeleitete Nachricht --------\nBetreff: x\n\nInhalt",
             new: "", quoted: nil,
             forwarded: "-------- Weitergeleitete Nachricht --------\nBetreff: x\n\nInhalt"),
        Case(name: "Apple Mail forward", text: "Look at this\n\nBegin forwarded message:\n\nFrom: Bob\n\nbody",
             new: "Look at this", quoted: nil, forwarded: "Begin forwarded message:\n\nFrom: Bob\n\nbody"),
        Case(name: "Thunderbird French forward", text: "Pour info\n\n-------- Message transféré --------\nSujet : x",
             new: "Pour info", quoted: nil, forwarded: "-------- Message transféré --------\nSujet : x"),
        // Class 4: attribution lines in more languages.
        Case(name: "Russian", text: "Спасибо\n\n22.11.2026, 09:12, Acme Support написал(а):\n> Здравствуйте",
             new: "Спасибо", quoted: "22.11.2026, 09:12, Acme Support написал(а):\n> Здравствуйте", forwarded: nil),
        Case(name: "Russian Gmail without a verb", text: "Спасибо\n\nвс, 22 нояб. 2026 г. в 09:12, Acme <support@acme.test>:\n> Здравствуйте",
             new: "Спасибо", quoted: "вс, 22 нояб. 2026 г. в 09:12, Acme <support@acme.test>:\n> Здравствуйте", forwarded: nil),
        Case(name: "Chinese with a full-width colon", text: "谢谢\n\nAcme Support <support@acme.test> 于2026年11月22日周日 09:12写道：\n> 您好",
             new: "谢谢", quoted: "Acme Support <support@acme.test> 于2026年11月22日周日 09:12写道：\n> 您好", forwarded: nil),
        Case(name: "Japanese", text: "ありがとう\n\n2026年11月22日(日) 9:12 Acme Support <support@acme.test>:\n> こんにちは",
             new: "ありがとう", quoted: "2026年11月22日(日) 9:12 Acme Support <support@acme.test>:\n> こんにちは", forwarded: nil),
        Case(name: "Czech", text: "Díky\n\nDne 22. 11. 2026 9:12 Acme Support napsal(a):\n> Dobrý den",
             new: "Díky", quoted: "Dne 22. 11. 2026 9:12 Acme Support napsal(a):\n> Dobrý den", forwarded: nil),
        Case(name: "Finnish", text: "Kiitos\n\nsu 22.11.2026 klo 9.12 Acme Support kirjoitti:\n> Hei",
             new: "Kiitos", quoted: "su 22.11.2026 klo 9.12 Acme Support kirjoitti:\n> Hei", forwarded: nil),
        Case(name: "Swedish", text: "Tack\n\nDen 22 nov. 2026 kl. 09:12 skrev Acme Support <support@acme.test>:\n> Hej",
             new: "Tack", quoted: "Den 22 nov. 2026 kl. 09:12 skrev Acme Support <support@acme.test>:\n> Hej", forwarded: nil),
        Case(name: "Turkish", text: "Teşekkürler\n\nAcme Support <support@acme.test>, 22 Kas 2026 Paz, 09:12 tarihinde şunu yazdı:\n> Merhaba",
             new: "Teşekkürler", quoted: "Acme Support <support@acme.test>, 22 Kas 2026 Paz, 09:12 tarihinde şunu yazdı:\n> Merhaba", forwarded: nil),
        // Outlook's reply header in more languages.
        Case(name: "Outlook in Dutch", text: "Graag.\n\nVan: Acme Support\nVerzonden: zondag 22 november 2026 09:12\nAan: Ana\n\noud",
             new: "Graag.", quoted: "Van: Acme Support\nVerzonden: zondag 22 november 2026 09:12\nAan: Ana\n\noud", forwarded: nil),
        Case(name: "Outlook in Swedish", text: "Tack.\n\nFrån: Acme Support\nSkickat: den 22 november 2026 09:12\n\ngammal",
             new: "Tack.", quoted: "Från: Acme Support\nSkickat: den 22 november 2026 09:12\n\ngammal", forwarded: nil),
        Case(name: "Outlook in Russian", text: "Спасибо.\n\nОт: Acme Support\nОтправлено: 22 ноября 2026 г. 9:12\n\nстарое",
             new: "Спасибо.", quoted: "От: Acme Support\nОтправлено: 22 ноября 2026 г. 9:12\n\nстарое", forwarded: nil),
        Case(name: "Outlook in Chinese", text: "谢谢。\n\n发件人: Acme Support\n发送时间: 2026年11月22日 9:12\n\n旧邮件",
             new: "谢谢。", quoted: "发件人: Acme Support\n发送时间: 2026年11月22日 9:12\n\n旧邮件", forwarded: nil),
        Case(name: "Outlook in Japanese", text: "よろしく。\n\n差出人: Acme Support\n送信日時: 2026年11月22日 9:12\n\n古い",
             new: "よろしく。", quoted: "差出人: Acme Support\n送信日時: 2026年11月22日 9:12\n\n古い", forwarded: nil),
        Case(name: "Outlook in Finnish", text: "Kiitos.\n\nLähettäjä: Acme Support\nLähetetty: 22. marraskuuta 2026 9.12\n\nvanha",
             new: "Kiitos.", quoted: "Lähettäjä: Acme Support\nLähetetty: 22. marraskuuta 2026 9.12\n\nvanha", forwarded: nil),
        Case(name: "a verb without a quote after it is text", text: "He wrote:\nthe letter was long",
             new: "He wrote:\nthe letter was long", quoted: nil, forwarded: nil),
    ]

    @Test(arguments: cases)
    func split(_ c: Case) {
        let s = ReplyText.split(c.text)
        #expect(s.new == c.new)
        #expect(s.quoted == c.quoted)
        #expect(s.forwarded == c.forwarded)
    }
}

/// The split stays linear on hostile input: many quote blocks, many blank lines (it runs once per mail, on up to
/// 1 MiB of text).
@Suite struct ReplySplitScaleTests {
    @Test func manyInterleavedBlocksSplitInOnePass() {
        let text = (0..<60_000).map { $0 % 2 == 0 ? "> question \($0)" : "answer \($0)" }.joined(separator: "\n")
        let s = ReplyText.split(text)
        let lines = s.new.split(separator: "\n")
        #expect(lines.count == 60_000)
        #expect(lines.filter { $0 == "[…]" }.count == 30_000)
        #expect(s.quoted?.split(separator: "\n").count == 30_000)
    }

    @Test func manyBlankLinesAroundAQuote() {
        let blanks = String(repeating: "\n", count: 200_000)
        let s = ReplyText.split(blanks + "Thanks\n" + blanks + "> old\n" + blanks)
        #expect(s.new == "Thanks")
        #expect(s.quoted == "> old")
    }

    @Test func aQuoteBeforeAnAttributedQuoteAtTheEndLeavesNoMarker() {
        let s = ReplyText.split("Thanks\n> q\n\nOn Mon, Ana wrote:\n> q2\n")
        #expect(s.new == "Thanks")
        #expect(s.quoted == "> q\n\nOn Mon, Ana wrote:\n> q2")
    }
}
