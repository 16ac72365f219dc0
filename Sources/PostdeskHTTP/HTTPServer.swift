#if canImport(Glibc)
import Glibc
#endif
internal import CMicroHTTPD
internal import CMicroHTTPDShim
import Synchronization
import PostdeskSystem

/// An HTTP/1.1 server over GNU libmicrohttpd: a thread pool calls the handler once per complete request.
///
/// libmicrohttpd parses the request line, the header and the body framing (Content-Length, chunked); this type
/// reads the rest: path and query (from the raw URI, so a `%00` cannot hide), cookies, the client address,
/// urlencoded and multipart forms (files streamed to `uploadDirectory`), and enforces the body and form limits.
public final class HTTPServer: @unchecked Sendable {
    public let options: HTTPServerOptions
    public let handler: any HTTPHandler
    private let core: ServerCore
    private let daemon: OpaquePointer
    private let listener: Listener
    private let stopped = Mutex(false)

    /// Binds and starts serving. Throws when the address cannot be bound.
    public init(options: HTTPServerOptions, handler: any HTTPHandler) throws(HTTPServerError) {
        self.options = options
        self.handler = handler
        signal(SIGPIPE, SIG_IGN)
        do {
            try FileSystem.makeDirectories(options.uploadDirectory, mode: 0o700)
        } catch {
            throw HTTPServerError("cannot create the upload directory: \(error)")
        }
        Self.removeStaleUploads(options.uploadDirectory, olderThanSeconds: 3600)
        let listener = try Listener.open(options.listen)
        self.listener = listener
        let core = ServerCore(options: options, handler: handler)
        self.core = core

        var items: [MHD_OptionItem] = [
            // libmicrohttpd splits the limit evenly among the pool threads, and each needs at least one.
            cmhd_option(.CONNECTION_LIMIT, max(max(1, options.threads), options.connectionLimit)),
            cmhd_option(.PER_IP_CONNECTION_LIMIT, listener.isUnix ? 0 : max(0, options.perAddressLimit)),
            cmhd_option(.CONNECTION_TIMEOUT, max(0, options.connectionTimeoutSeconds)),
            cmhd_option(.CONNECTION_MEMORY_LIMIT, max(8 << 10, options.connectionMemoryBytes)),
            cmhd_option(.LISTEN_SOCKET, Int(listener.fd)),
            cmhd_option(.STRICT_FOR_CLIENT, 1),
        ]
        if options.threads > 1 { items.append(cmhd_option(.THREAD_POOL_SIZE, options.threads)) }
        items.append(cmhd_option(.END, 0))

        let context = Unmanaged.passUnretained(core).toOpaque()
        let started = items.withUnsafeBufferPointer { buffer in
            cmhd_start(cmhd_server_flags(1), 0, accessCallback, context, completedCallback, context, uriCallback, context,
                       connectionCallback, context, buffer.baseAddress)
        }
        guard let started else {
            if case .unix(let path) = options.listen { listener.removeSocketFile(path) }
            close(listener.fd)
            throw HTTPServerError("libmicrohttpd could not start on \(options.listen)")
        }
        daemon = started
        if options.headerTimeoutSeconds > 0 { core.deadlines.startWatching(every: 0.25) }
    }

    deinit { stop(drainSeconds: 0) }

    /// Upload files a crashed server left behind (an hour old, so that a server still draining keeps its own).
    static func removeStaleUploads(_ folder: String, olderThanSeconds: Int64) {
        let now = Int64(time(nil))
        for name in (try? FileSystem.list(folder)) ?? [] where name.hasPrefix("upload-") {
            let path = FileSystem.join(folder, name)
            if let changed = FileSystem.modificationTime(of: path), now - changed > olderThanSeconds { unlink(path) }
        }
    }

    /// The TCP port bound (useful with port 0), or nil for a Unix socket.
    public var port: Int? { listener.port }

    /// Requests read or being answered right now (from the request line to the end of the response).
    public var requestsInProgress: Int { core.inFlight.load(ordering: .acquiring) }

