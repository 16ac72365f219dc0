import PostdeskCore
import PostdeskHTTP
import PostdeskMail
import PostdeskSystem
import Synchronization

/// The one page chrome of the portal: every page (tickets, sign-in, profile, errors) is `page(...)` around its
/// own body, so that each has `lang`, a title, the stylesheet, the helpdesk's name, the navigation when signed
/// in, and the flash message. No inline script or style anywhere (the CSP allows neither).
extension Portal {
    /// A whole HTML page: `body` is HTML already escaped by its page (headings, forms, ...) and goes in `<main>`.
    public func page(_ ctx: inout RequestContext, title: String, body: String, status: Int = 200) -> HTTPResponse {
        document(&ctx, title: title, body: body, status: status, navigation: true)
    }

    /// `page`, or without the navigation, the skip link and the flash (`navigation: false`: the print layout).
    func document(_ ctx: inout RequestContext, title: String, body: String, status: Int = 200, navigation: Bool) -> HTTPResponse {
        let t = ctx.text
        let name = HTML.escape(ctx.config.helpdesk.name)
        var html = "<!doctype html>\n<html lang=\"\(ctx.language)\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<title>\(HTML.escape(title)) – \(name)</title>\n"
        html += "<link rel=\"stylesheet\" href=\"/static/portal.css\">\n</head>\n<body>\n"
        if navigation { html += "<a class=\"skip\" href=\"#main\">\(HTML.escape(t("layout.skip")))</a>\n" }
        html += "<header class=\"site\">\n<p class=\"brand\"><a href=\"/\">\(name)</a></p>\n"
        if navigation, let session = ctx.session {
            html += "<nav aria-label=\"\(HTML.escape(t("layout.nav")))\">\n<ul>\n"
            for (href, key) in [("/tickets", "layout.tickets"), ("/tickets/new", "layout.newTicket"), ("/kb", "layout.kb"),
                                ("/profile", "layout.profile")] {
                let current = ctx.request.path == href ? " aria-current=\"page\"" : ""
                html += "<li><a href=\"\(href)\"\(current)>\(HTML.escape(t(key)))</a></li>\n"
            }
            html += "<li><form method=\"post\" action=\"/sign-out\" class=\"inline\">\(csrfField(session))"
            html += "<button type=\"submit\" class=\"link\">\(HTML.escape(t("layout.signOut")))</button></form></li>\n"
            html += "</ul>\n</nav>\n"
        }
        html += "</header>\n<main id=\"main\">\n"
        if navigation, let flash = flash(ctx) {
            html += "<p class=\"flash\" role=\"status\" aria-live=\"polite\">\(HTML.escape(flash))</p>\n"
        }
        html += body
        html += "\n</main>\n<footer class=\"site\">\n<p>\(HTML.escape(t("layout.footer", ["name": ctx.config.helpdesk.name])))</p>\n</footer>\n"
        html += "</body>\n</html>\n"
        return .html(status, html)
    }

    /// The hidden field every POST form of a signed-in page carries (`requireForm` checks it).
    func csrfField(_ session: PortalSession) -> String { csrfField(token: session.csrf) }

