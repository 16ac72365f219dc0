import PostdeskHTTP

// The pages: home, the ticket list, one ticket, print, reply, close, people, new ticket, attachments, the
// stylesheet, the error pages: owned by the ticket pages work (issue 16).
extension Portal {
    func home(_ ctx: inout RequestContext) throws -> HTTPResponse { throw PageFailure.notFound }
    func stylesheet(_ ctx: inout RequestContext) throws -> HTTPResponse { throw PageFailure.notFound }
    func ticketList(_ ctx: inout RequestContext) throws -> HTTPResponse { throw PageFailure.notFound }
    func newTicket(_ ctx: inout RequestContext) throws -> HTTPResponse { throw PageFailure.notFound }
    func knowledgeBase(_ ctx: inout RequestContext) throws -> HTTPResponse { throw PageFailure.notFound }
    func ticketPage(_ ctx: inout RequestContext, _ number: Int64) throws -> HTTPResponse { throw PageFailure.notFound }
    func ticketPrint(_ ctx: inout RequestContext, _ number: Int64) throws -> HTTPResponse { throw PageFailure.notFound }
    func ticketReply(_ ctx: inout RequestContext, _ number: Int64) throws -> HTTPResponse { throw PageFailure.notFound }
    func ticketClose(_ ctx: inout RequestContext, _ number: Int64) throws -> HTTPResponse { throw PageFailure.notFound }
    func ticketPeople(_ ctx: inout RequestContext, _ number: Int64) throws -> HTTPResponse { throw PageFailure.notFound }
    func attachment(_ ctx: inout RequestContext, _ number: Int64, _ id: Int64) throws -> HTTPResponse { throw PageFailure.notFound }

    /// The clear page for a failure: its status, a sentence in the page's language, a way on; never the URL.
    func errorPage(_ ctx: inout RequestContext, _ failure: PageFailure) -> HTTPResponse {
        if case .signInRequired = failure {
            return signInRedirect(ctx)  // Sessions.swift: /sign-in?next=<the page asked>
        }
        return .html(failure.status, "<!doctype html><title>\(failure.status)</title><p>\(failure.status)</p>")
    }
}

extension PortalText {
    static let common: [String: [String: String]] = [:]
    static let tickets: [String: [String: String]] = [:]
    static let errors: [String: [String: String]] = [:]
}