    /// Stops accepting connections and waits up to `drainSeconds` for the requests in progress, then stops.
    /// Idle keep-alive connections are closed. Calling it again does nothing.
    public func stop(drainSeconds: Double = 10) {
        let first = stopped.withLock { done in
            if done { return false }
            done = true
            return true
        }
        guard first else { return }
        // Quiescing hands the listening socket back: closing it makes new connections fail at once.
        let fd = MHD_quiesce_daemon(daemon)
        if fd >= 0 { close(fd) }
        if case .unix(let path) = options.listen { listener.removeSocketFile(path) }
        let deadline = Monotonic.now + max(0, drainSeconds)
        while core.inFlight.load(ordering: .acquiring) > 0, Monotonic.now < deadline { usleep(10_000) }
        core.deadlines.stopWatching()
        MHD_stop_daemon(daemon)
    }
}

// MARK: - The callbacks (non-capturing C functions; the context comes through `void *`)

/// A request line arrived: its per-request state is made here (the raw URI is only seen here) and lives in
/// `*con_cls` until the completion callback releases it.
private let uriCallback: cmhd_uri_callback = { cls, uri, _ in
    guard let cls else { return nil }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    core.inFlight.add(1, ordering: .acquiringAndReleasing)
    let state = RequestState(rawURI: uri.map { String(cString: $0) } ?? "/")
    return Unmanaged.passRetained(state).toOpaque()
}

private let accessCallback: MHD_AccessHandlerCallback = { cls, connection, _, method, _, uploadData, uploadSize, conCls in
    guard let cls, let connection, let conCls, let raw = conCls.pointee else { return .NO }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    let state = Unmanaged<RequestState>.fromOpaque(raw).takeUnretainedValue()
    return core.access(state, connection, method: method.map { String(cString: $0) } ?? "GET", data: uploadData, size: uploadSize)
}

private let completedCallback: MHD_RequestCompletedCallback = { cls, connection, conCls, _ in
    guard let cls else { return }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    // The connection waits for its next request header.
    if let connection { core.deadlines.expectHeader(connection) }
    guard let conCls, let raw = conCls.pointee else { return }
    conCls.pointee = nil
    let state = Unmanaged<RequestState>.fromOpaque(raw).takeRetainedValue()
    state.cleanUp()
    core.inFlight.subtract(1, ordering: .acquiringAndReleasing)
}

/// Connections come and go: the header deadline is watched from the start to the end of each.
private let connectionCallback: MHD_NotifyConnectionCallback = { cls, connection, _, code in
    guard let cls, let connection else { return }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    if code == .CONNECTION_NOTIFY_STARTED {
        core.deadlines.opened(connection, fd: cmhd_connection_fd(connection))
    } else {
        core.deadlines.closed(connection)
    }
}

private let headerCallback: MHD_KeyValueIterator = { cls, _, key, value in
    guard let cls, let key else { return .YES }
    let state = Unmanaged<RequestState>.fromOpaque(cls).takeUnretainedValue()
    state.request.headers.append((String(cString: key).lowercased(), value.map { String(cString: $0) } ?? ""))
    return .YES
}

private let formCallback: MHD_PostDataIterator = { cls, _, key, filename, contentType, _, data, offset, size in
    guard let cls else { return .NO }
    let state = Unmanaged<RequestState>.fromOpaque(cls).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    let ok = state.form.part(key: key.map { String(cString: $0) } ?? "", filename: filename.map { String(cString: $0) },
                             contentType: contentType.map { String(cString: $0) }, data: bytes, offset: offset)
    return ok ? .YES : .NO
}

// MARK: - The server's shared state

/// What every worker thread shares: the options, the handler, the client-address rule and a request count.
final class ServerCore: Sendable {
    let options: HTTPServerOptions
    let handler: any HTTPHandler
    let clientAddress: ClientAddress
    let inFlight = Atomic<Int>(0)
    let deadlines: HeaderDeadlines

    init(options: HTTPServerOptions, handler: any HTTPHandler) {
        self.options = options
        self.handler = handler
        self.clientAddress = ClientAddress(trustedProxies: options.trustedProxies)
        self.deadlines = HeaderDeadlines(seconds: Double(options.headerTimeoutSeconds))
    }

