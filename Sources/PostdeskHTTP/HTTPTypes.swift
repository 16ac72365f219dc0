/// One HTTP request as the portal sees it: the whole request, body read (form fields decoded, uploaded files
/// streamed to temporary files), before any application code runs.
public struct HTTPRequest: Sendable {
    /// `GET`, `HEAD`, `POST`, ... as sent (upper case).
    public var method: String
    /// The path, percent-decoded, without the query: `/tickets/12`.
    public var path: String
    /// The query parameters, percent-decoded, in order.
    public var query: [(name: String, value: String)]
    /// Header fields; names lower-cased.
    public var headers: [(name: String, value: String)]
    /// Cookies from the `Cookie` field (the first of each name).
    public var cookies: [String: String]
    /// The peer's address (`127.0.0.1`, `::1`; `unix` for a Unix socket).
    public var peer: String
    /// The client's address: the last `X-Forwarded-For` hop not in `trusted_proxies` when the peer is a trusted
    /// proxy, else the peer.
    public var client: String
    /// Form fields of a POST (`application/x-www-form-urlencoded` or `multipart/form-data`), in order.
    public var form: [(name: String, value: String)]
    /// Files of a `multipart/form-data` POST, on disk until the response is sent.
    public var files: [UploadedFile]

    public init(method: String, path: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)] = [],
                cookies: [String: String] = [:], peer: String = "127.0.0.1", client: String? = nil,
                form: [(name: String, value: String)] = [], files: [UploadedFile] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.cookies = cookies
        self.peer = peer
        self.client = client ?? peer
        self.form = form
        self.files = files
    }

    public func header(_ name: String) -> String? {
        let n = name.lowercased()
        return headers.first { $0.name == n }?.value
    }

    public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }
    public func field(_ name: String) -> String? { form.first { $0.name == name }?.value }
    public func fields(_ name: String) -> [String] { form.filter { $0.name == name }.map(\.value) }
}

/// A file uploaded in a `multipart/form-data` request, streamed to a temporary file the server deletes after
/// the response (move or link it to keep it).
public struct UploadedFile: Sendable, Hashable {
    /// The form field's name.
    public var field: String
    /// The file name as the client sent it (untrusted: make it safe before showing or storing it).
    public var filename: String
    /// The content type as the client sent it (untrusted).
    public var contentType: String
    public var path: String
    public var size: Int

    public init(field: String, filename: String, contentType: String, path: String, size: Int) {
        self.field = field
        self.filename = filename
        self.contentType = contentType
        self.path = path
        self.size = size
    }
}

public struct HTTPResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// A file sent as it is on disk (attachments): opened when the response is made.
        case file(path: String)
    }

    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Body

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Sets a header field, replacing one of the same name.
    public mutating func set(_ name: String, _ value: String) {
        headers.removeAll { $0.name.lowercased() == name.lowercased() }
        headers.append((name, value))
    }

    public func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }

    public static func html(_ status: Int = 200, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: .bytes(Array(text.utf8)))
    }

    public static func text(_ status: Int = 200, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: .bytes(Array(text.utf8)))
    }

    /// 303 See Other to `location` (Post/Redirect/Get).
    public static func redirect(_ location: String) -> HTTPResponse {
        HTTPResponse(status: 303, headers: [("Location", location)])
    }
}

/// Why the server answered a request without asking the application, for the application's error page.
public enum HTTPRequestFailure: Sendable, Hashable {
    /// The body is larger than `maxBodyBytes` (413).
    case bodyTooLarge(limit: Int)
    /// A form field (not a file) is larger than `maxFieldBytes`, or there are too many fields or files (413).
    case formTooLarge(String)
    /// The body could not be read as the form it claims to be (400).
    case malformed(String)
    /// Uploaded files could not be written (disk full, ...) (503).
    case storage(String)

    public var status: Int {
        switch self {
        case .bodyTooLarge, .formTooLarge: return 413
        case .malformed: return 400
        case .storage: return 503
        }
    }
}

/// The application behind an `HTTPServer`. Both calls run on the server's worker threads, several at once.
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPRequest) -> HTTPResponse
    /// The answer to a request the server refused (the request carries what was read: method, path, headers).
    func refuse(_ request: HTTPRequest, _ failure: HTTPRequestFailure) -> HTTPResponse
}

public struct HTTPServerOptions: Sendable {
    public enum Listen: Sendable, Hashable {
        case tcp(host: String, port: Int)
        case unix(path: String)
        /// A socket already bound and listening (systemd socket activation: fd 3).
        case socket(fd: Int32)
    }

    public var listen: Listen
    /// Worker threads (libmicrohttpd's thread pool; epoll).
    public var threads = 4
    public var connectionLimit = 256
    /// Connections per client address (0: none). Behind a proxy every peer is the proxy, so keep it 0 there.
    public var perAddressLimit = 0
    /// An idle connection is closed after this many seconds (slowloris).
    public var connectionTimeoutSeconds = 30
    /// A connection must deliver a complete request header within this many seconds of connecting (or of the
    /// previous response), however slowly it trickles bytes in; else it is closed (0: no such deadline).
    public var headerTimeoutSeconds = 20
    /// Memory per connection for the request line and header (libmicrohttpd's pool).
    public var connectionMemoryBytes = 64 << 10
    /// The largest request body; larger ones get `refuse(.bodyTooLarge)`.
    public var maxBodyBytes = 25 << 20
    /// The largest form field that is not a file, and the most fields and files in one form.
    public var maxFieldBytes = 1 << 20
    public var maxFields = 200
    public var maxFiles = 20
    /// Where uploaded files are streamed (created mode 0700 if missing).
    public var uploadDirectory: String
    /// Peers whose `X-Forwarded-For` is believed (addresses or CIDR networks).
    public var trustedProxies: [String] = []

    public init(listen: Listen, uploadDirectory: String) {
        self.listen = listen
        self.uploadDirectory = uploadDirectory
    }
}

public struct HTTPServerError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
