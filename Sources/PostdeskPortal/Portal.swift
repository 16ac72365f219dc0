import PostdeskCore
import PostdeskDaemon
import PostdeskHTTP
import PostdeskStore
import Synchronization

/// The customer portal: one `HTTPHandler` that turns a request into a page, in named steps:
///
/// 1. **Context** (`RequestContext`): the session from the cookie (`Portal+Sessions`), the language (the
///    account's, else `Accept-Language`, else the helpdesk's), the words.
/// 2. **Route** (`route`): the URL contract (`/`, `/sign-in`, `/tickets/N`, ...) to one page function; an unknown
///    path is the 404 page, a wrong method 405.
/// 3. **Page**: sign-in and profile (`Portal+SignIn`, `Portal+Profile`), tickets (`Portal+Tickets`). A page that
///    changes something is a POST with the session's CSRF token (`requireForm`), answered by a redirect.
/// 4. **Headers** (`secured`): CSP without inline script, nosniff, Referrer-Policy, frame-ancestors, no-store on
///    private pages, and the cookies the page set.
///
/// Who may see or change a ticket is never decided here: `Store.portalTicket` and `PortalDesk` ask
/// `TicketAccess`, as the mail side does.
public final class Portal: HTTPHandler, @unchecked Sendable {
    /// What a reload (SIGHUP) replaces.
    struct State {
        var config: Configuration
    }
    private let state: Mutex<State>
    public var config: Configuration { state.withLock { $0.config } }

    /// Read connections, one per worker thread at most (SQLite connections are not shared between threads).
    let readers: StorePool
    /// The one writer: the desk's ingestor owns its connection; calls are serialized.
    let desk: Mutex<PortalDesk>
    public let clock: any Clock
    public var log: @Sendable (LogLevel, String) -> Void

    public init(config: Configuration, desk: PortalDesk, readers: StorePool, clock: any Clock = SystemClock(),
                log: @escaping @Sendable (LogLevel, String) -> Void = { _, _ in }) {
        self.state = Mutex(State(config: config))
        self.desk = Mutex(desk)
        self.readers = readers
        self.clock = clock
        self.log = log
    }

    /// Takes a new configuration (SIGHUP): the next request sees it.
    public func reload(_ config: Configuration) {
        state.withLock { $0.config = config }
    }

    // MARK: - HTTPHandler

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        var ctx = RequestContext(request: request, portal: self)
        let response: HTTPResponse
        do {
            resolveSession(&ctx)
            response = try route(&ctx)
        } catch let failure as PageFailure {
            response = errorPage(&ctx, failure)
        } catch {
            log(.error, "portal: \(request.method) \(request.path): \(error)")
            response = errorPage(&ctx, .unavailable)
        }
        return secured(response, ctx)
    }

    public func refuse(_ request: HTTPRequest, _ failure: HTTPRequestFailure) -> HTTPResponse {
        var ctx = RequestContext(request: request, portal: self)
        let page: PageFailure
        switch failure {
        case .bodyTooLarge, .formTooLarge: page = .tooLarge
        case .malformed: page = .badRequest
        case .storage: page = .unavailable
        }
        return secured(errorPage(&ctx, page), ctx)
    }

    // MARK: - Routing (the URL contract: README "Customer portal", INTERFACE.md)

    func route(_ ctx: inout RequestContext) throws -> HTTPResponse {
        let r = ctx.request
        let method = r.method == "HEAD" ? "GET" : r.method
        let parts = r.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        func only(_ allowed: [String], _ page: (inout RequestContext) throws -> HTTPResponse) throws -> HTTPResponse {
            guard allowed.contains(method) else { throw PageFailure.methodNotAllowed(allowed) }
            return try page(&ctx)
        }
        switch parts {
        case ["healthz"]: return try only(["GET"]) { _ in .text(200, "ok\n") }
        case [""]: return try only(["GET"]) { try home(&$0) }
        case ["static", "portal.css"]: return try only(["GET"]) { try stylesheet(&$0) }
        case ["sign-in"]: return try only(["GET", "POST"]) { try signIn(&$0) }
        case ["sign-in", "link"]: return try only(["GET", "POST"]) { try signInLink(&$0) }
        case ["sign-in", "code"]: return try only(["GET", "POST"]) { try signInCode(&$0) }
        case ["sign-in", "forgot"]: return try only(["GET", "POST"]) { try forgotPassword(&$0) }
        case ["sign-in", "reset"]: return try only(["GET", "POST"]) { try resetPassword(&$0) }
        case ["sign-out"]: return try only(["GET", "POST"]) { try signOut(&$0) }
        case ["profile"]: return try only(["GET", "POST"]) { try profile(&$0) }
        case ["tickets"]: return try only(["GET"]) { try ticketList(&$0) }
        case ["tickets", "new"]: return try only(["GET", "POST"]) { try newTicket(&$0) }
        case ["kb"]: return try only(["GET"]) { try knowledgeBase(&$0) }
        default: break
        }
        if parts.count >= 2, parts[0] == "tickets", let n = Self.ticketNumber(parts[1]) {
            switch Array(parts.dropFirst(2)) {
            case []: return try only(["GET"]) { try ticketPage(&$0, n) }
            case ["print"]: return try only(["GET"]) { try ticketPrint(&$0, n) }
            case ["reply"]: return try only(["POST"]) { try ticketReply(&$0, n) }
            case ["close"]: return try only(["POST"]) { try ticketClose(&$0, n) }
            case ["people"]: return try only(["POST"]) { try ticketPeople(&$0, n) }
            case let rest where rest.count == 2 && rest[0] == "attachments":
                guard let id = Int64(rest[1]), id > 0, rest[1].allSatisfy(\.isASCIIDigit) else { throw PageFailure.notFound }
                return try only(["GET"]) { try attachment(&$0, n, id) }
            default: break
            }
        }
        throw PageFailure.notFound
    }

    /// A ticket number in a path: digits only, no sign, no leading zero, within Int64.
    static func ticketNumber(_ s: String) -> Int64? {
        guard !s.isEmpty, s.count <= 18, s.allSatisfy(\.isASCIIDigit), s.first != "0" else { return nil }
        return Int64(s)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// Why a page could not be shown: each has its own clear page (`errorPage`), never echoing the URL.
public enum PageFailure: Error, Sendable, Hashable {
    /// 404: no such page, or a ticket or attachment that is not the customer's (never 403: it would tell that
    /// the ticket exists).
    case notFound
    case methodNotAllowed([String])
    /// 400: a form without its fields.
    case badRequest
    /// 403: a form without the session's CSRF token (or with another one).
    case forbidden
    /// 413
    case tooLarge
    /// 429, with the seconds to wait.
    case tooManyRequests(retryAfter: Int)
    /// 503: the database is busy or the disk full.
    case unavailable
    /// Not signed in: to `/sign-in?next=` the page asked for.
    case signInRequired

    public var status: Int {
        switch self {
        case .notFound: return 404
        case .methodNotAllowed: return 405
        case .badRequest: return 400
        case .forbidden: return 403
        case .tooLarge: return 413
        case .tooManyRequests: return 429
        case .unavailable: return 503
        case .signInRequired: return 303
        }
    }
}