    /// One call of libmicrohttpd's access handler: the first (header read), the body chunks, the last.
    func access(_ state: RequestState, _ connection: OpaquePointer, method: String, data: UnsafePointer<CChar>?,
                size: UnsafeMutablePointer<Int>?) -> MHD_Result {
        if !state.started {
            state.started = true
            deadlines.headerComplete(connection)
            state.begin(connection, method: method, core: self)
            if state.failure == nil, let length = state.request.header("content-length").flatMap({ Int($0) }),
               length > options.maxBodyBytes {
                state.failure = .bodyTooLarge(limit: options.maxBodyBytes)
            }
            // Refused before the body: answered at once, and libmicrohttpd closes the connection after the
            // response rather than reading a body nobody wants (and sends no 100 Continue).
            if let failure = state.failure {
                return respond(connection, state, handler.refuse(state.request, failure))
            }
            if method == "POST" { state.startForm(connection, options: options) }
            return .YES
        }
        if let size, size.pointee > 0 {
            let count = size.pointee
            state.bodyBytes += count
            if state.bodyBytes > options.maxBodyBytes {
                // A chunked body past the cap: libmicrohttpd 0.9.75 cannot queue a response in the middle of a
                // body, so the 413 is written to the socket here and the connection is closed (.NO).
                let response = handler.refuse(state.request, .bodyTooLarge(limit: options.maxBodyBytes))
                writeDirectly(cmhd_connection_fd(connection), response, head: method == "HEAD")
                state.cleanUp()
                return .NO
            }
            if state.failure == nil, let data {
                state.feed(UnsafeRawBufferPointer(start: data, count: count))
            }
            size.pointee = 0
            return .YES
        }
        state.finish()
        let response = state.failure.map { handler.refuse(state.request, $0) } ?? handler.handle(state.request)
        return respond(connection, state, response)
    }

    private func respond(_ connection: OpaquePointer, _ state: RequestState, _ response: HTTPResponse) -> MHD_Result {
        var status = response.status
        var made: OpaquePointer?
        switch response.body {
        case .bytes(let bytes):
            made = bytes.withUnsafeBytes { raw in
                MHD_create_response_from_buffer(raw.count, UnsafeMutableRawPointer(mutating: raw.baseAddress), .RESPMEM_MUST_COPY)
            }
        case .file(let path):
            made = Self.fileResponse(path)
            if made == nil {
                status = 500
                let text = Array("The file could not be read.\n".utf8)
                made = text.withUnsafeBytes { raw in
                    MHD_create_response_from_buffer(raw.count, UnsafeMutableRawPointer(mutating: raw.baseAddress), .RESPMEM_MUST_COPY)
                }
                if let made { _ = MHD_add_response_header(made, "Content-Type", "text/plain; charset=utf-8") }
            }
        }
        guard let made else { return .NO }
        defer { MHD_destroy_response(made) }
        if status == response.status {
            for (name, value) in response.headers where name.lowercased() != "content-length" {
                // libmicrohttpd refuses names and values with CR, LF (header injection): such a field is dropped.
                _ = MHD_add_response_header(made, name, value)
            }
        }
        return MHD_queue_response(connection, UInt32(clamping: status), made)
    }

    /// A response reading the file at `path` (libmicrohttpd closes the descriptor), or nil when it is not a
    /// readable regular file.
    private static func fileResponse(_ path: String) -> OpaquePointer? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
              let response = MHD_create_response_from_fd(Int(info.st_size), fd) else {
            close(fd)
            return nil
        }
        return response
    }

    /// Writes a whole response on a non-blocking socket (waiting at most a second), then `Connection: close`.
    private func writeDirectly(_ fd: Int32, _ response: HTTPResponse, head: Bool) {
        guard fd >= 0 else { return }
        var body: [UInt8] = []
        if case .bytes(let bytes) = response.body { body = bytes }
        var text = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
        for (name, value) in response.headers {
            let lower = name.lowercased()
            if lower == "content-length" || lower == "connection" || lower == "transfer-encoding" { continue }
            if name.utf8.contains(where: { $0 == 13 || $0 == 10 }) || value.utf8.contains(where: { $0 == 13 || $0 == 10 }) { continue }
            text += "\(name): \(value)\r\n"
        }
        text += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        var bytes = Array(text.utf8)
        if !head { bytes += body }
        var sent = 0
        let deadline = Monotonic.now + 1
        while sent < bytes.count, Monotonic.now < deadline {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 { sent += n; continue }
            if n < 0, errno == EINTR { continue }
            if n < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&p, 1, 100)
                continue
            }
            break
        }
        shutdown(fd, Int32(SHUT_WR))
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 413: return "Content Too Large"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}

