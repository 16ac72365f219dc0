import PostdeskCore
import PostdeskDaemon
import PostdeskHTTP
import PostdeskStore

// The pages: home, the ticket list, one ticket, print, reply, close, people, new ticket, the knowledge base's
// placeholder, the error pages. Each route handler signs in (`requireSignIn`), then calls its `...Page` with
// the session, which reads the store and renders (`Portal+TicketsRender`): tests call the `...Page` functions
// with a session of their own. Who may see or change a ticket is the store's `portalTicket` (TicketAccess) and
// the desk's; a ticket the customer may not see is the same 404 as one that does not exist.
extension Portal {
    /// How many tickets a page of the list shows.
    static let perPage = 25

    // MARK: - Route handlers

    func home(_ ctx: inout RequestContext) throws -> HTTPResponse {
        let session = try requireSignIn(&ctx)
        return try homePage(&ctx, session)
    }

    func ticketList(_ ctx: inout RequestContext) throws -> HTTPResponse {
        let session = try requireSignIn(&ctx)
        return try ticketListPage(&ctx, session)
    }

    func ticketPage(_ ctx: inout RequestContext, _ number: Int64) throws -> HTTPResponse {
        let session = try requireSignIn(&ctx)
        return try ticketPage(&ctx, session, number)
    }

    func ticketPrint(_ ctx: inout RequestContext, _ number: Int64) throws -> HTTPResponse {
        let session = try requireSignIn(&ctx)
        return try ticketPrintPage(&ctx, session, number)
    }

    func attachment(_ ctx: inout RequestContext, _ number: Int64, _ id: Int64) throws -> HTTPResponse {
        let session = try requireSignIn(&ctx)
        return try attachmentDownload(&ctx, session, number, id)
    }

    func newTicket(_ ctx: inout RequestContext) throws -> HTTPResponse {
        let session = try requireSignIn(&ctx)
        if ctx.request.method == "POST" {
            try requireForm(&ctx)
            return try newTicketPost(&ctx, session)
        }
        return newTicketForm(&ctx, session)
    }

    func ticketReply(_ ctx: inout RequestContext, _ number: Int64) throws -> HTTPResponse {
        let session = try requireSignIn(&ctx)
        try requireForm(&ctx)
        return try ticketReplyPost(&ctx, session, number)
    }

    func ticketClose(_ ctx: inout RequestContext, _ number: Int64) throws -> HTTPResponse {
        let session = try requireSignIn(&ctx)
        try requireForm(&ctx)
        return try ticketClosePost(&ctx, session, number)
    }

    func ticketPeople(_ ctx: inout RequestContext, _ number: Int64) throws -> HTTPResponse {
        let session = try requireSignIn(&ctx)
        try requireForm(&ctx)
        return try ticketPeoplePost(&ctx, session, number)
    }

    /// `/kb`: the knowledge base comes later (issue 17); until then a page that says so.
    func knowledgeBase(_ ctx: inout RequestContext) throws -> HTTPResponse {
        let t = ctx.text
        return page(&ctx, title: t("kb.title"), body: "<h1>\(e(t("kb.title")))</h1>\n<p>\(e(t("kb.notYet")))</p>\n")
    }

    // MARK: - Reading pages

    func homePage(_ ctx: inout RequestContext, _ session: PortalSession) throws -> HTTPResponse {
        var open = PortalTicketQuery(viewer: session.address)
        open.perPage = 1
        var recent = PortalTicketQuery(viewer: session.address)
        recent.tab = .all
        recent.perPage = 5
        let (o, r) = try readers.with { (try $0.portalTickets(open), try $0.portalTickets(recent)) }
        return renderHome(&ctx, open: o, recent: r)
    }

    func ticketListPage(_ ctx: inout RequestContext, _ session: PortalSession) throws -> HTTPResponse {
        let p = ListParameters(ctx.request, types: config.portal.ticketTypes)
        let q = p.query(viewer: session.address, perPage: Self.perPage)
        let result = try readers.with { try $0.portalTickets(q) }
        return renderList(&ctx, p, result)
    }

    /// The ticket the customer sees, or 404 (also for a ticket that is not theirs).
    func visibleTicket(_ session: PortalSession, _ number: Int64) throws -> PortalTicketView {
        guard let v = try readers.with({ try $0.portalTicket(number, viewer: session.address) }) else { throw PageFailure.notFound }
        return v
    }

    func ticketPage(_ ctx: inout RequestContext, _ session: PortalSession, _ number: Int64) throws -> HTTPResponse {
        renderTicket(&ctx, try visibleTicket(session, number))
    }

    func ticketPrintPage(_ ctx: inout RequestContext, _ session: PortalSession, _ number: Int64) throws -> HTTPResponse {
        renderPrint(&ctx, try visibleTicket(session, number))
    }

    // MARK: - Forms

    func customer(_ s: PortalSession) -> PortalDesk.Customer { PortalDesk.Customer(id: s.customerID, address: s.address, name: s.name) }

