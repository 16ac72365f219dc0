#if canImport(Glibc)
import Glibc
#endif
import Testing
import Synchronization
import PostdeskTestSupport
@testable import PostdeskHTTP

/// A multipart/form-data body with the given text fields and files.
func multipart(boundary: String, fields: [(String, String)], files: [(field: String, name: String, type: String, bytes: [UInt8])]) -> [UInt8] {
    var body: [UInt8] = []
    for (name, value) in fields {
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }
    for file in files {
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\nContent-Type: \(file.type)\r\n\r\n".utf8)
        body += file.bytes
        body += Array("\r\n".utf8)
    }
    body += Array("--\(boundary)--\r\n".utf8)
    return body
}

func randomBytes(_ count: Int) -> [UInt8] {
    var g = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &g) }
}

@Suite struct HTTPServerTests {
    @Test func getWithQueryCookiesAndHeaders() throws {
        let s = try TestServer()
        defer { s.stop() }
        let r = try #require(try RawClient.get(s.port, "/t%C3%A9st/x?a=1&b=x+y&c=%2F%26&a=2",
                                               headers: ["Cookie: sid=abc; lang=de; sid=forged", "X-Custom: Value 1", "Accept-Language: pl"]))
        #expect(r.status == 200)
        #expect(r.headers["x-handled"] == "1")
        #expect(r.headers["content-type"] == "text/plain; charset=utf-8")
        #expect(r.lines == ["method=GET", "path=/tést/x", "peer=127.0.0.1", "client=127.0.0.1",
                            "query a=1", "query b=x y", "query c=/&", "query a=2", "cookie lang=de", "cookie sid=abc"])
        let seen = try #require(s.handler.last).request
        #expect(seen.header("X-CUSTOM") == "Value 1")
        #expect(seen.headers.contains { $0.name == "accept-language" && $0.value == "pl" })
        #expect(seen.headers.allSatisfy { $0.name == $0.name.lowercased() })
        #expect(eventually { s.server.requestsInProgress == 0 })
    }

    @Test(arguments: ["/a%00b", "/%FF", "/ok/%C3"])
    func pathThatIsNotTextIsRefused(path: String) throws {
        let s = try TestServer()
        defer { s.stop() }
        let r = try #require(try RawClient.get(s.port, path))
        #expect(r.status == 400)
        #expect(r.headers["x-refused"] == "1")
        #expect(s.handler.seen.withLock { $0.isEmpty })
        #expect(try RawClient.get(s.port, "/next")?.status == 200)
    }

    /// Keep-alive requests one after another are not held back (no Nagle or cork delay between them).
    @Test func keepAliveRequestsAreQuick() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try RawClient(port: s.port)
        let started = Monotonic.now
        for i in 0..<200 {
            c.send("GET /k?i=\(i) HTTP/1.1\r\nHost: t\r\n\r\n")
            guard let r = c.response(seconds: 5), r.status == 200 else {
                Issue.record("request \(i) was not answered")
                return
            }
        }
        let elapsed = Monotonic.now - started
        #expect(elapsed < 3)
    }

    @Test func headGetsTheHeaderOnly() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try RawClient(port: s.port)
        c.send("HEAD /x HTTP/1.1\r\nHost: t\r\n\r\nGET /y HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        let head = try #require(c.response(head: true))
        #expect(head.status == 200)
        #expect(Int(head.headers["content-length"] ?? "") ?? 0 > 0)
        // The next response on the same connection starts right after the header: no body was sent for HEAD.
        let get = try #require(c.response())
        #expect(get.lines.first == "method=GET")
        #expect(s.handler.seen.withLock { $0.map(\.request.method) } == ["HEAD", "GET"])
    }

    @Test func emptyBodies() throws {
        let s = try TestServer()
        defer { s.stop() }
        let r = try #require(try RawClient.get(s.port, "/redirect"))
        #expect(r.status == 303)
        #expect(r.headers["location"] == "/tickets/1")
        #expect(r.headers["content-length"] == "0")
    }

    /// Requests libmicrohttpd answers itself (the handler never sees them): the per-request state is released.
    @Test func requestsRefusedByLibmicrohttpd() throws {
        let s = try TestServer { $0.connectionMemoryBytes = 16 << 10 }
        defer { s.stop() }
        let big = try RawClient(port: s.port)
        big.send("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + String(repeating: "a", count: 40_000) + "\r\n\r\n")
        let r = try #require(big.response(seconds: 5))
        #expect([413, 431].contains(r.status))
        let noHost = try RawClient(port: s.port)
        noHost.send("GET / HTTP/1.1\r\n\r\n")
        #expect(noHost.response(seconds: 5)?.status == 400)
        let huge = try RawClient(port: s.port)
        huge.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999999\r\n\r\n")
        let h = try #require(huge.response(seconds: 5))
        #expect([400, 413].contains(h.status))
        #expect(s.handler.seen.withLock { $0.isEmpty })
        #expect(eventually { s.server.requestsInProgress == 0 })
        #expect(try RawClient.get(s.port, "/next")?.status == 200)
    }

    @Test(arguments: ["PUT", "PATCH", "DELETE", "GET"])
    func tooLargeContentLengthForOtherMethods(method: String) throws {
        let s = try TestServer { $0.maxBodyBytes = 1000 }
        defer { s.stop() }
        let c = try RawClient(port: s.port)
        c.send("\(method) /x HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\n" + String(repeating: "z", count: 2000))
        let r = try #require(c.response(seconds: 5))
        #expect(r.status == 413)
        #expect(c.closedByServer(seconds: 3))
        #expect(s.handler.seen.withLock { $0.isEmpty })
        #expect(eventually { s.server.requestsInProgress == 0 })
    }

    @Test func responseHeadersWithLineBreaksAreDropped() throws {
        let s = try TestServer()
        defer { s.stop() }
        let r = try #require(try RawClient.get(s.port, "/injected"))
        #expect(r.status == 200)
        #expect(r.headers["x-ok"] == "yes")
        #expect(r.headers["x-bad"] == nil)
        #expect(r.headers["set-cookie"] == nil)
    }

    @Test func fileResponses() throws {
        let s = try TestServer()
        defer { s.stop() }
        let bytes = randomBytes(200_000)
        let path = s.folder + "/data.bin"
        let fd = open(path, O_WRONLY | O_CREAT, 0o600)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let r = try #require(try RawClient.get(s.port, "/file?p=" + path))
        #expect(r.status == 200)
        #expect(r.body == bytes)
        let missing = try #require(try RawClient.get(s.port, "/file?p=" + s.folder + "/none"))
        #expect(missing.status == 500)
        let folder = try #require(try RawClient.get(s.port, "/file?p=" + s.folder))
        #expect(folder.status == 500)
    }

    @Test func postURLEncoded() throws {
        let s = try TestServer()
        defer { s.stop() }
        let body = Array("subject=Printer+on+fire&text=line1%0D%0Aline2%20%C3%A9&cc=a%40x&cc=b%40y&empty=".utf8)
        let r = try #require(try RawClient.post(s.port, "/tickets/new?from=form", contentType: "application/x-www-form-urlencoded", body: body))
        #expect(r.status == 200)
        let seen = try #require(s.handler.last).request
        #expect(seen.method == "POST")
        #expect(seen.queryValue("from") == "form")
        #expect(seen.field("subject") == "Printer on fire")
        #expect(seen.field("text") == "line1\r\nline2 é")
        #expect(seen.fields("cc") == ["a@x", "b@y"])
        #expect(seen.field("empty") == "")
        #expect(seen.files.isEmpty)
    }

    @Test func emptyAndLongFields() throws {
        let s = try TestServer()
        defer { s.stop() }
        let long = String(repeating: "0123456789", count: 5000)
        let body = Array("a=&a=&b=\(long)&b=\(long)&c=".utf8)
        #expect(try RawClient.post(s.port, "/", contentType: "application/x-www-form-urlencoded", body: body)?.status == 200)
        #expect(s.handler.last?.request.form.map { "\($0.name)=\($0.value.count)" } == ["a=0", "a=0", "b=50000", "b=50000", "c=0"])
        let parts = multipart(boundary: "XyZ123", fields: [("a", ""), ("a", ""), ("b", long), ("b", long)],
                              files: [("f", "x", "text/plain", []), ("f", "x", "text/plain", Array(long.utf8)), ("f", "x", "text/plain", [])])
        #expect(try RawClient.post(s.port, "/", contentType: "multipart/form-data; boundary=XyZ123", body: parts)?.status == 200)
        let seen = try #require(s.handler.last)
        #expect(seen.request.form.map { "\($0.name)=\($0.value.count)" } == ["a=0", "a=0", "b=50000", "b=50000"])
        #expect(seen.request.files.map(\.size) == [0, 50000, 0])
    }

    @Test func otherBodiesAreIgnored() throws {
        let s = try TestServer()
        defer { s.stop() }
        let r = try #require(try RawClient.post(s.port, "/api", contentType: "application/json", body: Array("{\"a\":1}".utf8)))
        #expect(r.status == 200)
        #expect(try #require(s.handler.last).request.form.isEmpty)
    }

    @Test func multipartWithTwoFiles() throws {
        let s = try TestServer()
        defer { s.stop() }
        let one = randomBytes(300_000)
        let two = Array("plain text\r\n--not-the-boundary\r\n".utf8)
        let body = multipart(boundary: "XyZ123", fields: [("text", "Hello\r\nworld"), ("blank", ""), ("csrf", "t0ken")],
                             files: [("file", "report.pdf", "application/pdf", one), ("file", "../../etc/pass\"wd", "text/plain", two),
                                     ("file", "", "application/octet-stream", [])])
        let r = try #require(try RawClient.post(s.port, "/tickets/3/reply", contentType: "multipart/form-data; boundary=XyZ123", body: body))
        #expect(r.status == 200)
        let seen = try #require(s.handler.last)
        #expect(seen.request.field("text") == "Hello\r\nworld")
        #expect(seen.request.field("csrf") == "t0ken")
        #expect(seen.request.form.map(\.name) == ["text", "blank", "csrf"])
        #expect(seen.request.files.count == 2)   // the empty file input is no file
        let files = seen.request.files
        #expect(files.map(\.field) == ["file", "file"])
        #expect(files.map(\.filename) == ["report.pdf", "../../etc/pass\"wd"] || files.map(\.filename) == ["report.pdf", "../../etc/pass"])
        #expect(files.map(\.contentType) == ["application/pdf", "text/plain"])
        #expect(files.map(\.size) == [one.count, two.count])
        #expect(seen.fileBytes == [one, two])
        for file in files {
            #expect(file.path.hasPrefix(s.folder + "/uploads/upload-"))
            #expect(!file.path.contains("report"))
        }
        // The temporary files are gone once the response was sent.
        #expect(eventually { s.uploads.isEmpty })
        #expect(eventually { s.server.requestsInProgress == 0 })
    }

    /// curl as the client: its own multipart encoding, and Expect: 100-continue for a large upload.
    @Test func curlUpload() throws {
        let s = try TestServer()
        defer { s.stop() }
        let bytes = randomBytes(1_500_000)
        let path = s.folder + "/big.bin"
        let fd = open(path, O_WRONLY | O_CREAT, 0o600)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let out = try runCommand("/usr/bin/curl", ["-sS", "-F", "text=Hallo Welt", "-F", "file=@\(path);type=image/png",
                                                   "http://127.0.0.1:\(s.port)/tickets/9/reply"], seconds: 30)
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("form text=Hallo Welt"))
        #expect(out.stdout.contains("file file big.bin image/png 1500000"))
        #expect(s.handler.last?.fileBytes == [bytes])
        #expect(eventually { s.uploads.isEmpty })
    }

    @Test func uploadFilesAreMode0600() throws {
        final class Modes: HTTPHandler {
            let modes = Mutex<[UInt32]>([])
            func handle(_ request: HTTPRequest) -> HTTPResponse {
                for file in request.files {
                    var st = stat()
                    if stat(file.path, &st) == 0 { modes.withLock { $0.append(st.st_mode & 0o777) } }
                }
                return .text(200, "ok")
            }
            func refuse(_ request: HTTPRequest, _ failure: HTTPRequestFailure) -> HTTPResponse { .text(failure.status, "no") }
        }
        let folder = makeTemporaryFolder()
        defer { removeTree(folder) }
        let handler = Modes()
        let server = try HTTPServer(options: HTTPServerOptions(listen: .tcp(host: "127.0.0.1", port: 0), uploadDirectory: folder + "/up"), handler: handler)
        defer { server.stop(drainSeconds: 1) }
        let body = multipart(boundary: "bnd", fields: [], files: [("f", "a.txt", "text/plain", Array("abc".utf8))])
        let r = try RawClient.post(server.port!, "/", contentType: "multipart/form-data; boundary=bnd", body: body)
        #expect(r?.status == 200, "\(r?.text ?? "")")
        #expect(handler.modes.withLock { $0 } == [0o600])
        var st = stat()
        #expect(stat(folder + "/up", &st) == 0 && st.st_mode & 0o777 == 0o700)
    }

    @Test func staleUploadsAreRemovedAtStart() throws {
        let folder = makeTemporaryFolder()
        defer { removeTree(folder) }
        mkdir(folder + "/up", 0o700)
        for name in ["upload-old", "upload-new", "keep-old"] { close(open(folder + "/up/" + name, O_WRONLY | O_CREAT, 0o600)) }
        var old = [timespec(tv_sec: time(nil) - 7200, tv_nsec: 0), timespec(tv_sec: time(nil) - 7200, tv_nsec: 0)]
        for name in ["upload-old", "keep-old"] { utimensat(AT_FDCWD, folder + "/up/" + name, &old, 0) }
        let server = try HTTPServer(options: HTTPServerOptions(listen: .tcp(host: "127.0.0.1", port: 0), uploadDirectory: folder + "/up"), handler: EchoHandler())
        server.stop(drainSeconds: 0)
        #expect(listFolder(folder + "/up").sorted() == ["keep-old", "upload-new"])
    }

    @Test func tooLargeContentLengthIsAnsweredAtOnce() throws {
        let s = try TestServer { $0.maxBodyBytes = 1000 }
        defer { s.stop() }
        let c = try RawClient(port: s.port)
        let started = Monotonic.now
        // The header only: the server must answer without waiting for 10 MB that never come.
        c.send("POST /tickets/new HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000000\r\n\r\n")
        let r = try #require(c.response(seconds: 5))
        #expect(r.status == 413)
        #expect(r.text.contains("bodyTooLarge(limit: 1000)"))
        #expect(Monotonic.now - started < 3)
        #expect(c.closedByServer(seconds: 3))
        #expect(s.handler.seen.withLock { $0.isEmpty })
        #expect(try RawClient.get(s.port, "/next")?.status == 200)
        // With Expect: 100-continue the refusal comes instead of the 100.
        let e = try RawClient(port: s.port)
        e.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n")
        #expect(e.response(seconds: 5)?.status == 413)
        // A body exactly at the limit is fine.
        let exact = Array(("a=" + String(repeating: "x", count: 998)).utf8)
        let ok = try #require(try RawClient.post(s.port, "/", contentType: "application/x-www-form-urlencoded", body: exact))
        #expect(ok.status == 200)
        #expect(eventually { s.server.requestsInProgress == 0 })
    }

    @Test func chunkedBodyOverTheCap() throws {
        let s = try TestServer { $0.maxBodyBytes = 1000 }
        defer { s.stop() }
        let c = try RawClient(port: s.port)
        c.send("POST /tickets/new HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n")
        // Three chunks of 600 bytes and no end: the server stops at the cap instead of reading on.
        for _ in 0..<3 { c.send("258\r\n" + "a=" + String(repeating: "x", count: 598) + "\r\n") }
        let r = try #require(c.response(seconds: 5))
        #expect(r.status == 413)
        #expect(r.headers["x-refused"] == "1")
        #expect(r.headers["connection"] == "close")
        #expect(c.closedByServer(seconds: 3))
        #expect(s.handler.seen.withLock { $0.isEmpty })
        #expect(try RawClient.get(s.port, "/next")?.status == 200)
        // A chunked body under the cap is read.
        let d = try RawClient(port: s.port)
        d.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\na=1&b\r\n2\r\n=2\r\n0\r\n\r\n")
        #expect(d.response()?.status == 200)
        #expect(s.handler.last?.request.form.map { "\($0.name)=\($0.value)" } == ["a=1", "b=2"])
        #expect(eventually { s.server.requestsInProgress == 0 })
    }

    @Test(arguments: [
        "no parts at all, just text",
        "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue without an end",
        "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\ntruncated file",
    ])
    func malformedMultipart(body: String) throws {
        let s = try TestServer()
        defer { s.stop() }
        let r = try #require(try RawClient.post(s.port, "/tickets/3/reply", contentType: "multipart/form-data; boundary=XyZ", body: Array(body.utf8)))
        #expect(r.status == 400)
        #expect(s.handler.seen.withLock { $0.isEmpty })
        #expect(eventually { s.uploads.isEmpty })
        #expect(try RawClient.get(s.port, "/next")?.status == 200)
    }

    @Test func multipartWithoutBoundary() throws {
        let s = try TestServer()
        defer { s.stop() }
        let r = try #require(try RawClient.post(s.port, "/", contentType: "multipart/form-data", body: Array("--x\r\n".utf8)))
        #expect(r.status == 400)
        // libmicrohttpd takes no one-character boundary (browsers send 30 and more).
        let body = multipart(boundary: "b", fields: [("a", "1")], files: [])
        #expect(try RawClient.post(s.port, "/", contentType: "multipart/form-data; boundary=b", body: body)?.status == 400)
    }

    @Test func formLimits() throws {
        let s = try TestServer {
            $0.maxFields = 5
            $0.maxFieldBytes = 100
            $0.maxFiles = 1
        }
        defer { s.stop() }
        let many = (0..<6).map { "f\($0)=v" }.joined(separator: "&")
        let r1 = try #require(try RawClient.post(s.port, "/", contentType: "application/x-www-form-urlencoded", body: Array(many.utf8)))
        #expect(r1.status == 413)
        #expect(r1.text.contains("formTooLarge"))
        let five = (0..<5).map { "f\($0)=v" }.joined(separator: "&")
        #expect(try RawClient.post(s.port, "/", contentType: "application/x-www-form-urlencoded", body: Array(five.utf8))?.status == 200)
        let big = "text=" + String(repeating: "y", count: 101)
        #expect(try RawClient.post(s.port, "/", contentType: "application/x-www-form-urlencoded", body: Array(big.utf8))?.status == 413)
        let bigMultipart = multipart(boundary: "bnd", fields: [("text", String(repeating: "y", count: 101))], files: [])
        #expect(try RawClient.post(s.port, "/", contentType: "multipart/form-data; boundary=bnd", body: bigMultipart)?.status == 413)
        // Files do not count against the field size, but against the file count.
        let oneFile = multipart(boundary: "bnd", fields: [], files: [("f", "a", "text/plain", randomBytes(5000))])
        #expect(try RawClient.post(s.port, "/", contentType: "multipart/form-data; boundary=bnd", body: oneFile)?.status == 200)
        let twoFiles = multipart(boundary: "bnd", fields: [], files: [("f", "a", "text/plain", randomBytes(10)), ("f", "b", "text/plain", randomBytes(10))])
        #expect(try RawClient.post(s.port, "/", contentType: "multipart/form-data; boundary=bnd", body: twoFiles)?.status == 413)
        #expect(eventually { s.uploads.isEmpty })
        #expect(try RawClient.get(s.port, "/next")?.status == 200)
    }

    @Test func slowlorisIsDroppedAndOthersAreServed() throws {
        let s = try TestServer {
            $0.connectionTimeoutSeconds = 2
            $0.threads = 2
        }
        defer { s.stop() }
        let started = Monotonic.now
        let stalled = try (0..<8).map { _ in try RawClient(port: s.port) }
        for c in stalled { c.send("GET /tickets HTTP/1.1\r\nHost: t\r\nX-A: ") }
        // While they stall, other clients are served.
        for _ in 0..<3 { #expect(try RawClient.get(s.port, "/ok")?.status == 200) }
        for c in stalled { #expect(c.closedByServer(seconds: 6)) }
        let elapsed = Monotonic.now - started
        #expect(elapsed >= 1.5)
        #expect(elapsed < 8)
        #expect(try RawClient.get(s.port, "/after")?.status == 200)
        #expect(eventually { s.server.requestsInProgress == 0 })
    }

    /// A client that trickles its header a byte at a time never idles, yet is cut at the header deadline.
    @Test func tricklingHeaderIsCutAtTheDeadline() throws {
        let s = try TestServer {
            $0.connectionTimeoutSeconds = 10
            $0.headerTimeoutSeconds = 2
            $0.threads = 4
        }
        defer { s.stop() }
        let started = Monotonic.now
        let slow = try RawClient(port: s.port)
        // A keep-alive client that got its answer: its next header is due within the deadline too.
        let kept = try RawClient(port: s.port)
        kept.send("GET /first HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(kept.response()?.status == 200)
        let header = Array("GET /tickets HTTP/1.1\r\nHost: t\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".utf8)
        var cut: Double?
        for byte in header {
            guard slow.send([byte]) else { cut = Monotonic.now - started; break }
            if slow.closedByServer(seconds: 0.2) { cut = Monotonic.now - started; break }
        }
        let elapsed = try #require(cut)
        #expect(elapsed >= 1.5)
        #expect(elapsed < 5)
        #expect(kept.closedByServer(seconds: 3))
        // A request that takes longer than the deadline to answer is not cut: the deadline is for the header.
        let r = try #require(try RawClient.get(s.port, "/slow?ms=2200"))
        #expect(r.status == 200)
        #expect(eventually { s.server.requestsInProgress == 0 })
    }

    @Test func connectionLimit() throws {
        let s = try TestServer {
            $0.threads = 1
            $0.connectionLimit = 2
        }
        defer { s.stop() }
        let a = try RawClient(port: s.port)
        let b = try RawClient(port: s.port)
        a.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\n")
        b.send("GET /b HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(a.response()?.status == 200)
        #expect(b.response()?.status == 200)
        // Both connections are kept alive: a third is not served while they are open.
        let c = try RawClient(port: s.port)
        c.send("GET /c HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        let early = c.response(seconds: 1)
        #expect(early == nil)
        // Once one closes, new clients are served again.
        a.hangUp()
        if early == nil, let late = c.response(seconds: 5) {
            #expect(late.status == 200)
        } else {
            #expect(try RawClient.get(s.port, "/d")?.status == 200)
        }
    }

    @Test func unixSocket() throws {
        let s = try TestServer(unix: true)
        defer { s.stop() }
        #expect(s.server.port == nil)
        var st = stat()
        #expect(lstat(s.socketPath, &st) == 0)
        #expect(st.st_mode & S_IFMT == S_IFSOCK)
        #expect(st.st_mode & 0o777 == 0o660)
        let c = try RawClient(unixPath: s.socketPath)
        c.send("GET /u?x=1 HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 198.51.100.1\r\nConnection: close\r\n\r\n")
        let r = try #require(c.response())
        #expect(r.status == 200)
        #expect(r.lines.prefix(4) == ["method=GET", "path=/u", "peer=unix", "client=unix"])
        // A stale socket file is replaced on the next start; stop removes it.
        s.server.stop(drainSeconds: 1)
        #expect(lstat(s.socketPath, &st) != 0)
    }

    @Test func staleUnixSocketIsReplacedButNotOtherFiles() throws {
        let folder = makeTemporaryFolder()
        defer { removeTree(folder) }
        let path = folder + "/s.sock"
        let first = try HTTPServer(options: HTTPServerOptions(listen: .unix(path: path), uploadDirectory: folder + "/up"), handler: EchoHandler())
        // A second server on the same path (as after a crash, the file still there) takes it over.
        let second = try HTTPServer(options: HTTPServerOptions(listen: .unix(path: path), uploadDirectory: folder + "/up"), handler: EchoHandler())
        // The first one stopping leaves the second one's socket alone.
        first.stop(drainSeconds: 0)
        let c = try RawClient(unixPath: path)
        c.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(c.response()?.status == 200)
        second.stop(drainSeconds: 0)
        #expect(access(path, F_OK) != 0)
        let plain = folder + "/plain"
        close(open(plain, O_WRONLY | O_CREAT, 0o600))
        #expect(throws: HTTPServerError.self) {
            try HTTPServer(options: HTTPServerOptions(listen: .unix(path: plain), uploadDirectory: folder + "/up"), handler: EchoHandler())
        }
        #expect(access(plain, F_OK) == 0)
    }

    @Test func trustedProxyForwardedFor() throws {
        let trusting = try TestServer { $0.trustedProxies = ["127.0.0.0/8"] }
        defer { trusting.stop() }
        let r = try #require(try RawClient.get(trusting.port, "/", headers: ["X-Forwarded-For: 6.6.6.6, 203.0.113.9"]))
        #expect(r.lines.prefix(4) == ["method=GET", "path=/", "peer=127.0.0.1", "client=203.0.113.9"])
        let untrusting = try TestServer { $0.trustedProxies = ["10.0.0.1"] }
        defer { untrusting.stop() }
        let u = try #require(try RawClient.get(untrusting.port, "/", headers: ["X-Forwarded-For: 203.0.113.9"]))
        #expect(u.lines.prefix(4) == ["method=GET", "path=/", "peer=127.0.0.1", "client=127.0.0.1"])
    }

    @Test func stopDrainsARequestInProgress() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try RawClient(port: s.port)
        c.send("GET /slow?ms=1200 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(eventually { s.server.requestsInProgress == 1 })
        let stopper = Thread { s.server.stop(drainSeconds: 5) }
        let started = Monotonic.now
        stopper.start()
        // New connections are refused while the slow one finishes.
        #expect(eventually(2) { (try? RawClient(port: s.port)) == nil })
        let r = try #require(c.response(seconds: 5))
        #expect(r.status == 200)
        #expect(stopper.join(seconds: 5))
        #expect(Monotonic.now - started < 4.5)
        s.server.stop()   // a second call does nothing
    }

    @Test func listenErrors() throws {
        let folder = makeTemporaryFolder()
        defer { removeTree(folder) }
        #expect(throws: HTTPServerError.self) {
            try HTTPServer(options: HTTPServerOptions(listen: .tcp(host: "portal.example", port: 0), uploadDirectory: folder), handler: EchoHandler())
        }
        let s = try TestServer()
        defer { s.stop() }
        #expect(throws: HTTPServerError.self) {
            try HTTPServer(options: HTTPServerOptions(listen: .tcp(host: "127.0.0.1", port: s.port), uploadDirectory: folder), handler: EchoHandler())
        }
        #expect(throws: HTTPServerError.self) {
            try HTTPServer(options: HTTPServerOptions(listen: .socket(fd: 0), uploadDirectory: folder), handler: EchoHandler())
        }
    }

    @Test func ipv6AndInheritedSocket() throws {
        let folder = makeTemporaryFolder()
        defer { removeTree(folder) }
        // An IPv6 loopback listener (skipped where the machine has no IPv6), read by curl.
        let hasIPv6 = String(decoding: readFile("/proc/net/if_inet6") ?? [], as: UTF8.self).contains(" lo")
        let v6 = try? HTTPServer(options: HTTPServerOptions(listen: .tcp(host: "[::1]", port: 0), uploadDirectory: folder), handler: EchoHandler())
        #expect((v6 != nil) == hasIPv6)
        if let v6 {
            let out = try runCommand("/usr/bin/curl", ["-sS", "-g", "http://[::1]:\(v6.port!)/six?a=1"], seconds: 20)
            #expect(out.stdout.split(separator: "\n").prefix(4) == ["method=GET", "path=/six", "peer=::1", "client=::1"])
            v6.stop(drainSeconds: 0)
        }
        // An already listening socket, as systemd passes it.
        let listener = try Listener.tcp(host: "127.0.0.1", port: 0)
        let server = try HTTPServer(options: HTTPServerOptions(listen: .socket(fd: listener.fd), uploadDirectory: folder), handler: EchoHandler())
        defer { server.stop(drainSeconds: 0) }
        #expect(server.port == listener.port)
        #expect(try RawClient.get(listener.port!, "/sd")?.status == 200)
    }
}

/// A plain thread that can be joined with a deadline.
final class Thread: @unchecked Sendable {
    private let body: @Sendable () -> Void
    private let done = Atomic<Bool>(false)
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }

    func start() {
        var tid = pthread_t()
        let box = Unmanaged.passRetained(self).toOpaque()
        pthread_create(&tid, nil, { raw in
            let me = Unmanaged<Thread>.fromOpaque(raw!).takeRetainedValue()
            me.body()
            me.done.store(true, ordering: .releasing)
            return nil
        }, box)
        pthread_detach(tid)
    }

    func join(seconds: Double) -> Bool { eventually(seconds) { done.load(ordering: .acquiring) } }
}