/// The monotonic clock in seconds.
enum Monotonic {
    static var now: Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

// MARK: - One request

/// What is known of one request while it is read. Used by one worker thread at a time (libmicrohttpd binds a
/// connection to one thread), reached through `*con_cls`.
final class RequestState {
    let rawURI: String
    var started = false
    var request = HTTPRequest(method: "GET", path: "/")
    var failure: HTTPRequestFailure?
    var bodyBytes = 0
    var form = FormReader(maxFieldBytes: 0, maxFields: 0, maxFiles: 0, uploadDirectory: "")
    private var processor: OpaquePointer?
    /// The multipart boundary when the body is multipart/form-data, and the body's last bytes, where the closing
    /// delimiter must be (libmicrohttpd accepts a body with no parts at all).
    private var boundary: [UInt8]?
    private var tail: [UInt8] = []

    init(rawURI: String) { self.rawURI = rawURI }

    /// Reads the method, header fields, cookies, addresses, path and query.
    func begin(_ connection: OpaquePointer, method: String, core: ServerCore) {
        request.method = method
        _ = MHD_get_connection_values(connection, .HEADER_KIND, headerCallback, Unmanaged.passUnretained(self).toOpaque())
        request.cookies = RequestParsing.cookies(request.headers.filter { $0.name == "cookie" }.map(\.value))
        request.peer = RequestParsing.peer(cmhd_connection_peer(connection))
        request.client = core.clientAddress.client(
            peer: request.peer, forwardedFor: request.headers.filter { $0.name == "x-forwarded-for" }.map(\.value))
        if let target = RequestParsing.target(rawURI) {
            request.path = target.path
            request.query = target.query
        } else {
            failure = .malformed("the path is not UTF-8 text without NUL")
        }
    }

    /// Sets up the form reader for a POST body of a form type; other bodies are only counted.
    func startForm(_ connection: OpaquePointer, options: HTTPServerOptions) {
        form = FormReader(maxFieldBytes: options.maxFieldBytes, maxFields: options.maxFields, maxFiles: options.maxFiles,
                          uploadDirectory: options.uploadDirectory)
        let type = (request.header("content-type") ?? "").lowercased()
        let isMultipart = type.hasPrefix("multipart/form-data")
        guard isMultipart || type.hasPrefix("application/x-www-form-urlencoded") else { return }
        if isMultipart {
            guard let b = RequestParsing.boundary(request.header("content-type") ?? "") else {
                failure = .malformed("multipart/form-data without a boundary")
                return
            }
            boundary = Array("--\(b)--".utf8)
        }
        processor = MHD_create_post_processor(connection, 16 << 10, formCallback, Unmanaged.passUnretained(self).toOpaque())
        if processor == nil { failure = .malformed("a form body libmicrohttpd cannot read") }
    }

    func feed(_ data: UnsafeRawBufferPointer) {
        if let boundary {
            tail.append(contentsOf: data.suffix(4096))
            if tail.count > 4096 + boundary.count { tail.removeFirst(tail.count - 4096 - boundary.count) }
        }
        guard let processor else { return }
        if MHD_post_process(processor, data.baseAddress?.assumingMemoryBound(to: CChar.self), data.count) != .YES {
            failure = form.failure ?? .malformed("the form cannot be read")
            MHD_destroy_post_processor(processor)
            self.processor = nil
        }
    }

    /// The body is complete: ends the form reading, closes the upload files, fills the request's form.
    func finish() {
        if let processor {
            let complete = MHD_destroy_post_processor(processor) == .YES
            self.processor = nil
            if failure == nil { failure = form.failure }
            if failure == nil, !complete { failure = .malformed("the form ends before it is complete") }
        }
        if failure == nil, let boundary, !Self.contains(tail, boundary) {
            failure = .malformed("the multipart body has no closing boundary")
        }
        form.closeFiles()
        if failure == nil, let storage = form.failure { failure = storage }
        request.form = form.fields
        request.files = failure == nil ? form.files : []
    }

    /// Releases what the request holds: the form parser, open files, the temporary upload files.
    func cleanUp() {
        if let processor {
            MHD_destroy_post_processor(processor)
            self.processor = nil
        }
        form.closeFiles()
        form.removeFiles()
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        guard let first = needle.first else { return true }
        var i = 0
        while i + needle.count <= haystack.count {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