    /// The hidden `csrf` field holding `token` (the one markup of it: signed-in forms and sign-in forms alike).
    func csrfField(token: String) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape(token))\">"
    }

    /// The flash message of a page reached by a redirect: `?done=KEY` names one of a fixed set of sentences
    /// (never free text from the URL).
    func flash(_ ctx: RequestContext) -> String? {
        guard let key = ctx.request.queryValue("done"), Self.flashKeys.contains(key) else { return nil }
        return ctx.text("flash." + key)
    }

    /// The `done` values a redirect may carry.
    static let flashKeys: Set<String> = ["replied", "reopened", "followup", "people", "closed", "created", "held"]

    // MARK: - Dates in the customer's time zone

    /// The customer's time zone (their account's, else the helpdesk's), UTC when it cannot be read.
    func zone(_ ctx: RequestContext) -> TimeZoneRules {
        Self.zones.rules(ctx.session?.timezone ?? ctx.config.helpdesk.timezone, fallback: ctx.config.helpdesk.timezone)
    }

    static let zones = ZoneCache()

    /// What writing dates needs, looked up once for a page: the customer's zone and the language's formats.
    struct Dates {
        let zone: TimeZoneRules
        let pack: LanguagePack
        let noDue: String
    }

    func dates(_ ctx: RequestContext) -> Dates { Dates(zone: zone(ctx), pack: ctx.pack, noDue: ctx.text("ticket.noDue")) }

    /// A stored moment (`2026-12-03T10:00:00+00:00`) as the customer reads it, in a `<time>` element.
    func timeHTML(_ iso: String, _ ctx: RequestContext) -> String { timeHTML(iso, dates(ctx)) }

    func timeHTML(_ iso: String, _ d: Dates) -> String {
        guard let secs = ISODate.seconds(iso) else { return HTML.escape(iso) }
        let local = d.zone.localTime(at: secs)
        let text = d.pack.dateTime(secs, offset: local.offset, zone: local.abbreviation.isEmpty ? nil : local.abbreviation)
        return "<time datetime=\"\(HTML.escape(iso))\">\(HTML.escape(text))</time>"
    }

    /// The day of a stored moment, in the customer's zone.
    func dayHTML(_ iso: String, _ ctx: RequestContext) -> String { dayHTML(iso, dates(ctx)) }

    func dayHTML(_ iso: String, _ d: Dates) -> String {
        guard let secs = ISODate.seconds(iso) else { return HTML.escape(iso) }
        let local = d.zone.localTime(at: secs)
        return "<time datetime=\"\(HTML.escape(iso))\">\(HTML.escape(d.pack.day(secs, offset: local.offset)))</time>"
    }

    /// A due date (`YYYY-MM-DD`), written the local way.
    func dueHTML(_ due: String?, _ ctx: RequestContext) -> String { dueHTML(due, dates(ctx)) }

    func dueHTML(_ due: String?, _ d: Dates) -> String {
        guard let due, !due.isEmpty else { return HTML.escape(d.noDue) }
        let text = d.pack.day(calendarDate: due) ?? due
        return "<time datetime=\"\(HTML.escape(due))\">\(HTML.escape(text))</time>"
    }
}

/// Time zones read once per name (the zoneinfo files do not change while the portal runs; a reload keeps them).
final class ZoneCache: Sendable {
    private let cache = Mutex<[String: TimeZoneRules]>([:])

    func rules(_ name: String, fallback: String) -> TimeZoneRules {
        if let z = cache.withLock({ $0[name] }) { return z }
        let z = (try? TimeZoneRules.load(name)) ?? (try? TimeZoneRules.load(fallback)) ?? .utc
        cache.withLock { c in
            if c.count > 512 { c.removeAll() }
            c[name] = z
        }
        return z
    }
}

/// The moments the database stores: `YYYY-MM-DDTHH:MM:SS+HH:MM` (or `Z`).
enum ISODate {
    static func seconds(_ s: String) -> Int64? {
        let b = Array(s.utf8)
        guard b.count >= 19 else { return nil }
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= b.count else { return nil }
            var v = 0
            for k in from..<from + len {
                guard b[k] >= 0x30, b[k] <= 0x39 else { return nil }
                v = v * 10 + Int(b[k] - 0x30)
            }
            return v
        }
        guard let y = num(0, 4), b[4] == 0x2D, let mo = num(5, 2), b[7] == 0x2D, let d = num(8, 2), b[10] == 0x54 || b[10] == 0x20,
              let h = num(11, 2), b[13] == 0x3A, let mi = num(14, 2), b[16] == 0x3A, let se = num(17, 2)
        else { return nil }
        var i = 19
        if i < b.count, b[i] == 0x2E { i += 1; while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 } }
        var offset = 0
        if i < b.count {
            if b[i] == 0x5A { offset = 0 } else if b[i] == 0x2B || b[i] == 0x2D, let oh = num(i + 1, 2), let om = num(i + 4, 2) {
                offset = (oh * 3600 + om * 60) * (b[i] == 0x2D ? -1 : 1)
            } else { return nil }
        }
        return MailDate(year: y, month: mo, day: d, hour: h, minute: mi, second: se, utcOffsetSeconds: offset)?.secondsSinceEpoch
    }
}
