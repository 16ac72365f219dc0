import Foundation
import PostdeskCore
import PostdeskDaemon
import PostdeskMail
import PostdeskStore
import PostdeskSystem
import Testing

/// Issue 15, classes 1 and 2, through the ingest: the thread and the agents' notice show every line the sender
/// wrote (quoted history folded away, `[…]` where a quote was cut out) and the message they forwarded.
@Suite struct ReplySplitIngestTests {
    @Test func aForwardWithANoteIsShownInTheThreadAndTheNotice() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(subject: "Fwd: Export fails", id: "f1@example.org",
                              body: "FYI, the error mail is below.\n\n---------- Forwarded message ---------\nFrom: Bob <bob@example.org>\nDate: Mon\n\nError 500 at export\n"))
        #expect(desk.run() == [.newTicket(1)])
        let m = try #require(try desk.store.ticket(1)?.messages?.first)
        #expect(m.text == "FYI, the error mail is below.\n\n---------- Forwarded message ---------\nFrom: Bob <bob@example.org>\nDate: Mon\n\nError 500 at export")
        #expect(try desk.count("SELECT count(*) FROM messages WHERE quoted IS NOT NULL") == 0)
        let notice = try #require(try desk.sendAndRead().first { $0.deliveredTo == "alice@acme.test" })
        #expect(notice.plainText.contains("Error 500 at export"))
    }

    @Test func anOutlookForwardWithNothingAboveItIsShownUnderAForwardLine() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(subject: "FW: Export fails", id: "f2@example.org",
                              body: "From: Bob <bob@example.org>\nSent: Monday, January 5, 2026 9:14 AM\nSubject: Export fails\n\nError 500 at export\n"))
        #expect(desk.run() == [.newTicket(1)])
        let m = try #require(try desk.store.ticket(1)?.messages?.first)
        #expect(m.text == "---------- Forwarded message ----------\nFrom: Bob <bob@example.org>\nSent: Monday, January 5, 2026 9:14 AM\nSubject: Export fails\n\nError 500 at export")
    }

    @Test func interleavedAnswersAndASignOffAfterTheQuoteAreKept() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(id: "a1@example.org"))
        _ = desk.run()
        try desk.deliver(mail(subject: "Re: Printer broken", id: "a2@example.org", inReplyTo: "a1@example.org",
                              body: "Hi,\n\nOn Sun, Acme Support wrote:\n> Which model?\nThe P-200.\n> Which cable?\nUSB.\n\nThanks, Ana\n"))
        #expect(desk.run() == [.reply(1)])
        let texts = try #require(try desk.store.ticket(1)?.messages?.filter { $0.direction == "in" }.map(\.text))
        #expect(texts.last == "Hi,\n\n[…]\nThe P-200.\n[…]\nUSB.\n\nThanks, Ana")
        #expect(try desk.count("SELECT count(*) FROM messages WHERE quoted = 'On Sun, Acme Support wrote:\n> Which model?\n\n> Which cable?'") == 1)
    }

    @Test func aMessageForwardedAsAnAttachmentIsShownInTheThread() throws {
        let desk = try TestDesk()
        let raw = ["From: Ana García <ana@example.org>", "To: support@acme.test", "Subject: Fwd: Export fails", "Message-ID: <f3@example.org>",
                   "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=b", "", "--b", "Content-Type: text/plain", "",
                   "See the attached mail.", "--b", "Content-Type: message/rfc822", "Content-Disposition: attachment", "",
                   "From: Shop <shop@example.org>", "Date: Mon, 5 Jan 2026 09:14:02 +0100", "Subject: Your export", "", "Error 500 at export",
                   "--b--", ""].joined(separator: "\r\n")
        try desk.deliver(raw)
        #expect(desk.run() == [.newTicket(1)])
        let m = try #require(try desk.store.ticket(1)?.messages?.first)
        #expect(m.text == "See the attached mail.\n\n---------- Forwarded message ----------\nFrom: Shop <shop@example.org>\nDate: Mon, 5 Jan 2026 09:14:02 +0100\nSubject: Your export\n\nError 500 at export")
        // Still an attachment too (its bytes are kept as sent).
        #expect(try desk.count("SELECT count(*) FROM attachments WHERE content_type = 'message/rfc822'") == 1)
        let notice = try #require(try desk.sendAndRead().first { $0.deliveredTo == "alice@acme.test" })
        #expect(notice.plainText.contains("Error 500 at export"))
    }
}