    /// The files of a form's `files` field (an empty file input sends a part without a name: not a file).
    func uploads(_ ctx: RequestContext) -> [PortalDesk.Upload] {
        ctx.request.files.filter { $0.field == "files" && !$0.filename.isEmpty }.map {
            PortalDesk.Upload(filename: $0.filename, contentType: $0.contentType, path: $0.path)
        }
    }

    /// A Cc field: addresses separated by commas, semicolons or spaces. The addresses, or the problem.
    func ccAddresses(_ field: String, _ ctx: RequestContext) -> (addresses: [String], problem: String?) {
        guard field.utf8.count <= NewTicketLimits.ccField else { return ([], ctx.text("form.ccTooLong")) }
        var out: [String] = []
        var bad = false
        for piece in field.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }) {
            var a = Substring(piece)
            if a.first == "<", a.last == ">" { a = a.dropFirst().dropLast() }
            let address = String(a).lowercased()
            if PortalForms.isAddress(address) {
                if !out.contains(address) { out.append(address) }
            } else { bad = true }
        }
        if bad { return (out, ctx.text("form.ccInvalid")) }
        if out.count > config.limits.participantsPerTicket {
            return (out, ctx.text("form.ccTooMany", ["count": String(config.limits.participantsPerTicket)]))
        }
        return (out, nil)
    }

    func newTicketForm(_ ctx: inout RequestContext, _ session: PortalSession) -> HTTPResponse {
        renderNewTicket(&ctx, NewTicketForm())
    }

    func newTicketPost(_ ctx: inout RequestContext, _ session: PortalSession) throws -> HTTPResponse {
        let r = ctx.request
        let t = ctx.text
        var f = NewTicketForm()
        f.subject = PortalForms.line(r.field("subject") ?? "")
        f.text = PortalForms.text(r.field("text") ?? "")
        f.priority = r.field("priority").flatMap(TicketPriority.init(rawValue:)) ?? .normal
        let type = r.field("type") ?? ""
        f.type = config.portal.ticketTypes.contains(type) ? type : ""
        f.cc = r.field("cc") ?? ""
        f.reference = PortalForms.line(r.field("reference") ?? "")
        if f.subject.isEmpty { f.problems.append(t("new.subjectMissing")) }
        if f.subject.count > NewTicketLimits.subject { f.problems.append(t("new.subjectTooLong", ["count": String(NewTicketLimits.subject)])) }
        if f.text.count > NewTicketLimits.text { f.problems.append(t("form.textTooLong", ["count": String(NewTicketLimits.text)])) }
        if f.reference.count > NewTicketLimits.reference {
            f.problems.append(t("new.referenceTooLong", ["count": String(NewTicketLimits.reference)]))
        }
        if !type.isEmpty, f.type.isEmpty { f.problems.append(t("new.typeUnknown")) }
        let cc = ccAddresses(f.cc, ctx)
        if let p = cc.problem { f.problems.append(p) }
        guard f.problems.isEmpty else {
            f.subject = String(f.subject.prefix(NewTicketLimits.subject * 2))
            return renderNewTicket(&ctx, f, status: 422)
        }
        var ticket = PortalDesk.NewTicket(subject: f.subject, text: f.text)
        ticket.priority = f.priority
        ticket.type = f.type.isEmpty ? nil : f.type
        ticket.reference = f.reference.isEmpty ? nil : f.reference
        ticket.cc = cc.addresses
        ticket.files = uploads(ctx)
        let outcome = try desk.withLock { try $0.newTicket(customer(session), ticket) }
        switch outcome {
        case .newTicket(let n), .added(let n): return .redirect("/tickets/\(n)?done=created")
        case .followUp(let n, _): return .redirect("/tickets/\(n)?done=created")
        case .held: return .redirect("/tickets?done=held")
        case .notFound: throw PageFailure.notFound
        case .refused(let why):
            log(.notice, "portal: new ticket by \(session.address) refused: \(why)")
            f.problems.append(t("form.refused"))
            return renderNewTicket(&ctx, f, status: 422)
        }
    }

    func ticketReplyPost(_ ctx: inout RequestContext, _ session: PortalSession, _ number: Int64) throws -> HTTPResponse {
        let view = try visibleTicket(session, number)
        let t = ctx.text
        var forms = TicketForms()
        forms.replyText = PortalForms.text(ctx.request.field("text") ?? "")
        forms.replyCc = ctx.request.field("cc") ?? ""
        let files = uploads(ctx)
        if forms.replyText.allSatisfy(\.isWhitespace), files.isEmpty { forms.problems.append(t("reply.empty")) }
        if forms.replyText.count > NewTicketLimits.text { forms.problems.append(t("form.textTooLong", ["count": String(NewTicketLimits.text)])) }
        let cc = ccAddresses(forms.replyCc, ctx)
        if let p = cc.problem { forms.problems.append(p) }
        guard forms.problems.isEmpty else { return renderTicket(&ctx, view, forms: forms, status: 422) }
        let outcome = try desk.withLock { try $0.reply(customer(session), ticket: number, text: forms.replyText, cc: cc.addresses, files: files) }
        switch outcome {
        case .added(let n): return .redirect("/tickets/\(n)?done=\(view.row.status == .resolved ? "reopened" : "replied")")
        case .followUp(let n, _), .newTicket(let n): return .redirect("/tickets/\(n)?done=followup")
        case .held: return .redirect("/tickets/\(number)?done=held")
        case .notFound: throw PageFailure.notFound
        case .refused(let why):
            log(.notice, "portal: reply by \(session.address) on #\(number) refused: \(why)")
            forms.problems.append(t("form.refused"))
            return renderTicket(&ctx, view, forms: forms, status: 422)
        }
    }

    func ticketPeoplePost(_ ctx: inout RequestContext, _ session: PortalSession, _ number: Int64) throws -> HTTPResponse {
        let view = try visibleTicket(session, number)
        let t = ctx.text
        var forms = TicketForms()
        forms.peopleCc = ctx.request.field("cc") ?? ""
        let cc = ccAddresses(forms.peopleCc, ctx)
        if let p = cc.problem { forms.problems.append(p) } else if cc.addresses.isEmpty { forms.problems.append(t("people.none")) }
        guard forms.problems.isEmpty else { return renderTicket(&ctx, view, forms: forms, status: 422) }
        let outcome = try desk.withLock { try $0.addPeople(customer(session), ticket: number, addresses: cc.addresses) }
        switch outcome {
        case .added(let n): return .redirect("/tickets/\(n)?done=people")
        case .followUp(let n, _), .newTicket(let n): return .redirect("/tickets/\(n)?done=followup")
        case .held: return .redirect("/tickets/\(number)?done=held")
        case .notFound: throw PageFailure.notFound
        case .refused(let why):
            log(.notice, "portal: people added by \(session.address) on #\(number) refused: \(why)")
            forms.problems.append(t("form.refused"))
            return renderTicket(&ctx, view, forms: forms, status: 422)
        }
    }

    func ticketClosePost(_ ctx: inout RequestContext, _ session: PortalSession, _ number: Int64) throws -> HTTPResponse {
        _ = try visibleTicket(session, number)
        switch try desk.withLock({ try $0.close(customer(session), ticket: number) }) {
        case .closed: return .redirect("/tickets/\(number)?done=closed")
        case .notFound: throw PageFailure.notFound
        case .notClosable:
            var forms = TicketForms()
            forms.problems.append(ctx.text("close.notClosable"))
            return renderTicket(&ctx, try visibleTicket(session, number), forms: forms, status: 409)
        }
    }

    // MARK: - Errors

    /// The clear page for a failure: its status, a sentence in the page's language, a way on; never the URL or
    /// anything else the request carried.
    func errorPage(_ ctx: inout RequestContext, _ failure: PageFailure) -> HTTPResponse {
        if case .signInRequired = failure {
            return signInRedirect(ctx)  // Sessions.swift: /sign-in?next=<the page asked>
        }
        let t = ctx.text
        let key = "error.\(failure.status)"
        var b = "<h1>\(e(t(key + ".title")))</h1>\n<p>\(e(t(key + ".text")))</p>\n"
        b += "<p><a href=\"/\">\(e(t("error.home")))</a></p>\n"
        var r = page(&ctx, title: t(key + ".title"), body: b, status: failure.status)
        switch failure {
        case .methodNotAllowed(let allowed): r.set("Allow", (allowed.contains("GET") ? allowed + ["HEAD"] : allowed).joined(separator: ", "))
        case .tooManyRequests(let seconds): r.set("Retry-After", String(max(1, seconds)))
        case .unavailable: r.set("Retry-After", "5")
        default: break
        }
        return r
    }
}

