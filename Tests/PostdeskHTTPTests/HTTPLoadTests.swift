#if canImport(Glibc)
import Glibc
#endif
import Testing
import Synchronization
@testable import PostdeskHTTP

/// A fixed page: the static-page baseline of the portal benchmark (BENCHMARKS.md).
struct StaticPage: HTTPHandler {
    let page = HTTPResponse.html(200, "<!doctype html><html lang=en><title>Postdesk</title><p>" + String(repeating: "x", count: 2000))
    func handle(_ request: HTTPRequest) -> HTTPResponse { page }
    func refuse(_ request: HTTPRequest, _ failure: HTTPRequestFailure) -> HTTPResponse { .text(failure.status, "refused") }
}

/// 32 keep-alive clients on loopback against the static page; prints requests/s and p50/p99. Only with
/// `PD_HTTP_LOAD=1` (a measurement, not a check).
@Test(.enabled(if: getenv("PD_HTTP_LOAD") != nil, "a measurement, run only with PD_HTTP_LOAD=1 (the portal benchmark is Benchmarks/run-portal-bench.sh)"))
func staticPageLoad() throws {
    let folder = makeTemporaryFolder()
    defer { removeTree(folder) }
    var options = HTTPServerOptions(listen: .tcp(host: "127.0.0.1", port: 0), uploadDirectory: folder)
    options.threads = 4
    let server = try HTTPServer(options: options, handler: StaticPage())
    defer { server.stop(drainSeconds: 1) }
    let port = server.port!
    let clients = 32, perClient = 500
    let latencies = Mutex<[Double]>([])
    let finished = Atomic<Int>(0)
    let started = Monotonic.now
    for _ in 0..<clients {
        Thread {
            var mine: [Double] = []
            if let c = try? RawClient(port: port) {
                for _ in 0..<perClient {
                    let t = Monotonic.now
                    c.send("GET / HTTP/1.1\r\nHost: bench\r\n\r\n")
                    guard c.response(seconds: 10)?.status == 200 else { break }
                    mine.append(Monotonic.now - t)
                }
            }
            latencies.withLock { $0 += mine }
            finished.add(1, ordering: .acquiringAndReleasing)
        }.start()
    }
    #expect(eventually(120) { finished.load(ordering: .acquiring) == clients })
    let elapsed = Monotonic.now - started
    let all = latencies.withLock { $0 }.sorted()
    #expect(all.count == clients * perClient)
    guard !all.isEmpty else { return }
    let p = { (q: Double) in all[min(all.count - 1, Int(Double(all.count) * q))] * 1000 }
    print("static page: \(all.count) requests, \(Int(Double(all.count) / elapsed)) req/s, p50 \(p(0.5)) ms, p99 \(p(0.99)) ms")
}
