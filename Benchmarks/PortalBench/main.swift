// The portal benchmark's two halves (BENCHMARKS.md, "Customer portal"; Benchmarks/run-portal-bench.sh):
//
//   postdesk-portal-bench static --port P [--threads N]
//       the baseline: a fixed 6 KB HTML page served by PostdeskHTTP with the portal's own libmicrohttpd set-up
//       (thread pool, epoll, limits), the ceiling of any page on this machine
//   postdesk-portal-bench load --port P --path PATH [--cookie 'name=value'] [--clients 32] [--seconds 10]
//       32 clients, each on its own thread and keep-alive connection, GET PATH back to back; prints
//       requests/s and the p50 / p99 / max latency, and the count of answers that were not 200
import Foundation
import PostdeskHTTP
#if canImport(Glibc)
import Glibc
#endif

struct StaticPage: HTTPHandler {
    let page: HTTPResponse = {
        var rows = ""
        for i in 1...40 {
            rows += "<tr><td><a href=\"/tickets/\(i)\">#\(i)</a></td><td>Printer on fire, again \(i)</td><td>open</td><td>Alice Novak</td><td>2026-12-0\(i % 9 + 1)</td></tr>\n"
        }
        return .html(200, "<!doctype html><html lang=en><head><meta charset=utf-8><title>Tickets</title></head><body><table>\(rows)</table></body></html>")
    }()
    func handle(_ request: HTTPRequest) -> HTTPResponse { page }
    func refuse(_ request: HTTPRequest, _ failure: HTTPRequestFailure) -> HTTPResponse { .text(failure.status, "refused\n") }
}

func option(_ name: String, _ args: [String]) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

let args = Array(CommandLine.arguments.dropFirst())
guard let mode = args.first else {
    print("usage: postdesk-portal-bench static --port P | load --port P --path PATH [--cookie C] [--clients N] [--seconds S]")
    exit(64)
}

switch mode {
case "static":
    let port = Int(option("--port", args) ?? "8090") ?? 8090
    var options = HTTPServerOptions(listen: .tcp(host: "127.0.0.1", port: port), uploadDirectory: NSTemporaryDirectory() + "pd-bench-uploads")
    options.threads = Int(option("--threads", args) ?? "4") ?? 4
    let server = try HTTPServer(options: options, handler: StaticPage())
    FileHandle.standardOutput.write(Data("static page on 127.0.0.1:\(server.port ?? port)\n".utf8))
    while true { sleep(3600) }

case "load":
    let port = UInt16(option("--port", args) ?? "8080") ?? 8080
    let path = option("--path", args) ?? "/"
    let cookie = option("--cookie", args)
    let clients = Int(option("--clients", args) ?? "32") ?? 32
    let seconds = Double(option("--seconds", args) ?? "10") ?? 10
    var request = "GET \(path) HTTP/1.1\r\nHost: support.acme.test\r\nUser-Agent: postdesk-portal-bench\r\n"
    if let cookie { request += "Cookie: \(cookie)\r\n" }
    request += "\r\n"
    let requestBytes = Array(request.utf8)

    final class Result: @unchecked Sendable {
        var latencies: [Double] = []
        var errors = 0
        var bad = 0
    }
    let results = (0..<clients).map { _ in Result() }
    let start = Date()
    let deadline = start.addingTimeInterval(seconds)

    let threads = (0..<clients).map { i in
        Thread {
            let r = results[i]
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            var fd = Wire.connect(port)
            while Date() < deadline {
                if fd < 0 { r.errors += 1; usleep(1000); fd = Wire.connect(port); continue }
                let t0 = DispatchTime.now().uptimeNanoseconds
                let sent = requestBytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                guard sent == requestBytes.count, let status = Wire.readResponse(fd, &buffer) else {
                    close(fd); fd = -1; r.errors += 1; continue
                }
                r.latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                if status != 200 { r.bad += 1 }
            }
            if fd >= 0 { close(fd) }
        }
    }
    for t in threads { t.start() }
    while threads.contains(where: { !$0.isFinished }) { usleep(50_000) }
    let elapsed = Date().timeIntervalSince(start)
    let all = results.flatMap(\.latencies).sorted()
    func pct(_ p: Double) -> Double { all.isEmpty ? 0 : all[min(all.count - 1, Int(Double(all.count) * p))] }
    print(String(format: "%@  %d clients  %.0f requests/s  p50 %.2f ms  p99 %.2f ms  max %.2f ms  non-200 %d  errors %d",
                 path, clients, Double(all.count) / elapsed, pct(0.5), pct(0.99), all.last ?? 0, results.map(\.bad).reduce(0, +),
                 results.map(\.errors).reduce(0, +)))

default:
    print("unknown mode \(mode)")
    exit(64)
}

enum Wire {
    static func connect(_ port: UInt16) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if rc != 0 { close(fd); return -1 }
        return fd
    }

    /// Reads one response; returns its status, or nil when the connection broke.
    static func readResponse(_ fd: Int32, _ buffer: inout [UInt8]) -> Int? {
        var have: [UInt8] = []
        var headerEnd = -1
        while headerEnd < 0 {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return nil }
            have += buffer[0..<n]
            if let r = have.indices.dropLast(3).first(where: { have[$0] == 13 && have[$0 + 1] == 10 && have[$0 + 2] == 13 && have[$0 + 3] == 10 }) {
                headerEnd = r + 4
            }
        }
        let head = String(decoding: have[0..<headerEnd], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        var length = 0
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
        }
        var body = have.count - headerEnd
        while body < length {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, length - body)) }
            if n <= 0 { return nil }
            body += n
        }
        return status
    }

}