/// Form values made safe to keep: no control characters (but line breaks and tabs in text).
enum PortalForms {
    /// One line (a subject, a reference): control characters and line breaks gone, spaces trimmed.
    static func line(_ s: String) -> String {
        let kept = String(String.UnicodeScalarView(s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
        return kept.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    /// A text: CRLF as LF, other control characters (but tabs) gone.
    static func text(_ s: String) -> String {
        let lf = s.replacing("\r\n", with: "\n")
        return String(String.UnicodeScalarView(lf.unicodeScalars.filter { $0.value >= 0x20 || $0 == "\n" || $0 == "\t" }.filter { $0.value != 0x7F }))
    }

    /// A plain mail address (`local@domain.tld`): what a customer types into a Cc field.
    static func isAddress(_ a: String) -> Bool {
        let parts = a.split(separator: "@", omittingEmptySubsequences: false)
        guard a.utf8.count <= 254, parts.count == 2 else { return false }
        let local = parts[0], domain = parts[1]
        guard !local.isEmpty, local.utf8.count <= 64, !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else { return false }
        let specials = Set("()<>[]:;@\\,\"")
        guard local.allSatisfy({ !$0.isWhitespace && !specials.contains($0) && !($0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false) })
        else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { l in
            !l.isEmpty && l.count <= 63 && !l.hasPrefix("-") && !l.hasSuffix("-")
                && l.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
        }
    }
}
