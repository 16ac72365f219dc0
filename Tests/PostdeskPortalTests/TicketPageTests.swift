import Foundation
import Testing
import PostdeskCore
import PostdeskDaemon
import PostdeskHTTP
import PostdeskStore
@testable import PostdeskPortal

func html(_ r: HTTPResponse) -> String { PortalFixture.body(r) }

/// Every page: `lang`, a title, the stylesheet, no inline script or style.
func expectWellFormedPage(_ r: HTTPResponse, lang: String = "en", title: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    let h = html(r)
    #expect(r.header("Content-Type") == "text/html; charset=utf-8", sourceLocation: sourceLocation)
    #expect(h.hasPrefix("<!doctype html>\n<html lang=\"\(lang)\">"), sourceLocation: sourceLocation)
    #expect(h.contains("<meta charset=\"utf-8\">") && h.contains("<link rel=\"stylesheet\" href=\"/static/portal.css\">"), sourceLocation: sourceLocation)
    if let title { #expect(h.contains("<title>\(HTML.escape(title)) – Postdesk</title>"), sourceLocation: sourceLocation) }
    #expect(!h.contains("<script") && !h.contains("style=") && !h.contains("<style"), sourceLocation: sourceLocation)
    #expect(r.header("Content-Security-Policy")?.contains("default-src 'none'") == true, sourceLocation: sourceLocation)
}

@Suite struct TicketPageTests {
    @Test func listShowsTabsColumnsAndKeepsFiltersInLinks() throws {
        let w = try AccessWorld()
        let f = w.f
        let s = try f.session("boss@corp.test")
        let r = f.call("GET", "/tickets?tab=all&priority=normal", as: s) { try $0.ticketListPage(&$1, s) }
        #expect(r.status == 200)
        expectWellFormedPage(r, title: "My tickets")
        let h = html(r)
        for n in [w.rita, w.colleague, w.boss] { #expect(h.contains("<a href=\"/tickets/\(n)\">#\(n)</a>")) }
        #expect(!h.contains("/tickets/\(w.stranger)\""))
        #expect(h.contains("Printer broken") && h.contains("Scanner jam") && !h.contains("Other matter"))
        for col in ["Number", "Subject", "Status", "Handled by", "Due", "Created", "Last update"] { #expect(h.contains("<th scope=\"col\">\(col)</th>")) }
        #expect(h.contains("not assigned yet"))
        #expect(h.contains("href=\"/tickets?tab=all&amp;priority=normal\" aria-current=\"page\">All (3)</a>"))
        #expect(h.contains("href=\"/tickets?tab=closed&amp;priority=normal\">Closed (0)</a>"))
        #expect(h.contains("<option value=\"normal\" selected>"))
        #expect(h.contains("<form method=\"post\" action=\"/sign-out\""), "the sign-out is a POST with the session's token")
        #expect(h.contains("name=\"csrf\" value=\"\(s.csrf)\""))
    }

    @Test func invalidParametersAreIgnoredAndNeverEchoedRaw() throws {
        let w = try AccessWorld()
        let s = try w.f.session("rita@corp.test")
        let target = "/tickets?tab=%3Cscript%3E&status=%22%3E%3Cimg%20src%3Dx%3E&priority=9&type=evil%3Cb%3E&page=-3&q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"
        let r = w.f.call("GET", target, as: s) { try $0.ticketListPage(&$1, s) }
        #expect(r.status == 200)
        let h = html(r)
        #expect(!h.contains("<img") && !h.contains("<script") && !h.contains("evil"))
        #expect(h.contains("value=\"&lt;img src=x onerror=alert(1)&gt;\""), "the search words come back escaped")
        #expect(h.contains("aria-current=\"page\">Open"), "an unknown tab is the default one")
    }

    @Test func pagingLinksKeepTheFilters() throws {
        let f = try PortalFixture()
        let id = try f.store.customer(address: "many@corp.test", name: "Many", at: "2026-12-01T09:00:00+00:00")
        for i in 1...60 {
            _ = try f.store.createTicket(subject: "Issue \(i)", queue: "support", requester: id, followUpOf: nil, reference: nil, language: nil,
                                         at: String(format: "2026-12-01T09:%02d:00+00:00", i - 1))
        }
        let s = try f.session("many@corp.test")
        let r = f.call("GET", "/tickets?priority=normal&page=2", as: s) { try $0.ticketListPage(&$1, s) }
        let h = html(r)
        #expect(h.contains("<a rel=\"prev\" href=\"/tickets?priority=normal\">"))
        #expect(h.contains("<a rel=\"next\" href=\"/tickets?priority=normal&amp;page=3\">"))
        #expect(h.contains("Page 2 of 3") && h.contains("Tickets 26–50 of 60"))
    }

    @Test func oneTicketShowsFactsThreadFormsInTheCustomersZoneAndLanguage() throws {
        let w = try AccessWorld()
        let f = w.f
        _ = try f.ingestor.operatorReply(w.rita, text: "Please check the cable.\nLine two.", internal: false)
        _ = try f.ingestor.operatorReply(w.rita, text: "zebrasecret internal", internal: true)
        let s = try f.session("rita@corp.test", timezone: "Europe/Warsaw", language: "de")
        let r = f.call("GET", "/tickets/\(w.rita)", as: s) { try $0.ticketPage(&$1, s, w.rita) }
        #expect(r.status == 200)
        expectWellFormedPage(r, lang: "de", title: "#\(w.rita) Printer broken")
        #expect(r.header("Cache-Control") == "no-store")
        let h = html(r)
        #expect(!h.contains("zebrasecret"))
        #expect(h.contains("<div class=\"text\">Please check the cable.\nLine two.</div>"), "line breaks kept (pre-wrap)")
        #expect(h.contains("Rita Req <span class=\"muted\">&lt;rita@corp.test&gt;</span>"))
        #expect(h.contains("Carl Cc <span class=\"muted\">&lt;carl@else.test&gt;</span>"))
        #expect(h.contains("<dd>E-Mail</dd>"), "origin, in German")
        #expect(h.contains(">Offen<") || h.contains(">Neu<"))
        // The customer's zone: the ticket was opened at the fixture clock's moment, CET in Warsaw.
        let opened = try #require(try f.store.portalTicket(w.rita, viewer: "rita@corp.test")).row.created
        let secs = try #require(ISODate.seconds(opened))
        let local = Portal.zones.rules("Europe/Warsaw", fallback: "UTC").localTime(at: secs)
        #expect(h.contains(LanguagePack.de.dateTime(secs, offset: local.offset, zone: local.abbreviation)))
        // The forms: reply (multipart, text, files, cc), people, close; each with the session's token.
        #expect(h.contains("<form method=\"post\" action=\"/tickets/\(w.rita)/reply\" enctype=\"multipart/form-data\">"))
        #expect(h.contains("name=\"text\"") && h.contains("type=\"file\" id=\"reply-files\" name=\"files\" multiple") && h.contains("name=\"cc\""))
        #expect(h.contains("<form method=\"post\" action=\"/tickets/\(w.rita)/people\">"))
        #expect(h.contains("<form method=\"post\" action=\"/tickets/\(w.rita)/close\">"))
        #expect(h.components(separatedBy: "name=\"csrf\" value=\"\(s.csrf)\"").count - 1 == 4, "sign-out, reply, people, close")
        for label in ["reply-text", "reply-files", "reply-cc", "people-cc"] { #expect(h.contains("<label for=\"\(label)\">")) }
    }

    @Test func closedTicketOffersAFollowUpAndNoClose() throws {
        let w = try AccessWorld()
        try w.f.store.setStatus(w.rita, .closed, at: "2026-12-03T11:00:00+00:00")
        let s = try w.f.session("rita@corp.test")
        let h = html(w.f.call("GET", "/tickets/\(w.rita)", as: s) { try $0.ticketPage(&$1, s, w.rita) })
        #expect(h.contains("This ticket is closed. A reply opens a new ticket linked to this one."))
        #expect(!h.contains("/close\""))
        try w.f.store.setStatus(w.colleague, .resolved, at: "2026-12-03T11:00:00+00:00")
        let c = try w.f.session("colleague@corp.test")
        let h2 = html(w.f.call("GET", "/tickets/\(w.colleague)", as: c) { try $0.ticketPage(&$1, c, w.colleague) })
        #expect(h2.contains("A reply opens it again.") && !h2.contains("/close\""))
    }

    @Test func typesReferencesAndFollowUps() throws {
        let w = try AccessWorld()
        let f = w.f
        let s = try f.session("rita@corp.test", language: "fr")
        func page() -> String { html(f.call("GET", "/tickets/\(w.rita)", as: s) { try $0.ticketPage(&$1, s, w.rita) }) }
        try f.store.setType(w.rita, "held", at: "2026-12-03T11:00:00+00:00")
        #expect(!page().contains("<dt>Type</dt>") && !page().contains("held"), "the team's held type is never shown")
        try f.store.setType(w.rita, "problem", at: "2026-12-03T11:00:00+00:00")
        #expect(page().contains("<dt>Type</dt><dd>Problème</dd>"))
        try f.store.db.run("UPDATE tickets SET customer_reference = 'PO <77>', follow_up_of = ? WHERE number = ?", [.integer(w.boss), .integer(w.rita)])
        #expect(page().contains("<dd>PO &lt;77&gt;</dd>"))
        #expect(page().contains("<dt>Suite de</dt><dd><a href=\"/tickets/\(w.boss)\">#\(w.boss)</a></dd>"))
    }

    /// Another customer's ticket, a colleague's for a non-primary contact, and a ticket that does not exist:
    /// the same 404 page, byte for byte.
    @Test func foreignTicketsAreTheSameNotFoundAsMissingOnes() throws {
        let w = try AccessWorld()
        let f = w.f
        let colleague = try f.session("colleague@corp.test")
        let boss = try f.session("boss@corp.test")
        let missing = f.call("GET", "/tickets/9999", as: colleague) { try $0.ticketPage(&$1, colleague, 9999) }
        #expect(missing.status == 404)
        expectWellFormedPage(missing, title: "Page not found")
        for n in [w.rita, w.boss, w.stranger] {
            let r = f.call("GET", "/tickets/\(n)", as: colleague) { try $0.ticketPage(&$1, colleague, n) }
            #expect(r.status == 404 && html(r) == html(missing), "#\(n)")
            let p = f.call("GET", "/tickets/\(n)/print", as: colleague) { try $0.ticketPrintPage(&$1, colleague, n) }
            #expect(p.status == 404 && html(p) == html(missing))
        }
        #expect(!html(missing).contains("9999"), "the error page never echoes the URL")
        // The primary contact sees the colleague's ticket.
        #expect(f.call("GET", "/tickets/\(w.colleague)", as: boss) { try $0.ticketPage(&$1, boss, w.colleague) }.status == 200)
    }

    @Test func hostileSubjectsBodiesNamesAndFileNamesAreInert() throws {
        let f = try PortalFixture()
        let evil = "<img src=x onerror=alert(1)>"
        try f.mailWithAttachment(from: "\"<script>alert('n')</script>\" <x@corp.test>", subject: evil,
                                 body: "</div><script>alert(2)</script>", filename: "\"><script>.html", contentType: "text/html",
                                 data: Array("<script>alert(3)</script>".utf8))
        let n = try f.lastTicket()
        let s = try f.session("x@corp.test")
        for r in [f.call("GET", "/tickets/\(n)", as: s) { try $0.ticketPage(&$1, s, n) },
                  f.call("GET", "/tickets/\(n)/print", as: s) { try $0.ticketPrintPage(&$1, s, n) },
                  f.call("GET", "/tickets?tab=all", as: s) { try $0.ticketListPage(&$1, s) }] {
            let h = html(r)
            #expect(r.status == 200)
            #expect(!h.contains("<script") && !h.contains("<img"), "\(h)")
            #expect(h.contains("&lt;img src=x onerror=alert(1)&gt;"))
        }
        let h = html(f.call("GET", "/tickets/\(n)", as: s) { try $0.ticketPage(&$1, s, n) })
        #expect(h.contains("&lt;/div&gt;&lt;script&gt;alert(2)&lt;/script&gt;"))
        #expect(h.contains("/tickets/\(n)/attachments/"))
    }

    @Test func printPageHasNoFormsOrNavigation() throws {
        let w = try AccessWorld()
        let s = try w.f.session("rita@corp.test")
        let r = w.f.call("GET", "/tickets/\(w.rita)/print", as: s) { try $0.ticketPrintPage(&$1, s, w.rita) }
        #expect(r.status == 200)
        expectWellFormedPage(r, title: "#\(w.rita) Printer broken")
        let h = html(r)
        #expect(!h.contains("<form") && !h.contains("<nav") && !h.contains("<button") && !h.contains("class=\"skip\""))
        #expect(h.contains("The printer prints nothing.") && h.contains("Printer broken"))
    }

    @Test func homeSummarizesAndTheKnowledgeBaseWaits() throws {
        let w = try AccessWorld()
        let s = try w.f.session("boss@corp.test")
        let r = w.f.call("GET", "/", as: s) { try $0.homePage(&$1, s) }
        expectWellFormedPage(r, title: "Overview")
        #expect(html(r).contains("Open tickets: 3") && html(r).contains("href=\"/tickets/new\""))
        let kb = w.f.call("GET", "/kb", as: s) { try $0.knowledgeBase(&$1) }
        #expect(kb.status == 200)
        expectWellFormedPage(kb, title: "Knowledge base")
        #expect(html(kb).contains("The knowledge base is not available yet."))
    }

    @Test func flashIsAFixedSentenceNeverFreeText() throws {
        let w = try AccessWorld()
        let s = try w.f.session("rita@corp.test")
        let ok = html(w.f.call("GET", "/tickets/\(w.rita)?done=replied", as: s) { try $0.ticketPage(&$1, s, w.rita) })
        #expect(ok.contains("<p class=\"flash\" role=\"status\" aria-live=\"polite\">Your reply has been added to the ticket.</p>"))
        let bad = html(w.f.call("GET", "/tickets/\(w.rita)?done=%3Cb%3Ehi", as: s) { try $0.ticketPage(&$1, s, w.rita) })
        #expect(!bad.contains("class=\"flash\"") && !bad.contains("<b>hi"))
    }

    @Test func everyPageInEveryLanguageHasLangAndTitle() throws {
        let w = try AccessWorld()
        for language in Configuration.languages {
            let s = try w.f.session("rita@corp.test", language: language)
            let pages: [(Portal, inout RequestContext) throws -> HTTPResponse] = [
                { try $0.homePage(&$1, s) }, { try $0.ticketListPage(&$1, s) }, { try $0.ticketPage(&$1, s, w.rita) },
                { try $0.ticketPrintPage(&$1, s, w.rita) }, { $0.newTicketForm(&$1, s) }, { try $0.knowledgeBase(&$1) },
                { try $0.ticketPage(&$1, s, 9999) },
            ]
            for p in pages {
                let r = w.f.call("GET", "/x", as: s, p)
                expectWellFormedPage(r, lang: language)
                #expect(html(r).contains("<title>") && html(r).contains("<h1>"))
            }
        }
    }
}

@Suite struct PageChromeTests {
    /// `PortalText.all` merges the tables first-wins: a key in two tables would hide one text silently.
    @Test func textTablesShareNoKey() {
        let tables = [PortalText.common, PortalText.signIn, PortalText.tickets, PortalText.errors]
        var seen: [String: Int] = [:]
        for (i, table) in tables.enumerated() {
            for key in table.keys {
                #expect(seen[key] == nil, "\(key) is in tables \(seen[key] ?? -1) and \(i)")
                seen[key] = i
            }
        }
    }

    @Test func stylesheetIsServedAsCacheableCSS() throws {
        let f = try PortalFixture()
        let r = f.request("GET", "/static/portal.css")
        #expect(r.status == 200)
        #expect(r.header("Content-Type") == "text/css; charset=utf-8")
        #expect(r.header("Cache-Control") == "public, max-age=3600")
        #expect(r.header("X-Content-Type-Options") == "nosniff")
        let css = html(r)
        #expect(css.contains("@media print") && css.contains("white-space: pre-wrap"))
    }

    @Test func signedOutPagesGoToSignInWithTheirPath() throws {
        let f = try PortalFixture()
        #expect(f.request("GET", "/").header("Location") == "/sign-in")
        #expect(f.request("GET", "/tickets?tab=closed&x=1").header("Location") == "/sign-in?next=%2Ftickets%3Ftab%3Dclosed%26x%3D1")
        #expect(f.request("GET", "/tickets/12").header("Location") == "/sign-in?next=%2Ftickets%2F12")
        #expect(f.request("POST", "/tickets/12/reply").header("Location") == "/sign-in")
        #expect(f.request("GET", "/tickets/12/attachments/3").status == 303)
    }

    @Test(arguments: [
        (PageFailure.notFound, 404, nil as String?, nil as String?),
        (.methodNotAllowed(["GET"]), 405, "Allow", "GET, HEAD"),
        (.methodNotAllowed(["POST"]), 405, "Allow", "POST"),
        (.badRequest, 400, nil, nil), (.forbidden, 403, nil, nil), (.tooLarge, 413, nil, nil),
        (.tooManyRequests(retryAfter: 30), 429, "Retry-After", "30"), (.unavailable, 503, "Retry-After", "5"),
    ])
    func errorPagesAreClearAndLocalized(_ failure: PageFailure, _ status: Int, _ header: String?, _ value: String?) throws {
        let f = try PortalFixture()
        for language in Configuration.languages {
            let r = f.call("GET", "/<script>", as: nil, headers: [("Accept-Language", language)]) { _, _ in throw failure }
            #expect(r.status == status)
            expectWellFormedPage(r, lang: language, title: Strings(language)("error.\(status).title"))
            #expect(html(r).contains(HTML.escape(Strings(language)("error.\(status).text"))))
            #expect(!html(r).contains("script"))
            if let header { #expect(r.header(header) == value) }
        }
    }

    @Test func wrongMethodsThroughTheRouter() throws {
        let f = try PortalFixture()
        let r = f.request("DELETE", "/tickets")
        #expect(r.status == 405 && r.header("Allow") == "GET, HEAD")
        #expect(f.request("GET", "/tickets/1/reply").header("Allow") == "POST")
    }
}

@Suite struct TicketAttachmentTests {
    @Test func downloadHeadersAreExactAndTheFileIsTheStoredOne() throws {
        let f = try PortalFixture()
        let bytes = Array("<svg onload=alert(1)></svg>".utf8)
        try f.mailWithAttachment(from: "x@corp.test", subject: "Logo", filename: "Żółw \"logo\".svg", contentType: "image/svg+xml", data: bytes)
        let n = try f.lastTicket()
        let s = try f.session("x@corp.test")
        let a = try #require(try f.store.portalTicket(n, viewer: "x@corp.test")?.messages.flatMap(\.attachments).first)
        let r = f.call("GET", "/tickets/\(n)/attachments/\(a.id)", as: s) { try $0.attachmentDownload(&$1, s, n, a.id) }
        #expect(r.status == 200)
        #expect(r.header("Content-Type") == "application/octet-stream", "never SVG")
        let stored = try #require(a.filename)
        #expect(r.header("Content-Disposition") == AttachmentHeaders.disposition(stored))
        #expect(r.header("X-Content-Type-Options") == "nosniff")
        #expect(r.header("Content-Security-Policy") == "sandbox; default-src 'none'")
        #expect(r.header("Cache-Control") == "no-store")
        guard case .file(let path) = r.body else { Issue.record("not a file body"); return }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
    }

    @Test func dispositionIsRFC6266() {
        #expect(AttachmentHeaders.disposition("Żółw \"logo\".svg") == "attachment; filename=\"___w _logo_.svg\"; filename*=UTF-8''%C5%BB%C3%B3%C5%82w%20%22logo%22.svg")
        #expect(AttachmentHeaders.disposition("../../etc/passwd") == "attachment; filename=\"passwd\"; filename*=UTF-8''passwd")
        #expect(AttachmentHeaders.disposition("a\r\nSet-Cookie: x.txt") == "attachment; filename=\"aSet-Cookie: x.txt\"; filename*=UTF-8''aSet-Cookie%3A%20x.txt")
        #expect(AttachmentHeaders.disposition("") == "attachment; filename=\"attachment\"; filename*=UTF-8''attachment")
    }

    @Test(arguments: [
        ("image/png", "image/png"), ("application/pdf", "application/pdf"), ("text/plain; charset=iso-8859-1", "text/plain"),
        ("TEXT/HTML", "application/octet-stream"), ("text/html; charset=utf-8", "application/octet-stream"),
        ("image/svg+xml", "application/octet-stream"), ("application/xhtml+xml", "application/octet-stream"), ("text/xml", "application/octet-stream"),
        ("application/xml", "application/octet-stream"), ("text/javascript", "application/octet-stream"), ("application/javascript", "application/octet-stream"),
        ("text/css", "application/octet-stream"), ("multipart/mixed", "application/octet-stream"), ("message/rfc822", "application/octet-stream"),
        ("text/richtext", "application/octet-stream"), ("garbage", "application/octet-stream"), ("image/png\r\nX: y", "application/octet-stream"),
        ("", "application/octet-stream"),
    ])
    func contentTypesThatCouldRunAreOctetStreams(_ stored: String, _ served: String) {
        #expect(AttachmentHeaders.safeType(stored) == served)
    }

    @Test func anotherCustomersAttachmentIsNotFound() throws {
        let w = try AccessWorld()
        let f = w.f
        try f.mailWithAttachment(from: "rita@corp.test", subject: "Re: [Acme #\(w.rita)] Printer broken", filename: "log.txt",
                                 contentType: "text/plain", data: Array("error 42\n".utf8))
        let a = try #require(try f.store.portalTicket(w.rita, viewer: "rita@corp.test")?.messages.flatMap(\.attachments).first)
        let colleague = try f.session("colleague@corp.test")
        let stranger = try f.session("stranger@x.test")
        for (s, n) in [(colleague, w.rita), (stranger, w.rita), (stranger, w.stranger), (colleague, w.colleague)] {
            let missing = f.call("GET", "/x", as: s) { try $0.attachmentDownload(&$1, s, n, 424242) }
            #expect(missing.status == 404)
            let r = f.call("GET", "/x", as: s) { try $0.attachmentDownload(&$1, s, n, a.id) }
            #expect(r.status == 404 && html(r) == html(missing))
        }
        let boss = try f.session("boss@corp.test")
        #expect(f.call("GET", "/x", as: boss) { try $0.attachmentDownload(&$1, boss, w.rita, a.id) }.status == 200)
    }
}

@Suite struct TicketFormTests {
    @Test func newTicketFormHasLabelledFields() throws {
        let w = try AccessWorld()
        let s = try w.f.session("rita@corp.test")
        let r = w.f.call("GET", "/tickets/new", as: s) { $0.newTicketForm(&$1, s) }
        expectWellFormedPage(r, title: "New ticket")
        let h = html(r)
        #expect(h.contains("<form method=\"post\" action=\"/tickets/new\" enctype=\"multipart/form-data\">"))
        #expect(h.contains("name=\"csrf\" value=\"\(s.csrf)\""))
        for field in ["subject", "text", "priority", "type", "cc", "reference", "files"] {
            #expect(h.contains("<label for=\"\(field)\">"), "\(field)")
            #expect(h.contains("name=\"\(field)\""), "\(field)")
        }
        #expect(h.contains("<option value=\"question\">Question</option>"))
        #expect(h.contains("<fieldset>") && h.contains("required"))
    }

    @Test func newTicketValidationRerendersWithValuesEscaped() throws {
        let w = try AccessWorld()
        let s = try w.f.session("rita@corp.test", language: "pl")
        let form = [("csrf", s.csrf), ("subject", "  "), ("text", "</textarea><script>x</script>"), ("cc", "ok@x.test, <bad>"),
                    ("reference", "\"><b>"), ("type", "nonsense"), ("priority", "urgent")]
        let r = w.f.call("POST", "/tickets/new", as: s, form: form) { try $0.newTicketPost(&$1, s) }
        #expect(r.status == 422)
        let h = html(r)
        #expect(!h.contains("<script") && !h.contains("<b>") && !h.contains("<bad>"))
        #expect(h.contains("&lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt;</textarea>"))
        #expect(h.contains(HTML.escape(Strings("pl")("new.subjectMissing"))))
        #expect(h.contains(HTML.escape(Strings("pl")("form.ccInvalid"))))
        #expect(h.contains(HTML.escape(Strings("pl")("new.typeUnknown"))))
        #expect(h.contains("<option value=\"urgent\" selected>"))
        #expect(h.contains("role=\"alert\""))
        let long = w.f.call("POST", "/tickets/new", as: s, form: [("subject", String(repeating: "x", count: 201))]) { try $0.newTicketPost(&$1, s) }
        #expect(long.status == 422 && html(long).contains(HTML.escape(Strings("pl")("new.subjectTooLong", ["count": "200"]))))
    }

    @Test func replyValidation() throws {
        let w = try AccessWorld()
        let s = try w.f.session("rita@corp.test")
        let empty = w.f.call("POST", "/tickets/\(w.rita)/reply", as: s, form: [("text", "  \n")]) { try $0.ticketReplyPost(&$1, s, w.rita) }
        #expect(empty.status == 422 && html(empty).contains("Please write a message or attach a file."))
        let foreign = try w.f.session("stranger@x.test")
        let r = w.f.call("POST", "/tickets/\(w.rita)/reply", as: foreign, form: [("text", "hi")]) { try $0.ticketReplyPost(&$1, foreign, w.rita) }
        #expect(r.status == 404, "a reply to another's ticket is refused before the desk is asked")
        let people = w.f.call("POST", "/tickets/\(w.rita)/people", as: s, form: [("cc", "")]) { try $0.ticketPeoplePost(&$1, s, w.rita) }
        #expect(people.status == 422 && html(people).contains("Please give at least one address."))
        let close = w.f.call("POST", "/tickets/\(w.rita)/close", as: foreign) { try $0.ticketClosePost(&$1, foreign, w.rita) }
        #expect(close.status == 404)
    }

    /// Through the real desk: each form redirects to the ticket with its flash.
    @Test func formsGoThroughTheDeskAndRedirect() throws {
        let w = try AccessWorld()
        let s = try w.f.session("rita@corp.test")
        do {
            let r = w.f.call("POST", "/tickets/\(w.rita)/reply", as: s, form: [("csrf", s.csrf), ("text", "More details.")]) { try $0.ticketReplyPost(&$1, s, w.rita) }
            #expect(r.status == 303 && r.header("Location") == "/tickets/\(w.rita)?done=replied")
            let n = w.f.call("POST", "/tickets/new", as: s, form: [("csrf", s.csrf), ("subject", "From the web"), ("text", "Hello")]) { try $0.newTicketPost(&$1, s) }
            #expect(n.status == 303 && n.header("Location")?.hasSuffix("?done=created") == true)
            let c = w.f.call("POST", "/tickets/\(w.rita)/close", as: s, form: [("csrf", s.csrf)]) { try $0.ticketClosePost(&$1, s, w.rita) }
            #expect(c.status == 303 && c.header("Location") == "/tickets/\(w.rita)?done=closed")
        }
    }

    @Test func ccFieldParsing() throws {
        let f = try PortalFixture()
        let ctx = RequestContext(request: HTTPRequest(method: "GET", path: "/"), portal: f.portal)
        #expect(f.portal.ccAddresses("a@x.test, B@Y.test;c@z.test  <d@w.test>", ctx) == (["a@x.test", "b@y.test", "c@z.test", "d@w.test"], nil))
        #expect(f.portal.ccAddresses("", ctx).addresses.isEmpty)
        for bad in ["nope", "a@b", "a@@b.test", "a b@c.test", "\"x\"@y.test", "a@-b.test", "a@b..test"] {
            #expect(f.portal.ccAddresses(bad, ctx).problem != nil, "\(bad)")
        }
    }
}
