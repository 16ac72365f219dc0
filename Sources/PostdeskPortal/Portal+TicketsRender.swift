import PostdeskCore
import PostdeskHTTP
import PostdeskStore

// The ticket pages as pure functions of the request context (language, time zone, session) and the data the
// store read: no database, no sign-in here, so tests render them with any session and any data.
extension Portal {
    // MARK: - Words shared by the pages

    func statusName(_ s: TicketStatus, _ ctx: RequestContext) -> String { LanguagePack.named(ctx.language).statuses[s] ?? s.rawValue }
    func priorityName(_ p: TicketPriority, _ ctx: RequestContext) -> String { LanguagePack.named(ctx.language).priorities[p] ?? p.rawValue }

    /// A ticket type as customers read it: the default types in their language, others as configured. `held`
    /// (a ticket Postdesk keeps over an inbound limit) is the team's word, not shown.
    func typeName(_ type: String?, _ ctx: RequestContext) -> String? {
        guard let type, !type.isEmpty, type != "held" else { return nil }
        if ["question", "problem", "request"].contains(type) { return ctx.text("type." + type) }
        return type
    }

    func assigneeName(_ name: String?, _ ctx: RequestContext) -> String {
        name ?? LanguagePack.named(ctx.language).unassigned
    }

    /// "12 KB", "3,4 MB": sizes in the page's language (decimal comma but in English).
    func sizeText(_ bytes: Int64, _ ctx: RequestContext) -> String {
        func oneDecimal(_ v: Double) -> String {
            let tenths = Int((v * 10).rounded())
            let s = "\(tenths / 10)" + (tenths % 10 == 0 ? "" : (ctx.language == "en" ? "." : ",") + "\(tenths % 10)")
            return s
        }
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return oneDecimal(Double(bytes) / 1024) + " KB" }
        return oneDecimal(Double(bytes) / (1024 * 1024)) + " MB"
    }

    func e(_ s: String) -> String { HTML.escape(s) }

    // MARK: - Home

    func renderHome(_ ctx: inout RequestContext, open: PortalTicketPage, recent: PortalTicketPage) -> HTTPResponse {
        let t = ctx.text
        var b = "<h1>\(e(t("home.title")))</h1>\n"
        let name = ctx.session?.name ?? ctx.session?.address ?? ""
        b += "<p>\(e(t("home.greeting", ["name": name])))</p>\n"
        b += "<p>\(e(t("home.openCount", ["count": String(open.tabCounts[.open] ?? 0)])))</p>\n"
        b += "<p class=\"tools\"><a class=\"button\" href=\"/tickets/new\">\(e(t("home.new")))</a> "
        b += "<a class=\"button secondary\" href=\"/tickets\">\(e(t("home.all")))</a></p>\n"
        b += "<h2>\(e(t("home.recent")))</h2>\n"
        b += recent.rows.isEmpty ? "<p>\(e(t("list.none")))</p>\n" : ticketTable(recent.rows, ctx)
        return page(&ctx, title: t("home.title"), body: b)
    }

    // MARK: - The list

    /// The list's parameters as read from the URL: unknown or malformed values are dropped, never echoed.
    struct ListParameters: Equatable {
        var tab = PortalTicketQuery.Tab.open
        var status: TicketStatus? = nil
        var priority: TicketPriority? = nil
        var type: String? = nil
        var q: String? = nil
        var page = 1

        init() {}

        init(_ r: HTTPRequest, types: [String]) {
            if let v = r.queryValue("tab"), let tab = PortalTicketQuery.Tab(rawValue: v) { self.tab = tab }
            status = r.queryValue("status").flatMap(TicketStatus.init(rawValue:))
            priority = r.queryValue("priority").flatMap(TicketPriority.init(rawValue:))
            if let v = r.queryValue("type"), types.contains(v) { type = v }
            if let v = r.queryValue("q") {
                let trimmed = String(v.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(200))
                if !trimmed.allSatisfy({ $0 == " " }) { q = trimmed }
            }
            if let v = r.queryValue("page"), v.count <= 6, v.allSatisfy(\.isASCIIDigit), let n = Int(v), n >= 1 { page = n }
        }

        func query(viewer: String, perPage: Int) -> PortalTicketQuery {
            var query = PortalTicketQuery(viewer: viewer)
            query.tab = tab; query.status = status; query.priority = priority; query.type = type; query.text = q
            query.page = page; query.perPage = perPage
            return query
        }

        /// The list's URL with these parameters (the defaults left out).
        func url(tab: PortalTicketQuery.Tab? = nil, page: Int? = nil) -> String {
            var items: [(String, String)] = []
            let tab = tab ?? self.tab
            if tab != .open { items.append(("tab", tab.rawValue)) }
            if let status { items.append(("status", status.rawValue)) }
            if let priority { items.append(("priority", priority.rawValue)) }
            if let type { items.append(("type", type)) }
            if let q { items.append(("q", q)) }
            let p = page ?? self.page
            if p > 1 { items.append(("page", String(p))) }
            return "/tickets" + (items.isEmpty ? "" : "?" + items.map { "\($0.0)=\(HTML.urlEncode($0.1))" }.joined(separator: "&"))
        }
    }

    func renderList(_ ctx: inout RequestContext, _ p: ListParameters, _ result: PortalTicketPage) -> HTTPResponse {
        let t = ctx.text
        var b = "<h1>\(e(t("list.title")))</h1>\n"
        b += "<nav aria-label=\"\(e(t("list.tabs")))\"><ul class=\"tabs\">\n"
        for tab in PortalTicketQuery.Tab.allCases {
            let current = tab == p.tab ? " aria-current=\"page\"" : ""
            b += "<li><a href=\"\(e(p.url(tab: tab, page: 1)))\"\(current)>\(e(t("tab." + tab.rawValue))) (\(result.tabCounts[tab] ?? 0))</a></li>\n"
        }
        b += "</ul></nav>\n"
        // The filters: a plain GET form, so every filtered list is a URL.
        b += "<form method=\"get\" action=\"/tickets\" role=\"search\">\n<fieldset>\n<legend>\(e(t("list.filter")))</legend>\n"
        if p.tab != .open { b += "<input type=\"hidden\" name=\"tab\" value=\"\(e(p.tab.rawValue))\">\n" }
        b += "<div class=\"filters\">\n"
        b += "<div class=\"wide\"><label for=\"q\">\(e(t("list.search")))<span class=\"hint\">\(e(t("list.searchHint")))</span></label>"
        b += "<input type=\"search\" id=\"q\" name=\"q\" maxlength=\"200\" value=\"\(e(p.q ?? ""))\"></div>\n"
        b += select("status", t("col.status"), [("", t("list.any"))] + TicketStatus.allCases.map { ($0.rawValue, statusName($0, ctx)) },
                    selected: p.status?.rawValue ?? "")
        b += select("priority", t("ticket.priority"), [("", t("list.any"))] + TicketPriority.allCases.map { ($0.rawValue, priorityName($0, ctx)) },
                    selected: p.priority?.rawValue ?? "")
        b += select("type", t("ticket.type"), [("", t("list.any"))] + config.portal.ticketTypes.map { ($0, typeName($0, ctx) ?? $0) },
                    selected: p.type ?? "")
        b += "</div>\n<button type=\"submit\">\(e(t("list.apply")))</button> "
        b += "<a href=\"\(e(ListParameters().url(tab: p.tab)))\">\(e(t("list.clear")))</a>\n</fieldset>\n</form>\n"
        if result.rows.isEmpty {
            b += "<p>\(e(t(result.total == 0 && result.tabCounts[.all] == 0 && p.q == nil ? "list.none" : "list.noMatch")))</p>\n"
        } else {
            let first = (result.page - 1) * result.perPage + 1
            b += "<p class=\"muted\">\(e(t("list.range", ["from": String(first), "to": String(first + result.rows.count - 1), "total": String(result.total)])))</p>\n"
            b += ticketTable(result.rows, ctx)
        }
        if result.pages > 1 {
            b += "<nav class=\"pager\" aria-label=\"\(e(t("list.pages")))\">\n"
            if result.page > 1 { b += "<a rel=\"prev\" href=\"\(e(p.url(page: result.page - 1)))\">\(e(t("list.previous")))</a>\n" }
            b += "<span>\(e(t("list.pageOf", ["page": String(result.page), "pages": String(result.pages)])))</span>\n"
            if result.page < result.pages { b += "<a rel=\"next\" href=\"\(e(p.url(page: result.page + 1)))\">\(e(t("list.next")))</a>\n" }
            b += "</nav>\n"
        }
        return page(&ctx, title: t("list.title"), body: b)
    }

    func select(_ name: String, _ label: String, _ options: [(String, String)], selected: String) -> String {
        var s = "<div><label for=\"\(name)\">\(e(label))</label><select id=\"\(name)\" name=\"\(name)\">"
        for (value, text) in options {
            s += "<option value=\"\(e(value))\"\(value == selected ? " selected" : "")>\(e(text))</option>"
        }
        return s + "</select></div>\n"
    }

    func ticketTable(_ rows: [PortalTicketRow], _ ctx: RequestContext) -> String {
        let t = ctx.text
        // Everything that is the same for every row is looked up and escaped once.
        let heads = ["col.number", "col.subject", "col.status", "col.assignee", "col.due", "col.created", "col.updated"].map { e(t($0)) }
        let d = dates(ctx)
        let noSubject = e(t("ticket.noSubject"))
        let unassigned = e(d.pack.unassigned)
        var statusNames: [TicketStatus: String] = [:]
        for st in TicketStatus.allCases { statusNames[st] = e(d.pack.statuses[st] ?? st.rawValue) }
        var s = "<div class=\"table\"><table>\n<thead><tr>"
        s.reserveCapacity(600 + rows.count * 900)
        for h in heads { s += "<th scope=\"col\">\(h)</th>" }
        s += "</tr></thead>\n<tbody>\n"
        for r in rows {
            s += "<tr><td data-label=\"\(heads[0])\"><a href=\"/tickets/\(r.number)\">#\(r.number)</a></td>"
            s += "<td class=\"subject\" data-label=\"\(heads[1])\"><a href=\"/tickets/\(r.number)\">\(r.subject.isEmpty ? noSubject : e(r.subject))</a></td>"
            s += "<td data-label=\"\(heads[2])\"><span class=\"status\">\(statusNames[r.status] ?? "")</span></td>"
            s += "<td data-label=\"\(heads[3])\">\(r.assignee.map(e) ?? unassigned)</td>"
            s += "<td data-label=\"\(heads[4])\">\(dueHTML(r.due, d))</td>"
            s += "<td data-label=\"\(heads[5])\">\(dayHTML(r.created, d))</td>"
            s += "<td data-label=\"\(heads[6])\">\(timeHTML(r.updated, d))</td></tr>\n"
        }
        return s + "</tbody>\n</table></div>\n"
    }

    // MARK: - One ticket

    /// What the forms of a ticket page hold after a refused POST (the values come back escaped).
    struct TicketForms {
        var problems: [String] = []
        var replyText = ""
        var replyCc = ""
        var peopleCc = ""
    }

    func personText(_ address: String, _ name: String?) -> String {
        guard let name, !name.isEmpty, name.lowercased() != address.lowercased() else { return e(address) }
        return "\(e(name)) <span class=\"muted\">&lt;\(e(address))&gt;</span>"
    }

    /// The facts and the thread, shared by the ticket page and its print layout.
    func ticketDocument(_ v: PortalTicketView, _ ctx: RequestContext, print: Bool) -> String {
        let t = ctx.text
        let r = v.row
        var b = "<h1><span class=\"muted\">#\(r.number)</span> \(e(r.subject.isEmpty ? t("ticket.noSubject") : r.subject))</h1>\n"
        b += "<dl class=\"facts\">\n"
        func fact(_ key: String, _ html: String) { b += "<dt>\(e(t(key)))</dt><dd>\(html)</dd>\n" }
        fact("ticket.number", "#\(r.number)")
        fact("ticket.status", "<span class=\"status\">\(e(statusName(r.status, ctx)))</span>")
        fact("ticket.created", timeHTML(r.created, ctx))
        fact("ticket.updated", timeHTML(r.updated, ctx))
        fact("ticket.origin", e(t(v.origin == "portal" ? "origin.portal" : "origin.mail")))
        fact("ticket.requester", personText(r.requester, v.requesterName))
        fact("ticket.cc", v.ccList.isEmpty ? e(t("ticket.nobody")) : v.ccList.map { personText($0.address, $0.name) }.joined(separator: ", "))
        fact("ticket.priority", e(priorityName(r.priority, ctx)))
        if let type = typeName(r.type, ctx) { fact("ticket.type", e(type)) }
        fact("ticket.assignee", e(assigneeName(r.assignee, ctx)))
        fact("ticket.due", dueHTML(r.due, ctx))
        if let ref = r.reference, !ref.isEmpty { fact("ticket.reference", e(ref)) }
        if let of = v.followUpOf {
            fact("ticket.followUpOf", print ? "#\(of)" : "<a href=\"/tickets/\(of)\">#\(of)</a>")
        }
        b += "</dl>\n<h2>\(e(t("thread.title")))</h2>\n"
        if v.messages.isEmpty { return b + "<p>\(e(t("thread.empty")))</p>\n" }
        b += "<ol class=\"thread\">\n"
        for m in v.messages {
            let team = m.direction == "out"
            b += "<li class=\"\(team ? "team" : "customer")\" id=\"m\(m.id)\"><article>\n<div class=\"meta\"><h3>"
            if team {
                b += "\(e(m.authorName ?? config.helpdesk.name)) <span class=\"muted\">(\(e(t("thread.team"))))</span>"
            } else {
                b += personText(m.authorAddress ?? "", m.authorName)
            }
            b += "</h3><span>\(timeHTML(m.date, ctx))"
            if m.origin == "portal" { b += " <span class=\"muted\">· \(e(t("thread.viaPortal")))</span>" }
            b += "</span></div>\n<div class=\"text\">\(e(m.text))</div>\n"
            if !m.attachments.isEmpty {
                b += "<h4 class=\"muted\">\(e(t("thread.attachments")))</h4><ul class=\"files\">\n"
                for a in m.attachments {
                    let name = e(a.filename.flatMap { $0.isEmpty ? nil : $0 } ?? t("thread.attachment"))
                    let size = e(sizeText(a.size, ctx))
                    b += print ? "<li>\(name) (\(size))</li>\n"
                               : "<li><a href=\"/tickets/\(r.number)/attachments/\(a.id)\" download>\(name)</a> (\(size))</li>\n"
                }
                b += "</ul>\n"
            }
            b += "</article></li>\n"
        }
        return b + "</ol>\n"
    }

    func renderTicket(_ ctx: inout RequestContext, _ v: PortalTicketView, forms: TicketForms = TicketForms(), status: Int = 200) -> HTTPResponse {
        let t = ctx.text
        let n = v.row.number
        var b = "<p class=\"tools\"><a href=\"/tickets\">\(e(t("ticket.back")))</a> · <a href=\"/tickets/\(n)/print\">\(e(t("ticket.print")))</a></p>\n"
        if !forms.problems.isEmpty {
            b += "<div class=\"problems\" role=\"alert\"><ul>" + forms.problems.map { "<li>\(e($0))</li>" }.joined() + "</ul></div>\n"
        }
        b += ticketDocument(v, ctx, print: false)
        guard let session = ctx.session else { return page(&ctx, title: "#\(n) \(v.row.subject)", body: b, status: status) }
        let csrf = csrfField(session)
        b += "<div class=\"actions\">\n"
        // Reply (multipart: files).
        b += "<section aria-labelledby=\"reply-h\"><h2 id=\"reply-h\">\(e(t("reply.title")))</h2>\n"
        switch TicketAccess.customerReply(to: v.row.status) {
        case .followUp: b += "<p class=\"muted\">\(e(t("reply.closedNote")))</p>\n"
        case .append(reopen: true): b += "<p class=\"muted\">\(e(t("reply.resolvedNote")))</p>\n"
        case .append: break
        }
        b += "<form method=\"post\" action=\"/tickets/\(n)/reply\" enctype=\"multipart/form-data\">\(csrf)\n"
        b += "<label for=\"reply-text\">\(e(t("reply.text")))</label><textarea id=\"reply-text\" name=\"text\" rows=\"8\">\(e(forms.replyText))</textarea>\n"
        b += "<label for=\"reply-files\">\(e(t("form.files")))</label><input type=\"file\" id=\"reply-files\" name=\"files\" multiple>\n"
        b += "<label for=\"reply-cc\">\(e(t("form.cc")))<span class=\"hint\">\(e(t("form.ccHint")))</span></label>"
        b += "<input type=\"text\" id=\"reply-cc\" name=\"cc\" autocomplete=\"off\" value=\"\(e(forms.replyCc))\">\n"
        b += "<button type=\"submit\">\(e(t("reply.send")))</button>\n</form>\n</section>\n"
        // Add people.
        b += "<section aria-labelledby=\"people-h\"><h2 id=\"people-h\">\(e(t("people.title")))</h2>\n"
        b += "<form method=\"post\" action=\"/tickets/\(n)/people\">\(csrf)\n"
        b += "<label for=\"people-cc\">\(e(t("people.addresses")))<span class=\"hint\">\(e(t("form.ccHint")))</span></label>"
        b += "<input type=\"text\" id=\"people-cc\" name=\"cc\" autocomplete=\"off\" value=\"\(e(forms.peopleCc))\">\n"
        b += "<button type=\"submit\" class=\"secondary\">\(e(t("people.add")))</button>\n</form>\n"
        // Close, while the ticket may be closed.
        if TicketAccess.customerMayClose(v.row.status) {
            b += "<h2 id=\"close-h\">\(e(t("close.title")))</h2>\n<p>\(e(t("close.text")))</p>\n"
            b += "<form method=\"post\" action=\"/tickets/\(n)/close\">\(csrf)<button type=\"submit\" class=\"secondary\">\(e(t("close.button")))</button></form>\n"
        }
        b += "</section>\n</div>\n"
        return page(&ctx, title: "#\(n) \(v.row.subject)", body: b, status: status)
    }

    /// The print layout: the ticket alone, no navigation, no forms (the browser's print to PDF gives a clean page).
    func renderPrint(_ ctx: inout RequestContext, _ v: PortalTicketView) -> HTTPResponse {
        document(&ctx, title: "#\(v.row.number) \(v.row.subject)", body: ticketDocument(v, ctx, print: true), navigation: false)
    }

    // MARK: - New ticket

    struct NewTicketForm {
        var subject = ""
        var text = ""
        var priority = TicketPriority.normal
        var type = ""
        var cc = ""
        var reference = ""
        var problems: [String] = []
    }

    func renderNewTicket(_ ctx: inout RequestContext, _ f: NewTicketForm, status: Int = 200) -> HTTPResponse {
        let t = ctx.text
        var b = "<h1>\(e(t("new.title")))</h1>\n"
        if !f.problems.isEmpty {
            b += "<div class=\"problems\" role=\"alert\"><p>\(e(t("form.problems")))</p><ul>" + f.problems.map { "<li>\(e($0))</li>" }.joined() + "</ul></div>\n"
        }
        b += "<form method=\"post\" action=\"/tickets/new\" enctype=\"multipart/form-data\">"
        if let s = ctx.session { b += csrfField(s) }
        b += "\n<fieldset><legend>\(e(t("new.what")))</legend>\n"
        b += "<label for=\"subject\">\(e(t("new.subject"))) <span class=\"hint\">\(e(t("form.required")))</span></label>"
        b += "<input type=\"text\" id=\"subject\" name=\"subject\" required maxlength=\"\(NewTicketLimits.subject)\" value=\"\(e(f.subject))\">\n"
        b += "<label for=\"text\">\(e(t("new.text")))</label><textarea id=\"text\" name=\"text\" rows=\"10\">\(e(f.text))</textarea>\n"
        b += select("priority", t("ticket.priority"), TicketPriority.allCases.map { ($0.rawValue, priorityName($0, ctx)) }, selected: f.priority.rawValue)
        if !config.portal.ticketTypes.isEmpty {
            b += select("type", t("ticket.type"), [("", t("new.noType"))] + config.portal.ticketTypes.map { ($0, typeName($0, ctx) ?? $0) },
                        selected: f.type)
        }
        b += "</fieldset>\n<fieldset><legend>\(e(t("new.more")))</legend>\n"
        b += "<label for=\"cc\">\(e(t("form.cc")))<span class=\"hint\">\(e(t("form.ccHint")))</span></label>"
        b += "<input type=\"text\" id=\"cc\" name=\"cc\" autocomplete=\"off\" value=\"\(e(f.cc))\">\n"
        b += "<label for=\"reference\">\(e(t("new.reference")))<span class=\"hint\">\(e(t("new.referenceHint")))</span></label>"
        b += "<input type=\"text\" id=\"reference\" name=\"reference\" maxlength=\"\(NewTicketLimits.reference)\" value=\"\(e(f.reference))\">\n"
        b += "<label for=\"files\">\(e(t("form.files")))</label><input type=\"file\" id=\"files\" name=\"files\" multiple>\n"
        b += "</fieldset>\n<button type=\"submit\">\(e(t("new.submit")))</button>\n</form>\n"
        return page(&ctx, title: t("new.title"), body: b, status: status)
    }
}

/// The longest values the portal's forms take (the fields' `maxlength` and the checks of the POST).
enum NewTicketLimits {
    static let subject = 200
    static let text = 100_000
    static let reference = 100
    static let ccField = 2_000
}
