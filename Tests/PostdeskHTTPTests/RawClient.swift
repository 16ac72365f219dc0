#if canImport(Glibc)
import Glibc
#endif
import Synchronization
@testable import PostdeskHTTP

/// A hand-written HTTP client on a real socket: sends exactly the bytes a test gives, reads with deadlines.
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = UInt16(port).bigEndian
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        let r = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard r == 0 else { let e = errno; close(fd); throw Failure(description: "connect: \(String(cString: strerror(e)))") }
    }

    init(unixPath: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var a = sockaddr_un()
        a.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &a.sun_path) { $0.copyBytes(from: Array(unixPath.utf8)) }
        let r = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        guard r == 0 else { let e = errno; close(fd); throw Failure(description: "connect: \(String(cString: strerror(e)))") }
    }

    deinit { close(fd) }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Ends the connection from this side (the descriptor stays open until deinit).
    func hangUp() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// Reads more bytes: false on EOF, error or when the deadline passed.
    private func fill(until deadline: Double) -> Bool {
        let left = deadline - Monotonic.now
        guard left > 0 else { return false }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(left * 1000) + 1) > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &chunk, chunk.count, 0)
        guard n > 0 else { return false }
        buffer += chunk[0..<n]
        return true
    }

    /// One response (status, header fields lower-cased, body by Content-Length or to EOF); nil if none came in time.
    func response(seconds: Double = 10, head: Bool = false) -> RawResponse? {
        let deadline = Monotonic.now + seconds
        var end: Int?
        while end == nil {
            end = Self.headerEnd(buffer)
            if end == nil, !fill(until: deadline) { return nil }
        }
        let headerText = String(decoding: buffer[0..<end!], as: UTF8.self)
        var lines = headerText.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers: [String: String] = [:]
        var rawHeaders: [String] = []
        for line in lines where !line.isEmpty {
            rawHeaders.append(line)
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...]).trimmingSpaces
        }
        buffer.removeFirst(end! + 4)
        var body: [UInt8] = []
        if !head, let length = headers["content-length"].flatMap({ Int($0) }) {
            while buffer.count < length { if !fill(until: deadline) { return nil } }
            body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        } else if !head, headers["transfer-encoding"] == nil {
            while fill(until: deadline) {}
            body = buffer
            buffer = []
        }
        return RawResponse(status: status, headers: headers, rawHeaders: rawHeaders, body: body)
    }

    /// True when the server closes the connection (EOF or reset) within `seconds`.
    func closedByServer(seconds: Double) -> Bool {
        let deadline = Monotonic.now + seconds
        while Monotonic.now < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return true }
        }
        return false
    }

    private static func headerEnd(_ b: [UInt8]) -> Int? {
        guard b.count >= 4 else { return nil }
        for i in 0...(b.count - 4) where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { return i }
        return nil
    }

    /// One GET on a new connection.
    static func get(_ port: Int, _ target: String, headers: [String] = [], method: String = "GET") throws -> RawResponse? {
        let c = try RawClient(port: port)
        c.send("\(method) \(target) HTTP/1.1\r\nHost: test\r\n" + headers.map { $0 + "\r\n" }.joined() + "Connection: close\r\n\r\n")
        return c.response(head: method == "HEAD")
    }

    /// One POST with `body` on a new connection.
    static func post(_ port: Int, _ target: String, contentType: String, body: [UInt8]) throws -> RawResponse? {
        let c = try RawClient(port: port)
        c.send("POST \(target) HTTP/1.1\r\nHost: test\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n")
        c.send(body)
        return c.response()
    }
}

struct RawResponse {
    var status: Int
    var headers: [String: String]
    var rawHeaders: [String]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    var lines: [String] { text.split(separator: "\n").map(String.init) }
}

/// The handler behind the test servers: answers with a description of the request, remembers what it saw.
final class EchoHandler: HTTPHandler {
    struct Seen: Sendable {
        var request: HTTPRequest
        /// Each uploaded file's bytes, read while the request was being handled.
        var fileBytes: [[UInt8]]
    }

    let seen = Mutex<[Seen]>([])
    let refused = Mutex<[HTTPRequestFailure]>([])

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        let bytes = request.files.map { readFile($0.path) ?? [] }
        seen.withLock { $0.append(Seen(request: request, fileBytes: bytes)) }
        switch request.path {
        case "/slow":
            usleep(UInt32(Double(request.queryValue("ms") ?? "1000")! * 1000))
        case "/file":
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: .file(path: request.queryValue("p") ?? ""))
        case "/redirect":
            return .redirect("/tickets/1")
        case "/injected":
            return HTTPResponse(status: 200, headers: [("X-Ok", "yes"), ("X-Bad", "a\r\nSet-Cookie: evil=1")], body: .bytes(Array("ok".utf8)))
        default:
            break
        }
        var lines = ["method=\(request.method)", "path=\(request.path)", "peer=\(request.peer)", "client=\(request.client)"]
        lines += request.query.map { "query \($0.name)=\($0.value)" }
        lines += request.cookies.sorted { $0.key < $1.key }.map { "cookie \($0.key)=\($0.value)" }
        lines += request.form.map { "form \($0.name)=\($0.value)" }
        lines += request.files.map { "file \($0.field) \($0.filename) \($0.contentType) \($0.size)" }
        var response = HTTPResponse.text(200, lines.joined(separator: "\n"))
        response.set("X-Handled", "1")
        return response
    }

    func refuse(_ request: HTTPRequest, _ failure: HTTPRequestFailure) -> HTTPResponse {
        refused.withLock { $0.append(failure) }
        var response = HTTPResponse.text(failure.status, "refused \(request.method) \(request.path) \(failure)")
        response.set("X-Refused", "1")
        return response
    }

    var last: Seen? { seen.withLock { $0.last } }
}

func readFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(fd, &chunk, chunk.count)
        if n <= 0 { break }
        out += chunk[0..<n]
    }
    return out
}

func listFolder(_ path: String) -> [String] {
    guard let dir = opendir(path) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name != ".", name != ".." { names.append(name) }
    }
    return names
}

func removeTree(_ path: String) {
    for name in listFolder(path) {
        let p = path + "/" + name
        var st = stat()
        if lstat(p, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { removeTree(p) } else { unlink(p) }
    }
    rmdir(path)
}

func makeTemporaryFolder() -> String {
    var template = Array("/tmp/pd-http-XXXXXX".utf8CString)
    _ = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Waits until `condition` holds, up to `seconds`.
func eventually(_ seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = Monotonic.now + seconds
    while Monotonic.now < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// A server on 127.0.0.1 port 0 (or a Unix socket) with its own upload folder; `stop()` removes the folder.
struct TestServer {
    let server: HTTPServer
    let handler: EchoHandler
    let folder: String

    init(unix: Bool = false, _ configure: (inout HTTPServerOptions) -> Void = { _ in }) throws {
        folder = makeTemporaryFolder()
        var options = HTTPServerOptions(listen: unix ? .unix(path: folder + "/http.sock") : .tcp(host: "127.0.0.1", port: 0),
                                        uploadDirectory: folder + "/uploads")
        options.threads = 2
        options.connectionTimeoutSeconds = 10
        configure(&options)
        handler = EchoHandler()
        server = try HTTPServer(options: options, handler: handler)
    }

    var port: Int { server.port ?? 0 }
    var socketPath: String { folder + "/http.sock" }
    var uploads: [String] { listFolder(folder + "/uploads") }

    func stop() {
        server.stop(drainSeconds: 2)
        removeTree(folder)
    }
}
