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
        // Interleaved replies keep everything: the quote is not at the end.
        ("> question one\nanswer one\n> question two\nanswer two", "> question one\nanswer one\n> question two\nanswer two", false),
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
